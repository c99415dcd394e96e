import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { fingerprint } from "./support/files";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { parse } from "yaml";

/**
 * The app as cdktf runs it (the `app` command of cdktf.json), and once through
 * `cdktf synth` itself: what a user sees for good and for bad configs.
 */
const ROOT = resolve(__dirname, "..");
const APP_COMMAND: string = JSON.parse(readFileSync(join(ROOT, "cdktf.json"), "utf8")).app;

function runApp(configFile: string, outdir: string) {
  const [command, ...args] = APP_COMMAND.split(" ");
  const result = spawnSync(command, args, {
    cwd: ROOT,
    env: { ...process.env, SECLOG_CONFIG: configFile, CDKTF_OUTDIR: outdir, CHECKPOINT_DISABLE: "1" },
    encoding: "utf8",
  });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe("the app process", () => {
  const work = mkdtempSync(join(tmpdir(), "seclog-cli-"));

  test("synthesizes the example config (config/example.yaml) into CDKTF_OUTDIR", () => {
    const outdir = join(work, "good");
    const result = runApp("config/example.yaml", outdir);
    expect(result.stderr).toBe("");
    expect(result.status).toBe(0);
    expect(readdirSync(join(outdir, "stacks")).sort()).toEqual(["payments-prod", "security", "web-prod"]);
  });

  const BAD: Array<[string, string, string, RegExp]> = [
    [
      "a field error",
      "bad-field.yaml",
      "prefix: secops\nsecurity: { accountId: '1234', region: us-east-1 }\n",
      /security\.accountId: must be a 12-digit/,
    ],
    ["a YAML syntax error", "syntax.yaml", "prefix: [secops\n", /YAML syntax error at line/],
    ["a missing file", "missing.yaml", "", /file not found/],
    [
      "an impossible combination",
      "combo.json",
      JSON.stringify({
        prefix: "secops",
        security: { accountId: "111111111111", region: "us-east-1" },
        stream: { mode: "on-demand", shards: 4 },
      }),
      /stream\.shards: on-demand/,
    ],
  ];

  test.each(BAD)(
    "%s: exit 1, the problem with its field path, no stack trace, output untouched",
    (_what, name, text, message) => {
      // The output of the good run above must survive every bad run.
      const outdir = join(work, "good");
      const before = fingerprint(outdir);
      expect(before.length).toBeGreaterThan(0);
      const file = join(work, name);
      if (text) writeFileSync(file, text);
      const result = runApp(file, outdir);
      expect(result.status).toBe(1);
      expect(result.stderr).toMatch(message);
      expect(result.stderr).not.toMatch(/^\s+at .+:\d+:\d+\)?$/m);
      expect(result.stderr).not.toMatch(/Error:|TypeError|ZodError/);
      expect(result.stdout).toBe("");
      expect(fingerprint(outdir)).toEqual(before);
    },
  );
});

describe("the app process with archive.objectLock", () => {
  // AWS does not document whether Firehose's S3 deliveries carry the integrity header S3
  // requires for uploads into a bucket with default retention: the synth says so, and still succeeds.
  const work = mkdtempSync(join(tmpdir(), "seclog-cli-lock-"));
  const example = () => parse(readFileSync(join(ROOT, "config/example.yaml"), "utf8"));
  const lockWarning = (shownBy: string, prefix: string) =>
    "warning: archive.objectLock: AWS does not document that Firehose sends the Content-MD5 or x-amz-checksum-* header S3 requires for uploads into a bucket with default retention; " +
    "if it does not, every delivery fails (Firehose error log /aws/kinesisfirehose/secops-security-logs; errors/ is in the same bucket) and records are lost after stream.retentionHours; " +
    `${shownBy}; after the first deploy check that objects arrive under ${prefix} (README: "Object Lock and Firehose")\n`;

  test.each([
    [
      "with alarms (events format)",
      (c: Record<string, any>) => c,
      lockWarning("the alarm secops-security-logs-delivery-failing shows it", "events/"),
    ],
    [
      "without alarms (raw format)",
      (c: Record<string, any>) => {
        delete c.alarms;
        c.delivery = { format: "raw" };
        return c;
      },
      lockWarning(
        "the alarm secops-security-logs-delivery-failing would show it (add an alarms block)",
        "raw/",
      ),
    ],
  ])(
    "%s: one warning line on stderr naming the risk and the alarm; exit 0, the stacks written",
    (label, change, warning) => {
      const config = change(example());
      config.archive.objectLock = { mode: "GOVERNANCE", days: 365 };
      const file = join(work, `${label.replace(/\W+/g, "-")}.json`);
      writeFileSync(file, JSON.stringify(config));
      const outdir = join(work, label.replace(/\W+/g, "-"));
      expect(runApp(file, outdir)).toEqual({ status: 0, stdout: "", stderr: warning });
      expect(readdirSync(join(outdir, "stacks")).sort()).toEqual(["payments-prod", "security", "web-prod"]);
      const security = JSON.parse(readFileSync(join(outdir, "stacks", "security", "cdk.tf.json"), "utf8"));
      expect(Object.values(security.resource.aws_s3_bucket_object_lock_configuration)).toEqual([
        expect.objectContaining({ rule: { default_retention: { mode: "GOVERNANCE", days: 365 } } }),
      ]);
    },
  );
});

describe("cdktf synth (the README command)", () => {
  // The user's own config (the default, no SECLOG_CONFIG): the one test that reads it,
  // and it asserts nothing about its content, only that it synthesizes.
  test("the shipped file synthesizes with the pinned CLI", () => {
    const outdir = mkdtempSync(join(tmpdir(), "seclog-cdktf-"));
    const result = spawnSync("npx", ["cdktf", "synth", "--output", outdir], {
      cwd: ROOT,
      env: { ...process.env, CHECKPOINT_DISABLE: "1", SECLOG_CONFIG: "", CI: "true" },
      encoding: "utf8",
    });
    expect({ status: result.status, stderr: result.stderr }).toEqual({
      status: 0,
      stderr: expect.any(String),
    });
    const written = readdirSync(join(outdir, "stacks"));
    expect(written.length).toBeGreaterThan(0);
    for (const stack of written) expect(existsSync(join(outdir, "stacks", stack, "cdk.tf.json"))).toBe(true);
  });
});
