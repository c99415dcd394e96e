/**
 * The checks of `npm run verify`: pure functions from what the config expects
 * (expected.ts) and what AWS answered (observed.ts) to one row per check.
 * Nothing here calls AWS, so every branch is tested on recorded responses.
 */
import { logGroupKey } from "../../functions/processor/transform";
import { PolicyDocument } from "../iam/policy";
import { deliveryHourOf, eventsPartitionPrefix } from "../search";
import {
  Expected,
  ExpectedAccount,
  ExpectedArchive,
  ExpectedDelivery,
  ExpectedDestination,
  ExpectedLogGroup,
  ExpectedRegion,
  ExpectedReplication,
  ExpectedSecurity,
  ExpectedVault,
} from "./expected";
import { S3_RTC_MINUTES } from "../aws-limits";
import {
  AccountPolicyRead,
  AccountRead,
  DestinationRead,
  ListingRead,
  LifecycleRuleRead,
  LogGroupRead,
  ObjectLockRead,
  ProcessingRead,
  BucketRead,
  Failure,
  FilterRead,
  isFailure,
  KeyRead,
  Observed,
  Read,
  RegionRead,
  ReplicationRead,
  ReplicationRuleRead,
  SecurityRead,
  VaultRead,
} from "./observed";
import { canonicalPolicy, statementDiff, statementIn } from "./policy-compare";

export type Status = "ok" | "drift" | "gap" | "error";

export interface CheckRow {
  /** `security`, `vault` or the account's name. */
  readonly account: string;
  readonly region: string;
  /** What was checked, e.g. `destination`, `log group /var/log/secure`. */
  readonly check: string;
  readonly status: Status;
  readonly expected: string;
  readonly found: string;
  /** What to do about it; empty when ok. */
  readonly fix: string;
}

export interface VerifyOptions {
  /** The security stack's name (`cdktf deploy <stack>`). */
  readonly securityStack: string;
  /** Window of `errors/` objects and of "receives events", in hours. */
  readonly windowHours: number;
  /** Added to the buffer before a log group's silence in the archive counts (clock skew, Firehose retries). */
  readonly flowMarginSeconds: number;
}

export const DEFAULT_WINDOW_HOURS = 24;
export const DEFAULT_FLOW_MARGIN_SECONDS = 600;

/** Every row, security account first, then the vault (with `archive.replica`), then each account in config order. */
export function verifyRows(expected: Expected, observed: Observed, options: VerifyOptions): CheckRow[] {
  return [
    ...securityRows(expected.security, observed.security, options, observed.vault),
    ...(expected.vault?.checked && observed.vault ? vaultRows(expected.vault, observed.vault) : []),
    ...expected.accounts.flatMap((account) => {
      const read = observed.accounts[account.name];
      return read ? accountRows(expected, account, read, observed, options) : [];
    }),
  ];
}

// ---------- security account ----------

function securityRows(
  expected: ExpectedSecurity,
  read: SecurityRead,
  options: VerifyOptions,
  vault: VaultRead | undefined,
): CheckRow[] {
  if (!expected.checked) return [];
  const deploy = `run \`cdktf deploy ${options.securityStack}\``;
  const row = rowMaker("security", expected.region, deploy);
  const keys = keyIndex(expected, read.keys);
  const destinations = [
    identityRow("security", expected.region, expected.accountId, read.identity),
    ...expected.destinations.map((d) => destinationRow(d, read.destinations[d.region], deploy)),
  ];
  if (!expected.checksHome) return destinations;
  return [
    ...destinations,
    streamRow(expected, read, keys, row),
    deliveryRow(expected.delivery, read, keys, expected.archive.keyAlias, row),
    ...bucketRows(expected.archive, read.bucket, keys, row),
    ...(expected.replication
      ? [replicationRow(expected.replication, read.replication, vault, options.securityStack, row)]
      : []),
    ...expected.keyAliases.map((alias) => keyRow(alias, read.keys[alias], row)),
    errorsRow(expected.archive.bucketName, read.errors, options, row),
  ];
}

/** Makes the rows of one account and region; `account` and `region` say which. */
interface RowMaker {
  (check: string, failures: string[], expected: string, found: string, fix?: string): CheckRow;
  readonly account: string;
  readonly region: string;
}

/** Rows of one place: drift when any of `failures`, else ok; the fix defaults to redeploying the stack. */
function rowMaker(account: string, region: string, deploy: string): RowMaker {
  const make = (
    check: string,
    failures: string[],
    expected: string,
    found: string,
    fix = deploy,
  ): CheckRow => ({
    account,
    region,
    check,
    status: failures.length ? "drift" : "ok",
    expected,
    found: failures.length ? failures.join("; ") : found,
    fix: failures.length ? fix : "",
  });
  return Object.assign(make, { account, region });
}

