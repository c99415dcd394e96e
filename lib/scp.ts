/**
 * `npm run scp`: the service control policies the organization attaches to
 * the security account and, with `archive.replica`, to the vault account, one
 * document each, denying whatever could destroy the evidence or blind the
 * pipeline to everyone but the named break-glass roles: an administrator of
 * the account, even its root user (SCPs apply to the root of a member
 * account), can no longer delete or loosen the archive (or the replica), the
 * keys and their aliases, the destinations, the stream, the delivery stream,
 * the processor or their roles. Each account's document names only that
 * account's resources and exempt roles, so each has the whole SCP quota.
 *
 * SCPs take no Principal; the exception is `aws:PrincipalArn` in ArnNotLike,
 * the condition AWS documents for exempting an administrative role ("Example
 * SCPs", AWS Organizations user guide). Every statement names the pipeline's
 * own resources, so the account stays usable for everything else.
 *
 * Unlike an IAM policy, whose size IAM counts without white space, every
 * character of an SCP counts against its quota ("All characters in your SCP
 * count against its maximum size"; white space outside quotation marks may be
 * deleted to save space: "SCP syntax", AWS Organizations user guide,
 * https://docs.aws.amazon.com/organizations/latest/userguide/orgs_reference_scp-syntax.html).
 * So the command prints compact JSON, and the quota check measures exactly
 * that printout (`scpText`).
 */
import { SCP_MAX_BYTES } from "./aws-limits";
import { SecLogConfig } from "./config/model";
import { PolicyDocument, policyDocument, policyJson, PolicyStatement } from "./iam/policy";
import { namingOf } from "./naming";
import { replicaAlarmRegion } from "./pipeline";
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

/**
 * ProtectKeys names the keys by alias (kms:ResourceAliases): deleting or
 * re-pointing an alias would take its key out of the denies, and the
 * replication configuration names the replica key by its alias ARN. Each of
 * these actions is authorized on the alias and on the key, both required
 * (Service Authorization Reference, "Actions, resources, and condition keys for
 * AWS Key Management Service",
 * https://docs.aws.amazon.com/service-authorization/latest/reference/list_awskeymanagementservice.html;
 * "Controlling access to aliases", AWS KMS developer guide,
 * https://docs.aws.amazon.com/kms/latest/developerguide/alias-access.html): a
 * deny on the alias ARN fails the request whichever key it names.
 * kms:ResourceAliases is a condition key of the key resource only, so these
 * cannot join ProtectKeys: on the alias it would never match.
 */
export const ALIAS_ACTIONS = ["kms:CreateAlias", "kms:DeleteAlias", "kms:UpdateAlias"];

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
  "iam:DeleteRolePermissionsBoundary",
  "iam:DeleteRolePolicy",
  "iam:DetachRolePolicy",
  // A deny-all permissions boundary blinds the role whatever its policies allow.
  "iam:PutRolePermissionsBoundary",
  "iam:PutRolePolicy",
  "iam:UpdateAssumeRolePolicy",
];

/**
 * The SCP as `npm run scp` prints it and as AWS Organizations measures it:
 * compact JSON, and the newline that ends the printout (a file redirected from
 * it holds that newline too, and every character counts).
 */
export function scpText(document: PolicyDocument): string {
  return `${policyJson(document)}\n`;
}

/** The size of `scpText`, in UTF-8 bytes: never fewer than its characters, which the quota counts. */
export function scpSize(document: PolicyDocument): number {
  return Buffer.byteLength(scpText(document), "utf8");
}

/** The accounts `npm run scp` writes a document for (`--account`). */
export const SCP_ACCOUNTS = ["security", "vault"] as const;
export type ScpAccount = (typeof SCP_ACCOUNTS)[number];

/**
 * An account's document would not fit the SCP quota. A config-class failure:
 * `npm run scp` prints the message with the config file's name and exits 1.
 */
export class ScpTooLargeError extends Error {
  override name = "ScpTooLargeError";

