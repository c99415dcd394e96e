import { ConfigError, configPath, loadConfigFile } from "./lib/config/load";
import { SynthError, synthesizeAtomically } from "./lib/synth";
import { buildApp } from "./stacks/app";

/**
 * cdktf's entry point: load and validate the config, then synthesize every
 * stack at once. A config mistake or a rule violation is the user's to fix:
 * print it without a stack trace, exit 1, and leave cdktf.out as it was.
 */
function main(): void {
  try {
    const config = loadConfigFile(configPath());
    synthesizeAtomically((app) => buildApp(config, app), process.env.CDKTF_OUTDIR ?? "cdktf.out");
  } catch (error) {
    if (!(error instanceof ConfigError || error instanceof SynthError)) throw error;
    process.stderr.write(`${error.message}\n`);
    process.exitCode = 1;
  }
}

main();
