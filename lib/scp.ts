/**
 * `npm run scp`: a service control policy the organization attaches to the
 * security account, denying whatever could destroy the evidence or blind the
 * pipeline to everyone but the named break-glass roles: an administrator of
 * the account, even its root user (SCPs apply to the root of a member
 * account), can no longer delete or loosen the archive, the keys, the
 * destinations, the stream, the delivery stream, the processor or their roles.
 *
 * SCPs take no Principal; the exception is `aws:PrincipalArn` in ArnNotLike,
 * the condition AWS documents for exempting an administrative role ("Example
 * SCPs", AWS Organizations user guide). Every statement names the pipeline's
 * own resources, so the account stays usable for everything else.
 */
import { SCP_MAX_BYTES } from "./aws-limits";
import { SecLogConfig } from "./config/model";
import { PolicyDocument, policyDocument, PolicyStatement, policySize } from "./iam/policy";
import { namingOf } from "./naming";
import { expectedState } from "./verify/expected";

export interface ScpOptions {
  /** Role names exempt from the denies (break-glass, and the role Terraform deploys with if it must change these). */
  readonly exemptRoleNames: readonly string[];
}

/** Bucket settings whose change deletes, exposes or stops protecting evidence. */
export const ARCHIVE_BUCKET_ACTIONS = [
  "s3:DeleteBucket",
  "s3:DeleteBucketPolicy",
  "s3:PutBucketObjectLockConfiguration",
  "s3:PutBucketOwnershipControls",
  "s3:PutBucketPolicy",
  "s3:PutBucketPublicAccessBlock",
  "s3:PutBucketVersioning",
  "s3:PutEncryptionConfiguration",
  "s3:PutLifecycleConfiguration",
  "s3:PutReplicationConfiguration",
];

/** Object actions that destroy a version or shorten its protection (Firehose needs none of them). */
export const ARCHIVE_OBJECT_ACTIONS = [
  "s3:BypassGovernanceRetention",
  "s3:DeleteObjectVersion",
  "s3:PutObjectLegalHold",
  "s3:PutObjectRetention",
];

/** A disabled or deleted key makes every object it encrypts unreadable; a new key policy could allow either. */
export const KEY_ACTIONS = [
  "kms:DisableKey",
  "kms:DisableKeyRotation",
  "kms:PutKeyPolicy",
  "kms:ScheduleKeyDeletion",
];

export const PIPELINE_ACTIONS = [
  "firehose:DeleteDeliveryStream",
  "firehose:StopDeliveryStreamEncryption",
  "firehose:UpdateDestination",
  "kinesis:DecreaseStreamRetentionPeriod",
  "kinesis:DeleteStream",
  "kinesis:StopStreamEncryption",
  "lambda:DeleteFunction",
  "lambda:UpdateFunctionCode",
  "lambda:UpdateFunctionConfiguration",
  "logs:DeleteDestination",
  "logs:PutDestination",
  "logs:PutDestinationPolicy",
];

/** Changing or detaching what the pipeline's roles may do stops delivery as surely as deleting the stream. */
export const ROLE_ACTIONS = [
  "iam:AttachRolePolicy",
  "iam:DeleteRole",
  "iam:DeleteRolePolicy",
  "iam:DetachRolePolicy",
  "iam:PutRolePolicy",
  "iam:UpdateAssumeRolePolicy",
];

/**
 * The SCP of the security account, and of the vault account when the config
 * has `archive.replica` (attach the one document to both): the vault's
 * statements name only the replica bucket and key, so in the security
 * account they match nothing, and the other way round. Exempt roles are
 * named in both accounts. Throws when it would not fit the SCP size quota.
 */
export function securityAccountScp(config: SecLogConfig, options: ScpOptions): PolicyDocument {
  const expected = expectedState(config).security;
  const naming = namingOf(config);
  const { accountId, region } = expected;
  const p = config.partition;
  const replica = config.archive.replica;
  const accounts = [accountId, ...(replica ? [replica.accountId] : [])];
  const unless = {
    ArnNotLike: {
      "aws:PrincipalArn": accounts.flatMap((account) =>
        options.exemptRoleNames.map((name) => `arn:${p}:iam::${account}:role/${name}`),
      ),
    },
  };
  const deny = (Sid: string, Action: string[], Resource: string[], extra = {}): PolicyStatement => ({
    Sid,
    Effect: "Deny",
    Action,
    Resource,
    Condition: { ...unless, ...extra },
  });
  const processor = expected.delivery.processorArn;
  // Qualified requests ($LATEST, a version) name the function with a suffix.
  const processorArns = processor ? [processor, `${processor}:*`] : [];
  const replicaBucketArn = replica && naming.replicaBucketArn(replica.accountId);
  const document = policyDocument(
    deny("ProtectArchiveBucket", ARCHIVE_BUCKET_ACTIONS, [
      expected.archive.bucketArn,
      ...(replicaBucketArn ? [replicaBucketArn] : []),
    ]),
    deny("ProtectArchiveObjects", ARCHIVE_OBJECT_ACTIONS, [
      `${expected.archive.bucketArn}/*`,
      ...(replicaBucketArn ? [`${replicaBucketArn}/*`] : []),
    ]),
    deny("ProtectKeys", KEY_ACTIONS, [`arn:${p}:kms:${region}:${accountId}:key/*`], {
      // The keys are named by alias: Terraform picks their ids.
      "ForAnyValue:StringEquals": { "kms:ResourceAliases": [...expected.keyAliases] },
    }),
    ...(replica
      ? [
          deny(
            "ProtectReplicaKey",
            KEY_ACTIONS,
            [`arn:${p}:kms:${replica.region}:${replica.accountId}:key/*`],
            {
              "ForAnyValue:StringEquals": { "kms:ResourceAliases": [naming.keyAlias("replica")] },
            },
          ),
        ]
      : []),
    deny("ProtectPipeline", PIPELINE_ACTIONS, [
      ...expected.destinations.map((d) => d.arn),
      expected.stream.arn,
      expected.delivery.arn,
      ...processorArns,
    ]),
    deny(
      "ProtectPipelineRoles",
      ROLE_ACTIONS,
      [
        naming.destinationRoleName,
        naming.firehoseRoleName,
        // Detaching or narrowing the replication role stops the vault's copy.
        ...(replica ? [naming.replicationRoleName] : []),
      ].map((name) => `arn:${p}:iam::${accountId}:role/${name}`),
    ),
  );
  const size = policySize(document);
  if (size > SCP_MAX_BYTES)
    throw new Error(`the SCP would be ${size} bytes, over the ${SCP_MAX_BYTES} AWS allows`);
  return document;
}