  constructor(
    readonly account: ScpAccount,
    readonly size: number,
  ) {
    super(
      `the ${account} account's SCP would be ${size} characters, over the ${SCP_MAX_BYTES} AWS Organizations allows: name fewer or shorter exempt roles (--exempt-role), or choose a shorter prefix`,
    );
  }
}

/** One deny before the exemption is added: what it protects, and any condition of its own. */
interface Guard {
  readonly Sid: string;
  readonly Action: readonly string[];
  readonly Resource: readonly string[];
  readonly Condition?: PolicyStatement["Condition"];
}

/**
 * The one builder of both documents: each guard becomes a Deny lifted for the
 * exempt roles of `accountId` only (an SCP binds the principals of the account
 * it is attached to, so roles of another account have nothing to be exempt
 * from). Throws ScpTooLargeError when `scpText` of it would not fit the quota.
 */
function accountScp(
  account: ScpAccount,
  partition: string,
  accountId: string,
  guards: readonly Guard[],
  options: ScpOptions,
): PolicyDocument {
  const unless = {
    ArnNotLike: {
      "aws:PrincipalArn": options.exemptRoleNames.map(
        (name) => `arn:${partition}:iam::${accountId}:role/${name}`,
      ),
    },
  };
  const document = policyDocument(
    ...guards.map((guard): PolicyStatement => ({
      Sid: guard.Sid,
      Effect: "Deny",
      Action: [...guard.Action],
      Resource: [...guard.Resource],
      Condition: { ...unless, ...guard.Condition },
    })),
  );
  const size = scpSize(document);
  if (size > SCP_MAX_BYTES) throw new ScpTooLargeError(account, size);
  return document;
}

/**
 * A bucket's settings and its objects' versions and retention (the archive's,
 * or the replica's), in one statement: a Deny applies each action to each
 * resource, and that adds nothing here, since a bucket action's request names
 * the bucket ARN, which `<bucket>/*` does not match, and an object action's
 * names an object, which the bare bucket ARN does not match. Two statements
 * would repeat the exemption, the bulk of each statement, and the largest
 * config (__tests__/scp.test.ts, "the largest config") would not fit.
 */
function bucketGuard(Sid: string, bucketArn: string): Guard {
  return {
    Sid,
    Action: [...ARCHIVE_BUCKET_ACTIONS, ...ARCHIVE_OBJECT_ACTIONS],
    Resource: [bucketArn, `${bucketArn}/*`],
  };
}

/**
 * Keys named by their aliases (Terraform picks key ids), and those aliases.
 * `keyArn` may leave the region `*`: kms:ResourceAliases names only ours, so a
 * key anywhere in the account is denied only when it carries one of them.
 * The aliases are listed by name, not as `alias/<prefix>-*`: shorter, but the
 * prefix is no namespace of ours (another team's `alias/<prefix>-team` would
 * match, and its key would be denied to its owners).
 */
function keyGuards(
  sids: { keys: string; aliases: string },
  keyArn: string,
  aliases: readonly { readonly alias: string; readonly arn: string }[],
): Guard[] {
  return [
    {
      Sid: sids.keys,
      Action: KEY_ACTIONS,
      Resource: [keyArn],
      Condition: { "ForAnyValue:StringEquals": { "kms:ResourceAliases": aliases.map((a) => a.alias) } },
    },
    { Sid: sids.aliases, Action: ALIAS_ACTIONS, Resource: aliases.map((a) => a.arn) },
  ];
}

/**
 * Every KMS alias the security stack creates, with its region: the home
 * region's (lib/verify/expected.ts keyAliases, which verify reads in the home
 * region) and, with alarms and a replica in another region, the replica
 * region's alarm topic key (`regionalKeyAlias`; stacks/security-stack.ts
 * replicaRegionAlarmTopic: S3 publishes ReplicationLatency in the replica's
 * region, and an alarm notifies only a topic of its own region).
 * `__tests__/scp.test.ts` holds this list to the aliases the stack synthesizes.
 */
