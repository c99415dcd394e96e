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

export type AccountKind = "security" | "application";

export interface VerifyCall {
  /** The AWS SDK v3 command class. */
  readonly command: string;
  /** The IAM action it needs; undefined: none (sts:GetCallerIdentity is always allowed). */
  readonly action?: string;
  readonly kind: AccountKind;
}

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

/** The command names verify may send: Describe, Get and List only. */
export const ALLOWED_COMMANDS: ReadonlySet<string> = new Set(VERIFY_CALLS.map((call) => call.command));

/** Both of STS's: assuming each account's roleArn is how verify reaches it (not a read of that account). */
export const ASSUME_COMMAND = "AssumeRoleCommand";

function actionsOf(kind: AccountKind, prefix: string): string[] {
  return VERIFY_CALLS.filter((c) => c.kind === kind && c.action?.startsWith(prefix)).map((c) => c.action!);
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
      Action: actionsOf("security", "s3:Get"),
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

/** `--print-policy`: the security account's policy and each application account's, by stack name. */
export function verifyPolicies(config: SecLogConfig, securityStack: string): Record<string, PolicyDocument> {
  return {
    [securityStack]: securityVerifyPolicy(config),
    ...Object.fromEntries(config.accounts.map((a) => [a.name, applicationVerifyPolicy(config, a.name)])),
  };
}
