import { CONFIG_OPTION, CommandSpec, commandConfig, Output, runCommand, UsageError } from "../lib/cli";
import { IAM_ROLE_NAME_MAX_CHARS } from "../lib/aws-limits";
import { securityAccountScp } from "../lib/scp";

const OPTIONS = {
  ...CONFIG_OPTION,
  "exempt-role": { type: "string", multiple: true },
} as const;

export const SCP_COMMAND: CommandSpec<typeof OPTIONS> = {
  name: "scp",
  synopsis: "--exempt-role <name> [--exempt-role <name> ...] [--config <file>]",
  positionals: [0, 0],
  options: OPTIONS,
  help: `Prints a service control policy for the security account (no AWS call):
it denies, to every principal of the account (its root user included) but
the exempt roles, deleting or loosening the archive bucket (policy, Object
Lock, lifecycle, replication, versioning, encryption, public access block,
ownership) and its object versions and retention, disabling, scheduling the
deletion of or re-writing the policy of the pipeline's keys, deleting or
changing the destinations, the stream, the delivery stream and the processor,
and changing the pipeline's roles. With archive.replica it also protects the
replica bucket, its objects and key in the vault account, and the replication
role. Attach it in AWS Organizations to the security account, and to the vault
account when there is one (or their OU).

  --exempt-role <name>  a role (by name, in the security and vault accounts) the denies do not apply
                        to; at least one: the break-glass role, and the role
                        Terraform deploys the security stack with (adding an
                        account changes the destination policies; a processor
                        change updates the function)
  -c, --config <file>   config file (default: $SECLOG_CONFIG, else config/logging.yaml)

Exit codes: 0 printed, 1 config file problem (or the policy would exceed the
SCP size quota), 2 bad arguments.`,
};

/** IAM role names: letters, digits and +=,.@_- (IAM API reference, CreateRole, RoleName). */
const ROLE_NAME = /^[\w+=,.@-]+$/;

export function run(
  argv: readonly string[],
  env: NodeJS.ProcessEnv = process.env,
  out: Output = process,
): number {
  return runCommand(
    SCP_COMMAND,
    argv,
    ({ values }) => {
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
      const { config } = commandConfig(values.config, env);
      return `${JSON.stringify(securityAccountScp(config, { exemptRoleNames: roles }), null, 2)}\n`;
    },
    out,
  );
}

if (require.main === module) process.exitCode = run(process.argv.slice(2));
