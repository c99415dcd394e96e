import { z } from "zod";
import { isKnownRegion, KNOWN_REGIONS } from "./regions";
import { closest } from "../text";
import {
  DEFAULT_AUDIENCE,
  DEFAULT_PROJECT,
  ORGANIZATION_NAME,
  WORKSPACE_NAME_MAX_CHARS,
  WORKSPACE_TAG,
} from "../tfc";
import {
  ALARM_MAX_EVALUATION_SECONDS,
  FILTER_PATTERN_MAX_CHARS,
  FIREHOSE_BUFFER_MIB,
  FIREHOSE_BUFFER_SECONDS,
  KINESIS_RETENTION_HOURS,
  LOG_GROUP_NAME_MAX_CHARS,
  LOG_RETENTION_DAYS,
  MAX_SUBSCRIPTION_FILTERS_PER_LOG_GROUP,
  MIN_PARTITIONED_BUFFER_MIB,
  MIN_PARTITIONED_BUFFER_SECONDS,
  S3_BUCKET_NAME_CHARS,
  S3_EXPIRATION_MIN_DAYS,
  S3_TRANSITION_MIN_DAYS,
  TAG_KEY_MAX_CHARS,
  TAG_VALUE_MAX_CHARS,
} from "../aws-limits";

/**
 * The config file schema: the user's whole interface. Every key is documented
 * here (the `describe` texts feed the README's config reference), and every
 * object is strict so a misspelt key is an error instead of a silent default.
 */

const ACCOUNT_ID = /^\d{12}$/;
const ROLE_ARN = /^arn:aws(-cn|-us-gov)?:iam::\d{12}:role\/[\w+=,.@/-]{1,512}$/;
// CloudWatch Logs log group names: 1-512 of [.-_/#A-Za-z0-9].
const LOG_GROUP_NAME = new RegExp(`^[.\\-_/#A-Za-z0-9]{1,${LOG_GROUP_NAME_MAX_CHARS}}$`);
// S3 bucket naming rules, without dots: dotted names break TLS for
// virtual-hosted-style requests and S3 Transfer Acceleration. The first and
// last character are letters or digits, so the middle holds 2 fewer.
export const BUCKET_NAME = new RegExp(
  `^(?!xn--|sthree-|amzn-s3-demo-)[a-z0-9][a-z0-9-]{${S3_BUCKET_NAME_CHARS.min - 2},${S3_BUCKET_NAME_CHARS.max - 2}}[a-z0-9]$`,
);
/** This app's upper bound on day counts (100 years): a typo guard, not an AWS limit. */
const MAX_DAYS = 36500;

export const accountId = z
  .string({ error: 'must be a 12-digit AWS account id as a quoted string, e.g. "123456789012"' })
  .regex(ACCOUNT_ID, 'must be a 12-digit AWS account id as a quoted string, e.g. "123456789012"');

export const region = z.string().refine(isKnownRegion, {
  error: (issue) => unknownRegionMessage(String(issue.input)),
});

function unknownRegionMessage(input: string): string {
  const suggestion = closest(input, KNOWN_REGIONS);
  return suggestion
    ? `unknown AWS region "${input}"; did you mean ${suggestion}?`
    : `unknown AWS region "${input}"; use one of: ${KNOWN_REGIONS.join(", ")}`;
}

const roleArn = z
  .string()
  .regex(
    ROLE_ARN,
    "must be an IAM role ARN, e.g. arn:aws:iam::123456789012:role/OrganizationAccountAccessRole",
  );

const positiveInt = (max: number) => z.number().int().min(1).max(max);

const objectLock = z
  .strictObject({
    mode: z
      .enum(["GOVERNANCE", "COMPLIANCE"])
      .describe("GOVERNANCE (privileged users may shorten) or COMPLIANCE (nobody can, not even root)"),
    days: z
      .number()
      .int()
      .min(1, "Object Lock retention must be at least 1 day")
      .max(MAX_DAYS, `must be at most ${MAX_DAYS} (100 years)`)
      .describe("default retention of every new object version, in days"),
  })
  .describe("S3 Object Lock default retention; omit to leave Object Lock off");

