import { writeFileSync } from "node:fs";
import {
  CloudWatchLogsClient,
  DescribeAccountPoliciesCommand,
  DescribeDestinationsCommand,
  DescribeLogGroupsCommand,
  DescribeLogStreamsCommand,
  DescribeSubscriptionFiltersCommand,
} from "@aws-sdk/client-cloudwatch-logs";
import { DescribeDeliveryStreamCommand, FirehoseClient } from "@aws-sdk/client-firehose";
import { DescribeStreamSummaryCommand, KinesisClient } from "@aws-sdk/client-kinesis";
import { DescribeKeyCommand, GetKeyRotationStatusCommand, KMSClient } from "@aws-sdk/client-kms";
import {
  GetBucketEncryptionCommand,
  GetBucketLifecycleConfigurationCommand,
  GetBucketOwnershipControlsCommand,
  GetBucketPolicyCommand,
  GetBucketReplicationCommand,
  GetBucketVersioningCommand,
  GetObjectLockConfigurationCommand,
  GetPublicAccessBlockCommand,
  ListObjectsV2Command,
  S3Client,
} from "@aws-sdk/client-s3";
import { AssumeRoleCommand, GetCallerIdentityCommand, STSClient } from "@aws-sdk/client-sts";
import { NodeHttpHandler } from "@smithy/node-http-handler";
import {
  CONFIG_OPTION,
  commandConfig,
  CommandResult,
  CommandSpec,
  Output,
  positiveNumber,
  runCommandAsync,
  UsageError,
} from "../lib/cli";
import {
  ALLOWED_COMMANDS,
  allowedCommands,
  ASSUME_COMMAND,
  REPLICA_COMMANDS,
  verifyPolicies,
} from "../lib/verify/access";
import {
  DEFAULT_FLOW_MARGIN_SECONDS,
  DEFAULT_WINDOW_HOURS,
  deliveredKey,
  deliveryDue,
  deliveryHours,
  partitionPrefix,
  verifyRows,
} from "../lib/verify/checks";
import {
  Expected,
  ExpectedAccount,
  ExpectedRegion,
  ExpectedSecurity,
  expectedState,
  ExpectedVault,
  narrowed,
} from "../lib/verify/expected";
import {
  AccountRead,
  ActiveLogGroupRead,
  BucketRead,
  Failure,
  FilterRead,
  isFailure,
  KeyRead,
  ListingRead,
  LogGroupRead,
  Observed,
  Read,
  RegionRead,
  SecurityRead,
  VaultRead,
} from "../lib/verify/observed";
import { buildReport, Identity, markdownReport, textReport } from "../lib/verify/report";
import { ERROR_PREFIX } from "../lib/pipeline";
import { inParallel } from "../lib/concurrency";
import { SECURITY_STACK_NAME } from "../stacks/security-stack";
import { VAULT_STACK_NAME } from "../stacks/vault-stack";

const OPTIONS = {
  ...CONFIG_OPTION,
  account: { type: "string" },
  region: { type: "string" },
  hours: { type: "string" },
  json: { type: "boolean" },
  report: { type: "string" },
  "print-policy": { type: "boolean" },
} as const;

/** Test-only: an AWS API endpoint (the emulator) for every client; S3 path-style. */
export const ENDPOINT_ENV = "SECLOG_VERIFY_ENDPOINT";

/** Accounts read at a time, and calls at a time within one account. */
const ACCOUNT_CONCURRENCY = 8;
const CALL_CONCURRENCY = 4;

