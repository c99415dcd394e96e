/**
 * What `npm run verify` expects to find in AWS, derived from the config the
 * same way the stacks derive what they create (lib/naming.ts, lib/policies,
 * lib/pipeline.ts, lib/search.ts): never read from Terraform state, so a hand
 * edit in AWS cannot hide behind a state file that agrees with it.
 */
import { AppAccount, SecLogConfig } from "../config/model";
import { PolicyDocument } from "../iam/policy";
import { denyInsecureTransport } from "../iam/s3";
import { PolicyStatement } from "../iam/policy";
import { accountPolicyExclusions, accountPolicySelectionCriteria, Naming, namingOf } from "../naming";
import { archivedPrefixes, ERROR_PREFIX, RAW_PREFIX, replicationRuleId, SOURCE_PREFIX } from "../pipeline";
import { accountSubscriptionDocument, regionAccessPolicy } from "../policies/destination";
import { vaultBucketPolicy } from "../policies/replication";
import { DELIVERY_HOUR_PATH, EVENTS_OBJECT_PREFIX } from "../search";

export type KeyPurpose = "archive" | "stream" | "notifications" | "search-results";

export interface ExpectedDestination {
  readonly region: string;
  readonly name: string;
  readonly arn: string;
  readonly targetArn: string;
  readonly roleArn: string;
  /** Undefined: nobody ships from this region, the destination has no access policy. */
  readonly accessPolicy?: PolicyDocument;
}

export interface ExpectedDelivery {
  readonly name: string;
  readonly arn: string;
  readonly sourceStreamArn: string;
  readonly bucketArn: string;
  readonly prefix: string;
  readonly errorOutputPrefix: string;
  /** The processor Lambda's function name (events format); undefined for raw. */
  readonly processorName?: string;
  /** Its unqualified function ARN. */
  readonly processorArn?: string;
  /** Source record backup prefix (events format with keepSource). */
  readonly backupPrefix?: string;
  readonly bufferSeconds: number;
}

/** The vault account's name in verify (`--account`, rows, reports): its stack's, stacks/vault-stack.ts. */
export const VAULT_ACCOUNT = "vault";

export interface ExpectedArchive {
  /** What its rows are called: `archive versioning`, `replica versioning`, ... */
  readonly label: "archive" | "replica";
  readonly bucketName: string;
  readonly bucketArn: string;
  readonly keyAlias: string;
  readonly tlsDeny: PolicyStatement;
  readonly glacierAfterDays: number;
  readonly expireAfterDays?: number;
  readonly objectLock?: { readonly mode: "GOVERNANCE" | "COMPLIANCE"; readonly days: number };
  /**
   * The whole bucket policy, compared statement by statement by meaning (the
   * replica's, lib/policies/replication.ts vaultBucketPolicy). Undefined: the
   * archive's policy, which others add statements to, need only hold `tlsDeny`.
   */
  readonly policy?: PolicyDocument;
}

/** One replication rule (modules/replication.ts replicationRule): one per archived prefix. */
export interface ExpectedReplicationRule {
  /** The prefix without its slash (replicationRuleId). */
  readonly id: string;
  readonly priority: number;
  readonly prefix: string;
}

/** The archive's replication configuration (security account, `archive.replica`). */
export interface ExpectedReplication {
  readonly bucketName: string;
  /** The role S3 assumes (Naming.replicationRoleArn). */
  readonly roleArn: string;
  readonly rules: readonly ExpectedReplicationRule[];
  readonly destination: {
    readonly bucketArn: string;
    readonly accountId: string;
    readonly storageClass: string;
    /** ReplicaKmsKeyID: the replica key's alias ARN (Naming.replicaKeyAliasArn). */
    readonly keyAliasArn: string;
  };
  readonly replicationTimeControl: boolean;
}

/** The vault account (`archive.replica`): the replica bucket and its key. */
export interface ExpectedVault {
  /** VAULT_ACCOUNT. */
  readonly name: string;
  readonly partition: string;
  readonly accountId: string;
  readonly region: string;
  readonly roleArn?: string;
  readonly bucket: ExpectedArchive;
  /** The replica key's alias (`alias/<prefix>-replica`). */
  readonly keyAlias: string;
  /** Whether it is checked at all (`--account` and `--region` may leave it out). */
  readonly checked: boolean;
}

export interface ExpectedSecurity {
  readonly partition: string;
  readonly accountId: string;
  readonly region: string;
  readonly roleArn?: string;
  readonly destinations: readonly ExpectedDestination[];
  readonly stream: { readonly name: string; readonly arn: string; readonly keyAlias: string };
  readonly delivery: ExpectedDelivery;
  readonly archive: ExpectedArchive;
  /** Every KMS key of the security stack, by alias. */
  readonly keyAliases: readonly string[];
  /** With `archive.replica`: the archive's replication into the vault. */
  readonly replication?: ExpectedReplication;
  /** Whether the security account is checked at all (`--account` may name another). */
  readonly checked: boolean;
  /** Whether its home-region resources (stream, delivery, archive, keys) are checked (`--region` may name another). */
  readonly checksHome: boolean;
}

