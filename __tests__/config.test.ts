import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { stringify } from "yaml";
import { run } from "../main";
import { fingerprint } from "./support/files";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ConfigError, parseConfig } from "../lib/config/load";
import { baseConfig, SECURITY_ACCOUNT } from "./support/fixtures";

type Mutation = (config: Record<string, any>) => void;

/**
 * Malformed configs, each baseConfig() with one thing wrong: [what is wrong,
 * how, the one problem reported: its field path and its whole message].
 */
const BAD_CONFIGS: Array<[string, Mutation, string, string]> = [
  [
    "unknown top-level key",
    (c) => (c.prefx = "x"),
    "prefx",
    'unknown key; did you mean "prefix"? (config reference: README.md)',
  ],
  [
    "misspelt nested key suggests the right one",
    (c) => {
      c.accounts[0].acountId = "1";
    },
    "accounts[0].acountId",
    'unknown key; did you mean "accountId"? (config reference: README.md)',
  ],
  [
    "prefix missing",
    (c) => delete c.prefix,
    "prefix",
    "is required; must be a string of 2-20 lowercase letters, digits and hyphens, starting with a letter",
  ],
  [
    "prefix with capitals",
    (c) => (c.prefix = "SecOps"),
    "prefix",
    "must be 2-20 lowercase letters, digits and hyphens, starting with a letter",
  ],
  [
    "prefix too long",
    (c) => (c.prefix = "a".repeat(21)),
    "prefix",
    "must be 2-20 lowercase letters, digits and hyphens, starting with a letter",
  ],
  [
    "account id as a number",
    (c) => (c.security.accountId = 111111111111),
    "security.accountId",
    'must be a 12-digit AWS account id as a quoted string, e.g. "123456789012"',
  ],
  [
    "account id too short",
    (c) => (c.accounts[0].accountId = "12345"),
    "accounts[0].accountId",
    'must be a 12-digit AWS account id as a quoted string, e.g. "123456789012"',
  ],
  [
    "unknown region",
    (c) => (c.security.region = "us-est-1"),
    "security.region",
    'unknown AWS region "us-est-1"; did you mean us-east-1?',
  ],
  [
    "unknown app region",
    (c) => (c.accounts[0].regions = ["eu-west-9"]),
    "accounts[0].regions[0]",
    'unknown AWS region "eu-west-9"; did you mean eu-west-1?',
  ],
  [
    "role ARN malformed",
    (c) => (c.security.roleArn = "OrganizationAccountAccessRole"),
    "security.roleArn",
    "must be an IAM role ARN, e.g. arn:aws:iam::123456789012:role/OrganizationAccountAccessRole",
  ],
  [
    "role ARN of another account",
    (c) => (c.accounts[1].roleArn = "arn:aws:iam::999999999999:role/x"),
    "accounts[1].roleArn",
    "role is in account 999999999999 but the account id is 333333333333; use a role of account 333333333333",
  ],
  [
    "organization id malformed",
    (c) => (c.organizationId = "a1b2c3"),
    "organizationId",
    "must be an AWS Organizations id such as o-a1b2c3d4e5",
  ],
  [
    "duplicate account names",
    (c) => (c.accounts[1].name = "payments-prod"),
    "accounts[1].name",
    '"payments-prod" is used by an earlier account; stack names must be unique',
  ],
  [
    "duplicate account ids",
    (c) => (c.accounts[1].accountId = c.accounts[0].accountId),
    "accounts[1].accountId",
    "222222222222 is already listed under another name; list each account once, with all its regions",
  ],
  [
    "reserved stack name",
    (c) => (c.accounts[0].name = "security"),
    "accounts[0].name",
    '"security" is reserved for a stack of this app; choose another name',
  ],
  [
    "account name with capitals",
    (c) => (c.accounts[0].name = "Payments"),
    "accounts[0].name",
    "must start with a lowercase letter and hold at most 40 lowercase letters, digits and hyphens",
  ],
  [
    "app account is the security account",
    (c) => (c.accounts[0].accountId = SECURITY_ACCOUNT),
    "accounts[0].accountId",
    "is the security account; cross-account destinations are for other accounts, so list only application accounts",
  ],
  [
    "region listed twice",
    (c) => (c.accounts[0].regions = ["us-east-1", "us-east-1"]),
    "accounts[0].regions[1]",
    "us-east-1 is listed twice",
  ],
  [
    "region in another partition",
    (c) => (c.accounts[0].regions = ["cn-north-1"]),
    "accounts[0].regions[0]",
    "cn-north-1 is outside partition aws of security.region; logs cannot cross partitions",
  ],
  [
    "account ships nothing",
    (c) => {
      c.accounts[0].logGroups = [];
    },
    "accounts[0]",
    "ships nothing: add logGroups or allLogGroups",
  ],
  [
    "log group name with spaces",
    (c) => (c.accounts[0].logGroups[0].name = "my logs"),
    "accounts[0].logGroups[0].name",
    "must be a CloudWatch Logs log group name: 1-512 of letters, digits and . - _ / #",
  ],
  [
    "three filters on one log group",
    (c) => {
      c.accounts[0].logGroups.push(
        { name: "/var/log/messages", filterPattern: "a" },
        { name: "/var/log/messages", filterPattern: "b" },
      );
    },
    "accounts[0].logGroups[3]",
    "/var/log/messages would get 3 subscription filters; CloudWatch Logs allows at most 2 per log group",
  ],
  [
    "same log group twice with the same pattern",
    (c) => c.accounts[0].logGroups.push({ name: "/var/log/messages" }),
    "accounts[0].logGroups[2].filterPattern",
    "/var/log/messages is listed twice with the same filterPattern; remove one entry",
  ],
  [
    "same log group created twice",
    (c) => c.accounts[0].logGroups.push({ name: "/var/log/messages", filterPattern: "x", create: true }),
    "accounts[0].logGroups[2].create",
    "/var/log/messages is created by an earlier entry; set create only once",
  ],
  [
    "retention not accepted by CloudWatch Logs",
    (c) => (c.accounts[0].logGroups[0].retentionDays = 45),
    "accounts[0].logGroups[0].retentionDays",
    "must be one of 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653",
  ],
  [
    "retention on a log group not created",
    (c) => (c.accounts[0].logGroups[1].retentionDays = 30),
    "accounts[0].logGroups[1].retentionDays",
    "only applies to a log group this app creates; set create: true or remove retentionDays",
  ],
  [
    "wildcard in allLogGroups.exclude",
    (c) => (c.accounts[1].allLogGroups.exclude = ["/aws/lambda/noisy-*"]),
    "accounts[1].allLogGroups.exclude[0]",
    "must be an exact log group name; account policies match names exactly, without wildcards",
  ],
  // 60 names of 496 characters, plus web-prod's own group: about 30 KB of `LogGroupName NOT IN [...]` (the exact boundary is in app-stack.test.ts).
  [
    "account policy exclusions past the 25 KB selection criteria",
    (c) =>
      (c.accounts[1].allLogGroups.exclude = Array.from(
        { length: 60 },
        (_, i) => `/aws/lambda/${String(i).padStart(3, "0")}-${"x".repeat(480)}`,
      )),
    "accounts[1].allLogGroups.exclude",
    "with the 1 log groups under logGroups (skipped so they are not shipped twice), the account policy would exclude 61 log groups in a 29989-byte selection criteria, over CloudWatch Logs' 25000-byte limit; remove names from allLogGroups.exclude, or drop logGroups entries that neither create their group nor filter its events (the account policy ships those anyway)",
  ],
  [
    "shards with an on-demand stream",
    (c) => (c.stream = { mode: "on-demand", shards: 2 }),
    "stream.shards",
    "on-demand streams scale by themselves; remove shards or set stream.mode: provisioned",
  ],
  [
    "stream mode misspelt",
    (c) => (c.stream = { mode: "ondemand" }),
    "stream.mode",
    'Invalid option: expected one of "on-demand"|"provisioned"',
  ],
  [
    "retention below Kinesis minimum",
    (c) => (c.stream = { retentionHours: 12 }),
    "stream.retentionHours",
    "Too small: expected number to be >=24",
  ],
  [
    "Object Lock days below 1",
    (c) => (c.archive = { objectLock: { mode: "GOVERNANCE", days: 0 } }),
    "archive.objectLock.days",
    "Object Lock retention must be at least 1 day",
  ],
  [
    "Object Lock mode unknown",
    (c) => (c.archive = { objectLock: { mode: "LEGAL", days: 1 } }),
    "archive.objectLock.mode",
    'Invalid option: expected one of "GOVERNANCE"|"COMPLIANCE"',
  ],
  [
    "expiry before Glacier transition",
    (c) => (c.archive = { glacierAfterDays: 90, expireAfterDays: 30 }),
    "archive.expireAfterDays",
    "must be greater than archive.glacierAfterDays (90); S3 rejects expiring objects before or when they transition, so set expireAfterDays to at least 91 or lower glacierAfterDays",
  ],
  [
    "expiry shorter than Object Lock",
    (c) =>
      (c.archive = {
        glacierAfterDays: 1,
        expireAfterDays: 30,
        objectLock: { mode: "COMPLIANCE", days: 365 },
      }),
    "archive.expireAfterDays",
    "is shorter than archive.objectLock.days (365); locked versions cannot expire, so raise expireAfterDays or lower the lock",
  ],
  // Lifecycle boundaries, the rejected side (the accepted side, synthesized, is in security-stack.test.ts).
  [
    "Glacier transition one day before upload",
    (c) => (c.archive = { glacierAfterDays: -1 }),
    "archive.glacierAfterDays",
    "S3 cannot transition an object before it exists; use 0 (at the first midnight UTC after upload) or more",
  ],
  [
    "Glacier transition one day past 100 years",
    (c) => (c.archive = { glacierAfterDays: 36501 }),
    "archive.glacierAfterDays",
    "must be at most 36500 (100 years)",
  ],
  [
    "Glacier transition in fractional days",
    (c) => (c.archive = { glacierAfterDays: 1.5 }),
    "archive.glacierAfterDays",
    "expected int, received number",
  ],
  [
    "expiry after 0 days",
    (c) => (c.archive = { glacierAfterDays: 0, expireAfterDays: 0 }),
    "archive.expireAfterDays",
    "S3 expires objects 1 day after creation at the earliest (Expiration Days must be a non-zero positive integer); use 1 or more, or omit expireAfterDays to keep objects forever",
  ],
  [
    "expiry one day past 100 years",
    (c) => (c.archive = { glacierAfterDays: 90, expireAfterDays: 36501 }),
    "archive.expireAfterDays",
    "must be at most 36500 (100 years); omit expireAfterDays to keep objects forever",
  ],
  [
    "expiry on the day of the Glacier transition",
    (c) => (c.archive = { glacierAfterDays: 90, expireAfterDays: 90 }),
    "archive.expireAfterDays",
    "must be greater than archive.glacierAfterDays (90); S3 rejects expiring objects before or when they transition, so set expireAfterDays to at least 91 or lower glacierAfterDays",
  ],
  [
    "expiry one day before the Glacier transition",
    (c) => (c.archive = { glacierAfterDays: 90, expireAfterDays: 89 }),
    "archive.expireAfterDays",
    "must be greater than archive.glacierAfterDays (90); S3 rejects expiring objects before or when they transition, so set expireAfterDays to at least 91 or lower glacierAfterDays",
  ],
  [
    "expiry on the day of a one-day Glacier transition",
    (c) => (c.archive = { glacierAfterDays: 1, expireAfterDays: 1 }),
    "archive.expireAfterDays",
    "must be greater than archive.glacierAfterDays (1); S3 rejects expiring objects before or when they transition, so set expireAfterDays to at least 2 or lower glacierAfterDays",
  ],
  [
    "expiry one day shorter than Object Lock",
    (c) =>
      (c.archive = {
        glacierAfterDays: 1,
        expireAfterDays: 364,
        objectLock: { mode: "COMPLIANCE", days: 365 },
      }),
    "archive.expireAfterDays",
    "is shorter than archive.objectLock.days (365); locked versions cannot expire, so raise expireAfterDays or lower the lock",
  ],
  [
    "Object Lock one day past 100 years",
    (c) => (c.archive = { objectLock: { mode: "GOVERNANCE", days: 36501 } }),
    "archive.objectLock.days",
    "must be at most 36500 (100 years)",
  ],
  [
    "bucket name with dots",
    (c) => (c.archive = { bucketName: "my.logs.bucket" }),
    "archive.bucketName",
    "must be a valid S3 bucket name: 3-63 lowercase letters, digits and hyphens, no dots",
  ],
  [
    "buffer above Firehose maximum",
    (c) => (c.delivery = { bufferSeconds: 1200 }),
    "delivery.bufferSeconds",
    "Too big: expected number to be <=900",
  ],
  [
    "unsupported delivery format",
    (c) => (c.delivery = { format: "parquet" }),
    "delivery.format",
    'Invalid option: expected one of "events"|"raw"',
  ],
  [
    "events format with a small buffer",
    (c) => (c.delivery = { format: "events", bufferMiB: 16 }),
    "delivery.bufferMiB",
    "must be at least 64 with format events (Firehose dynamic partitioning); raise it or use format raw",
  ],
  [
    "processor concurrency with raw format",
    (c) => (c.delivery = { format: "raw", processorConcurrency: 5 }),
    "delivery.processorConcurrency",
    "only applies to format events (raw has no processor); remove it",
  ],
  [
    "source backup with raw format",
    (c) => (c.delivery = { format: "raw", keepSource: true }),
    "delivery.keepSource",
    "only applies to format events (raw already stores every record exactly as CloudWatch Logs sent it); remove it",
  ],
  [
    "source backup not a boolean",
    (c) => (c.delivery = { keepSource: "yes" }),
    "delivery.keepSource",
    "expected boolean, received string",
  ],
  [
    "alarm email that is not an address",
    (c) => (c.alarms = { email: "secops-team" }),
    "alarms.email",
    "must be an email address",
  ],
  [
    "silence longer than CloudWatch can evaluate",
    (c) => (c.alarms = { silenceHours: 200 }),
    "alarms.silenceHours",
    "Too big: expected number to be <=168",
  ],
  [
    "notifications with an unknown target",
    (c) => (c.notifications = { sns: true }),
    "notifications.sns",
    'unknown key; did you mean "sqs"? (config reference: README.md)',
  ],
  [
    "s3 backend without its block",
    (c) => (c.state = { backend: "s3" }),
    "state.s3",
    "is required when state.backend is s3",
  ],
  [
    "cloud block with the s3 backend",
    (c) =>
      (c.state = {
        backend: "s3",
        s3: { bucket: "b-tf", region: "us-east-1" },
        cloud: { organization: "x" },
      }),
    "state.cloud",
    "is set but state.backend is s3; set state.backend: cloud or remove state.cloud",
  ],
  [
    "unknown backend",
    (c) => (c.state = { backend: "gcs" }),
    "state.backend",
    'Invalid option: expected one of "local"|"s3"|"cloud"',
  ],
  ["tags not a map", (c) => (c.tags = ["owner"]), "tags", "expected record, received array"],
  [
    "events format with zero buffering",
    (c) => (c.delivery = { bufferSeconds: 30 }),
    "delivery.bufferSeconds",
    "must be at least 60 with format events (Firehose has no zero buffering with dynamic partitioning); raise it or use format raw",
  ],
  [
    "state encryption without bootstrap",
    (c) => (c.state = { backend: "s3", s3: { bucket: "b-tf", region: "us-east-1", encryption: "kms" } }),
    "state.s3.encryption",
    "only applies with state.s3.bootstrap: true (an existing bucket keeps its own encryption); set bootstrap or remove encryption",
  ],
  [
    "bootstrap bucket name S3 would reject",
    (c) => (c.state = { backend: "s3", s3: { bucket: "My_State", region: "us-east-1", bootstrap: true } }),
    "state.s3.bucket",
    "must be a valid S3 bucket name to be created: 3-63 lowercase letters, digits and hyphens, no dots",
  ],
  [
    "bootstrap bucket is the archive bucket",
    (c) =>
      (c.state = {
        backend: "s3",
        s3: { bucket: `secops-security-logs-${SECURITY_ACCOUNT}`, region: "us-east-1", bootstrap: true },
      }),
    "state.s3.bucket",
    "secops-security-logs-111111111111 is a bucket of the log archive; Terraform state needs its own bucket",
  ],
  [
    "bootstrap bucket in another partition",
    (c) => (c.state = { backend: "s3", s3: { bucket: "b-tf", region: "cn-north-1", bootstrap: true } }),
    "state.s3.region",
    "is outside partition aws; the bootstrap stack creates the bucket in the security account",
  ],
  [
    "unknown state encryption",
    (c) =>
      (c.state = {
        backend: "s3",
        s3: { bucket: "b-tf", region: "us-east-1", bootstrap: true, encryption: "aes" },
      }),
    "state.s3.encryption",
    'Invalid option: expected one of "kms"|"sse-s3"',
  ],
  [
    "agent file path not absolute",
    (c) => (c.accounts[0].logGroups[0].files = [{ path: "var/log/messages" }]),
    "accounts[0].logGroups[0].files[0].path",
    "must be an absolute file path such as /var/log/secure or C:\\logs\\app.log (* and ** globs allowed)",
  ],
  [
    "one file shipped to two log groups",
    (c) => {
      c.accounts[0].logGroups[0].files = [{ path: "/var/log/messages" }];
      c.accounts[0].logGroups[1].files = [{ path: "/var/log/messages" }];
    },
    "accounts[0].logGroups[1].files[0].path",
    "/var/log/messages is already shipped by an earlier entry; a file goes to one log group",
  ],
  [
    "misspelt file key",
    (c) => (c.accounts[0].logGroups[0].files = [{ path: "/var/log/messages", timestamp_format: "%b" }]),
    "accounts[0].logGroups[0].files[0].timestamp_format",
    'unknown key; did you mean "timestampFormat"? (config reference: README.md)',
  ],
];

