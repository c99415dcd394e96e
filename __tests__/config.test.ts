import { cpSync, mkdtempSync, writeFileSync } from "node:fs";
import { stringify } from "yaml";
import { run } from "../main";
import { fingerprint } from "./support/files";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ConfigError, loadConfigFile, parseConfig } from "../lib/config/load";
import { baseConfig, SECURITY_ACCOUNT } from "./support/fixtures";

type Mutation = (config: Record<string, any>) => void;

/** Malformed configs: [what is wrong, how, the field path reported, words the message must hold]. */
const BAD_CONFIGS: Array<[string, Mutation, string, RegExp]> = [
  ["unknown top-level key", (c) => (c.prefx = "x"), "prefx", /unknown key/],
  [
    "misspelt nested key suggests the right one",
    (c) => {
      c.accounts[0].acountId = "1";
    },
    "accounts[0].acountId",
    /did you mean "accountId"/,
  ],
  ["prefix missing", (c) => delete c.prefix, "prefix", /required/],
  ["prefix with capitals", (c) => (c.prefix = "SecOps"), "prefix", /lowercase/],
  ["prefix too long", (c) => (c.prefix = "a".repeat(21)), "prefix", /2-20/],
  [
    "account id as a number",
    (c) => (c.security.accountId = 111111111111),
    "security.accountId",
    /12-digit.*quoted/,
  ],
  ["account id too short", (c) => (c.accounts[0].accountId = "12345"), "accounts[0].accountId", /12-digit/],
  [
    "unknown region",
    (c) => (c.security.region = "us-est-1"),
    "security.region",
    /unknown AWS region "us-est-1"/,
  ],
  [
    "unknown app region",
    (c) => (c.accounts[0].regions = ["eu-west-9"]),
    "accounts[0].regions[0]",
    /unknown AWS region/,
  ],
  [
    "role ARN malformed",
    (c) => (c.security.roleArn = "OrganizationAccountAccessRole"),
    "security.roleArn",
    /IAM role ARN/,
  ],
  [
    "role ARN of another account",
    (c) => (c.accounts[1].roleArn = "arn:aws:iam::999999999999:role/x"),
    "accounts[1].roleArn",
    /account 999999999999 but the account id is 333333333333/,
  ],
  ["organization id malformed", (c) => (c.organizationId = "a1b2c3"), "organizationId", /o-a1b2c3d4e5/],
  ["duplicate account names", (c) => (c.accounts[1].name = "payments-prod"), "accounts[1].name", /unique/],
  [
    "duplicate account ids",
    (c) => (c.accounts[1].accountId = c.accounts[0].accountId),
    "accounts[1].accountId",
    /already listed/,
  ],
  ["reserved stack name", (c) => (c.accounts[0].name = "security"), "accounts[0].name", /reserved/],
  ["account name with capitals", (c) => (c.accounts[0].name = "Payments"), "accounts[0].name", /lowercase/],
  [
    "app account is the security account",
    (c) => (c.accounts[0].accountId = SECURITY_ACCOUNT),
    "accounts[0].accountId",
    /security account/,
  ],
  [
    "region listed twice",
    (c) => (c.accounts[0].regions = ["us-east-1", "us-east-1"]),
    "accounts[0].regions[1]",
    /twice/,
  ],
  [
    "region in another partition",
    (c) => (c.accounts[0].regions = ["cn-north-1"]),
    "accounts[0].regions[0]",
    /partition/,
  ],
  [
    "account ships nothing",
    (c) => {
      c.accounts[0].logGroups = [];
    },
    "accounts[0]",
    /logGroups or allLogGroups/,
  ],
  [
    "log group name with spaces",
    (c) => (c.accounts[0].logGroups[0].name = "my logs"),
    "accounts[0].logGroups[0].name",
    /log group name/,
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
    /at most 2/,
  ],
  [
    "same log group twice with the same pattern",
    (c) => c.accounts[0].logGroups.push({ name: "/var/log/messages" }),
    "accounts[0].logGroups[2].filterPattern",
    /same filterPattern/,
  ],
  [
    "same log group created twice",
    (c) => c.accounts[0].logGroups.push({ name: "/var/log/messages", filterPattern: "x", create: true }),
    "accounts[0].logGroups[2].create",
    /created by an earlier entry/,
  ],
  [
    "retention not accepted by CloudWatch Logs",
    (c) => (c.accounts[0].logGroups[0].retentionDays = 45),
    "accounts[0].logGroups[0].retentionDays",
    /one of 1, 3, 5/,
  ],
  [
    "retention on a log group not created",
    (c) => (c.accounts[0].logGroups[1].retentionDays = 30),
    "accounts[0].logGroups[1].retentionDays",
    /create: true/,
  ],
  [
    "wildcard in allLogGroups.exclude",
    (c) => (c.accounts[1].allLogGroups.exclude = ["/aws/lambda/noisy-*"]),
    "accounts[1].allLogGroups.exclude[0]",
    /without wildcards/,
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
    /would exclude 61 log groups in a \d+-byte selection criteria, over CloudWatch Logs' 25000-byte limit; remove names from allLogGroups.exclude/,
  ],
  [
    "shards with an on-demand stream",
    (c) => (c.stream = { mode: "on-demand", shards: 2 }),
    "stream.shards",
    /on-demand.*remove shards/,
  ],
  ["stream mode misspelt", (c) => (c.stream = { mode: "ondemand" }), "stream.mode", /on-demand/],
  [
    "retention below Kinesis minimum",
    (c) => (c.stream = { retentionHours: 12 }),
    "stream.retentionHours",
    /24|>=/,
  ],
  [
    "Object Lock days below 1",
    (c) => (c.archive = { objectLock: { mode: "GOVERNANCE", days: 0 } }),
    "archive.objectLock.days",
    /at least 1 day/,
  ],
  [
    "Object Lock mode unknown",
    (c) => (c.archive = { objectLock: { mode: "LEGAL", days: 1 } }),
    "archive.objectLock.mode",
    /GOVERNANCE|COMPLIANCE/,
  ],
  [
    "expiry before Glacier transition",
    (c) => (c.archive = { glacierAfterDays: 90, expireAfterDays: 30 }),
    "archive.expireAfterDays",
    /greater than archive.glacierAfterDays/,
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
    /objectLock/,
  ],
  // Lifecycle boundaries, the rejected side (the accepted side, synthesized, is in security-stack.test.ts).
  [
    "Glacier transition one day before upload",
    (c) => (c.archive = { glacierAfterDays: -1 }),
    "archive.glacierAfterDays",
    /before it exists; use 0 \(at the first midnight UTC after upload\) or more/,
  ],
  [
    "Glacier transition one day past 100 years",
    (c) => (c.archive = { glacierAfterDays: 36501 }),
    "archive.glacierAfterDays",
    /at most 36500/,
  ],
  [
    "Glacier transition in fractional days",
    (c) => (c.archive = { glacierAfterDays: 1.5 }),
    "archive.glacierAfterDays",
    /int/,
  ],
  [
    "expiry after 0 days",
    (c) => (c.archive = { glacierAfterDays: 0, expireAfterDays: 0 }),
    "archive.expireAfterDays",
    /non-zero positive integer\); use 1 or more, or omit expireAfterDays/,
  ],
  [
    "expiry one day past 100 years",
    (c) => (c.archive = { glacierAfterDays: 90, expireAfterDays: 36501 }),
    "archive.expireAfterDays",
    /at most 36500 \(100 years\); omit expireAfterDays/,
  ],
  [
    "expiry on the day of the Glacier transition",
    (c) => (c.archive = { glacierAfterDays: 90, expireAfterDays: 90 }),
    "archive.expireAfterDays",
    /greater than archive.glacierAfterDays \(90\).*at least 91/,
  ],
  [
    "expiry one day before the Glacier transition",
    (c) => (c.archive = { glacierAfterDays: 90, expireAfterDays: 89 }),
    "archive.expireAfterDays",
    /greater than archive.glacierAfterDays \(90\).*at least 91/,
  ],
  [
    "expiry on the day of a one-day Glacier transition",
    (c) => (c.archive = { glacierAfterDays: 1, expireAfterDays: 1 }),
    "archive.expireAfterDays",
    /greater than archive.glacierAfterDays \(1\).*at least 2/,
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
    /shorter than archive.objectLock.days \(365\)/,
  ],
  [
    "Object Lock one day past 100 years",
    (c) => (c.archive = { objectLock: { mode: "GOVERNANCE", days: 36501 } }),
    "archive.objectLock.days",
    /at most 36500/,
  ],
  [
    "bucket name with dots",
    (c) => (c.archive = { bucketName: "my.logs.bucket" }),
    "archive.bucketName",
    /no dots/,
  ],
  [
    "buffer above Firehose maximum",
    (c) => (c.delivery = { bufferSeconds: 1200 }),
    "delivery.bufferSeconds",
    /900|<=/,
  ],
  [
    "unsupported delivery format",
    (c) => (c.delivery = { format: "parquet" }),
    "delivery.format",
    /events.*raw/,
  ],
  [
    "events format with a small buffer",
    (c) => (c.delivery = { format: "events", bufferMiB: 16 }),
    "delivery.bufferMiB",
    /at least 64 with format events/,
  ],
  [
    "processor concurrency with raw format",
    (c) => (c.delivery = { format: "raw", processorConcurrency: 5 }),
    "delivery.processorConcurrency",
    /only applies to format events/,
  ],
  [
    "source backup with raw format",
    (c) => (c.delivery = { format: "raw", keepSource: true }),
    "delivery.keepSource",
    /only applies to format events \(raw already stores every record exactly as CloudWatch Logs sent it\); remove it/,
  ],
  [
    "source backup not a boolean",
    (c) => (c.delivery = { keepSource: "yes" }),
    "delivery.keepSource",
    /boolean/,
  ],
  [
    "alarm email that is not an address",
    (c) => (c.alarms = { email: "secops-team" }),
    "alarms.email",
    /email address/,
  ],
  [
    "silence longer than CloudWatch can evaluate",
    (c) => (c.alarms = { silenceHours: 200 }),
    "alarms.silenceHours",
    /168|<=/,
  ],
  [
    "notifications with an unknown target",
    (c) => (c.notifications = { sns: true }),
    "notifications.sns",
    /unknown key; did you mean "sqs"/,
  ],
  [
    "s3 backend without its block",
    (c) => (c.state = { backend: "s3" }),
    "state.s3",
    /required when state.backend is s3/,
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
    /state.backend is s3/,
  ],
  ["unknown backend", (c) => (c.state = { backend: "gcs" }), "state.backend", /local|s3|cloud/],
  ["tags not a map", (c) => (c.tags = ["owner"]), "tags", /record|object/],
  [
    "events format with zero buffering",
    (c) => (c.delivery = { bufferSeconds: 30 }),
    "delivery.bufferSeconds",
    /at least 60 with format events/,
  ],
  [
    "state encryption without bootstrap",
    (c) => (c.state = { backend: "s3", s3: { bucket: "b-tf", region: "us-east-1", encryption: "kms" } }),
    "state.s3.encryption",
    /only applies with state.s3.bootstrap/,
  ],
  [
    "bootstrap bucket name S3 would reject",
    (c) => (c.state = { backend: "s3", s3: { bucket: "My_State", region: "us-east-1", bootstrap: true } }),
    "state.s3.bucket",
    /valid S3 bucket name/,
  ],
  [
    "bootstrap bucket is the archive bucket",
    (c) =>
      (c.state = {
        backend: "s3",
        s3: { bucket: `secops-security-logs-${SECURITY_ACCOUNT}`, region: "us-east-1", bootstrap: true },
      }),
    "state.s3.bucket",
    /its own bucket/,
  ],
  [
    "bootstrap bucket in another partition",
    (c) => (c.state = { backend: "s3", s3: { bucket: "b-tf", region: "cn-north-1", bootstrap: true } }),
    "state.s3.region",
    /partition/,
  ],
  [
    "unknown state encryption",
    (c) =>
      (c.state = {
        backend: "s3",
        s3: { bucket: "b-tf", region: "us-east-1", bootstrap: true, encryption: "aes" },
      }),
    "state.s3.encryption",
    /kms|sse-s3/,
  ],
  [
    "agent file path not absolute",
    (c) => (c.accounts[0].logGroups[0].files = [{ path: "var/log/messages" }]),
    "accounts[0].logGroups[0].files[0].path",
    /absolute file path/,
  ],
  [
    "one file shipped to two log groups",
    (c) => {
      c.accounts[0].logGroups[0].files = [{ path: "/var/log/messages" }];
      c.accounts[0].logGroups[1].files = [{ path: "/var/log/messages" }];
    },
    "accounts[0].logGroups[1].files[0].path",
    /a file goes to one log group/,
  ],
  [
    "misspelt file key",
    (c) => (c.accounts[0].logGroups[0].files = [{ path: "/var/log/messages", timestamp_format: "%b" }]),
    "accounts[0].logGroups[0].files[0].timestamp_format",
    /did you mean "timestampFormat"/,
  ],
];