export interface ExpectedFilter {
  readonly name: string;
  readonly filterPattern: string;
  readonly destinationArn: string;
  /** The sender role (organization mode); undefined otherwise. */
  readonly roleArn?: string;
}

export interface ExpectedLogGroup {
  readonly name: string;
  /** The config creates it (`create: true`); otherwise it must exist already. */
  readonly create: boolean;
  readonly filters: readonly ExpectedFilter[];
}

export interface ExpectedAccountPolicy {
  readonly name: string;
  readonly selectionCriteria?: string;
  readonly document: ReturnType<typeof accountSubscriptionDocument>;
  /** The configured `allLogGroups.exclude`: skipped on purpose, never a coverage gap. */
  readonly excluded: readonly string[];
}

export interface ExpectedRegion {
  readonly region: string;
  readonly destinationArn: string;
  readonly logGroups: readonly ExpectedLogGroup[];
  readonly accountPolicy?: ExpectedAccountPolicy;
}

export interface ExpectedAccount {
  readonly name: string;
  readonly accountId: string;
  readonly roleArn?: string;
  readonly regions: readonly ExpectedRegion[];
}

export interface Expected {
  readonly prefix: string;
  readonly partition: string;
  readonly format: "events" | "raw";
  readonly security: ExpectedSecurity;
  /** With `archive.replica` only. */
  readonly vault?: ExpectedVault;
  readonly accounts: readonly ExpectedAccount[];
}

export function expectedState(config: SecLogConfig): Expected {
  const naming = namingOf(config);
  return {
    prefix: config.prefix,
    partition: config.partition,
    format: config.delivery.format,
    security: expectedSecurity(config, naming),
    ...(config.archive.replica ? { vault: expectedVault(config, naming) } : {}),
    accounts: config.accounts.map((account) => expectedAccount(config, naming, account)),
  };
}

function expectedSecurity(config: SecLogConfig, naming: Naming): ExpectedSecurity {
  const { accountId, region: home } = config.security;
  const p = config.partition;
  const streamArn = `arn:${p}:kinesis:${home}:${accountId}:stream/${naming.streamName}`;
  const bucketArn = `arn:${p}:s3:::${config.archive.bucketName}`;
  const delivery = config.delivery;
  const keyAliases: KeyPurpose[] = ["archive", "stream"];
  if (config.alarms || config.objectNotifications) keyAliases.push("notifications");
  if (config.search) keyAliases.push("search-results");
  const events = delivery.format === "events";
  return {
    partition: p,
    accountId,
    region: home,
    roleArn: config.security.roleArn,
    destinations: config.destinationRegions.map((region) => ({
      region,
      name: naming.destinationName,
      arn: naming.destinationArn(region),
      targetArn: streamArn,
      roleArn: `arn:${p}:iam::${accountId}:role/${naming.destinationRoleName}`,
      accessPolicy: regionAccessPolicy(config, naming, region),
    })),
    stream: { name: naming.streamName, arn: streamArn, keyAlias: naming.keyAlias("stream") },
    // The prefixes modules/delivery.ts gives Firehose.
    delivery: {
      name: naming.deliveryStreamName(delivery.format),
      arn: `arn:${p}:firehose:${home}:${accountId}:deliverystream/${naming.deliveryStreamName(delivery.format)}`,
      sourceStreamArn: streamArn,
      bucketArn,
      prefix: delivery.format === "events" ? EVENTS_OBJECT_PREFIX : `${RAW_PREFIX}${DELIVERY_HOUR_PATH}`,
      errorOutputPrefix: `${ERROR_PREFIX}!{firehose:error-output-type}/${DELIVERY_HOUR_PATH}`,
      processorName: events ? naming.processorName : undefined,
      processorArn: events
        ? `arn:${p}:lambda:${home}:${accountId}:function:${naming.processorName}`
        : undefined,
      backupPrefix:
        delivery.format === "events" && delivery.keepSource
          ? `${SOURCE_PREFIX}${DELIVERY_HOUR_PATH}`
          : undefined,
      bufferSeconds: delivery.bufferSeconds,
    },
    archive: {
      label: "archive",
      bucketName: config.archive.bucketName,
      bucketArn,
      keyAlias: naming.keyAlias("archive"),
      tlsDeny: denyInsecureTransport(bucketArn),
      glacierAfterDays: config.archive.glacierAfterDays,
      expireAfterDays: config.archive.expireAfterDays,
      objectLock: config.archive.objectLock,
    },
    keyAliases: keyAliases.map((purpose) => naming.keyAlias(purpose)),
    ...(config.archive.replica ? { replication: expectedReplication(config, naming) } : {}),
    checked: true,
    checksHome: true,
  };
}

