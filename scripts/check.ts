import { CommandSpec, commandConfig, Output, runCommand } from "../lib/cli";
import { SecLogConfig } from "../lib/config/model";
import { plural } from "../lib/text";

// Only lib/config and lib/cli: no cdktf, no provider classes, so a check takes
// a fraction of a second where `cdktf synth` takes several.

const OPTIONS = {} as const;

export const CHECK_COMMAND: CommandSpec<typeof OPTIONS> = {
  name: "check",
  synopsis: "[config]",
  positionals: [0, 1],
  options: OPTIONS,
  help: `Validates a config file without synthesizing: the schema and every rule
\`cdktf synth\` checks, each problem once, as

  <file>:<line>:<col>: <path>: <message>

with the account's name after its index, e.g.
  config/logging.yaml:85:5: accounts[1] (web-prod).acountId: unknown key; did you mean "accountId"?

On success prints one line: the accounts, destination regions and the stacks
\`cdktf synth\` would write.

  [config]         config file (default: $SECLOG_CONFIG, else config/logging.yaml)

Exit codes: 0 valid, 1 config file problem, 2 bad arguments.`,
};

/**
 * The stacks `buildApp` (stacks/app.ts) builds for a config, in its order:
 * `state` when bootstrapped, `security`, then one per application account.
 * Named here so checking never loads the stacks; a test keeps the two equal.
 */
export function stackNames(config: SecLogConfig): string[] {
  const { state } = config;
  const bootstrapped = state.backend === "s3" && state.bootstrap !== undefined;
  const cloud = state.backend === "cloud" ? state : undefined;
  return [
    ...(bootstrapped ? ["state"] : []),
    ...(config.archive.replica ? ["vault"] : []),
    "security",
    ...config.accounts.map((account) => account.name),
    // Built after the stacks they serve (stacks/app.ts): the run roles are derived from them.
    ...(cloud?.dynamicCredentials ? ["credentials"] : []),
    ...(cloud?.workspaces ? ["workspaces"] : []),
  ];
}

/** `config/logging.yaml: ok: 3 accounts, 2 destination regions, stacks: security, payments-prod, web-prod`. */
export function summary(file: string, config: SecLogConfig): string {
  const accounts = plural(1 + config.accounts.length, "account");
  const regions = plural(config.destinationRegions.length, "destination region");
  return `${file}: ok: ${accounts}, ${regions}, stacks: ${stackNames(config).join(", ")}`;
}

export function run(argv: readonly string[], env: NodeJS.ProcessEnv = process.env, out?: Output): number {
  return runCommand(
    CHECK_COMMAND,
    argv,
    ({ positionals: [file] }) => {
      const checked = commandConfig(file, env);
      return `${summary(checked.file, checked.config)}\n`;
    },
    out,
  );
}

if (require.main === module) process.exitCode = run(process.argv.slice(2));