describe("bad config input", () => {
  const work = mkdtempSync(join(tmpdir(), "seclog-bad-"));
  // One good synth, copied (timestamps kept) into each row's own output
  // directory: a bad config that is wrongly accepted fails its own row only.
  const goodOutput = join(work, "good.out");
  const rejected: string[] = [];

  beforeAll(() => {
    expect(
      run({ SECLOG_CONFIG: "config/example.yaml", CDKTF_OUTDIR: goodOutput }, { write: () => true }),
    ).toBe(0);
  });

  afterAll(() => process.stdout.write(`bad configs rejected: ${rejected.length} of ${BAD_CONFIGS.length}\n`));

  test.each(BAD_CONFIGS)(
    "%s: exit 1, its field path, no stack trace, cdktf.out untouched",
    (what, mutate, path, message) => {
      const config = baseConfig();
      mutate(config);
      const row = join(work, what.replace(/\W+/g, "-"));
      const outdir = join(row, "cdktf.out");
      cpSync(goodOutput, outdir, { recursive: true, preserveTimestamps: true });
      const before = fingerprint(outdir);
      expect(before.length).toBeGreaterThan(0);
      const file = join(row, "logging.yaml");
      writeFileSync(file, stringify(config));
      let stderr = "";
      const status = run(
        { SECLOG_CONFIG: file, CDKTF_OUTDIR: outdir },
        { write: (text: string) => ((stderr += text), true) },
      );
      expect(status).toBe(1);
      // `  <file>:<line>:<col>: accounts[0] (payments-prod).acountId: ...`
      expect(stderr).toMatch(
        new RegExp(`^  ${escape(file)}:\\d+:\\d+: ${escape(shown(path, config))}: `, "m"),
      );
      expect(problemsOf(() => parseConfig(config, file))).toContainEqual({
        path,
        message: expect.stringMatching(message),
      });
      expect(stderr).not.toMatch(/^\s+at .+:\d+:\d+\)?$/m);
      expect(fingerprint(outdir)).toEqual(before);
      rejected.push(what);
    },
  );

  test(`the table holds at least 25 distinct malformed configs (${BAD_CONFIGS.length})`, () => {
    expect(new Set(BAD_CONFIGS.map(([what]) => what)).size).toBe(BAD_CONFIGS.length);
    expect(BAD_CONFIGS.length).toBeGreaterThanOrEqual(25);
  });

  test("every problem is reported at once, one line each", () => {
    const config = baseConfig();
    config.prefix = "X";
    config.accounts[0].accountId = "1";
    config.stream = { mode: "on-demand", shards: 3 };
    try {
      parseConfig(config, "logging.yaml");
      throw new Error("accepted");
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      const lines = (error as ConfigError).message.split("\n");
      expect(lines[0]).toBe("logging.yaml: 2 problems:");
      // A parsed document has no text, so no line and column: `  <file>: <path>: <message>`.
      expect(lines.slice(1).map((l) => l.split(": ").slice(0, 2).join(": "))).toEqual([
        "  logging.yaml: prefix",
        "  logging.yaml: accounts[0] (payments-prod).accountId",
      ]);
    }
  });

  test("too many accounts for a destination policy asks for organizationId", () => {
    const config = baseConfig();
    config.accounts = Array.from({ length: 330 }, (_, i) => ({
      name: `app-${i}`,
      accountId: String(400000000000 + i),
      logGroups: [{ name: "/var/log/messages" }],
    }));
    const problems = problemsOf(() => parseConfig(config));
    expect(problems).toContainEqual({
      path: "accounts",
      message: expect.stringMatching(/5120-byte limit; set organizationId/),
    });
    config.organizationId = "o-a1b2c3d4e5";
    expect(parseConfig(config).accounts).toHaveLength(330);
  });

  test("too many sender ARNs for the destination role's trust policy asks for organizationId", () => {
    const config = baseConfig();
    config.accounts = Array.from({ length: 20 }, (_, i) => ({
      name: `app-${i}`,
      accountId: String(400000000000 + i),
      regions: ["us-east-1", "us-west-2", "eu-west-1"],
      logGroups: [{ name: "/var/log/messages" }],
    }));
    expect(problemsOf(() => parseConfig(config))).toContainEqual({
      path: "accounts",
      message: expect.stringMatching(/trust policy.*over IAM's 2048; set organizationId/),
    });
  });
});

