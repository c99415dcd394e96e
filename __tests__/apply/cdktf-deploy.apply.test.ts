import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { DescribeLogGroupsCommand } from "@aws-sdk/client-cloudwatch-logs";
import { HeadBucketCommand } from "@aws-sdk/client-s3";
import { EMULATOR_GAPS, Moto, motoUnavailable, startMoto } from "../support/emulator";
import { EmulatorAws } from "../support/emulator-aws";
import { StackJson } from "../support/synth";
import { terraformEnv } from "../support/terraform";

/**
 * `cdktf deploy '*'` and `cdktf destroy '*'` themselves, run by the pinned CLI
 * against moto: the order comes from cdktf's scheduler reading the manifest
 * the app wrote. The app is synthesized by the real app process from a config
 * whose every stack assumes a role (so moto files each stack under its own
 * account, and the providers' allowed_account_ids are checked against moto's
 * STS). Nothing in the synthesized providers or backends is rewritten: the
 * providers reach moto through AWS_ENDPOINT_URL alone. Only the resources
 * moto cannot create are dropped (the EMULATOR_GAPS below), and then the CLI
 * runs with --skip-synth on that output.
 */
const ROOT = resolve(__dirname, "..", "..");
const tf = terraformEnv();
const cannotRun = typeof tf === "string" ? tf : motoUnavailable();
const inCi = process.env.CI === "true";
if (cannotRun && !inCi) process.stdout.write(`cdktf deploy emulator test skipped: ${cannotRun}\n`);
const describeDeploy = cannotRun && !inCi ? describe.skip : describe;

const SECURITY = "777777777777";
const ACCOUNTS = [
  { name: "alpha-prod", accountId: "888888888888" },
  { name: "beta-prod", accountId: "999999999999" },
];
const role = (accountId: string) => `arn:aws:iam::${accountId}:role/OrganizationAccountAccessRole`;

/** Small on purpose: raw delivery (no Lambda), no access-log bucket, no alarms; one region. */
const CONFIG = {
  prefix: "dep",
  security: { accountId: SECURITY, region: "us-east-1", roleArn: role(SECURITY) },
  archive: { accessLogs: false },
  delivery: { format: "raw", bufferSeconds: 60, bufferMiB: 5 },
  accounts: ACCOUNTS.map((a) => ({
    ...a,
    roleArn: role(a.accountId),
    logGroups: [{ name: `/app/${a.name}/security`, create: true, retentionDays: 30 }],
  })),
};

/** The gaps that apply when nothing else is rewritten: resources moto cannot create or read back. */
const GAPS_APPLIED = [
  "drop aws_cloudwatch_log_subscription_filter whose destination is a cross-account CloudWatch Logs destination",
];

interface Cli {
  readonly status: number | null;
  readonly output: string;
}

function cdktf(args: string[], env: NodeJS.ProcessEnv): Promise<Cli> {
  return new Promise((done, fail) => {
    const child = spawn("npx", ["cdktf", ...args], { cwd: ROOT, env });
    let output = "";
    child.stdout.on("data", (chunk) => (output += chunk));
    child.stderr.on("data", (chunk) => (output += chunk));
    child.on("error", fail);
    child.on("close", (status) => done({ status, output }));
  });
}

/**
 * Index of the first output line of `stack` matching `pattern`. The CLI
 * prefixes a stack's line with its name and indents the lines that continue
 * it, so an indented line belongs to the last stack named.
 */
