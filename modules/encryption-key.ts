import { Construct } from "constructs";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { KmsKey } from "@cdktf/provider-aws/lib/kms-key";
import { KmsAlias } from "@cdktf/provider-aws/lib/kms-alias";
import { PolicyStatement, policyDocument, policyJson } from "../lib/iam/policy";

export interface EncryptionKeyProps {
  readonly provider: AwsProvider;
  readonly partition: string;
  readonly accountId: string;
  /** e.g. `alias/secops-archive`. */
  readonly alias: string;
  readonly description: string;
  /**
   * Statements for AWS service principals that cannot be granted through IAM
   * (e.g. CloudWatch Logs encrypting a log group).
   * @default none
   */
  readonly serviceStatements?: readonly PolicyStatement[];
}

/** Days KMS waits before deleting a scheduled key: the maximum, to allow recovery. */
export const KEY_DELETION_WINDOW_DAYS = 30;

/**
 * A customer-managed key with yearly rotation. Only the account root holds
 * `kms:*` (which delegates to IAM policies in the same account); nobody else is
 * named as administrator, and the key cannot be destroyed by Terraform.
 */
export class EncryptionKey extends Construct {
  readonly key: KmsKey;
  readonly alias: KmsAlias;

  constructor(scope: Construct, id: string, props: EncryptionKeyProps) {
    super(scope, id);
    this.key = new KmsKey(this, "Key", {
      provider: props.provider,
      description: props.description,
      enableKeyRotation: true,
      deletionWindowInDays: KEY_DELETION_WINDOW_DAYS,
      policy: policyJson(keyPolicy(props)),
      lifecycle: { preventDestroy: true },
    });
    this.alias = new KmsAlias(this, "Alias", {
      provider: props.provider,
      name: props.alias,
      targetKeyId: this.key.keyId,
    });
  }

  get arn(): string {
    return this.key.arn;
  }
}

export function keyPolicy(props: Pick<EncryptionKeyProps, "partition" | "accountId" | "serviceStatements">) {
  return policyDocument(
    {
      Sid: "AccountRootAdministersKey",
      Effect: "Allow",
      Principal: { AWS: `arn:${props.partition}:iam::${props.accountId}:root` },
      Action: "kms:*",
      Resource: "*",
    },
    ...(props.serviceStatements ?? []),
  );
}

/**
 * What CloudWatch Logs needs to encrypt log groups with a key, as AWS
 * documents it: scoped by the log group ARNs in the encryption context.
 */
export function logsEncryptionStatement(partition: string, region: string, accountId: string, logGroupNames: readonly string[]): PolicyStatement {
  return {
    Sid: "CloudWatchLogsEncryptsLogGroup",
    Effect: "Allow",
    Principal: { Service: `logs.${region}.amazonaws.com` },
    Action: ["kms:Encrypt*", "kms:Decrypt*", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:Describe*"],
    Resource: "*",
    Condition: {
      ArnEquals: { "kms:EncryptionContext:aws:logs:arn": logGroupNames.map((name) => `arn:${partition}:logs:${region}:${accountId}:log-group:${name}`) },
    },
  };
}

/**
 * What an AWS service needs to write to a KMS-encrypted SNS topic or SQS
 * queue, as AWS documents it (CloudWatch alarms to SNS, S3 notifications to SQS).
 */
export function serviceUsesKeyStatement(sid: string, service: string): PolicyStatement {
  return {
    Sid: sid,
    Effect: "Allow",
    Principal: { Service: service },
    Action: ["kms:GenerateDataKey*", "kms:Decrypt"],
    Resource: "*",
  };
}
