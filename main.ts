import { ConfigError, configPath, loadConfigFile } from "./lib/config/load";
import { SynthError, synthesizeAtomically } from "./lib/synth";
import { buildApp } from "./stacks/app";

/**
 * cdktf's entry point: load and validate the config, then synthesize every
 * stack at once. A config mistake or a rule violation is the user's to fix:
 * print it without a stack trace, return exit code 1, and leave cdktf.out as
 * it was. Anything else is a bug and keeps its stack trace.
 */
export function run(env: NodeJS.ProcessEnv = process.env, stderr: Pick<NodeJS.WriteStream, "write"> = process.stderr): number {
  try {
    const config = loadConfigFile(configPath(env));
    synthesizeAtomically((app) => buildApp(config, app), env.CDKTF_OUTDIR ?? "cdktf.out");
    return 0;
  } catch (error) {
    if (!(error instanceof ConfigError || error instanceof SynthError)) throw error;
    stderr.write(`${error.message}\n`);
    return 1;
  }
}

if (require.main === module) process.exitCode = run();