describe("config files", () => {
  const dir = mkdtempSync(join(tmpdir(), "seclog-config-"));
  const write = (name: string, text: string) => {
    const file = join(dir, name);
    writeFileSync(file, text);
    return file;
  };

  test("the shipped example is valid", () => {
    const config = loadConfigFile("config/example.yaml");
    expect(config.prefix).toBe("secops");
    expect(config.accounts.length).toBeGreaterThan(0);
  });

  test("JSON and .yml are accepted", () => {
    expect(loadConfigFile(write("c.json", JSON.stringify(baseConfig()))).accounts).toHaveLength(2);
    expect(
      loadConfigFile(
        write("c.yml", "prefix: abc\nsecurity: { accountId: '111111111111', region: eu-west-1 }\n"),
      ).destinationRegions,
    ).toEqual(["eu-west-1"]);
  });

  test.each([
    ["missing file", () => join(dir, "nope.yaml"), /file not found; set SECLOG_CONFIG/],
    ["YAML syntax error", () => write("bad.yaml", "prefix: [unclosed\n"), /YAML syntax error at line/],
    [
      "YAML key given twice",
      () => write("dup.yaml", "prefix: a1\nprefix: b2\n"),
      /YAML syntax error.*unique|Map keys must be unique/,
    ],
    ["JSON syntax error", () => write("bad.json", "{ prefix: "), /not valid JSON/],
    ["wrong extension", () => write("config.toml", "prefix = 'x'"), /\.yaml, \.yml or \.json/],
    ["empty file", () => write("empty.yaml", ""), /must be a mapping of keys/],
  ])("%s", (_what, file, message) => {
    expect(problemsOf(() => loadConfigFile(file()))).toContainEqual({
      path: "",
      message: expect.stringMatching(message),
    });
  });
});

function problemsOf(run: () => unknown): Array<{ path: string; message: string }> {
  try {
    run();
  } catch (error) {
    if (error instanceof ConfigError) return [...error.problems];
    throw error;
  }
  throw new Error("config was accepted");
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
