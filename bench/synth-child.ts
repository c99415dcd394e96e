import { performance } from "node:perf_hooks";

/**
 * One synthesis in a fresh process, timed by phase: module load, config
 * load/validate, construct tree, synth/write. Prints one JSON line.
 * `baseline` synthesizes a minimal cdktf app (one stack, one S3 bucket) the same way.
 */
const started = performance.now();
const [mode, configFile, outdirArgument] = process.argv.slice(2);
// "-": where the cdktf CLI asks for it (CDKTF_OUTDIR), as an app run by `cdktf synth`.
const outdir = outdirArgument === "-" ? process.env.CDKTF_OUTDIR : outdirArgument;

function report(phases: Record<string, number>): void {
  process.stdout.write(`${JSON.stringify({ phases, maxRssBytes: process.resourceUsage().maxRSS * 1024 })}\n`);
}

if (mode === "baseline") {
  const { App, TerraformStack } = require("cdktf");
  const { AwsProvider } = require("@cdktf/provider-aws/lib/provider");
  const { S3Bucket } = require("@cdktf/provider-aws/lib/s3-bucket");
  const loaded = performance.now();
  const app = new App({ outdir });
  const stack = new TerraformStack(app, "baseline");
  const provider = new AwsProvider(stack, "aws", { region: "us-east-1" });
  new S3Bucket(stack, "Bucket", { provider, bucket: "baseline-bucket" });
  const built = performance.now();
  app.synth();
  const done = performance.now();
  report({ load: loaded - started, config: 0, tree: built - loaded, synth: done - built });
} else {
  const { loadConfigFile } = require("../lib/config/load");
  const { buildApp } = require("../stacks/app");
  const { synthesizeAtomically } = require("../lib/synth");
  const loaded = performance.now();
  const config = loadConfigFile(configFile);
  const validated = performance.now();
  let built = 0;
  synthesizeAtomically((app: import("cdktf").App) => {
    const result = buildApp(config, app);
    built = performance.now();
    return result;
  }, outdir);
  const done = performance.now();
  report({
    load: loaded - started,
    config: validated - loaded,
    tree: built - validated,
    synth: done - built,
  });
}
