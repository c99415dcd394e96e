import { ConfigError, configPath, loadConfigFile } from "./lib/config/load";
import { ChangeError, OutputError, SynthError, synthesizeAtomically } from "./lib/synth";
import { allowedReplacements } from "./lib/changes";
import { buildApp } from "./stacks/app";
import { localStateLayout } from "./stacks/backend";
import { synthWarnings } from "./stacks/warnings";
import { STATE_STACK_NAME } from "./stacks/state-stack";

type Out = Pick<NodeJS.WriteStream, "write">;

/**
 * cdktf's entry point: load and validate the config, then synthesize every
 * stack at once. A config mistake, a rule violation, or an output directory or
 * lock file synth cannot use is the user's to fix: print it without a stack
 * trace, return exit code 1, and leave cdktf.out as it was. Anything else is a
 * bug and keeps its stack trace. stdout gets one line per removed stack;
 * stderr one line per warning about a synthesized config (exit code still 0).
 */
export function run(
  env: NodeJS.ProcessEnv = process.env,
  stderr: Out = process.stderr,
  stdout: Out = process.stdout,
  argv: readonly string[] = process.argv.slice(2),
): number {
  const allow = allowedReplacements(env, argv);
  if ("error" in allow) {
    stderr.write(`${allow.error}\n`);
    return 2;
  }
  try {
    const config = loadConfigFile(configPath(env));
    const outdir = env.CDKTF_OUTDIR ?? "cdktf.out";
    const localState = localStateLayout(outdir);
    synthesizeAtomically((app) => buildApp(config, app, { localState }), outdir, {
      env,
      log: (line) => void stdout.write(`${line}\n`),
      allowReplace: allow.allowed,
      unguardedStacks: new Set([STATE_STACK_NAME]),
    });
    for (const warning of synthWarnings(config)) stderr.write(`${warning}\n`);
    return 0;
  } catch (error) {
    if (!(
      error instanceof ConfigError ||
      error instanceof SynthError ||
      error instanceof OutputError ||
      error instanceof ChangeError
    ))
      throw error;
    stderr.write(`${error.message}\n`);
    return 1;
  }
}

if (require.main === module) process.exitCode = run();