function errorRow(
  account: string,
  region: string,
  check: string,
  expected: string,
  failure: Failure,
): CheckRow {
  return {
    account,
    region,
    check,
    status: "error",
    expected,
    found: `${failure.call} failed: ${failure.message}`,
    fix: "give the verify identity the `npm run verify -- --print-policy` policy, or check the account is reachable",
  };
}

function identityRow(account: string, region: string, accountId: string, identity: Read<string>): CheckRow {
  const expected = `credentials of account ${accountId}`;
  if (isFailure(identity)) return errorRow(account, region, "identity", expected, identity.failure);
  const actual = identity?.split(":")[4];
  const fix = "set the account's roleArn in the config, or run with credentials of that account";
  return rowMaker(account, region, fix)(
    "identity",
    actual === accountId ? [] : [`credentials of account ${actual ?? "unknown"} (${identity})`],
    expected,
    identity ?? "",
  );
}

function destinationRow(
  expected: ExpectedDestination,
  read: Read<DestinationRead>,
  deploy: string,
): CheckRow {
  const check = "destination";
  const summary = `${expected.arn} -> ${expected.targetArn}, role ${expected.roleArn}, ${
    expected.accessPolicy ? "access policy admitting the configured senders" : "no access policy"
  }`;
  if (isFailure(read)) return errorRow("security", expected.region, check, summary, read.failure);
  const row = rowMaker("security", expected.region, deploy);
  if (!read) return row(check, [`no destination ${expected.name} in ${expected.region}`], summary, "");
  const failures: string[] = [];
  if (read.targetArn !== expected.targetArn) failures.push(`target ${read.targetArn}`);
  if (read.roleArn !== expected.roleArn) failures.push(`role ${read.roleArn}`);
  const found = read.accessPolicy ? canonicalPolicy(read.accessPolicy) : undefined;
  const wanted = expected.accessPolicy ? canonicalPolicy(expected.accessPolicy) : undefined;
  if (found !== wanted) failures.push(`access policy ${read.accessPolicy ?? "(none)"}`);
  return row(check, failures, summary, summary);
}

/** One account's keys as read, for matching the key ids other resources name. */
type KeyIndex = (alias: string, keyId: string | undefined) => boolean;

function keyIndex(
  place: { readonly partition: string; readonly region: string; readonly accountId: string },
  keys: Readonly<Record<string, Read<KeyRead>>>,
): KeyIndex {
  return (alias, keyId) => {
    if (keyId === undefined) return false;
    const key = keys[alias];
    const meta = key && !isFailure(key) ? key.KeyMetadata : undefined;
    const aliasArn = `arn:${place.partition}:kms:${place.region}:${place.accountId}:${alias}`;
    return [alias, aliasArn, meta?.Arn, meta?.KeyId].includes(keyId);
  };
}

function streamRow(expected: ExpectedSecurity, read: SecurityRead, keys: KeyIndex, row: RowMaker): CheckRow {
  const check = "stream";
  const summary = `${expected.stream.name} ACTIVE, KMS with ${expected.stream.keyAlias}`;
  const stream = read.stream;
  if (isFailure(stream)) return errorRow("security", expected.region, check, summary, stream.failure);
  if (!stream) return row(check, [`no stream ${expected.stream.name}`], summary, "");
  const failures: string[] = [];
  if (stream.StreamStatus !== "ACTIVE" && stream.StreamStatus !== "UPDATING")
    failures.push(`status ${stream.StreamStatus}`);
  if (stream.EncryptionType !== "KMS") failures.push(`encryption ${stream.EncryptionType ?? "NONE"}`);
  else if (!keys(expected.stream.keyAlias, stream.KeyId)) failures.push(`encrypted with ${stream.KeyId}`);
  return row(check, failures, summary, `${stream.StreamStatus}, KMS with ${stream.KeyId}`);
}

