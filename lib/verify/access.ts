/**
 * `npm run verify` is read-only by construction: it may send only the SDK
 * commands listed here (scripts/verify.ts refuses any other before it reaches
 * AWS), each a Describe/Get/List call, and the policy it prints grants exactly
 * the IAM actions of those commands, scoped to the pipeline's resources.
 * Resource types per action are the Service Authorization Reference's (the
 * actions with none, such as logs:DescribeDestinations, take only `*`).
 */
import { SecLogConfig } from "../config/model";
import { PolicyDocument, policyDocument, PolicyStatement } from "../iam/policy";
import { ERROR_PREFIX, EVENTS_PREFIX } from "../pipeline";
import { expectedState } from "./expected";

export type AccountKind = "security" | "vault" | "application";

export interface VerifyCall {
  /** The AWS SDK v3 command class. */
  readonly command: string;
  /** The IAM action it needs; undefined: none (sts:GetCallerIdentity is always allowed). */
  readonly action?: string;
  readonly kind: AccountKind;
  /** Sent only when the config has `archive.replica`. */
  readonly replica?: true;
}

/** The replica bucket's settings: the archive's, read with the same commands. */
const BUCKET_SETTINGS: ReadonlyArray<Pick<VerifyCall, "command" | "action">> = [
  { command: "GetBucketVersioningCommand", action: "s3:GetBucketVersioning" },
  { command: "GetPublicAccessBlockCommand", action: "s3:GetBucketPublicAccessBlock" },
  { command: "GetBucketEncryptionCommand", action: "s3:GetEncryptionConfiguration" },
  { command: "GetBucketPolicyCommand", action: "s3:GetBucketPolicy" },
  { command: "GetBucketOwnershipControlsCommand", action: "s3:GetBucketOwnershipControls" },
  { command: "GetBucketLifecycleConfigurationCommand", action: "s3:GetLifecycleConfiguration" },
  { command: "GetObjectLockConfigurationCommand", action: "s3:GetBucketObjectLockConfiguration" },
];

/** Every command verify sends, in the order it sends them. */
export const VERIFY_CALLS: readonly VerifyCall[] = [
  { command: "GetCallerIdentityCommand", kind: "security" },
  { command: "DescribeDestinationsCommand", action: "logs:DescribeDestinations", kind: "security" },
  { command: "DescribeStreamSummaryCommand", action: "kinesis:DescribeStreamSummary", kind: "security" },
  { command: "DescribeDeliveryStreamCommand", action: "firehose:DescribeDeliveryStream", kind: "security" },
  { command: "GetBucketVersioningCommand", action: "s3:GetBucketVersioning", kind: "security" },
  { command: "GetPublicAccessBlockCommand", action: "s3:GetBucketPublicAccessBlock", kind: "security" },
  { command: "GetBucketEncryptionCommand", action: "s3:GetEncryptionConfiguration", kind: "security" },
  { command: "GetBucketPolicyCommand", action: "s3:GetBucketPolicy", kind: "security" },
  { command: "GetBucketOwnershipControlsCommand", action: "s3:GetBucketOwnershipControls", kind: "security" },
  {
    command: "GetBucketLifecycleConfigurationCommand",
    action: "s3:GetLifecycleConfiguration",
    kind: "security",
  },
  {
    command: "GetObjectLockConfigurationCommand",
    action: "s3:GetBucketObjectLockConfiguration",
    kind: "security",
  },
  { command: "ListObjectsV2Command", action: "s3:ListBucket", kind: "security" },
  { command: "DescribeKeyCommand", action: "kms:DescribeKey", kind: "security" },
  { command: "GetKeyRotationStatusCommand", action: "kms:GetKeyRotationStatus", kind: "security" },
  {
    command: "GetBucketReplicationCommand",
    action: "s3:GetReplicationConfiguration",
    kind: "security",
    replica: true,
  },
  { command: "GetCallerIdentityCommand", kind: "vault", replica: true },
  ...BUCKET_SETTINGS.map((call) => ({ ...call, kind: "vault" as const, replica: true as const })),
  { command: "DescribeKeyCommand", action: "kms:DescribeKey", kind: "vault", replica: true },
  {
    command: "GetKeyRotationStatusCommand",
    action: "kms:GetKeyRotationStatus",
    kind: "vault",
    replica: true,
  },
  { command: "GetCallerIdentityCommand", kind: "application" },
  { command: "DescribeLogGroupsCommand", action: "logs:DescribeLogGroups", kind: "application" },
  { command: "DescribeLogStreamsCommand", action: "logs:DescribeLogStreams", kind: "application" },
  {
    command: "DescribeSubscriptionFiltersCommand",
    action: "logs:DescribeSubscriptionFilters",
    kind: "application",
  },
  { command: "DescribeAccountPoliciesCommand", action: "logs:DescribeAccountPolicies", kind: "application" },
];

/**
 * The command names every run of verify may send, and a run without
 * `archive.replica` sends all of them: Describe, Get and List only.
 */
export const ALLOWED_COMMANDS: ReadonlySet<string> = new Set(
  VERIFY_CALLS.filter((call) => !call.replica).map((call) => call.command),
);

/** The commands only a run with `archive.replica` sends (the vault's reads reuse ALLOWED_COMMANDS'). */
export const REPLICA_COMMANDS: ReadonlySet<string> = new Set(
  VERIFY_CALLS.filter((call) => call.replica && !ALLOWED_COMMANDS.has(call.command)).map(
    (call) => call.command,
  ),
);