export const VERIFY_COMMAND: CommandSpec<typeof OPTIONS> = {
  name: "verify",
  synopsis:
    "[--account <name>] [--region <region>] [--hours <n>] [--json] [--report <file.md>] [--config <file>] [--print-policy]",
  positionals: [0, 0],
  options: OPTIONS,
  help: `Checks the live AWS state against the config, read-only: in the security
account, the destinations (target, role, access policy) in every region, the
stream (ACTIVE, KMS with its key), the delivery stream (ACTIVE, source, bucket,
prefixes, processor), the archive bucket (versioning, public access blocks,
SSE-KMS with the archive key, the TLS-only policy, ownership, lifecycle,
Object Lock) and every key (enabled, rotating, not pending deletion), and the
objects under errors/; with archive.replica, the archive's replication (the
role, one rule per archived prefix to the vault's bucket, account and key, no
delete markers, owner Destination, metrics on), and in the vault account the
replica bucket (the archive's settings with the replica key, the replica's
Object Lock and the vault bucket policy) and the replica key; in each
application account and region, every configured log group and its filters,
the account policy, log groups that receive events but ship nowhere (coverage
gaps), and for the events format whether each log group's events reached its
archive partition (flow).

It assumes the configured roleArn of each account (security.roleArn,
archive.replica.roleArn, accounts[].roleArn), else uses the AWS SDK's default
credentials. It only sends Describe, Get and List calls (it refuses any
other, and a run without a replica refuses the replication read too), and
never reads an object's contents.

  --account <name>     only this account ("${SECURITY_STACK_NAME}" for the security account, "${VAULT_STACK_NAME}" for the vault)
  --region <region>    only this region
  --hours <n>          window for errors/ objects and for "receives events" (default ${DEFAULT_WINDOW_HOURS})
  --json               print the report as JSON instead of the table
  --report <file.md>   also write the evidence report (Markdown) to this file
  -c, --config <file>  config file (default: $SECLOG_CONFIG, else config/logging.yaml)
  --print-policy       print the read-only IAM policy per account; no AWS calls

A progress line per account goes to stderr. ${ENDPOINT_ENV}=<url> is for the
tests only (an AWS API emulator).

Exit codes: 0 every check ok, 1 config file problem, 2 bad arguments, 3 drift
or coverage gaps found, 4 access denied or unreachable (the row names the
account and the call).`,
};

/** One account and region's clients. */
export interface Clients {
  readonly logs: CloudWatchLogsClient;
  readonly kinesis: KinesisClient;
  readonly firehose: FirehoseClient;
  readonly s3: S3Client;
  readonly kms: KMSClient;
  readonly sts: STSClient;
}

/** How verify reaches an account: the real one assumes roleArn; the tests hand in the emulator's. */
export interface AwsAccess {
  clients(target: { accountId: string; roleArn?: string; region: string }): Promise<Clients>;
}

export async function run(
  argv: readonly string[],
  env: NodeJS.ProcessEnv = process.env,
  out: Output = process,
  access?: AwsAccess,
): Promise<number> {
  return runCommandAsync(
    VERIFY_COMMAND,
    argv,
    async ({ values }) => {
      const windowHours =
        values.hours === undefined ? DEFAULT_WINDOW_HOURS : positiveNumber(values.hours, "hours");
      const { file, config } = commandConfig(values.config, env);
      const names = [
        SECURITY_STACK_NAME,
        ...(config.archive.replica ? [VAULT_STACK_NAME] : []),
        ...config.accounts.map((a) => a.name),
      ];
      if (values.account !== undefined && !names.includes(values.account))
        throw new UsageError(`--account must be one of ${names.join(", ")}, got "${values.account}"`);
      if (values["print-policy"]) {
        const policies = verifyPolicies(config, SECURITY_STACK_NAME);
        const chosen = values.account ? { [values.account]: policies[values.account] } : policies;
        return `${JSON.stringify(chosen, null, 2)}\n`;
      }
      const all = expectedState(config);
      const regions = new Set([
        ...config.destinationRegions,
        ...(config.archive.replica ? [config.archive.replica.region] : []),
        ...config.accounts.flatMap((a) => a.regions),
      ]);
      if (values.region !== undefined && !regions.has(values.region))
        throw new UsageError(
          `--region must be one of ${[...regions].sort().join(", ")}, got "${values.region}"`,
        );
      const expected = narrowed(all, SECURITY_STACK_NAME, values.account, values.region);
      const reader = new Reader(access ?? sdkAccess(env, allowedCommands(config)), out, {
        windowHours,
        marginSeconds: DEFAULT_FLOW_MARGIN_SECONDS,
      });
      const observed = await reader.read(expected);
      const rows = verifyRows(expected, observed, {
        securityStack: SECURITY_STACK_NAME,
        windowHours,
        flowMarginSeconds: DEFAULT_FLOW_MARGIN_SECONDS,
      });
      const report = buildReport(file, observed, reader.identities, rows);
      if (values.report) writeFileSync(values.report, markdownReport(report));
      const result: CommandResult = {
        stdout: values.json ? `${JSON.stringify(report, null, 2)}\n` : textReport(report),
        code: report.exitCode,
      };
      return result;
    },
    out,
  );
}