function deliveryRow(
  expected: ExpectedDelivery,
  read: SecurityRead,
  keys: KeyIndex,
  archiveKey: string,
  row: RowMaker,
): CheckRow {
  const check = "delivery stream";
  const summary = [
    `${expected.name} ACTIVE from ${expected.sourceStreamArn} to ${expected.bucketArn}`,
    `prefix ${expected.prefix}`,
    `error prefix ${expected.errorOutputPrefix}`,
    expected.processorName ? `processor ${expected.processorName}` : "no processor",
    ...(expected.backupPrefix ? [`source backup ${expected.backupPrefix}`] : []),
  ].join(", ");
  const delivery = read.delivery;
  if (isFailure(delivery)) return errorRow("security", "", check, summary, delivery.failure);
  if (!delivery) return row(check, [`no delivery stream ${expected.name}`], summary, "");
  const s3 = delivery.Destinations?.[0]?.ExtendedS3DestinationDescription;
  const failures: string[] = [];
  if (delivery.DeliveryStreamStatus !== "ACTIVE") failures.push(`status ${delivery.DeliveryStreamStatus}`);
  const source = delivery.Source?.KinesisStreamSourceDescription?.KinesisStreamARN;
  if (source !== expected.sourceStreamArn) failures.push(`source ${source ?? "(not a Kinesis stream)"}`);
  if (!s3) failures.push("no extended S3 destination");
  else {
    if (s3.BucketARN !== expected.bucketArn) failures.push(`bucket ${s3.BucketARN}`);
    if (s3.Prefix !== expected.prefix) failures.push(`prefix ${s3.Prefix}`);
    if (s3.ErrorOutputPrefix !== expected.errorOutputPrefix)
      failures.push(`error prefix ${s3.ErrorOutputPrefix}`);
    const keyArn = s3.EncryptionConfiguration?.KMSEncryptionConfig?.AWSKMSKeyARN;
    if (!keys(archiveKey, keyArn)) failures.push(`objects encrypted with ${keyArn ?? "(no KMS key)"}`);
    failures.push(...processorFailures(expected, s3.ProcessingConfiguration));
    const backup = s3.S3BackupMode === "Enabled" ? s3.S3BackupDescription?.Prefix : undefined;
    if (backup !== expected.backupPrefix) failures.push(`source backup ${backup ?? "off"}`);
  }
  return row(check, failures, summary, summary);
}

function processorFailures(expected: ExpectedDelivery, processing: ProcessingRead | undefined): string[] {
  const lambdas = (processing?.Enabled ? (processing.Processors ?? []) : [])
    .filter((p) => p.Type === "Lambda")
    .map((p) => p.Parameters?.find((parameter) => parameter.ParameterName === "LambdaArn")?.ParameterValue);
  if (!expected.processorName) return lambdas.length ? [`processor ${lambdas.join(", ")}`] : [];
  const ours = lambdas.some((arn) => arn?.split(":")[6] === expected.processorName);
  return ours ? [] : [`processor ${lambdas.length ? lambdas.join(", ") : "off"}`];
}

/** One archive setting: its row's name and what the config expects, where it is in the read, and how it is judged. */
interface BucketSetting {
  readonly check: string;
  readonly summary: string;
  row(bucket: BucketRead, row: RowMaker): CheckRow;
}

interface Judgement {
  readonly failures: string[];
  /** What the row shows when there is no failure. */
  readonly found: string;
}

/** A setting whose read may have failed (an error row) or be missing (judged as undefined). */
function setting<T>(
  check: string,
  summary: string,
  field: (bucket: BucketRead) => Read<T>,
  judge: (value: T | undefined) => Judgement,
): BucketSetting {
  return {
    check,
    summary,
    row: (bucket, row) => {
      const value = field(bucket);
      if (isFailure(value)) return errorRow(row.account, row.region, check, summary, value.failure);
      const { failures, found } = judge(value);
      return row(check, failures, summary, found);
    },
  };
}

function bucketRows(
  expected: ExpectedArchive,
  read: Read<BucketRead>,
  keys: KeyIndex,
  row: RowMaker,
): CheckRow[] {
  const settings = bucketSettings(expected, keys);
  if (isFailure(read))
    return settings.map((s) => errorRow(row.account, row.region, s.check, s.summary, read.failure));
  if (!read) return settings.map((s) => row(s.check, [`no bucket ${expected.bucketName}`], s.summary, ""));
  return settings.map((s) => s.row(read, row));
}

const PUBLIC_ACCESS_FLAGS = [
  "BlockPublicAcls",
  "IgnorePublicAcls",
  "BlockPublicPolicy",
  "RestrictPublicBuckets",
] as const;

function bucketSettings(expected: ExpectedArchive, keys: KeyIndex): BucketSetting[] {
  const publicAccess = "all four public-access blocks on";
  const label = expected.label;
  return [
    setting(
      `${label} versioning`,
      "Enabled",
      (b) => b.versioning,
      (v) => {
        const status = v?.Status ?? "never enabled";
        return { failures: status === "Enabled" ? [] : [`versioning ${status}`], found: status };
      },
    ),
    setting(
      `${label} public access`,
      publicAccess,
      (b) => b.publicAccessBlock,
      (block) => {
        const off = PUBLIC_ACCESS_FLAGS.filter((flag) => block?.[flag] !== true);
        return { failures: off.length ? [`off: ${off.join(", ")}`] : [], found: publicAccess };
      },
    ),
    setting(
      `${label} encryption`,
      `SSE-KMS with ${expected.keyAlias}`,
      (b) => b.encryption,
      (rules) => {
        const rule = rules?.[0]?.ApplyServerSideEncryptionByDefault;
        const found = rule
          ? `${rule.SSEAlgorithm} ${rule.KMSMasterKeyID ?? ""}`.trim()
          : "no default encryption";
        const ok = rule?.SSEAlgorithm === "aws:kms" && keys(expected.keyAlias, rule.KMSMasterKeyID);
        return { failures: ok ? [] : [found], found };
      },
    ),
    expected.policy
      ? wholePolicySetting(`${label} bucket policy`, expected.policy)
      : setting(
          `${label} TLS-only policy`,
          "a bucket policy denying requests without TLS",
          (b) => b.policy,
          (policy) => ({
            failures: !policy
              ? ["no bucket policy"]
              : statementIn(policy, expected.tlsDeny)
                ? []
                : ["the policy has no TLS-only deny for the bucket and its objects"],
            found: "a bucket policy denying requests without TLS",
          }),
        ),
    setting(
      `${label} ownership`,
      "BucketOwnerEnforced (ACLs off)",
      (b) => b.ownership,
      (rules) => {
        const found = rules?.[0]?.ObjectOwnership ?? "no ownership controls";
        return { failures: found === "BucketOwnerEnforced" ? [] : [found], found };
      },
    ),
    setting(
      `${label} lifecycle`,
      lifecycleSummary(expected),
      (b) => b.lifecycle,
      (rules) => ({
        failures: lifecycleFailures(expected, rules ?? []),
        found: lifecycleSummary(expected),
      }),
    ),
    setting(
      `${label} Object Lock`,
      objectLockSummary(expected),
      (b) => b.objectLock,
      (lock) => objectLockJudgement(expected, lock),
    ),
  ];
}