/**
 * An earlier synth's output as cdktf lays it out: a rejected config must leave
 * it as it was, and an accepted one replaces it (lib/synth.ts), so the row fails.
 */
function earlierOutput(outdir: string): void {
  mkdirSync(join(outdir, "stacks", "security"), { recursive: true });
  writeFileSync(join(outdir, "manifest.json"), '{"version":"0.21.0","stacks":{}}\n');
  writeFileSync(join(outdir, "stacks", "security", "cdk.tf.json"), "{}\n");
}

describe("bad config input", () => {
  test.each(BAD_CONFIGS)(
    "%s: exit 1, its one problem with file:line:col, no stack trace, its own output untouched",
    (_what, mutate, path, message) => {
      const config = baseConfig();
      mutate(config);
      // A directory of its own per row: a wrongly accepted config fails its row only.
      const row = mkdtempSync(join(tmpdir(), "seclog-bad-"));
      const outdir = join(row, "cdktf.out");
      earlierOutput(outdir);
      const file = join(row, "logging.yaml");
      writeFileSync(file, stringify(config));
      const before = fingerprint(row);
      let stderr = "";
      const status = run(
        { SECLOG_CONFIG: file, CDKTF_OUTDIR: outdir },
        { write: (text: string) => ((stderr += text), true) },
      );
      expect(problemsOf(() => parseConfig(config, file))).toEqual([{ path, message }]);
      expect(status).toBe(1);
      // `<file>: 1 problem:` then `  <file>:<line>:<col>: accounts[0] (payments-prod).acountId: <message>`.
      expect(stderr).toMatch(
        new RegExp(
          `^${escape(file)}: 1 problem:\n  ${escape(file)}:\\d+:\\d+: ${escape(shown(path, config))}: ${escape(message)}\n$`,
        ),
      );
      expect(fingerprint(row)).toEqual(before);
    },
  );

  test("the table's rows are named apart", () => {
    expect(new Set(BAD_CONFIGS.map(([what]) => what)).size).toBe(BAD_CONFIGS.length);
  });

  test("every schema problem is reported at once, one line each; the cross-field rules wait for a valid schema", () => {
    const config = baseConfig();
    config.prefix = "X";
    config.accounts[0].accountId = "1";
    config.stream = { mode: "on-demand", shards: 3 };
    const { message } = configErrorOf(() => parseConfig(config, "logging.yaml"));
    // A parsed document has no text, so no line and column: `  <file>: <path>: <message>`.
    expect(message).toBe(
      [
        "logging.yaml: 2 problems:",
        "  logging.yaml: prefix: must be 2-20 lowercase letters, digits and hyphens, starting with a letter",
        '  logging.yaml: accounts[0] (payments-prod).accountId: must be a 12-digit AWS account id as a quoted string, e.g. "123456789012"',
      ].join("\n"),
    );
  });
});

function configErrorOf(run: () => unknown): ConfigError {
  try {
    run();
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error("config was accepted");
}

function problemsOf(run: () => unknown): Array<{ path: string; message: string }> {
  return [...configErrorOf(run).problems];
}

/** A reported path as printed: the account's name after its index, when the entry has one. */
function shown(path: string, config: Record<string, any>): string {
  return path.replace(/^accounts\[(\d+)\]/, (head, index) => {
    const name = config.accounts?.[Number(index)]?.name;
    return typeof name === "string" ? `${head} (${name})` : head;
  });
}

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
