import { AppAccount, SecLogConfig } from "./config/model";
import { Naming, namingOf } from "./naming";

/**
 * A Mermaid flowchart of one config: accounts and their regions, the
 * destination per region, stream, delivery and bucket, with the names the
 * stacks use (the same Naming), so a reviewer sees what a config change moves.
 */
export function mermaidDiagram(config: SecLogConfig): string {
  const naming = namingOf({ prefix: config.prefix, security: config.security });
  const lines = [
    "flowchart LR",
    ...senderLines(config),
    ...securityLines(config, naming),
    ...vaultLines(config),
    ...config.destinationRegions.map((region) => `  ${id("dest", region)} --> stream`),
    ...pipelineEdges(config),
    ...subscriptionEdges(config),
  ];
  return `${lines.join("\n")}\n`;
}

/** Log group names shown per account before "+N more": enough to recognise, short enough to read. */
export const MAX_GROUPS_SHOWN = 4;

function senderLines(config: SecLogConfig): string[] {
  const org = config.organizationId
    ? [`  org[["any account of ${config.organizationId}<br/>(destination policy admits the organization)"]]`]
    : [];
  return [...org, ...config.accounts.flatMap(accountLines)];
}

function accountLines(account: AppAccount): string[] {
  return [
    `  subgraph ${id("acct", account.name)}["${account.name} (${account.accountId})"]`,
    ...account.regions.map(
      (region) => `    ${id("src", account.name, region)}["${region}<br/>${sourcesOf(account)}"]`,
    ),
    "  end",
  ];
}

function sourcesOf(account: AppAccount): string {
  const names = [...new Set(account.logGroups.map((g) => g.name))];
  const shown = names.slice(0, MAX_GROUPS_SHOWN).map(escape);
  const more = names.length > MAX_GROUPS_SHOWN ? [`+${names.length - MAX_GROUPS_SHOWN} more`] : [];
  const all = account.allLogGroups
    ? [
        `all log groups${account.allLogGroups.exclude.length ? ` except ${account.allLogGroups.exclude.length}` : ""} (account policy)`,
      ]
    : [];
  return [...shown, ...more, ...all].join("<br/>");
}

function securityLines(config: SecLogConfig, naming: Naming): string[] {
  const { stream, delivery, archive } = config;
  const capacity =
    stream.mode === "provisioned" ? `${stream.shards} shard${stream.shards === 1 ? "" : "s"}` : "on-demand";
  const lock = archive.objectLock
    ? `<br/>Object Lock ${archive.objectLock.mode} ${archive.objectLock.days} d`
    : "";
  const expiry =
    archive.expireAfterDays !== undefined ? `, expire ${archive.expireAfterDays} d` : ", kept forever";
  return [
    `  subgraph security["security (${config.security.accountId}), home ${config.security.region}"]`,
    ...config.destinationRegions.map(
      (region) => `    ${id("dest", region)}["destination ${naming.destinationName}<br/>${region}"]`,
    ),
    `    stream["Kinesis ${naming.streamName}<br/>${capacity}, KMS, ${stream.retentionHours} h"]`,
    `    firehose["Firehose ${naming.deliveryStreamName(delivery.format)}<br/>${delivery.format} format, ${delivery.bufferSeconds} s / ${delivery.bufferMiB} MiB"]`,
    ...(delivery.format === "events"
      ? [`    processor["Lambda ${naming.processorName}<br/>NDJSON, partition keys"]`]
      : []),
    `    bucket[("S3 ${archive.bucketName}<br/>SSE-KMS, versioned, TLS-only<br/>Glacier after ${archive.glacierAfterDays} d${expiry}${lock}")]`,
    ...(archive.accessLogs
      ? [`    accesslogs[("S3 ${naming.accessLogsBucketName()}<br/>access logs")]`]
      : []),
    ...(config.objectNotifications
      ? [`    queue["SQS ${naming.objectQueueName}<br/>+ dead-letter queue"]`]
      : []),
    ...(config.alarms ? [`    alarms["alarms → SNS ${naming.alarmTopicName}"]`] : []),
    ...stateLines(config),
    "  end",
  ];
}

function vaultLines(config: SecLogConfig): string[] {
  const replica = config.archive.replica;
  if (!replica) return [];
  const lock = `Object Lock ${replica.objectLock.mode} ${replica.objectLock.days} d`;
  return [
    `  subgraph vault["vault (${replica.accountId}), ${replica.region}"]`,
    `    replica[("S3 ${replica.bucketName}<br/>SSE-KMS (own key), versioned, TLS-only<br/>${lock}")]`,
    "  end",
  ];
}

function stateLines(config: SecLogConfig): string[] {
  const state = config.state;
  if (state.backend !== "s3" || !state.bootstrap) return [];
  return [`    state[("S3 ${state.bucket}<br/>Terraform state (stack: state), ${state.region}")]`];
}

function pipelineEdges(config: SecLogConfig): string[] {
  return [
    "  stream --> firehose --> bucket",
    ...(config.delivery.format === "events" ? ["  firehose <-.-> processor"] : []),
    ...(config.archive.accessLogs ? ["  bucket -. access logs .-> accesslogs"] : []),
    ...(config.objectNotifications ? ["  bucket -. ObjectCreated .-> queue"] : []),
    ...(config.archive.replica ? ["  bucket -- replication --> replica"] : []),
  ];
}

function subscriptionEdges(config: SecLogConfig): string[] {
  const edges = config.accounts.flatMap((account) =>
    account.regions.map(
      (region) => `  ${id("src", account.name, region)} -- subscription --> ${id("dest", region)}`,
    ),
  );
  const org = config.organizationId
    ? config.destinationRegions.map((region) => `  org -.-> ${id("dest", region)}`)
    : [];
  return [...edges, ...org];
}

/** Mermaid node ids: letters, digits and underscores only. */
function id(...parts: string[]): string {
  return parts.join("_").replace(/[^A-Za-z0-9]/g, "_");
}

/** `#` starts an entity in a Mermaid label (`#35;`), and log group names may hold one. */
function escape(text: string): string {
  return text.replace(/#/g, "#35;");
}