/**
 * A bucket policy that must be exactly `wanted`, by meaning: each wanted
 * statement present (any Sid), and nothing else (another statement may grant
 * what the policy is there to refuse).
 */
function wholePolicySetting(check: string, wanted: PolicyDocument): BucketSetting {
  const sids = wanted.Statement.map((s) => s.Sid).join(", ");
  const summary = `exactly the statements ${sids}`;
  return setting(
    check,
    summary,
    (b) => b.policy,
    (policy) => {
      if (!policy) return { failures: ["no bucket policy"], found: "" };
      const { missing, extra } = statementDiff(policy, wanted);
      return {
        failures: [
          ...missing.map((s) => `no statement equal to ${s.Sid}`),
          ...extra.map((s) => `unexpected statement ${JSON.stringify(s)}`),
        ],
        found: summary,
      };
    },
  );
}

function lifecycleSummary(expected: ExpectedArchive): string {
  return `GLACIER after ${expected.glacierAfterDays} days (current and noncurrent), ${
    expected.expireAfterDays === undefined
      ? "never expired"
      : `expired after ${expected.expireAfterDays} days`
  }`;
}

function lifecycleFailures(expected: ExpectedArchive, read: readonly LifecycleRuleRead[]): string[] {
  const rules = read.filter((r) => r.Status === "Enabled");
  const wholeBucket = rules.filter((r) => (r.Filter?.Prefix ?? r.Prefix ?? "") === "");
  const failures: string[] = [];
  const days = expected.glacierAfterDays;
  if (
    !wholeBucket.some((r) =>
      (r.Transitions ?? []).some((t) => t.StorageClass === "GLACIER" && t.Days === days),
    )
  )
    failures.push(`no rule moves objects to GLACIER after ${days} days`);
  if (
    !wholeBucket.some((r) =>
      (r.NoncurrentVersionTransitions ?? []).some(
        (t) => t.StorageClass === "GLACIER" && t.NoncurrentDays === days,
      ),
    )
  )
    failures.push(`no rule moves noncurrent versions to GLACIER after ${days} days`);
  // Any expiry sooner than the config's (or any at all when it keeps everything) deletes evidence.
  const expiries = rules.flatMap((r) => [r.Expiration?.Days, r.NoncurrentVersionExpiration?.NoncurrentDays]);
  const early = expiries.filter(
    (d): d is number =>
      d !== undefined && (expected.expireAfterDays === undefined || d < expected.expireAfterDays),
  );
  if (early.length) failures.push(`a rule expires objects after ${Math.min(...early)} days`);
  if (rules.some((r) => r.Expiration?.Date !== undefined)) failures.push("a rule expires objects on a date");
  if (
    expected.expireAfterDays !== undefined &&
    !wholeBucket.some((r) => r.Expiration?.Days === expected.expireAfterDays)
  )
    failures.push(`no rule expires objects after ${expected.expireAfterDays} days`);
  return failures;
}

function objectLockSummary(expected: ExpectedArchive): string {
  return expected.objectLock
    ? `Object Lock enabled, default retention ${expected.objectLock.mode} ${expected.objectLock.days} days`
    : "not required by the config";
}

function objectLockJudgement(expected: ExpectedArchive, config: ObjectLockRead | undefined): Judgement {
  const retention = config?.Rule?.DefaultRetention;
  const found =
    config?.ObjectLockEnabled === "Enabled"
      ? `Object Lock enabled, default retention ${
          retention
            ? `${retention.Mode} ${retention.Days ?? `${retention.Years} years`}${retention.Days ? " days" : ""}`
            : "none"
        }`
      : "Object Lock not enabled";
  const lock = expected.objectLock;
  const ok =
    !lock ||
    (config?.ObjectLockEnabled === "Enabled" &&
      retention?.Mode === lock.mode &&
      retention?.Days === lock.days);
  return { failures: ok ? [] : [found], found };
}

