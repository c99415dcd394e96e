import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { performance } from "node:perf_hooks";

/**
 * `npm run bench:synth`: synthesis at organisation scale against a minimal
 * cdktf app (one stack, one S3 bucket) synthesized the same way in the same
 * run; then `cdktf synth` itself; then how Terraform's validate/plan time
 * grows with regions and log groups in one application stack.
 */
const ROOT = resolve(__dirname, "..");
const SIZES = [1, 10, 100, 500];
const RUNS = 3;
const work = mkdtempSync(join(tmpdir(), "seclog-bench-synth-"));
/** The same TypeScript loader the app's `cdktf.json` uses. */
const REGISTER = join(ROOT, "register.cjs");

interface ChildResult {
  readonly wallMs: number;
  readonly phases: Record<string, number>;
  readonly maxRssBytes: number;
}

/** 2 regions, 3 log groups each, allLogGroups on every other account; organization mode (500 accounts exceed any account-list policy). */
export function scaleConfig(
  accounts: number,
  regions = ["us-east-1", "eu-west-1"],
  logGroups = 3,
): Record<string, unknown> {
  return {
    prefix: "corp",
    security: { accountId: "111111111111", region: "us-east-1" },
    organizationId: "o-a1b2c3d4e5",
    alarms: { silenceHours: 24 },
    notifications: { sqs: true },
    accounts: Array.from({ length: accounts }, (_, i) => ({
      name: `app-${String(i).padStart(3, "0")}`,
      accountId: String(500000000000 + i),
      regions,
      logGroups: Array.from({ length: logGroups }, (_, g) => ({
        name: `/var/log/app-${g}`,
        create: g === 0,
        ...(g === 0 ? { retentionDays: 365 } : {}),
      })),
      ...(i % 2 === 0 ? { allLogGroups: { exclude: ["/aws/lambda/healthcheck"] } } : {}),
    })),
  };
}

function runChild(mode: "app" | "baseline", configFile = ""): ChildResult & { outdir: string } {
  const outdir = mkdtempSync(join(work, `${mode}-`));
  const started = performance.now();
  const stdout = execFileSync(
    process.execPath,
    ["--require", REGISTER, join(__dirname, "synth-child.ts"), mode, configFile, outdir],
    {
      cwd: ROOT,
      encoding: "utf8",
      env: { ...process.env, CHECKPOINT_DISABLE: "1" },
    },
  );
  return { ...JSON.parse(stdout.trim().split("\n").pop()!), wallMs: performance.now() - started, outdir };
}

function median<T>(items: T[], key: (item: T) => number): T {
  return [...items].sort((a, b) => key(a) - key(b))[Math.floor(items.length / 2)];
}

function outputStats(outdir: string): { stacks: number; resources: number; bytes: number } {
  let resources = 0;
  let bytes = 0;
  const stacksDir = join(outdir, "stacks");
  const stacks = readdirSync(stacksDir);
  for (const stack of stacks) {
    const file = join(stacksDir, stack, "cdk.tf.json");
    const json = JSON.parse(readFileSync(file, "utf8"));
    for (const instances of Object.values<Record<string, unknown>>(json.resource ?? {}))
      resources += Object.keys(instances).length;
  }
  for (const file of readdirSync(outdir, { recursive: true, encoding: "utf8" })) {
    const stat = statSync(join(outdir, file));
    if (stat.isFile()) bytes += stat.size;
  }
  return { stacks: stacks.length, resources, bytes };
}