/**
 * The SDK's default credential chain, each account's roleArn assumed; adaptive
 * retries for throttling. Every client refuses what the config's run does not
 * send (`allowed`).
 */
function sdkAccess(env: NodeJS.ProcessEnv, allowed: ReadonlySet<string>): AwsAccess {
  const endpoint = env[ENDPOINT_ENV];
  const base = {
    retryMode: "adaptive" as const,
    maxAttempts: endpoint ? 2 : 8,
    ...(endpoint ? { endpoint } : {}),
  };
  const assumed = new Map<string, ReturnType<STSClient["config"]["credentials"]>>();
  return {
    async clients({ roleArn, region }) {
      let credentials: Clients["sts"]["config"]["credentials"] | undefined;
      if (roleArn) {
        if (!assumed.has(roleArn)) {
          const sts = guarded(new STSClient({ ...base, region }), allowed);
          assumed.set(
            roleArn,
            sts
              .send(new AssumeRoleCommand({ RoleArn: roleArn, RoleSessionName: "seclog-verify" }))
              .then(({ Credentials: c }) => ({
                accessKeyId: c!.AccessKeyId!,
                secretAccessKey: c!.SecretAccessKey!,
                sessionToken: c!.SessionToken!,
              })),
          );
        }
        const pending = assumed.get(roleArn)!;
        credentials = () => pending;
      }
      const common = { ...base, region, ...(credentials ? { credentials } : {}) };
      return {
        logs: guarded(new CloudWatchLogsClient(common), allowed),
        // HTTP/1.1: the Kinesis client defaults to HTTP/2 (for SubscribeToShard), which emulators lack.
        kinesis: guarded(new KinesisClient({ ...common, requestHandler: new NodeHttpHandler() }), allowed),
        firehose: guarded(new FirehoseClient(common), allowed),
        s3: guarded(new S3Client({ ...common, ...(endpoint ? { forcePathStyle: true } : {}) }), allowed),
        kms: guarded(new KMSClient(common), allowed),
        sts: guarded(new STSClient(common), allowed),
      };
    },
  };
}

/** Every command name a guarded client sent, for the read-only test. */
export const SENT_COMMANDS = new Set<string>();

/** Every command any run may send: the default allow-list of a guarded client. */
const EVERY_ALLOWED: ReadonlySet<string> = new Set([...ALLOWED_COMMANDS, ...REPLICA_COMMANDS]);

/**
 * Read-only by construction: a middleware refuses, before signing, any
 * command that is not on the allow-list (lib/verify/access.ts; a run's own,
 * allowedCommands, when given).
 */
export function guarded<C extends { middlewareStack: { add(middleware: unknown, options: unknown): void } }>(
  client: C,
  allowed: ReadonlySet<string> = EVERY_ALLOWED,
): C {
  client.middlewareStack.add(
    (next: (args: unknown) => Promise<unknown>, context: { commandName?: string }) =>
      async (args: unknown) => {
        const name = context.commandName ?? "";
        if (!allowed.has(name) && name !== ASSUME_COMMAND)
          throw new Error(`verify refuses to send ${name}: not a read-only call on its allow-list`);
        SENT_COMMANDS.add(name);
        return next(args);
      },
    { step: "initialize", name: "seclogReadOnlyGuard" },
  );
  return client;
}

const NOT_FOUND = new Set([
  "ResourceNotFoundException",
  "NotFoundException",
  "NoSuchBucket",
  "NoSuchBucketPolicy",
  "ServerSideEncryptionConfigurationNotFoundError",
  "NoSuchPublicAccessBlockConfiguration",
  "OwnershipControlsNotFoundError",
  "NoSuchLifecycleConfiguration",
  "ObjectLockConfigurationNotFoundError",
  "ReplicationConfigurationNotFoundError",
]);