/** What the security stack gives S3 (stacks/security-stack.ts replicate, modules/replication.ts). */
function expectedReplication(config: SecLogConfig, naming: Naming): ExpectedReplication {
  const replica = config.archive.replica!;
  return {
    bucketName: config.archive.bucketName,
    roleArn: naming.replicationRoleArn,
    rules: archivedPrefixes(config.delivery).map((prefix, priority) => ({
      id: replicationRuleId(prefix),
      priority,
      prefix,
    })),
    destination: {
      bucketArn: naming.replicaBucketArn(replica.accountId),
      accountId: replica.accountId,
      storageClass: replica.storageClass,
      keyAliasArn: naming.replicaKeyAliasArn(replica.accountId, replica.region),
    },
    replicationTimeControl: replica.replicationTimeControl,
  };
}

/** What the vault stack creates (stacks/vault-stack.ts): the archive's bucket settings with the replica's key and lock. */
function expectedVault(config: SecLogConfig, naming: Naming): ExpectedVault {
  const replica = config.archive.replica!;
  const partition = config.partition;
  const bucketArn = naming.replicaBucketArn(replica.accountId);
  const keyAlias = naming.keyAlias("replica");
  return {
    name: VAULT_ACCOUNT,
    partition,
    accountId: replica.accountId,
    region: replica.region,
    roleArn: replica.roleArn,
    bucket: {
      label: "replica",
      bucketName: replica.bucketName,
      bucketArn,
      keyAlias,
      tlsDeny: denyInsecureTransport(bucketArn),
      glacierAfterDays: config.archive.glacierAfterDays,
      expireAfterDays: config.archive.expireAfterDays,
      objectLock: replica.objectLock,
      policy: vaultBucketPolicy({ partition, bucketArn, replicationRoleArn: naming.replicationRoleArn }),
    },
    keyAlias,
    checked: true,
  };
}

function expectedAccount(config: SecLogConfig, naming: Naming, account: AppAccount): ExpectedAccount {
  const senderRoleArn = config.organizationId
    ? `arn:${config.partition}:iam::${account.accountId}:role/${naming.senderRoleName}`
    : undefined;
  return {
    name: account.name,
    accountId: account.accountId,
    roleArn: account.roleArn,
    regions: account.regions.map((region) => {
      const destinationArn = naming.destinationArn(region);
      return {
        region,
        destinationArn,
        logGroups: logGroupsOf(account).map(([name, entries]) => ({
          name,
          create: entries.some((entry) => entry.create),
          filters: entries.map((entry) => ({
            name: naming.subscriptionFilterName(region, entry.filterSlot),
            filterPattern: entry.filterPattern,
            destinationArn,
            roleArn: senderRoleArn,
          })),
        })),
        accountPolicy: account.allLogGroups && {
          name: naming.accountPolicyName(region),
          selectionCriteria: accountPolicySelectionCriteria(
            accountPolicyExclusions(
              account.allLogGroups.exclude,
              account.logGroups.map((g) => g.name),
            ),
          ),
          document: accountSubscriptionDocument(destinationArn, senderRoleArn),
          excluded: account.allLogGroups.exclude,
        },
      };
    }),
  };
}

/** The account's log groups in config order, each with its entries (a group may have two filters). */
function logGroupsOf(account: AppAccount): Array<[string, AppAccount["logGroups"][number][]]> {
  const groups = new Map<string, AppAccount["logGroups"][number][]>();
  for (const entry of account.logGroups) groups.set(entry.name, [...(groups.get(entry.name) ?? []), entry]);
  return [...groups];
}

/**
 * `--account` and `--region`: only that account (the security stack's name
 * for the security account, VAULT_ACCOUNT for the vault) and only that
 * region. The security account's settings stay in the result either way: the
 * flow checks need its bucket.
 */
export function narrowed(
  expected: Expected,
  securityStack: string,
  account: string | undefined,
  region: string | undefined,
): Expected {
  const inRegion = (r: string) => region === undefined || r === region;
  const securityChecked = account === undefined || account === securityStack;
  return {
    ...expected,
    security: {
      ...expected.security,
      checked: securityChecked,
      checksHome: securityChecked && inRegion(expected.security.region),
      destinations: securityChecked ? expected.security.destinations.filter((d) => inRegion(d.region)) : [],
    },
    ...(expected.vault
      ? {
          vault: {
            ...expected.vault,
            checked:
              (account === undefined || account === expected.vault.name) && inRegion(expected.vault.region),
          },
        }
      : {}),
    accounts: expected.accounts
      .filter((a) => account === undefined || a.name === account)
      .map((a) => ({ ...a, regions: a.regions.filter((r) => inRegion(r.region)) }))
      .filter((a) => a.regions.length > 0),
  };
}
