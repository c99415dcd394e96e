import { parseArgs, ParseArgsConfig } from "node:util";
import { ConfigError, configPath, loadConfigFile } from "./config/load";
import { SecLogConfig } from "./config/model";

/**
 * The shared shape of seclog's operator commands (`npm run diagram`, `agent-config`,
 * `capacity`, ...): `--help` prints usage on stdout, and the exit code tells a
 * script what happened.
 */
export const EXIT = {
  ok: 0,
  /** The config file, or what the command computed from it, needs fixing. */
  failure: 1,
  /** The command line itself is wrong: see `--help`. */
  usage: 2,
  /** The command ran, and warns about the config (e.g. under-provisioned capacity). */
  warning: 3,
} as const;

/** What a command body returns when it has more to say than its stdout. */
export interface CommandResult {
  readonly stdout: string;
  /** Warnings, printed on stderr. */
  readonly warnings?: readonly string[];
  /** Default: EXIT.warning when there are warnings, else EXIT.ok. */
  readonly code?: number;
}

/** A wrong command line: printed with a pointer to `--help`, exit 2. */
export class UsageError extends Error {
  override name = "UsageError";
}

export interface CommandSpec<O extends NonNullable<ParseArgsConfig["options"]>> {
  /** `npm run <name> --`. */
  readonly name: string;
  /** Usage text printed by `--help`, without the leading "usage:" line. */
  readonly help: string;
  /** The argument synopsis, e.g. `<account> [region]`. */
  readonly synopsis: string;
  readonly options: O;
  /** Positional arguments accepted: [min, max]. */
  readonly positionals: readonly [number, number];
}

export interface Output {
  readonly stdout: Pick<NodeJS.WriteStream, "write">;
  readonly stderr: Pick<NodeJS.WriteStream, "write">;
}

type Parsed<O extends NonNullable<ParseArgsConfig["options"]>> = ReturnType<
  typeof parseArgs<{ options: O; allowPositionals: true; strict: true }>
>;

export function usageOf(
  spec: Pick<CommandSpec<NonNullable<ParseArgsConfig["options"]>>, "name" | "synopsis" | "help">,
): string {
  return `usage: npm run ${spec.name} -- ${spec.synopsis}\n\n${spec.help.trimEnd()}\n`;
}

/**
 * Parses argv, handles `--help`, runs `body`, and maps errors to exit codes:
 * a UsageError exits 2, a ConfigError 1, both as one message without a stack
 * trace; anything else is a bug and is rethrown.
 */
export function runCommand<O extends NonNullable<ParseArgsConfig["options"]>>(
  spec: CommandSpec<O>,
  argv: readonly string[],
  body: (args: Parsed<O>) => string | CommandResult,
  out: Output = process,
): number {
  if (argv.includes("--help") || argv.includes("-h")) {
    out.stdout.write(usageOf(spec));
    return EXIT.ok;
  }
  try {
    const result = body(parseCommandLine(spec, argv));
    if (typeof result === "string") {
      out.stdout.write(result);
      return EXIT.ok;
    }
    out.stdout.write(result.stdout);
    const warnings = result.warnings ?? [];
    for (const warning of warnings) out.stderr.write(`warning: ${warning}\n`);
    return result.code ?? (warnings.length > 0 ? EXIT.warning : EXIT.ok);
  } catch (error) {
    if (error instanceof UsageError) {
      out.stderr.write(
        `${spec.name}: ${error.message}\nusage: npm run ${spec.name} -- ${spec.synopsis}   (--help for details)\n`,
      );
      return EXIT.usage;
    }
    if (error instanceof ConfigError) {
      out.stderr.write(`${error.message}\n`);
      return EXIT.failure;
    }
    throw error;
  }
}

/** `runCommand` for a body that awaits (a command that calls AWS): the same help, exit codes and messages. */
export async function runCommandAsync<O extends NonNullable<ParseArgsConfig["options"]>>(
  spec: CommandSpec<O>,
  argv: readonly string[],
  body: (args: Parsed<O>) => Promise<string | CommandResult>,
  out: Output = process,
): Promise<number> {
  let result: string | CommandResult | undefined;
  let failure: unknown;
  try {
    if (!argv.includes("--help") && !argv.includes("-h")) result = await body(parseCommandLine(spec, argv));
  } catch (error) {
    if (!(error instanceof UsageError) && !(error instanceof ConfigError)) throw error;
    failure = error;
  }
  // Replays the outcome through the synchronous path, so both print and exit alike.
  return runCommand(
    spec,
    argv,
    () => {
      if (failure) throw failure;
      return result!;
    },
    out,
  );
}

function parseCommandLine<O extends NonNullable<ParseArgsConfig["options"]>>(
  spec: CommandSpec<O>,
  argv: readonly string[],
): Parsed<O> {
  let args: Parsed<O>;
  try {
    args = parseArgs({
      args: [...argv],
      options: spec.options,
      allowPositionals: true,
      strict: true,
    }) as Parsed<O>;
  } catch (error) {
    // node's messages name the option ("Unknown option '--gb'"); drop its advice about "--".
    throw new UsageError(String((error as Error).message).split(/\.\s/)[0]);
  }
  const [min, max] = spec.positionals;
  const count = args.positionals.length;
  if (count < min)
    throw new UsageError(
      `expected ${min === max ? min : `at least ${min}`} argument${min === 1 ? "" : "s"}, got ${count}`,
    );
  if (count > max) throw new UsageError(`unexpected argument "${args.positionals[max]}"`);
  return args;
}

/** A `--name N` option as a positive finite number, or a UsageError naming it. */
export function positiveNumber(value: string | undefined, option: string): number {
  if (value === undefined) throw new UsageError(`--${option} is required`);
  const number = Number(value);
  if (value.trim() === "" || !Number.isFinite(number) || number <= 0) {
    throw new UsageError(`--${option} must be a positive number, got "${value}"`);
  }
  return number;
}

/** The `--config <file>` option every config-reading command accepts. */
export const CONFIG_OPTION = { config: { type: "string", short: "c" } } as const;

/** `--since` / `--until`: the time window of commands that read the archive (each parses its own forms). */
export const WINDOW_OPTIONS = { since: { type: "string" }, until: { type: "string" } } as const;

/** `--config`, else `SECLOG_CONFIG`, else the shipped example: the file `cdktf synth` would read, and its config. */
export function commandConfig(
  option: string | undefined,
  env: NodeJS.ProcessEnv,
): { readonly file: string; readonly config: SecLogConfig } {
  const file = option ?? configPath(env);
  return { file, config: loadConfigFile(file) };
}