function failureOf(call: string, error: unknown): { failure: Failure } {
  const e = error as { name?: string; message?: string; $metadata?: { httpStatusCode?: number } };
  const status = e.$metadata?.httpStatusCode;
  // The SDK's message may run on with hints over several lines: the first says what happened.
  const message = (e.message ?? "").split("\n")[0];
  return {
    failure: { call, message: `${e.name ?? "Error"}${status ? ` (HTTP ${status})` : ""}: ${message}`.trim() },
  };
}

/** One call: its value, undefined when AWS says the resource does not exist, or the failure. */
async function attempt<T>(call: string, work: () => Promise<T>): Promise<Read<T>> {
  try {
    return await work();
  } catch (error) {
    if (NOT_FOUND.has((error as { name?: string }).name ?? "")) return undefined;
    return failureOf(call, error);
  }
}

const NOTHING_READ: SecurityRead = {
  identity: undefined,
  destinations: {},
  stream: undefined,
  delivery: undefined,
  bucket: undefined,
  keys: {},
  errors: undefined,
};

interface ReaderOptions {
  readonly windowHours: number;
  readonly marginSeconds: number;
}

/** Reads everything the checks judge, accounts in parallel (bounded), with a progress line per account. */
class Reader {
  readonly identities: Identity[] = [];
  private readonly at = new Date();

  constructor(
    private readonly access: AwsAccess,
    private readonly out: Output,
    private readonly options: ReaderOptions,
  ) {}

  async read(expected: Expected): Promise<Observed> {
    const vaultChecked = expected.vault?.checked === true;
    const total = expected.accounts.length + (expected.security.checked ? 1 : 0) + (vaultChecked ? 1 : 0);
    let done = 0;
    const progress = (name: string, calls: string) =>
      this.out.stderr.write(`verify: [${++done}/${total}] ${name}: ${calls}\n`);
    // The vault is read alongside the security account: neither needs the other's answers.
    const [security, vault] = await Promise.all([
      expected.security.checked
        ? this.readSecurity(expected.security).then((read) => {
            progress(SECURITY_STACK_NAME, "read");
            return read;
          })
        : NOTHING_READ,
      vaultChecked
        ? this.readVault(expected.vault!).then((read) => {
            progress(expected.vault!.name, "read");
            return read;
          })
        : undefined,
    ]);
    const accounts = await inParallel(expected.accounts, ACCOUNT_CONCURRENCY, async (account) => {
      const read = await this.readAccount(account);
      progress(account.name, "read");
      return [account.name, read] as const;
    });
    const delivered = expected.format === "events" ? await this.readDelivered(expected, accounts) : {};
    return {
      at: this.at,
      security,
      ...(vault ? { vault } : {}),
      accounts: Object.fromEntries(accounts),
      delivered,
    };
  }

  private async identity(account: string, accountId: string, clients: Clients): Promise<Read<string>> {
    const identity = await attempt(
      "sts:GetCallerIdentity",
      async () => (await clients.sts.send(new GetCallerIdentityCommand({}))).Arn,
    );
    if (typeof identity === "string") this.identities.push({ account, accountId, arn: identity });
    return identity;
  }

