import { AppAccount, LogFile, LogGroupSubscription, SecLogConfig } from "./config/model";
import { closest } from "./text";
import { UsageError } from "./cli";
import { ConfigError } from "./config/load";

/**
 * The unified CloudWatch agent's configuration for one account and region:
 * every configured file goes to exactly the log group the pipeline subscribes,
 * in a region that has a destination. A host writing anywhere else is not
 * archived, which is why this is generated instead of hand-written.
 */
export interface AgentConfig {
  readonly agent: { readonly region: string };
  readonly logs: {
    readonly logs_collected: { readonly files: { readonly collect_list: readonly CollectEntry[] } };
  };
}

export interface CollectEntry {
  readonly file_path: string;
  readonly log_group_name: string;
  /** One stream per instance: an event's host stays visible in the archive (`logStream`). */
  readonly log_stream_name: string;
  readonly timestamp_format?: string;
  readonly multi_line_start_pattern?: string;
  /** -1: the agent leaves retention alone; Terraform owns it for groups it creates. */
  readonly retention_in_days: -1;
}

export const LOG_STREAM_NAME = "{instance_id}";

export function agentConfig(account: AppAccount, region: string): AgentConfig {
  const entries = account.logGroups.flatMap((group) => group.files.map((file) => collectEntry(group, file)));
  return { agent: { region }, logs: { logs_collected: { files: { collect_list: entries } } } };
}

function collectEntry(group: LogGroupSubscription, file: LogFile): CollectEntry {
  return {
    file_path: file.path,
    log_group_name: group.name,
    log_stream_name: LOG_STREAM_NAME,
    ...(file.timestampFormat ? { timestamp_format: file.timestampFormat } : {}),
    ...(file.multiLineStartPattern ? { multi_line_start_pattern: file.multiLineStartPattern } : {}),
    retention_in_days: -1,
  };
}

/** The account named on the command line, by stack name or account id. */
export function findAccount(config: SecLogConfig, nameOrId: string): AppAccount {
  const account = config.accounts.find((a) => a.name === nameOrId || a.accountId === nameOrId);
  if (account) return account;
  const names = config.accounts.map((a) => a.name);
  const suggestion = closest(nameOrId, names);
  throw new UsageError(
    `no account "${nameOrId}" in the config; ${suggestion ? `did you mean ${suggestion}? ` : ""}accounts: ${names.join(", ") || "(none)"}`,
  );
}

/** The region on the command line, or the account's only region. */
export function chooseRegion(account: AppAccount, region: string | undefined): string {
  if (region === undefined) {
    if (account.regions.length === 1) return account.regions[0];
    throw new UsageError(
      `${account.name} ships from ${account.regions.join(", ")}: name the region of the hosts`,
    );
  }
  if (!account.regions.includes(region)) {
    throw new UsageError(
      `${account.name} ships only from ${account.regions.join(", ")}; logs written in ${region} would not be archived (add it to the account's regions)`,
    );
  }
  return region;
}

/** An account without files has nothing for the agent to do: that is a config gap, not a usage error. */
export function requireFiles(file: string, config: SecLogConfig, account: AppAccount): void {
  if (account.logGroups.some((group) => group.files.length > 0)) return;
  const index = config.accounts.indexOf(account);
  throw new ConfigError(file, [
    {
      path: `accounts[${index}].logGroups`,
      message: `no entry of ${account.name} lists files; add files: [{ path: /var/log/secure }] to the log groups your hosts write`,
    },
  ]);
}