export function securityKeyAliases(
  config: SecLogConfig,
): Array<{ readonly alias: string; readonly region: string }> {
  const naming = namingOf(config);
  const home = config.security.region;
  const replicaRegion = replicaAlarmRegion(config);
  return [
    ...expectedState(config).security.keyAliases.map((alias) => ({ alias, region: home })),
    ...(replicaRegion
      ? [{ alias: naming.regionalKeyAlias("notifications", replicaRegion), region: replicaRegion }]
      : []),
  ];
}

/**
 * The SCP to attach to the security account: the archive bucket and its
 * objects, the security stack's keys and their aliases (in every region it
 * creates one), the destinations, the stream, the delivery stream and the
 * processor, and the pipeline's roles (the replication role too, with
 * `archive.replica`); exempt roles of the security account.
 */
export function securityAccountScp(config: SecLogConfig, options: ScpOptions): PolicyDocument {
  const expected = expectedState(config).security;
  const naming = namingOf(config);
  const { accountId } = expected;
  const p = config.partition;
  const kms = (region: string) => `arn:${p}:kms:${region}:${accountId}`;
  const processor = expected.delivery.processorArn;
  return accountScp(
    "security",
    p,
    accountId,
    [
      bucketGuard("ProtectArchive", expected.archive.bucketArn),
      ...keyGuards(
        { keys: "ProtectKeys", aliases: "ProtectKeyAliases" },
        `${kms("*")}:key/*`,
        securityKeyAliases(config).map(({ alias, region }) => ({ alias, arn: `${kms(region)}:${alias}` })),
      ),
      {
        Sid: "ProtectPipeline",
        Action: PIPELINE_ACTIONS,
        Resource: [
          // One name in every region (Naming.destinationName): one ARN, however many regions ship.
          `arn:${p}:logs:*:${accountId}:destination:${naming.destinationName}`,
          expected.stream.arn,
          expected.delivery.arn,
          // Qualified requests ($LATEST, a version) name the function with a suffix.
          ...(processor ? [processor, `${processor}:*`] : []),
        ],
      },
      {
        Sid: "ProtectPipelineRoles",
        Action: ROLE_ACTIONS,
        Resource: [
          naming.destinationRoleName,
          naming.firehoseRoleName,
          // A processor that cannot run sends every record to errors/processing-failed/ (events format).
          ...(processor ? [naming.processorName] : []),
          // Detaching or narrowing the replication role stops the vault's copy.
          ...(config.archive.replica ? [naming.replicationRoleName] : []),
        ].map((name) => `arn:${p}:iam::${accountId}:role/${name}`),
      },
    ],
    options,
  );
}

/**
 * The SCP to attach to the vault account (`archive.replica`): the replica
 * bucket and its objects, the replica key and its alias (the replication
 * configuration names the key by it); exempt roles of the vault account.
 * Undefined without a replica: there is no vault.
 */
export function vaultAccountScp(config: SecLogConfig, options: ScpOptions): PolicyDocument | undefined {
  const vault = expectedState(config).vault;
  if (!vault) return undefined;
  const naming = namingOf(config);
  return accountScp(
    "vault",
    vault.partition,
    vault.accountId,
    [
      bucketGuard("ProtectReplica", vault.bucket.bucketArn),
      ...keyGuards(
        { keys: "ProtectReplicaKey", aliases: "ProtectReplicaKeyAlias" },
        `arn:${vault.partition}:kms:${vault.region}:${vault.accountId}:key/*`,
        [{ alias: vault.keyAlias, arn: naming.replicaKeyAliasArn(vault.accountId, vault.region) }],
      ),
    ],
    options,
  );
}

/** The document of `account` (`npm run scp -- --account`); undefined for the vault without a replica. */
export function accountScpOf(
  account: ScpAccount,
  config: SecLogConfig,
  options: ScpOptions,
): PolicyDocument | undefined {
  return account === "security" ? securityAccountScp(config, options) : vaultAccountScp(config, options);
}