/**
 * Storage classes a replica may start in. Not ONEZONE_IA or
 * REDUCED_REDUNDANCY: a vault copy kept in one Availability Zone, or at lower
 * durability, is not the second copy it is meant to be.
 */
export const REPLICA_STORAGE_CLASSES = [
  "STANDARD",
  "STANDARD_IA",
  "INTELLIGENT_TIERING",
  "GLACIER_IR",
  "GLACIER",
  "DEEP_ARCHIVE",
] as const;

const replica = z
  .strictObject({
    accountId: accountId.describe(
      "vault account id, a quoted 12-digit string: neither the security account nor an application account",
    ),
    region: region.describe("region of the replica bucket and its key"),
    roleArn: roleArn.optional().describe("role the provider assumes in the vault account"),
    objectLock: objectLock.describe(
      "Object Lock default retention of every replica (required: a vault copy that can be deleted is not a vault)",
    ),
    storageClass: z
      .enum(REPLICA_STORAGE_CLASSES)
      .default("STANDARD")
      .describe(
        "storage class replicas are written in; the archive's lifecycle then moves them to GLACIER after glacierAfterDays (S3 never moves an object to a warmer class: DEEP_ARCHIVE replicas stay there)",
      ),
    replicationTimeControl: z
      .boolean()
      .default(false)
      .describe(
        "S3 Replication Time Control: 99.99% of objects replicated within 15 minutes, billed per GB replicated",
      ),
  })
  .describe(
    "a locked copy of the archive in a vault account (`vault` stack, deployed before `security`); omit for none",
  );

const archive = z
  .strictObject({
    bucketName: z
      .string()
      .regex(
        BUCKET_NAME,
        "must be a valid S3 bucket name: 3-63 lowercase letters, digits and hyphens, no dots",
      )
      .optional()
      .describe("archive bucket name (default `<prefix>-security-logs-<security.accountId>`)"),
    // S3 accepts 0 for a GLACIER transition, and sets no lower bound for
    // NoncurrentVersionTransition NoncurrentDays, which the same value feeds
    // (S3_TRANSITION_MIN_DAYS, lib/aws-limits.ts). The upper bound is this app's.
    glacierAfterDays: z
      .number()
      .int()
      .min(
        S3_TRANSITION_MIN_DAYS,
        `S3 cannot transition an object before it exists; use ${S3_TRANSITION_MIN_DAYS} (at the first midnight UTC after upload) or more`,
      )
      .max(MAX_DAYS, `must be at most ${MAX_DAYS} (100 years)`)
      .default(90)
      .describe(
        "days before objects of 128 KB or more move to S3 Glacier Flexible Retrieval (0: the first midnight UTC after upload; smaller objects stay in S3 Standard)",
      ),
    // Expiration Days and NoncurrentVersionExpiration NoncurrentDays "must be a
    // non-zero positive integer" (S3_EXPIRATION_MIN_DAYS, lib/aws-limits.ts).
    expireAfterDays: z
      .number()
      .int()
      .min(
        S3_EXPIRATION_MIN_DAYS,
        `S3 expires objects ${S3_EXPIRATION_MIN_DAYS} day after creation at the earliest (Expiration Days must be a non-zero positive integer); use ${S3_EXPIRATION_MIN_DAYS} or more, or omit expireAfterDays to keep objects forever`,
      )
      .max(MAX_DAYS, `must be at most ${MAX_DAYS} (100 years); omit expireAfterDays to keep objects forever`)
      .optional()
      .describe("days before objects expire; omit to keep forever"),
    objectLock: objectLock.optional(),
    replica: replica.optional(),
    accessLogs: z
      .boolean()
      .default(true)
      .describe(
        "S3 server access logs of the archive go to a separate bucket `<prefix>-access-logs-<security.accountId>`",
      ),
  })
  .describe("the S3 archive");