/** What one config's run may send: a run without a replica is refused the replica's commands too. */
export function allowedCommands(config: SecLogConfig): ReadonlySet<string> {
  return config.archive.replica ? new Set([...ALLOWED_COMMANDS, ...REPLICA_COMMANDS]) : ALLOWED_COMMANDS;
}

/** Both of STS's: assuming each account's roleArn is how verify reaches it (not a read of that account). */
export const ASSUME_COMMAND = "AssumeRoleCommand";

/** The IAM actions of one account kind's calls starting with `prefix`; the replica's only when `replica`. */
function actionsOf(kind: AccountKind, prefix: string, replica = false): string[] {
  return VERIFY_CALLS.filter(
    (c) => c.kind === kind && c.action?.startsWith(prefix) && (replica || !c.replica),
  ).map((c) => c.action!);
}

/** The policy the identity verify uses in the security account needs. */
export function securityVerifyPolicy(config: SecLogConfig): PolicyDocument {
  const expected = expectedState(config).security;
  const { accountId, region } = expected;
  const p = config.partition;
  return policyDocument(
    {
      Sid: "ReadDestinations",
      Effect: "Allow",
      Action: "logs:DescribeDestinations",
      // DescribeDestinations has no resource type: IAM accepts only "*".
      Resource: "*",
    },
    {
      Sid: "ReadStream",
      Effect: "Allow",
      Action: "kinesis:DescribeStreamSummary",
      Resource: expected.stream.arn,
    },
    {
      Sid: "ReadDeliveryStream",
      Effect: "Allow",
      Action: "firehose:DescribeDeliveryStream",
      Resource: expected.delivery.arn,
    },
    {
      Sid: "ReadArchiveSettings",
      Effect: "Allow",
      // With a replica, its replication configuration too (s3:GetReplicationConfiguration).
      Action: actionsOf("security", "s3:Get", config.archive.replica !== undefined),
      Resource: expected.archive.bucketArn,
    },
    {
      Sid: "ListDeliveredAndErrorKeys",
      Effect: "Allow",
      Action: "s3:ListBucket",
      Resource: expected.archive.bucketArn,
      // Key names and times only: verify never reads an object.
      Condition: { StringLike: { "s3:prefix": [`${EVENTS_PREFIX}*`, `${ERROR_PREFIX}*`] } },
    },
    {
      Sid: "ReadKeys",
      Effect: "Allow",
      Action: actionsOf("security", "kms:"),
      // The keys' ids are Terraform's to pick; their aliases are known from the config.
      Resource: `arn:${p}:kms:${region}:${accountId}:key/*`,
      Condition: { "ForAnyValue:StringEquals": { "kms:ResourceAliases": [...expected.keyAliases] } },
    },
  );
}

/**
 * The policy verify's identity needs in the vault account (`archive.replica`):
 * the replica bucket's settings, and the replica key found by its alias. It
 * lists nothing and reads no replica.
 */
export function vaultVerifyPolicy(config: SecLogConfig): PolicyDocument {
  const vault = expectedState(config).vault!;
  return policyDocument(
    {
      Sid: "ReadReplicaSettings",
      Effect: "Allow",
      Action: actionsOf("vault", "s3:Get", true),
      Resource: vault.bucket.bucketArn,
    },
    {
      Sid: "ReadReplicaKey",
      Effect: "Allow",
      Action: actionsOf("vault", "kms:", true),
      // The key's id is Terraform's to pick; its alias is known from the config.
      Resource: `arn:${vault.partition}:kms:${vault.region}:${vault.accountId}:key/*`,
      Condition: { "ForAnyValue:StringEquals": { "kms:ResourceAliases": [vault.keyAlias] } },
    },
  );
}

/**
 * The policy verify's identity needs in an application account: list its log
 * groups and their newest stream, their filters and the account policies, in
 * the account's regions. Coverage looks at every log group of a region, so the
 * log-group ARNs are the region's all.
 */
export function applicationVerifyPolicy(config: SecLogConfig, accountName: string): PolicyDocument {
  const account = config.accounts.find((a) => a.name === accountName)!;
  const p = config.partition;
  const statements: PolicyStatement[] = [
    {
      Sid: "ListLogGroupsAndAccountPolicies",
      Effect: "Allow",
      Action: ["logs:DescribeAccountPolicies", "logs:DescribeLogGroups"],
      // Neither has a resource type: IAM accepts only "*".
      Resource: "*",
    },
    {
      Sid: "ReadLogGroups",
      Effect: "Allow",
      Action: ["logs:DescribeLogStreams", "logs:DescribeSubscriptionFilters"],
      Resource: account.regions.map((region) => `arn:${p}:logs:${region}:${account.accountId}:log-group:*`),
    },
  ];
  return policyDocument(...statements);
}

/** `--print-policy`: the security account's policy, the vault's (with a replica) and each application account's, by stack name. */
export function verifyPolicies(config: SecLogConfig, securityStack: string): Record<string, PolicyDocument> {
  const vault = expectedState(config).vault;
  return {
    [securityStack]: securityVerifyPolicy(config),
    ...(vault ? { [vault.name]: vaultVerifyPolicy(config) } : {}),
    ...Object.fromEntries(config.accounts.map((a) => [a.name, applicationVerifyPolicy(config, a.name)])),
  };
}