const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MB`;
const s = (ms: number) => `${(ms / 1000).toFixed(2)} s`;

function synthTable(): void {
  const baseline = median(
    Array.from({ length: RUNS }, () => runChild("baseline")),
    (r) => r.wallMs,
  );
  const base = outputStats(baseline.outdir);
  console.log(
    `\n== synthesis (median of ${RUNS} fresh processes each; phases: module load / config / construct tree / synth+write)`,
  );
  console.log(
    "| accounts | stacks | resources | wall | x baseline | peak RSS | output | load | config | tree | synth |",
  );
  console.log("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |");
  const row = (label: string, r: ChildResult, stats: { stacks: number; resources: number; bytes: number }) =>
    console.log(
      `| ${label} | ${stats.stacks} | ${stats.resources} | ${s(r.wallMs)} | ${(r.wallMs / baseline.wallMs).toFixed(2)} | ${mb(r.maxRssBytes)} | ${mb(stats.bytes)} | ` +
        `${s(r.phases.load)} | ${s(r.phases.config)} | ${s(r.phases.tree)} | ${s(r.phases.synth)} |`,
    );
  row("baseline (1 bucket)", baseline, base);
  const walls: Record<number, number> = {};
  for (const accounts of SIZES) {
    const file = join(work, `config-${accounts}.json`);
    writeFileSync(file, JSON.stringify(scaleConfig(accounts)));
    const result = median(
      Array.from({ length: RUNS }, () => runChild("app", file)),
      (r) => r.wallMs,
    );
    walls[accounts] = result.wallMs;
    row(String(accounts), result, outputStats(result.outdir));
  }
  const perAccount = (from: number, to: number) => (walls[to] - walls[from]) / (to - from);
  console.log(
    `cost per added account: 10->100: ${perAccount(10, 100).toFixed(1)} ms, 100->500: ${perAccount(100, 500).toFixed(1)} ms`,
  );
  console.log(
    `targets: 100 accounts <= 3x baseline: ${(walls[100] / baseline.wallMs).toFixed(2)}x; 500 accounts <= 10x: ${(walls[500] / baseline.wallMs).toFixed(2)}x`,
  );
}

/** `cdktf synth` (the CLI the user runs) of the default config vs the baseline app in a throwaway cdktf project. */
function cliComparison(): void {
  const cli = join(ROOT, "node_modules", ".bin", "cdktf");
  const baselineProject = mkdtempSync(join(work, "baseline-project-"));
  writeFileSync(
    join(baselineProject, "cdktf.json"),
    JSON.stringify({
      language: "typescript",
      app: `node --require ${REGISTER} ${join(__dirname, "synth-child.ts")} baseline - -`,
      sendCrashReports: "false",
    }),
  );
  const time = (cwd: string) => {
    const outdir = mkdtempSync(join(work, "cli-"));
    const started = performance.now();
    const env = { ...process.env, CHECKPOINT_DISABLE: "1", CI: "true" };
    const result = spawnSync(cli, ["synth", "--output", outdir], { cwd, env, encoding: "utf8" });
    if (result.status !== 0) throw new Error(`cdktf synth failed in ${cwd}: ${result.stderr}`);
    return performance.now() - started;
  };
  const ours = median(
    Array.from({ length: RUNS }, () => time(ROOT)),
    (x) => x,
  );
  const base = median(
    Array.from({ length: RUNS }, () => time(baselineProject)),
    (x) => x,
  );
  console.log(
    `\n== cdktf synth (CLI), median of ${RUNS}: default config ${s(ours)}, baseline app ${s(base)} = ${(ours / base).toFixed(2)}x  [target <= 1.5x: ${ours / base <= 1.5 ? "met" : "MISSED"}]`,
  );
}

/** Terraform validate and offline plan time of one application stack, by regions and log groups. */
async function terraformGrowth(): Promise<void> {
  // Loaded here only: the Terraform helpers are shared with the tests.
  const { terraformEnv, terraform } =
    require("../__tests__/support/terraform") as typeof import("../__tests__/support/terraform");
  const { offlineCopy } = require("../__tests__/support/plan") as typeof import("../__tests__/support/plan");
  const { synthToDir } =
    require("../__tests__/support/synth-dir") as typeof import("../__tests__/support/synth-dir");
  const tf = terraformEnv();
  if (typeof tf === "string") {
    console.log(`\n== terraform: skipped (${tf})`);
    return;
  }
  console.log("\n== one application stack in Terraform (offline copy, local provider)");
  console.log("| regions | log groups | resources | validate | plan |");
  console.log("| --- | --- | --- | --- | --- |");
  const allRegions = ["us-east-1", "eu-west-1", "ap-southeast-2", "us-west-2"];
  for (const [regions, logGroups] of [
    [1, 3],
    [2, 3],
    [4, 3],
    [1, 12],
    [4, 12],
  ] as const) {
    const dirs = synthToDir(
      scaleConfig(1, allRegions.slice(0, regions), logGroups),
      `tfgrowth-${regions}-${logGroups}`,
    );
    const dir = offlineCopy(dirs["app-000"]);
    await terraform(["init", "-backend=false", "-input=false"], dir, tf.env);
    let started = performance.now();
    await terraform(["validate"], dir, tf.env);
    const validate = performance.now() - started;
    started = performance.now();
    const plan = await terraform(["plan", "-refresh=false", "-input=false", "-lock=false"], dir, tf.env);
    const planMs = performance.now() - started;
    const resources = /Plan: (\d+) to add/.exec(plan.stdout)?.[1] ?? "?";
    console.log(`| ${regions} | ${logGroups} | ${resources} | ${s(validate)} | ${s(planMs)} |`);
  }
}

async function main(): Promise<void> {
  synthTable();
  cliComparison();
  await terraformGrowth();
}

if (require.main === module) {
  main().catch((error) => {
    console.error(error);
    process.exitCode = 1;
  });
}
