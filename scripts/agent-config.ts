import { agentConfig, chooseRegion, findAccount, requireFiles } from "../lib/agent-config";
import { CONFIG_OPTION, CommandSpec, commandConfig, Output, runCommand } from "../lib/cli";

export const AGENT_CONFIG_COMMAND: CommandSpec<typeof CONFIG_OPTION> = {
  name: "agent-config",
  synopsis: "<account> [region] [--config <file>]",
  positionals: [1, 2],
  options: CONFIG_OPTION,
  help: `Prints the unified CloudWatch agent configuration (JSON) that ships the account's
configured files (accounts[].logGroups[].files) to exactly the log groups the
pipeline subscribes, in a region that has a destination.

  <account>        account name (stack name) or 12-digit account id
  [region]         region of the hosts; optional when the account ships from one region
  -c, --config     config file (default: $SECLOG_CONFIG, else config/logging.yaml)

Install it on a host, e.g.:
  npm run -s agent-config -- web-prod > amazon-cloudwatch-agent.json
  sudo amazon-cloudwatch-agent-ctl -a fetch-config -m ec2 -s -c file:amazon-cloudwatch-agent.json

Exit codes: 0 printed, 1 config file problem, 2 bad arguments.`,
};

export function run(argv: readonly string[], env: NodeJS.ProcessEnv = process.env, out?: Output): number {
  return runCommand(
    AGENT_CONFIG_COMMAND,
    argv,
    ({ values, positionals: [name, region] }) => {
      const { file, config } = commandConfig(values.config, env);
      const account = findAccount(config, name);
      const chosen = chooseRegion(account, region);
      requireFiles(file, config, account);
      return `${JSON.stringify(agentConfig(account, chosen), null, 2)}\n`;
    },
    out,
  );
}

if (require.main === module) process.exitCode = run(process.argv.slice(2));