const stream = z
  .strictObject({
    mode: z.enum(["on-demand", "provisioned"]).default("on-demand").describe("Kinesis capacity mode"),
    shards: positiveInt(10000)
      .optional()
      .describe("shard count; only with mode provisioned (default 1 there)"),
    retentionHours: z
      .number()
      .int()
      .min(KINESIS_RETENTION_HOURS.min)
      .max(KINESIS_RETENTION_HOURS.max)
      .default(168)
      .describe(
        `Kinesis record retention, ${KINESIS_RETENTION_HOURS.min}-${KINESIS_RETENTION_HOURS.max} hours`,
      ),
  })
  .describe("the Kinesis stream every destination writes to");

const delivery = z
  .strictObject({
    format: z
      .enum(["events", "raw"])
      .default("events")
      .describe(
        "events: one NDJSON line per log event, partitioned by account and log group; raw: records exactly as CloudWatch Logs sent them (gzip)",
      ),
    bufferSeconds: z
      .number()
      .int()
      .min(FIREHOSE_BUFFER_SECONDS.min)
      .max(FIREHOSE_BUFFER_SECONDS.max)
      .default(300)
      .describe(
        `Firehose buffering interval, ${FIREHOSE_BUFFER_SECONDS.min}-${FIREHOSE_BUFFER_SECONDS.max} s (events: at least ${MIN_PARTITIONED_BUFFER_SECONDS}; dynamic partitioning has no zero buffering)`,
      ),
    bufferMiB: z
      .number()
      .int()
      .min(FIREHOSE_BUFFER_MIB.min)
      .max(FIREHOSE_BUFFER_MIB.max)
      .default(64)
      .describe(
        `Firehose buffering size, ${FIREHOSE_BUFFER_MIB.min}-${FIREHOSE_BUFFER_MIB.max} MiB (events: at least ${MIN_PARTITIONED_BUFFER_MIB}, for dynamic partitioning)`,
      ),
    processorConcurrency: z
      .number()
      .int()
      .min(1)
      .max(1000)
      .optional()
      .describe(
        "events only: reserved concurrency of the processor Lambda (default: none, it draws on the account's unreserved concurrency)",
      ),
    keepSource: z
      .boolean()
      .default(false)
      .describe(
        'events only: Firehose also keeps every record exactly as CloudWatch Logs sent it (gzip) under `source/` of the archive, with the same key, lifecycle and Object Lock; about 0.4-0.9x the events storage (README, "Keeping the source records"); once on, AWS cannot turn it off in place',
      ),
  })
  .describe("how Firehose writes objects");

// An IAM role or user that may assume the analyst role (not an account root: the trust names exact principals).
const PRINCIPAL_ARN = /^arn:aws(-cn|-us-gov)?:iam::\d{12}:(role|user)\/[\w+=,.@/-]{1,512}$/;

const search = z
  .strictObject({
    enabled: z
      .boolean()
      .optional()
      .describe(
        'Glue tables over `events/`, an Athena workgroup and saved hunts (README, "Searching the archive"); default: on with format events, and format raw has nothing to project',
      ),
    scanLimitGiB: z
      .number()
      .int()
      .min(1)
      .max(1_048_576)
      .default(100)
      .describe(
        "Athena cancels any query of the workgroup that scans more than this many GiB (the workgroup's per-query data usage control; $5 per TB scanned)",
      ),
    resultsExpireDays: z
      .number()
      .int()
      .min(1)
      .max(MAX_DAYS)
      .default(30)
      .describe("days before query results expire from their bucket"),
    analystPrincipals: z
      .array(
        z
          .string()
          .regex(
            PRINCIPAL_ARN,
            "must be an IAM role or user ARN, e.g. arn:aws:iam::123456789012:role/IncidentResponder",
          ),
      )
      .default([])
      .describe(
        "IAM principals that may assume `<prefix>-security-logs-analyst`: run hunts in the workgroup and read `events/`, nothing else; empty: no analyst role",
      ),
  })
  .describe("searching the archive with Athena");

