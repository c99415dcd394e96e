import { CONFIG_OPTION, CommandSpec, commandConfig, Output, runCommand, UsageError } from "../lib/cli";
import { IAM_ROLE_NAME_MAX_CHARS } from "../lib/aws-limits";
import { ConfigError } from "../lib/config/load";
import { accountScpOf, SCP_ACCOUNTS, ScpAccount, scpText, ScpTooLargeError } from "../lib/scp";

const OPTIONS = {
  ...CONFIG_OPTION,
  account: { type: "string" },
  "exempt-role": { type: "string", multiple: true },
} as const;

export const SCP_COMMAND: CommandSpec<typeof OPTIONS> = {
  name: "scp",
  synopsis: "[--account security|vault] --exempt-role <name> [--exempt-role <name> ...] [--config <file>]",
  positionals: [0, 0],
  options: OPTIONS,
  help: `Prints the service control policy of one account (no AWS call): it denies,
to every principal of that account (its root user included) but the exempt
roles, what could destroy the evidence or blind the pipeline.

--account security (the default), to attach to the security account: deleting
or loosening the archive bucket (policy, Object Lock, lifecycle, replication,
versioning, encryption, public access block, ownership) and its object
versions and retention, disabling, scheduling the deletion of or re-writing
the policy of the security stack's keys, creating, deleting or re-pointing
their aliases (the replica region's alarm key too), deleting or changing the
destinations, the stream, the delivery stream and the processor, and changing
the pipeline's roles (the replication role with archive.replica; their
permissions boundaries included).

--account vault (only with archive.replica), to attach to the vault account:
the same for the replica bucket, its objects, the replica key and its alias.

Attach each document in AWS Organizations to its own account only: each names
that account's resources and exempt roles.

It prints compact JSON, one line: AWS counts every character of an SCP, white
space included, and the size check measures exactly this text. Upload it as
printed (npm run -s scp ... > file: without -s, npm adds its own lines).

  --account <account>   security (default) or vault: whose document to print
  --exempt-role <name>  a role of that account (by name) the denies do not apply
                        to; at least one: the break-glass role, and the role
                        Terraform deploys that account's stack with (adding an
                        account changes the destination policies; a processor
                        change updates the function)
  -c, --config <file>   config file (default: $SECLOG_CONFIG, else config/logging.yaml)

Exit codes: 0 printed, 1 config file problem (or the document would exceed
the SCP size quota), 2 bad arguments (--account vault without archive.replica
too).`,
};

/** IAM role names: letters, digits and +=,.@_- (IAM API reference, CreateRole, RoleName). */
const ROLE_NAME = /^[\w+=,.@-]+$/;

function accountOf(value: string | undefined): ScpAccount {
  if (value === undefined) return "security";
  const account = SCP_ACCOUNTS.find((a) => a === value);
  if (!account) throw new UsageError(`--account must be security or vault, got "${value}"`);
  return account;
}

export function run(
  argv: readonly string[],
  env: NodeJS.ProcessEnv = process.env,
  out: Output = process,
): number {
  return runCommand(
    SCP_COMMAND,
    argv,
    ({ values }) => {
      const account = accountOf(values.account);
      const roles = values["exempt-role"] ?? [];
      if (roles.length === 0)
        throw new UsageError(
          "--exempt-role is required: without an exempt role nobody could ever change these resources",
        );
      for (const role of roles)
        if (!ROLE_NAME.test(role) || role.length > IAM_ROLE_NAME_MAX_CHARS)
          throw new UsageError(
            `--exempt-role must be an IAM role name (at most ${IAM_ROLE_NAME_MAX_CHARS} of letters, digits and +=,.@_-), got "${role}"`,
          );
      const { file, config } = commandConfig(values.config, env);
      let document;
      try {
        document = accountScpOf(account, config, { exemptRoleNames: roles });
      } catch (error) {
        // What the config and the exempt roles add up to: a config problem, one line, exit 1.
        if (error instanceof ScpTooLargeError)
          throw new ConfigError(file, [{ path: "", message: error.message }]);
        throw error;
      }
      if (!document)
        throw new UsageError(
          `--account vault: ${file} has no vault (no archive.replica); print the security account's document with --account security`,
        );
      // Compact: AWS counts every character of an SCP, and this is the text the quota check measured.
      return scpText(document);
    },
    out,
  );
}

if (require.main === module) process.exitCode = run(process.argv.slice(2));