  private async readSecurity(expected: ExpectedSecurity): Promise<SecurityRead> {
    const target = { accountId: expected.accountId, roleArn: expected.roleArn };
    const home = await this.access.clients({ ...target, region: expected.region });
    const destinations: Record<string, Read<import("../lib/verify/observed").DestinationRead>> = {};
    await inParallel(expected.destinations, CALL_CONCURRENCY, async (d) => {
      const clients =
        d.region === expected.region ? home : await this.access.clients({ ...target, region: d.region });
      destinations[d.region] = await attempt(`logs:DescribeDestinations in ${d.region}`, async () => {
        const answer = await clients.logs.send(
          new DescribeDestinationsCommand({ DestinationNamePrefix: d.name }),
        );
        return (answer.destinations ?? []).find((found) => found.destinationName === d.name);
      });
    });
    if (!expected.checksHome)
      return {
        ...NOTHING_READ,
        identity: await this.identity(SECURITY_STACK_NAME, expected.accountId, home),
        destinations,
      };
    const replication = expected.replication;
    const [identity, stream, delivery, bucket, keys, errors, replicationRead] = await Promise.all([
      this.identity(SECURITY_STACK_NAME, expected.accountId, home),
      attempt(
        "kinesis:DescribeStreamSummary",
        async () =>
          (await home.kinesis.send(new DescribeStreamSummaryCommand({ StreamName: expected.stream.name })))
            .StreamDescriptionSummary,
      ),
      attempt(
        "firehose:DescribeDeliveryStream",
        async () =>
          (
            await home.firehose.send(
              new DescribeDeliveryStreamCommand({ DeliveryStreamName: expected.delivery.name }),
            )
          ).DeliveryStreamDescription,
      ),
      this.readBucket(home.s3, expected.archive.bucketName),
      this.readKeys(home.kms, expected.keyAliases),
      this.readErrors(home.s3, expected.archive.bucketName),
      replication
        ? attempt(
            "s3:GetReplicationConfiguration",
            async () =>
              (await home.s3.send(new GetBucketReplicationCommand({ Bucket: replication.bucketName })))
                .ReplicationConfiguration,
          )
        : undefined,
    ]);
    return {
      identity,
      destinations,
      stream,
      delivery,
      bucket,
      keys,
      errors,
      ...(replication ? { replication: replicationRead } : {}),
    };
  }

  /** The vault account: its identity, the replica bucket's settings and the replica key, with the archive's reads. */
  private async readVault(expected: ExpectedVault): Promise<VaultRead> {
    const clients = await this.access.clients({
      accountId: expected.accountId,
      roleArn: expected.roleArn,
      region: expected.region,
    });
    const [identity, bucket, keys] = await Promise.all([
      this.identity(expected.name, expected.accountId, clients),
      this.readBucket(clients.s3, expected.bucket.bucketName),
      this.readKeys(clients.kms, [expected.keyAlias]),
    ]);
    return { identity, bucket, keys };
  }

  private async readBucket(s3: S3Client, Bucket: string): Promise<Read<BucketRead>> {
    const versioning = await attempt("s3:GetBucketVersioning", async () => {
      const answer = await s3.send(new GetBucketVersioningCommand({ Bucket }));
      return { Status: answer.Status };
    });
    // No bucket: every other setting would say so too.
    if (versioning === undefined) return undefined;
    const [publicAccessBlock, encryption, policy, ownership, lifecycle, objectLock] = await Promise.all([
      attempt(
        "s3:GetBucketPublicAccessBlock",
        async () =>
          (await s3.send(new GetPublicAccessBlockCommand({ Bucket }))).PublicAccessBlockConfiguration,
      ),
      attempt(
        "s3:GetEncryptionConfiguration",
        async () =>
          (await s3.send(new GetBucketEncryptionCommand({ Bucket }))).ServerSideEncryptionConfiguration
            ?.Rules,
      ),
      attempt(
        "s3:GetBucketPolicy",
        async () => (await s3.send(new GetBucketPolicyCommand({ Bucket }))).Policy,
      ),
      attempt(
        "s3:GetBucketOwnershipControls",
        async () =>
          (await s3.send(new GetBucketOwnershipControlsCommand({ Bucket }))).OwnershipControls?.Rules,
      ),
      attempt(
        "s3:GetLifecycleConfiguration",
        async () => (await s3.send(new GetBucketLifecycleConfigurationCommand({ Bucket }))).Rules,
      ),
      attempt(
        "s3:GetBucketObjectLockConfiguration",
        async () =>
          (await s3.send(new GetObjectLockConfigurationCommand({ Bucket }))).ObjectLockConfiguration,
      ),
    ]);
    return { versioning, publicAccessBlock, encryption, policy, ownership, lifecycle, objectLock };
  }