const s3State = z
  .strictObject({
    bucket: z
      .string()
      .min(S3_BUCKET_NAME_CHARS.min)
      .max(S3_BUCKET_NAME_CHARS.max)
      .describe("S3 bucket holding Terraform state: an existing one, or the one `bootstrap` creates"),
    region: region.describe("region of the state bucket"),
    keyPrefix: z
      .string()
      .regex(/^[A-Za-z0-9!_.*'()/-]{1,200}$/, "must be a plain S3 key prefix such as seclog/state")
      .optional()
      .describe("state key prefix (default `<prefix>`); each stack's key is `<keyPrefix>/<stack>.tfstate`"),
    roleArn: roleArn.optional().describe("role the S3 backend assumes"),
    bootstrap: z
      .boolean()
      .default(false)
      .describe(
        "add a `state` stack (local state) that creates this bucket in the security account: versioned, encrypted, TLS-only, private, prevent_destroy; deploy it first",
      ),
    encryption: z
      .enum(["kms", "sse-s3"])
      .optional()
      .describe(
        "bootstrap only: encrypt state with a new KMS key `alias/<prefix>-terraform-state` (backends then name it as kms_key_id), or with S3-managed keys (default kms)",
      ),
  })
  .describe("S3 backend settings (encrypt and use_lockfile are always on)");

// A DNS host name, no scheme, port or path: `https://<hostname>` is the OIDC issuer (lib/tfc.ts).
const HOSTNAME =
  /^(?=.{1,253}$)[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$/;

const cloudWorkspaces = z
  .strictObject({
    create: z
      .boolean()
      .default(false)
      .describe(
        "add a `workspaces` stack (local state, tfe provider) that creates each stack's workspace, CLI-driven, with its variables and run triggers; deploy it first",
      ),
    executionMode: z
      .enum(["remote", "agent", "local"])
      .default("remote")
      .describe(
        "where runs execute: remote (HCP Terraform), agent (your agent pool), local (your machine; state only)",
      ),
    agentPoolId: z
      .string()
      .regex(/^apool-[A-Za-z0-9]+$/, "must be an agent pool id such as apool-AbCd1234")
      .optional()
      .describe("agent pool of the runs; required with executionMode agent, only then"),
    terraformVersion: z
      .string()
      .regex(
        /^(~> |>= )?1\.\d+\.\d+$/,
        'must be a Terraform version such as 1.11.4, or a constraint "~> 1.11.0" or ">= 1.11.0"',
      )
      .default("~> 1.11.0")
      .describe(
        "Terraform version of the workspaces: an exact version or `~>`/`>=` constraint; the S3 lockfile needs >= 1.10",
      ),
    tags: z
      .array(
        z
          .string()
          .regex(
            WORKSPACE_TAG,
            "must be 1-255 lowercase letters, digits, : and - (HCP Terraform's tag names)",
          ),
      )
      .default([])
      .describe("tag names on every workspace"),
  })
  .describe("workspaces this app creates (default: you create them)");

const cloudState = z
  .strictObject({
    organization: z
      .string()
      .regex(ORGANIZATION_NAME, "must be an organization name: letters, digits, - and _ only")
      .describe("Terraform Cloud / Enterprise organization"),
    workspacePrefix: z
      .string()
      .regex(/^[A-Za-z0-9_-]{0,60}$/, "may only hold letters, digits, - and _")
      .default("")
      .describe(
        `workspace name is \`<workspacePrefix><stack>\`, at most ${WORKSPACE_NAME_MAX_CHARS} characters`,
      ),
    project: z
      .string()
      .min(1)
      .optional()
      .describe(
        `Terraform Cloud project of the workspaces (default: the organization's "${DEFAULT_PROJECT}")`,
      ),
    hostname: z
      .string()
      .regex(HOSTNAME, "must be a host name such as app.terraform.io: no https://, port or path")
      .default("app.terraform.io")
      .describe("Terraform Enterprise hostname"),
    workspaces: cloudWorkspaces.optional(),
    dynamicCredentials: z
      .boolean()
      .default(false)
      .describe(
        "add a `credentials` stack (local state) that creates, in every account, the IAM OIDC provider for the hostname and a plan and an apply role per stack, trusted only for that workspace and phase; the workspaces then run without AWS keys",
      ),
    audience: z
      .string()
      .min(1)
      .max(255)
      .default(DEFAULT_AUDIENCE)
      .describe("audience of the workload identity token (Terraform Enterprise may set its own)"),
  })
  .describe("Terraform Cloud settings, one named workspace per stack");

const state = z
  .strictObject({
    backend: z.enum(["local", "s3", "cloud"]).default("local").describe("where Terraform state lives"),
    s3: s3State.optional(),
    cloud: cloudState.optional(),
  })
  .describe("Terraform state; default local");

// CloudWatch agent file_path: absolute (Linux or Windows), glob characters allowed.
const FILE_PATH = /^(\/|[A-Za-z]:\\)\S.*$/;

const logFile = z.strictObject({
  path: z
    .string()
    .regex(
      FILE_PATH,
      "must be an absolute file path such as /var/log/secure or C:\\logs\\app.log (* and ** globs allowed)",
    )
    .describe("file on the hosts, absolute; the CloudWatch agent's globs (`*`, `**`) allowed"),
  timestampFormat: z
    .string()
    .min(1)
    .optional()
    .describe(
      'strftime-style timestamp the lines carry, e.g. "%b %d %H:%M:%S" (default: the agent stamps the time it reads the line)',
    ),
  multiLineStartPattern: z
    .string()
    .min(1)
    .optional()
    .describe(
      "regular expression that starts a new event; lines that do not match continue the previous one (stack traces)",
    ),
});

const logGroup = z.strictObject({
  name: z
    .string()
    .regex(LOG_GROUP_NAME, "must be a CloudWatch Logs log group name: 1-512 of letters, digits and . - _ / #")
    .describe("log group name"),
  filterPattern: z
    .string()
    .max(FILTER_PATTERN_MAX_CHARS)
    .default("")
    .describe('CloudWatch Logs filter pattern; "" sends every event'),
  create: z.boolean().default(false).describe("create the log group (false: it already exists)"),
  retentionDays: z
    .number()
    .refine((d) => (LOG_RETENTION_DAYS as readonly number[]).includes(d), {
      error: `must be one of ${LOG_RETENTION_DAYS.join(", ")}`,
    })
    .optional()
    .describe("retention of a created log group (default: never expire)"),
  files: z
    .array(logFile)
    .default([])
    .describe("host files the CloudWatch agent ships to this log group (`npm run agent-config`)"),
});

const allLogGroups = z
  .strictObject({
    exclude: z
      .array(
        z
          .string()
          .regex(
            LOG_GROUP_NAME,
            "must be an exact log group name; account policies match names exactly, without wildcards",
          ),
      )
      .default([])
      .describe(
        "exact log group names the account-level policy skips; it also skips every `accounts[].logGroups` entry (NOT IN matches names exactly)",
      ),
  })
  .describe("account-level subscription of every log group in each region");

const account = z.strictObject({
  name: z
    .string()
    .regex(
      /^[a-z][a-z0-9-]{0,39}$/,
      "must start with a lowercase letter and hold at most 40 lowercase letters, digits and hyphens",
    )
    .describe("stack name of this account; unique"),
  accountId: accountId.describe("account id, a quoted 12-digit string; unique"),
  roleArn: roleArn.optional().describe("role the provider assumes in this account"),
  regions: z
    .array(region)
    .min(1)
    .optional()
    .describe("regions whose log groups are shipped (default `[security.region]`)"),
  logGroups: z
    .array(logGroup)
    .default([])
    .describe(
      `log groups subscribed one by one (at most ${MAX_SUBSCRIPTION_FILTERS_PER_LOG_GROUP} filters per group)`,
    ),
  allLogGroups: allLogGroups.optional(),
  silenceAlarm: z
    .boolean()
    .default(true)
    .describe(
      "events format with `alarms`: alarm `silent-<name>` when this account sends no event for `alarms.silenceHours`; false for accounts meant to be quiet (sandboxes)",
    ),
});

/** The silence alarms evaluate one period per hour (modules/alarms.ts), so CloudWatch's 7 days allow 168. */
const MAX_SILENCE_HOURS = ALARM_MAX_EVALUATION_SECONDS / 3600;

/**
 * A block left out entirely takes the defaults of its keys. Zod 4 returns a
 * `.default()` value as given, without parsing it, so the block's default is
 * its own schema's output for `{}`: each key's default is written once.
 */
function defaultsOf<T extends z.ZodType>(block: T): z.output<T> {
  return block.parse({});
}

export const configSchema = z.strictObject({
  prefix: z
    .string({
      error: "must be a string of 2-20 lowercase letters, digits and hyphens, starting with a letter",
    })
    .regex(
      /^[a-z][a-z0-9-]{1,19}$/,
      "must be 2-20 lowercase letters, digits and hyphens, starting with a letter",
    )
    .describe("prefixes every named resource"),
  tags: z
    .record(z.string().min(1).max(TAG_KEY_MAX_CHARS), z.string().max(TAG_VALUE_MAX_CHARS))
    .default({})
    .describe("provider default_tags for every stack"),
  security: z
    .strictObject({
      accountId: accountId.describe("security account id, a quoted 12-digit string"),
      region: region.describe("home region: keys, bucket, stream and Firehose"),
      roleArn: roleArn.optional().describe("role the provider assumes in the security account"),
    })
    .describe("the central security (log archive) account"),
  organizationId: z
    .string()
    .regex(/^o-[a-z0-9]{10,32}$/, "must be an AWS Organizations id such as o-a1b2c3d4e5")
    .optional()
    .describe("set: every account of this AWS Organization may subscribe; unset: only `accounts`"),
  archive: archive.default(defaultsOf(archive)),
  alarms: z
    .strictObject({
      email: z
        .string()
        .regex(/^[^\s@]+@[^\s@]+\.[^\s@]+$/, "must be an email address")
        .optional()
        .describe("address subscribed to the alarm topic (confirm the email AWS sends)"),
      silenceHours: z
        .number()
        .int()
        .min(1)
        .max(MAX_SILENCE_HOURS)
        .default(24)
        .describe(
          `hours without any log event (pipeline-wide and per account) before the silence alarms fire; at most ${MAX_SILENCE_HOURS} (CloudWatch evaluates at most 7 days)`,
        ),
    })
    .optional()
    .describe("pipeline health alarms into a KMS-encrypted SNS topic; omit for none"),
  notifications: z
    .strictObject({
      sqs: z
        .boolean()
        .default(false)
        .describe(
          "S3 ObjectCreated events of the data prefix go to a KMS-encrypted SQS queue (with a dead-letter queue) for SIEM S3 inputs",
        ),
    })
    .optional()
    .describe("hand-off of new archive objects to downstream tools"),
  stream: stream.default(defaultsOf(stream)),
  delivery: delivery.default(defaultsOf(delivery)),
  search: search.default(defaultsOf(search)),
  state: state.default(defaultsOf(state)),
  accounts: z.array(account).default([]).describe("application accounts, one stack each"),
});

export type RawConfig = z.output<typeof configSchema>;