function keyRow(alias: string, read: Read<KeyRead>, row: RowMaker): CheckRow {
  const check = `key ${alias}`;
  const summary = "enabled, rotating, not pending deletion";
  const region = row.region;
  if (isFailure(read)) return errorRow(row.account, region, check, summary, read.failure);
  if (!read) return row(check, [`no key has the alias ${alias}`], summary, "");
  const meta = read.KeyMetadata;
  const failures: string[] = [];
  let fix: string | undefined;
  if (meta.KeyState === "PendingDeletion") {
    failures.push(`pending deletion on ${new Date(meta.DeletionDate ?? 0).toISOString()}`);
    fix = `aws kms cancel-key-deletion --key-id ${meta.KeyId}, then aws kms enable-key --key-id ${meta.KeyId}, before that date`;
  } else if (meta.Enabled !== true || meta.KeyState !== "Enabled") {
    failures.push(`state ${meta.KeyState}`);
    fix = `aws kms enable-key --key-id ${meta.KeyId}`;
  }
  const rotation = read.rotationEnabled;
  if (isFailure(rotation)) return errorRow(row.account, region, check, summary, rotation.failure);
  if (rotation !== true) failures.push("rotation off");
  return row(check, failures, summary, `${meta.Arn}: ${meta.KeyState}, rotating`, fix);
}

/**
 * The archive's replication into the vault: the role, and exactly one rule
 * per archived prefix with what modules/replication.ts gives S3. A rule that
 * replicates delete markers lets a delete in the security account hide the
 * vault's copy; another destination, account or key sends the copy
 * elsewhere; ownership not handed over leaves the replicas the security
 * account's; metrics off blinds the alarms. A rule the config does not make
 * may copy the archive anywhere.
 */
function replicationRow(
  expected: ExpectedReplication,
  read: Read<ReplicationRead>,
  vault: VaultRead | undefined,
  securityStack: string,
  row: RowMaker,
): CheckRow {
  const check = "archive replication";
  const d = expected.destination;
  const summary = [
    `role ${expected.roleArn}`,
    `rules ${expected.rules.map((r) => r.id).join(", ")} (one per archived prefix): enabled, SSE-KMS objects included, delete markers not replicated`,
    `to ${d.bucketArn} in account ${d.accountId} as ${d.storageClass}, owner Destination, encrypted with ${d.keyAliasArn}`,
    `metrics on${expected.replicationTimeControl ? `, Replication Time Control ${S3_RTC_MINUTES} minutes` : ""}`,
  ].join("; ");
  const fix = `run \`cdktf deploy ${securityStack}\` (terraform apply of the security stack writes the replication configuration back)`;
  if (isFailure(read)) return errorRow(row.account, row.region, check, summary, read.failure);
  if (!read) return row(check, [`no replication configuration on ${expected.bucketName}`], summary, "", fix);
  const failures: string[] = [];
  if (read.Role !== expected.roleArn) failures.push(`role ${read.Role ?? "(none)"}`);
  const rules = read.Rules ?? [];
  // The replica key by its alias ARN, or by the ARN the vault's DescribeKey gave.
  const keyIds = [
    d.keyAliasArn,
    ...Object.values(vault?.keys ?? {}).map((key) =>
      key && !isFailure(key) ? key.KeyMetadata.Arn : undefined,
    ),
  ];
  for (const want of expected.rules) {
    const rule = rules.find((r) => r.ID === want.id);
    if (!rule) failures.push(`no rule ${want.id}`);
    else failures.push(...ruleFailures(expected, want, rule, keyIds).map((f) => `rule ${want.id}: ${f}`));
  }
  for (const extra of rules.filter((r) => !expected.rules.some((want) => want.id === r.ID)))
    failures.push(
      `unexpected rule ${extra.ID ?? "(no id)"} to ${extra.Destination?.Bucket ?? "(no bucket)"}`,
    );
  return row(check, failures, summary, summary, fix);
}

