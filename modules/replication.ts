import { Construct } from "constructs";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import {
  S3BucketReplicationConfigurationA,
  S3BucketReplicationConfigurationRule,
} from "@cdktf/provider-aws/lib/s3-bucket-replication-configuration";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { PolicyDocument } from "../lib/iam/policy";
import { S3_RTC_MINUTES } from "../lib/aws-limits";
import { replicationRuleId } from "../lib/pipeline";
import { ArchiveBucket } from "./archive-bucket";
import { serviceRole } from "./service-role";

/** Where replicas go: the vault account's bucket, its key (by alias ARN), and how replicas are stored. */
export interface ReplicaTarget {
  readonly accountId: string;
  readonly bucketArn: string;
  /** Alias ARN of the replica key (S3 takes a key ARN or an alias ARN, ReplicaKmsKeyID). */
  readonly keyAliasArn: string;
  readonly storageClass: string;
  /** S3 Replication Time Control (15 minutes). @default false */
  readonly replicationTimeControl?: boolean;
}

export interface ArchiveReplicationProps {
  readonly provider: AwsProvider;
  readonly source: ArchiveBucket;
  readonly target: ReplicaTarget;
  /** Archive prefixes to replicate, one rule each (its id is the prefix without the slash). */
  readonly prefixes: readonly string[];
  readonly roleName: string;
  readonly trust: PolicyDocument;
  readonly permissions: PolicyDocument;
}

/**
 * Replication of the archive into the vault account: the role S3 assumes and
 * one rule per prefix. New objects only: S3 replicates what is written after
 * the configuration exists (existing objects need S3 Batch Replication).
 */
export class ArchiveReplication extends Construct {
  readonly role: IamRole;
  readonly configuration: S3BucketReplicationConfigurationA;

  constructor(scope: Construct, id: string, props: ArchiveReplicationProps) {
    super(scope, id);
    const { role, policy } = serviceRole(this, {
      provider: props.provider,
      name: props.roleName,
      description: "S3 replicates the security log archive into the vault account",
      trust: props.trust,
      policyName: "replicate-archive",
      permissions: props.permissions,
    });
    this.role = role;
    this.configuration = new S3BucketReplicationConfigurationA(this, "Configuration", {
      provider: props.provider,
      bucket: props.source.bucket.id,
      role: role.arn,
      rule: props.prefixes.map((prefix, i) => replicationRule(prefix, i, props.target)),
      // S3 refuses a replication configuration on an unversioned bucket, and the
      // first replication would fail without the role's permissions.
      dependsOn: [props.source.versioning, policy],
    });
  }
}

/**
 * One prefix: replicate new SSE-KMS objects (S3 skips them unless
 * `SseKmsEncryptedObjects` is on), re-encrypted with the replica key, owned
 * by the vault account (`AccessControlTranslation`: the replica's owner is
 * the destination account, which `Account` names), delete markers not
 * replicated, metrics on (the alarms read them; they also enable
 * replication failure events). Priorities only order rules; prefixes never
 * overlap. (Amazon S3 User Guide, "Replication configuration file elements",
 * https://docs.aws.amazon.com/AmazonS3/latest/userguide/replication-add-config.html;
 * aws_s3_bucket_replication_configuration, AWS provider 5.100.0.)
 */
export function replicationRule(
  prefix: string,
  priority: number,
  target: ReplicaTarget,
): S3BucketReplicationConfigurationRule {
  const rtc = target.replicationTimeControl === true;
  return {
    id: replicationRuleId(prefix),
    priority,
    status: "Enabled",
    filter: { prefix },
    deleteMarkerReplication: { status: "Disabled" },
    sourceSelectionCriteria: { sseKmsEncryptedObjects: { status: "Enabled" } },
    destination: {
      bucket: target.bucketArn,
      account: target.accountId,
      storageClass: target.storageClass,
      accessControlTranslation: { owner: "Destination" },
      encryptionConfiguration: { replicaKmsKeyId: target.keyAliasArn },
      // With RTC, S3 requires metrics with the 15-minute event threshold.
      metrics: rtc
        ? { status: "Enabled", eventThreshold: { minutes: S3_RTC_MINUTES } }
        : { status: "Enabled" },
      ...(rtc ? { replicationTime: { status: "Enabled", time: { minutes: S3_RTC_MINUTES } } } : {}),
    },
  };
}