  private async readKeys(kms: KMSClient, aliases: readonly string[]): Promise<Record<string, Read<KeyRead>>> {
    const keys: Record<string, Read<KeyRead>> = {};
    await inParallel(aliases, CALL_CONCURRENCY, async (alias) => {
      const meta = await attempt(
        `kms:DescribeKey ${alias}`,
        async () => (await kms.send(new DescribeKeyCommand({ KeyId: alias }))).KeyMetadata,
      );
      if (meta === undefined || isFailure(meta)) {
        keys[alias] = meta;
        return;
      }
      // GetKeyRotationStatus takes a key id or ARN, not an alias.
      const rotationEnabled = await attempt(`kms:GetKeyRotationStatus ${alias}`, async () =>
        Boolean((await kms.send(new GetKeyRotationStatusCommand({ KeyId: meta.KeyId }))).KeyRotationEnabled),
      );
      keys[alias] = { KeyMetadata: meta, rotationEnabled };
    });
    return keys;
  }

  private async readErrors(s3: S3Client, bucket: string): Promise<Read<ListingRead>> {
    const since = this.at.getTime() - this.options.windowHours * 3_600_000;
    return attempt(`s3:ListBucket ${ERROR_PREFIX}`, () => listing(s3, bucket, ERROR_PREFIX, since));
  }

  private async readAccount(account: ExpectedAccount): Promise<AccountRead> {
    const target = { accountId: account.accountId, roleArn: account.roleArn };
    const regions: Record<string, RegionRead> = {};
    let identity: Read<string> = undefined;
    await inParallel(account.regions, CALL_CONCURRENCY, async (region) => {
      const clients = await this.access.clients({ ...target, region: region.region });
      if (region === account.regions[0])
        identity = await this.identity(account.name, account.accountId, clients);
      regions[region.region] = await this.readRegion(region, clients.logs);
    });
    return { identity, regions };
  }

  private async readRegion(region: ExpectedRegion, logs: CloudWatchLogsClient): Promise<RegionRead> {
    const names = await attempt(`logs:DescribeLogGroups in ${region.region}`, () => allLogGroups(logs));
    const configured = region.logGroups.map((g) => g.name);
    const logGroups: Record<string, Read<LogGroupRead>> = {};
    if (isFailure(names) || names === undefined) {
      for (const name of configured) logGroups[name] = names;
      return { logGroups, active: names, ...(region.accountPolicy ? { accountPolicy: names } : {}) };
    }
    const existing = new Set(names);
    await inParallel(configured, CALL_CONCURRENCY, async (name) => {
      logGroups[name] = existing.has(name)
        ? await attempt(`logs:DescribeLogStreams ${name}`, async () => ({
            lastIngestionTime: await lastIngestion(logs, name),
            filters: await attempt(`logs:DescribeSubscriptionFilters ${name}`, () => filtersOf(logs, name)),
          }))
        : undefined;
    });
    const accountPolicy = region.accountPolicy
      ? await attempt(`logs:DescribeAccountPolicies in ${region.region}`, async () => {
          const answer = await logs.send(
            new DescribeAccountPoliciesCommand({
              policyType: "SUBSCRIPTION_FILTER_POLICY",
              policyName: region.accountPolicy!.name,
            }),
          );
          return answer.accountPolicies?.find((p) => p.policyName === region.accountPolicy!.name);
        })
      : undefined;
    // With an account policy every group is covered or excluded on purpose: nothing to look for.
    const active = region.accountPolicy
      ? []
      : await attempt(`logs:DescribeLogStreams in ${region.region}`, () =>
          this.activeGroups(
            logs,
            names.filter((n) => !configured.includes(n)),
          ),
        );
    return { logGroups, active, ...(region.accountPolicy ? { accountPolicy } : {}) };
  }

  /** The groups that ingested events in the window, with their filters. */
  private async activeGroups(
    logs: CloudWatchLogsClient,
    names: readonly string[],
  ): Promise<ActiveLogGroupRead[]> {
    const since = this.at.getTime() - this.options.windowHours * 3_600_000;
    const found = await inParallel(
      names,
      CALL_CONCURRENCY,
      async (name): Promise<ActiveLogGroupRead | undefined> => {
        const last = await lastIngestion(logs, name);
        if (last === undefined || last < since) return undefined;
        return {
          logGroupName: name,
          lastIngestionTime: last,
          filters: await attempt(`logs:DescribeSubscriptionFilters ${name}`, () => filtersOf(logs, name)),
        };
      },
    );
    return found.filter((g): g is ActiveLogGroupRead => g !== undefined);
  }