function ruleFailures(
  expected: ExpectedReplication,
  want: ExpectedReplication["rules"][number],
  rule: ReplicationRuleRead,
  keyIds: ReadonlyArray<string | undefined>,
): string[] {
  const d = expected.destination;
  const to = rule.Destination;
  const failures: string[] = [];
  if (rule.Status !== "Enabled") failures.push(`status ${rule.Status}`);
  if (rule.Priority !== want.priority) failures.push(`priority ${rule.Priority ?? "(none)"}`);
  const filter = rule.Filter;
  if (!filter || filter.Prefix !== want.prefix || filter.Tag || filter.And)
    failures.push(`filter ${filter ? JSON.stringify(filter) : `(none; prefix ${rule.Prefix ?? "(none)"})`}`);
  const deleteMarkers = rule.DeleteMarkerReplication?.Status;
  if (deleteMarkers !== "Disabled")
    failures.push(`delete marker replication ${deleteMarkers ?? "(not set)"}`);
  const sseKms = rule.SourceSelectionCriteria?.SseKmsEncryptedObjects?.Status;
  if (sseKms !== "Enabled") failures.push(`SSE-KMS objects ${sseKms ?? "not selected"}`);
  if (to?.Bucket !== d.bucketArn) failures.push(`destination bucket ${to?.Bucket ?? "(none)"}`);
  if (to?.Account !== d.accountId) failures.push(`destination account ${to?.Account ?? "(none)"}`);
  if (to?.StorageClass !== d.storageClass)
    failures.push(`storage class ${to?.StorageClass ?? "(the source object's)"}`);
  const owner = to?.AccessControlTranslation?.Owner;
  if (owner !== "Destination") failures.push(`owner ${owner ?? "not translated (the source account)"}`);
  const key = to?.EncryptionConfiguration?.ReplicaKmsKeyID;
  if (key === undefined || !keyIds.includes(key)) failures.push(`replica key ${key ?? "(none)"}`);
  const metrics = to?.Metrics;
  const rtc = to?.ReplicationTime;
  if (metrics?.Status !== "Enabled") failures.push(`metrics ${metrics?.Status ?? "off"}`);
  if (expected.replicationTimeControl) {
    if (metrics?.Status === "Enabled" && metrics.EventThreshold?.Minutes !== S3_RTC_MINUTES)
      failures.push(`metrics event threshold ${metrics.EventThreshold?.Minutes ?? "(none)"}`);
    if (rtc?.Status !== "Enabled" || rtc.Time?.Minutes !== S3_RTC_MINUTES)
      failures.push(`Replication Time Control ${replicationTimeOf(rtc)}`);
  } else if (rtc?.Status === "Enabled") failures.push("Replication Time Control on");
  return failures;
}

/** What a rule's Replication Time Control reads as: off, on without a time, or its minutes. */
function replicationTimeOf(rtc: { Status?: string; Time?: { Minutes?: number } } | undefined): string {
  if (rtc?.Status !== "Enabled") return "off";
  return rtc.Time?.Minutes === undefined ? "on without a time" : `${rtc.Time.Minutes} minutes`;
}

// ---------- vault account ----------

/** The replica bucket, the archive's settings with the replica's key, lock and policy, and the replica key. */
function vaultRows(expected: ExpectedVault, read: VaultRead): CheckRow[] {
  const row = rowMaker(expected.name, expected.region, `run \`cdktf deploy ${expected.name}\``);
  return [
    identityRow(expected.name, expected.region, expected.accountId, read.identity),
    ...bucketRows(expected.bucket, read.bucket, keyIndex(expected, read.keys), row),
    keyRow(expected.keyAlias, read.keys[expected.keyAlias], row),
  ];
}

function errorsRow(bucket: string, read: Read<ListingRead>, options: VerifyOptions, row: RowMaker): CheckRow {
  const check = "delivery errors";
  const summary = `no objects under s3://${bucket}/errors/ in the last ${options.windowHours} hours`;
  const region = row.region;
  if (isFailure(read)) return errorRow("security", region, check, summary, read.failure);
  const count = read?.count ?? 0;
  return row(
    check,
    count ? [`${count} object${count === 1 ? "" : "s"} under errors/, newest ${read!.newest?.key}`] : [],
    summary,
    "none",
    "read the objects (Firehose's error records), fix the cause, then `npm run replay` for processing failures",
  );
}

// ---------- application accounts ----------

function accountRows(
  all: Expected,
  account: ExpectedAccount,
  read: AccountRead,
  observed: Observed,
  options: VerifyOptions,
): CheckRow[] {
  const firstRegion = account.regions[0]?.region ?? "";
  return [
    identityRow(account.name, firstRegion, account.accountId, read.identity),
    ...account.regions.flatMap((region) => {
      const regionRead = read.regions[region.region];
      return regionRead ? regionRows(all, account, region, regionRead, observed, options) : [];
    }),
  ];
}

function regionRows(
  all: Expected,
  account: ExpectedAccount,
  expected: ExpectedRegion,
  read: RegionRead,
  observed: Observed,
  options: VerifyOptions,
): CheckRow[] {
  const row = rowMaker(account.name, expected.region, `run \`cdktf deploy ${account.name}\``);
  return [
    ...expected.logGroups.flatMap((group) => [
      logGroupRow(account, expected, group, read.logGroups[group.name], row),
      ...(all.format === "events"
        ? [flowRow(all, account, expected, group, read, observed, options, row)]
        : []),
    ]),
    ...(expected.accountPolicy ? [accountPolicyRow(account, expected, read.accountPolicy, row)] : []),
    ...coverageRows(account, expected, read, options, row),
  ];
}

