import { Construct } from "constructs";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { KmsKey } from "@cdktf/provider-aws/lib/kms-key";
import { KmsAlias } from "@cdktf/provider-aws/lib/kms-alias";
import { PolicyStatement, policyDocument, policyJson } from "../lib/iam/policy";
import { Partition } from "../lib/config/regions";
import { regionalServicePrincipal } from "../lib/partition";
import { KMS_DELETION_WINDOW_DAYS } from "../lib/aws-limits";
import { suppressRule } from "../lib/rules/pack";
import { lockedKeyStatement } from "../lib/policies/key-lock";

export interface EncryptionKeyProps {
  readonly provider: AwsProvider;
  readonly partition: Partition;
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
  /**
   * Keys are `prevent_destroy` (a plan that would destroy one fails): they
   * encrypt data at rest (archive, stream, state). A key that only protects
   * messages in flight may go with what it protects; say why here, and the
   * rule pack's KMS_KEY_PROTECTED is suppressed with that reason (KMS still
   * waits KEY_DELETION_WINDOW_DAYS before deleting it).
   * @default protected
   */
  readonly destroyable?: { readonly reason: string };
  /**
   * Lock the key for a COMPLIANCE-mode bucket: the key policy denies
   * disabling the key, scheduling its deletion and replacing the policy to
   * every principal, the account root included (lockedKeyStatement). The
   * policy can then never change again.
   * @default false: the account root administers the key
   */
  readonly locked?: boolean;
}

/** Days KMS waits before deleting a scheduled key: the maximum, to allow recovery. */
export const KEY_DELETION_WINDOW_DAYS = KMS_DELETION_WINDOW_DAYS.max;

/**
 * A customer-managed key with yearly rotation. Only the account root holds
 * `kms:*` (which delegates to IAM policies in the same account); nobody else is
 * named as administrator, and by default the key cannot be destroyed by Terraform.
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
      // KMS refuses a policy that would stop its caller from calling PutKeyPolicy again
      // unless the request bypasses the lockout safety check; the locked policy does
      // exactly that on purpose (lockedKeyStatement).
      bypassPolicyLockoutSafetyCheck: props.locked ? true : undefined,
      lifecycle: { preventDestroy: props.destroyable === undefined },
    });
    if (props.destroyable) suppressRule(this.key, "KMS_KEY_PROTECTED", props.destroyable.reason);
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

export function keyPolicy(
  props: Pick<EncryptionKeyProps, "partition" | "accountId" | "serviceStatements" | "locked">,
) {
  return policyDocument(
    {
      Sid: "AccountRootAdministersKey",
      Effect: "Allow",
      Principal: { AWS: `arn:${props.partition}:iam::${props.accountId}:root` },
      Action: "kms:*",
      Resource: "*",
    },
    ...(props.serviceStatements ?? []),
    ...(props.locked ? [lockedKeyStatement()] : []),
  );
}

/**
 * What CloudWatch Logs needs to encrypt log groups with a key, as AWS
 * documents it: scoped by the log group ARNs in the encryption context.
 */
export function logsEncryptionStatement({
  partition,
  region,
  accountId,
  logGroupNames,
}: {
  readonly partition: Partition;
  readonly region: string;
  readonly accountId: string;
  readonly logGroupNames: readonly string[];
}): PolicyStatement {
  return {
    Sid: "CloudWatchLogsEncryptsLogGroup",
    Effect: "Allow",
    // logs.<region>.amazonaws.com, logs.<region>.amazonaws.com.cn in aws-cn (lib/partition.ts).
    Principal: { Service: regionalServicePrincipal("logs", region) },
    Action: ["kms:Encrypt*", "kms:Decrypt*", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:Describe*"],
    Resource: "*",
    Condition: {
      ArnEquals: {
        "kms:EncryptionContext:aws:logs:arn": logGroupNames.map(
          (name) => `arn:${partition}:logs:${region}:${accountId}:log-group:${name}`,
        ),
      },
    },
  };
}

/** On whose behalf a service principal may use a key: one account, and resources matching one ARN pattern. */
export interface KeyUseSource {
  readonly accountId: string;
  /** Exact ARN or ArnLike pattern of the resource the service acts for (an alarm, a bucket). */
  readonly arn: string;
}

/**
 * What an AWS service needs to write to a KMS-encrypted SNS topic or SQS
 * queue, as AWS documents it: `kms:GenerateDataKey*` and `kms:Decrypt` for
 * the service principal (Amazon SNS Developer Guide, "Key management",
 * "Enable compatibility between event sources from AWS services and encrypted
 * topics", https://docs.aws.amazon.com/sns/latest/dg/sns-key-management.html#compatibility-with-aws-services;
 * Amazon S3 User Guide, "Granting permissions to publish event notification
 * messages to a destination", "AWS KMS key policy",
 * https://docs.aws.amazon.com/AmazonS3/latest/userguide/grant-destinations-permissions-to-s3.html#key-policy-sns-sqs),
 * limited to one source account and resource: "When the principal in a key
 * policy statement is an AWS service principal, we strongly recommend that
 * you use the aws:SourceArn or aws:SourceAccount global condition keys ...
 * The ARN and account values are included in the authorization context only
 * when a request comes to AWS KMS from another AWS service" (AWS KMS
 * Developer Guide, "Permissions for AWS services in key policies", "Using
 * aws:SourceArn or aws:SourceAccount condition keys",
 * https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-services.html#least-privilege-source-arn).
 * Both keys, as the SNS topic and SQS queue policies of the same services use them.
 */
export function serviceUsesKeyStatement(sid: string, service: string, source: KeyUseSource): PolicyStatement {
  return {
    Sid: sid,
    Effect: "Allow",
    Principal: { Service: service },
    Action: ["kms:GenerateDataKey*", "kms:Decrypt"],
    Resource: "*",
    Condition: {
      StringEquals: { "aws:SourceAccount": source.accountId },
      ArnLike: { "aws:SourceArn": source.arn },
    },
  };
}