function firstLine(output: string, stack: string, pattern: RegExp): number {
  let current = "";
  // eslint-disable-next-line no-control-regex
  const lines = output.replace(/\x1b\[[0-9;]*m/g, "").split("\n");
  return lines.findIndex((line) => {
    const named = /^(\S+)\s/.exec(line);
    if (named) current = named[1];
    return current === stack && pattern.test(line);
  });
}

describeDeploy("cdktf deploy '*' against moto", () => {
  let moto: Moto | undefined;
  let env: NodeJS.ProcessEnv;
  let work: string;
  let outdir: string;
  let deploy: Cli;
  let destroy: Cli;

  beforeAll(async () => {
    if (typeof tf === "string" || cannotRun)
      throw new Error(`CI=true but the cdktf deploy emulator test cannot run: ${cannotRun}`);
    work = mkdtempSync(join(tmpdir(), "seclog-cdktf-deploy-"));
    outdir = join(work, "cdktf.out");
    const configFile = join(work, "config.json");
    writeFileSync(configFile, JSON.stringify(CONFIG, null, 2));
    // The app process itself, run from the work dir: local state files land there, never in the project.
    const synth = spawnSync("node", ["--require", join(ROOT, "register.cjs"), join(ROOT, "main.ts")], {
      cwd: work,
      env: { ...process.env, SECLOG_CONFIG: configFile, CDKTF_OUTDIR: outdir },
      encoding: "utf8",
    });
    if (synth.status !== 0) throw new Error(`synth failed: ${synth.stderr}`);
    dropEmulatorGaps(outdir);
    moto = await startMoto();
    env = {
      ...tf.env,
      CI: "true",
      AWS_ENDPOINT_URL: moto.endpoint,
      AWS_ACCESS_KEY_ID: "AKIAEMULATOR00000000",
      AWS_SECRET_ACCESS_KEY: "emulator-secret",
      AWS_EC2_METADATA_DISABLED: "true",
      AWS_REGION: "us-east-1",
    };
    // --skip-provider-lock: `terraform providers lock` would ask the registry for every platform's checksums.
    deploy = await cdktf(
      [
        "deploy",
        "*",
        "--skip-synth",
        "--skip-provider-lock",
        "--auto-approve",
        "--no-color",
        "--output",
        outdir,
      ],
      env,
    );
    destroy = await cdktf(
      [
        "destroy",
        "*",
        "--skip-synth",
        "--skip-provider-lock",
        "--auto-approve",
        "--no-color",
        "--output",
        outdir,
      ],
      env,
    );
    // Kept for reading when an assertion below fails.
    writeFileSync(join(work, "deploy.log"), deploy.output);
    writeFileSync(join(work, "destroy.log"), destroy.output);
    process.stdout.write(`cdktf deploy/destroy output: ${work}/deploy.log, ${work}/destroy.log\n`);
  }, 900_000);

  afterAll(async () => {
    await moto?.stop();
  });

  test("deploy '*' exits 0 and applies security before any account starts", () => {
    expect({ status: deploy.status, tail: deploy.status === 0 ? "" : deploy.output.slice(-3000) }).toEqual({
      status: 0,
      tail: "",
    });
    const securityDone = firstLine(deploy.output, "security", /Apply complete!/);
    expect(securityDone).toBeGreaterThan(-1);
    for (const { name } of ACCOUNTS) {
      const accountStarts = firstLine(
        deploy.output,
        name,
        /Terraform used the selected providers|Creating\.\.\./,
      );
      const accountDone = firstLine(deploy.output, name, /Apply complete!/);
      expect([name, accountStarts > securityDone, accountDone > securityDone]).toEqual([name, true, true]);
    }
  });

  test("each stack landed in its own account: the archive bucket in security, each account's log group in that account", async () => {
    const aws = new EmulatorAws(moto!.endpoint);
    const { s3 } = await aws.clients(SECURITY, "us-east-1");
    await expect(
      s3.send(new HeadBucketCommand({ Bucket: `dep-security-logs-${SECURITY}` })),
    ).resolves.toBeDefined();
    for (const { name, accountId } of ACCOUNTS) {
      const { logs } = await aws.clients(accountId, "us-east-1");
      const { logGroups } = await logs.send(
        new DescribeLogGroupsCommand({ logGroupNamePrefix: `/app/${name}/` }),
      );
      expect([name, logGroups?.map((g) => g.logGroupName)]).toEqual([name, [`/app/${name}/security`]]);
    }
  });

  test("destroy '*' runs the reverse: both accounts are destroyed first, then security is refused by prevent_destroy", () => {
    expect(destroy.status).not.toBe(0);
    // cdktf prints Terraform's plan and then its error; the error lines do not always reach the
    // output before the CLI exits, so the refusal is proven by what is left: security's whole state.
    expect(destroy.output).toMatch(
      /Terraform planned the following actions, but then encountered a problem|has lifecycle\.prevent_destroy set/,
    );
    const securityRefused = firstLine(destroy.output, "security", /Refreshing state|prevent_destroy/);
    expect(securityRefused).toBeGreaterThan(-1);
    for (const { name } of ACCOUNTS) {
      const done = firstLine(destroy.output, name, /Destroy complete!/);
      expect([name, done > -1, done < securityRefused]).toEqual([name, true, true]);
      const state = JSON.parse(readFileSync(join(work, `terraform.${name}.tfstate`), "utf8"));
      expect([name, state.resources]).toEqual([name, []]);
    }
    const security = JSON.parse(readFileSync(join(work, "terraform.security.tfstate"), "utf8"));
    const synthesized: StackJson = JSON.parse(
      readFileSync(join(outdir, "stacks", "security", "cdk.tf.json"), "utf8"),
    );
    const planned = Object.values(synthesized.resource).reduce(
      (n, resources) => n + Object.keys(resources).length,
      0,
    );
    expect(security.resources.filter((r: { mode: string }) => r.mode === "managed").length).toBe(planned);
  });
});

/** Applies the named EMULATOR_GAPS to every synthesized stack in place (a temp output, never the user's). */
function dropEmulatorGaps(outdir: string): void {
  const gaps = EMULATOR_GAPS.filter((gap) => GAPS_APPLIED.includes(gap.what));
  if (gaps.length !== GAPS_APPLIED.length)
    throw new Error("an EMULATOR_GAPS entry named here no longer exists");
  const manifest = JSON.parse(readFileSync(join(outdir, "manifest.json"), "utf8"));
  for (const stack of Object.values<any>(manifest.stacks)) {
    const file = join(outdir, stack.synthesizedStackPath);
    const json: StackJson = JSON.parse(readFileSync(file, "utf8"));
    for (const gap of gaps) gap.rewrite(json, "");
    writeFileSync(file, JSON.stringify(json, null, 2));
  }
}