function filterSummary(filter: {
  filterName?: string;
  name?: string;
  filterPattern?: string;
  destinationArn?: string;
  roleArn?: string;
}): string {
  const pattern = filter.filterPattern ? `pattern "${filter.filterPattern}"` : "every event";
  return `${filter.name ?? filter.filterName} (${pattern}) -> ${filter.destinationArn}${filter.roleArn ? ` as ${filter.roleArn}` : ""}`;
}

function logGroupRow(
  account: ExpectedAccount,
  region: ExpectedRegion,
  group: ExpectedLogGroup,
  read: Read<LogGroupRead>,
  row: RowMaker,
): CheckRow {
  const check = `log group ${group.name}`;
  const summary = `exists, filter${group.filters.length > 1 ? "s" : ""} ${group.filters.map(filterSummary).join(" and ")}`;
  if (isFailure(read)) return errorRow(account.name, region.region, check, summary, read.failure);
  if (!read)
    return row(
      check,
      ["the log group does not exist"],
      summary,
      "",
      group.create
        ? `run \`cdktf deploy ${account.name}\` (the config creates it)`
        : `create the log group (or set create: true on it), then run \`cdktf deploy ${account.name}\``,
    );
  if (isFailure(read.filters))
    return errorRow(account.name, region.region, check, summary, read.filters.failure);
  const filters = read.filters ?? [];
  const failures: string[] = [];
  for (const want of group.filters) {
    const found = filters.find((f) => f.filterName === want.name);
    if (!found) failures.push(`no filter ${want.name}`);
    else {
      if ((found.filterPattern ?? "") !== want.filterPattern)
        failures.push(`${want.name} pattern "${found.filterPattern}"`);
      if (found.destinationArn !== want.destinationArn)
        failures.push(`${want.name} sends to ${found.destinationArn}`);
      if (found.roleArn !== want.roleArn) failures.push(`${want.name} role ${found.roleArn ?? "(none)"}`);
    }
  }
  // A filter of ours the config does not name (a renamed or hand-made one) ships events twice.
  for (const extra of filters.filter(
    (f) => f.destinationArn === region.destinationArn && !group.filters.some((w) => w.name === f.filterName),
  ))
    failures.push(`unexpected filter ${filterSummary(extra)}`);
  return row(check, failures, summary, summary);
}

function accountPolicyRow(
  account: ExpectedAccount,
  region: ExpectedRegion,
  read: Read<AccountPolicyRead> | undefined,
  row: RowMaker,
): CheckRow {
  const policy = region.accountPolicy!;
  const check = `account policy ${policy.name}`;
  const summary = `SUBSCRIPTION_FILTER_POLICY, scope ALL, ${policy.selectionCriteria ?? "every log group"} -> ${
    policy.document.DestinationArn
  }`;
  if (isFailure(read)) return errorRow(account.name, region.region, check, summary, read.failure);
  if (!read) return row(check, [`no account policy ${policy.name}`], summary, "");
  const failures: string[] = [];
  if (read.policyType !== "SUBSCRIPTION_FILTER_POLICY") failures.push(`type ${read.policyType}`);
  if ((read.scope ?? "ALL") !== "ALL") failures.push(`scope ${read.scope}`);
  if ((read.selectionCriteria || undefined) !== policy.selectionCriteria)
    failures.push(`selection criteria ${read.selectionCriteria || "(none)"}`);
  let document: unknown;
  try {
    document = JSON.parse(read.policyDocument ?? "");
  } catch {
    document = read.policyDocument;
  }
  if (JSON.stringify(sortKeys(document)) !== JSON.stringify(sortKeys(policy.document)))
    failures.push(`document ${read.policyDocument}`);
  return row(check, failures, summary, summary);
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value && typeof value === "object")
    return Object.fromEntries(
      Object.keys(value as object)
        .sort()
        .map((k) => [k, sortKeys((value as Record<string, unknown>)[k])]),
    );
  return value;
}

/**
 * Log groups that received events in the window but ship nowhere we archive:
 * not configured, not covered by the account policy, not excluded on purpose,
 * and with no filter to the destination.
 */