  /** For each log group whose delivery is due, the newest object in its partition over the hours it may land in. */
  private async readDelivered(
    expected: Expected,
    accounts: ReadonlyArray<readonly [string, AccountRead]>,
  ): Promise<Record<string, Read<ListingRead>>> {
    const security = expected.security;
    const s3 = (
      await this.access.clients({
        accountId: security.accountId,
        roleArn: security.roleArn,
        region: security.region,
      })
    ).s3;
    const buffer = security.delivery.bufferSeconds;
    const due: Array<{ key: string; accountId: string; logGroup: string; last: number }> = [];
    for (const account of expected.accounts) {
      const read = accounts.find(([name]) => name === account.name)![1];
      for (const region of account.regions)
        for (const group of region.logGroups) {
          const groupRead = read.regions[region.region]?.logGroups[group.name];
          const last = groupRead && !isFailure(groupRead) ? groupRead.lastIngestionTime : undefined;
          if (deliveryDue(last, this.at, buffer, this.options.marginSeconds, this.options.windowHours))
            due.push({
              key: deliveredKey(account.accountId, region.region, group.name),
              accountId: account.accountId,
              logGroup: group.name,
              last: last!,
            });
        }
    }
    const delivered: Record<string, Read<ListingRead>> = {};
    await inParallel(due, ACCOUNT_CONCURRENCY, async (d) => {
      delivered[d.key] = await attempt(`s3:ListBucket events/ for ${d.logGroup}`, async () => {
        let newest: ListingRead["newest"];
        let count = 0;
        for (const hour of deliveryHours(d.last, buffer, this.options.marginSeconds)) {
          const hourListing = await listing(
            s3,
            security.archive.bucketName,
            partitionPrefix(hour, d.accountId, d.logGroup),
            0,
          );
          count += hourListing.count;
          if (hourListing.newest && (!newest || hourListing.newest.lastModified > newest.lastModified))
            newest = hourListing.newest;
        }
        return { count, newest };
      });
    });
    return delivered;
  }
}

async function listing(s3: S3Client, Bucket: string, Prefix: string, since: number): Promise<ListingRead> {
  let count = 0;
  let newest: ListingRead["newest"];
  let ContinuationToken: string | undefined;
  do {
    const page = await s3.send(new ListObjectsV2Command({ Bucket, Prefix, ContinuationToken }));
    for (const object of page.Contents ?? []) {
      const modified = object.LastModified;
      if (!object.Key || !modified || modified.getTime() < since) continue;
      count++;
      if (!newest || modified > newest.lastModified) newest = { key: object.Key, lastModified: modified };
    }
    ContinuationToken = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (ContinuationToken);
  return { count, newest };
}

async function allLogGroups(logs: CloudWatchLogsClient): Promise<string[]> {
  const names: string[] = [];
  let nextToken: string | undefined;
  do {
    const page = await logs.send(new DescribeLogGroupsCommand({ nextToken }));
    for (const group of page.logGroups ?? []) if (group.logGroupName) names.push(group.logGroupName);
    nextToken = page.nextToken;
  } while (nextToken);
  return names;
}

/** The newest stream's lastIngestionTime: CloudWatch Logs' own record of the group's last event (eventually consistent, within an hour). */
async function lastIngestion(logs: CloudWatchLogsClient, logGroupName: string): Promise<number | undefined> {
  const answer = await logs.send(
    new DescribeLogStreamsCommand({ logGroupName, orderBy: "LastEventTime", descending: true, limit: 1 }),
  );
  return answer.logStreams?.[0]?.lastIngestionTime;
}

async function filtersOf(logs: CloudWatchLogsClient, logGroupName: string): Promise<FilterRead[]> {
  const answer = await logs.send(new DescribeSubscriptionFiltersCommand({ logGroupName }));
  return answer.subscriptionFilters ?? [];
}

if (require.main === module) void run(process.argv.slice(2)).then((code) => (process.exitCode = code));