function coverageRows(
  account: ExpectedAccount,
  region: ExpectedRegion,
  read: RegionRead,
  options: VerifyOptions,
  row: RowMaker,
): CheckRow[] {
  const check = "coverage";
  const summary = `every log group with events in the last ${options.windowHours} hours ships to ${region.destinationArn}`;
  if (isFailure(read.active))
    return [errorRow(account.name, region.region, check, summary, read.active.failure)];
  const policy = region.accountPolicy;
  const configured = new Set(region.logGroups.map((g) => g.name));
  const gaps: CheckRow[] = [];
  for (const group of read.active ?? []) {
    // With an account policy every other group is covered by it or excluded on purpose.
    if (configured.has(group.logGroupName) || policy) continue;
    if (isFailure(group.filters)) {
      gaps.push(
        errorRow(
          account.name,
          region.region,
          `coverage ${group.logGroupName}`,
          summary,
          group.filters.failure,
        ),
      );
      continue;
    }
    const filters = group.filters ?? [];
    if (filters.some((f: FilterRead) => f.destinationArn === region.destinationArn)) continue;
    gaps.push({
      account: account.name,
      region: region.region,
      check: `coverage ${group.logGroupName}`,
      status: "gap",
      expected: "subscribed, covered by an account policy, or excluded on purpose",
      found: `last event ingested ${new Date(group.lastIngestionTime).toISOString()}, no filter to ${region.destinationArn}${
        filters.length ? ` (filters: ${filters.map((f) => f.filterName).join(", ")})` : ""
      }`,
      fix: `add it to accounts[${account.name}].logGroups, or set allLogGroups on the account, then run \`cdktf deploy ${account.name}\``,
    });
  }
  return gaps.length
    ? gaps
    : [row(check, [], summary, `${(read.active ?? []).length} active log groups, none unshipped`)];
}

/** The hours a log group's last event may be delivered under: from an hour before it to its buffer and margin after. */
export function deliveryHours(lastIngestion: number, bufferSeconds: number, marginSeconds: number): string[] {
  const hour = 3_600_000;
  const first = Math.floor(lastIngestion / hour) * hour - hour;
  const last = lastIngestion + (bufferSeconds + marginSeconds) * 1000;
  const hours: string[] = [];
  for (let t = first; t <= last; t += hour) hours.push(deliveryHourOf(new Date(t)));
  return hours;
}

/** Where the events of one account's log group land in a delivery hour (modules/delivery.ts, lib/search.ts). */
export function partitionPrefix(hour: string, accountId: string, logGroup: string): string {
  return eventsPartitionPrefix(hour, accountId, logGroupKey(logGroup));
}

export function deliveredKey(accountId: string, region: string, logGroup: string): string {
  return `${accountId}/${region}/${logGroup}`;
}

/** Whether a log group's events must be in the archive by now: its last one is older than the buffer plus margin. */
export function deliveryDue(
  lastIngestion: number | undefined,
  now: Date,
  bufferSeconds: number,
  marginSeconds: number,
  windowHours: number,
): boolean {
  if (lastIngestion === undefined) return false;
  const age = now.getTime() - lastIngestion;
  return age > (bufferSeconds + marginSeconds) * 1000 && age <= windowHours * 3_600_000;
}

function flowRow(
  all: Expected,
  account: ExpectedAccount,
  region: ExpectedRegion,
  group: ExpectedLogGroup,
  read: RegionRead,
  observed: Observed,
  options: VerifyOptions,
  row: RowMaker,
): CheckRow {
  const check = `flow ${group.name}`;
  const buffer = all.security.delivery.bufferSeconds;
  const summary = `events ingested more than ${buffer + options.flowMarginSeconds} s ago are in the archive`;
  const groupRead = read.logGroups[group.name];
  if (isFailure(groupRead)) return errorRow(account.name, region.region, check, summary, groupRead.failure);
  const last = groupRead?.lastIngestionTime;
  if (!deliveryDue(last, observed.at, buffer, options.flowMarginSeconds, options.windowHours))
    return row(
      check,
      [],
      summary,
      last === undefined
        ? "no events ingested"
        : observed.at.getTime() - last <= (buffer + options.flowMarginSeconds) * 1000
          ? `last event ${new Date(last).toISOString()}: delivery not due yet`
          : `no events in the last ${options.windowHours} hours`,
    );
  const delivered = observed.delivered[deliveredKey(account.accountId, region.region, group.name)];
  if (isFailure(delivered)) return errorRow(account.name, region.region, check, summary, delivered.failure);
  const newest = delivered?.newest;
  const ingested = new Date(last!).toISOString();
  if (newest && newest.lastModified.getTime() >= last! - options.flowMarginSeconds * 1000)
    return row(
      check,
      [],
      summary,
      `last event ${ingested}, newest object ${newest.key} at ${newest.lastModified.toISOString()}`,
    );
  return row(
    check,
    [
      `last event ingested ${ingested}, ${
        newest ? `newest object ${newest.key} at ${newest.lastModified.toISOString()}` : "no object since"
      } under events/.../account=${account.accountId}/logGroup=${logGroupKey(group.name)}/`,
    ],
    summary,
    "",
    "check the subscription filter, the destination's access policy, the delivery stream's CloudWatch error logs and errors/ in the archive",
  );
}

/** The exit code: 4 when any check could not read AWS, else 3 for drift or gaps, else 0. */
export function exitCodeOf(rows: readonly CheckRow[]): 0 | 3 | 4 {
  if (rows.some((r) => r.status === "error")) return 4;
  if (rows.some((r) => r.status === "drift" || r.status === "gap")) return 3;
  return 0;
}
