import { logGroupKey } from "../functions/processor/transform";
import { EVENTS_PREFIX } from "./pipeline";

/**
 * Searching the archive with Athena: the layout of `events/` objects, the
 * Glue tables that project it, and the saved hunts. Pure data; the
 * constructs (modules/search.ts), the query command (scripts/query.ts) and
 * the tests read it from here, so the layout Firehose writes, the locations
 * Athena projects and the queries cannot drift apart.
 *
 * Layout (modules/delivery.ts writes it):
 *
 *   events/<yyyy>/<MM>/<dd>/<HH>/account=<id>/logGroup=<key>/<object>.ndjson.gz
 *
 * The delivery hour comes first, so one hour of every account, including
 * accounts of the organization that are not in the config, is one prefix:
 * "Athena reads all data stored in the Amazon S3 folder that you specify"
 * (Athena User Guide, "Specify a table location in Amazon S3",
 * https://docs.aws.amazon.com/athena/latest/ug/tables-location-format.html),
 * subfolders included. Account and log group follow, so one account's (or one
 * log group's) hour is a narrower prefix. `<key>` is logGroupKey of the log
 * group name (functions/processor/transform.ts).
 *
 * The hour is Firehose's: `!{timestamp:...}` is "the approximate arrival
 * timestamp" of the record, in UTC (Firehose Developer Guide, "Understand
 * custom prefixes for Amazon S3 objects",
 * https://docs.aws.amazon.com/firehose/latest/dev/s3-prefixes.html), not the
 * log event's time. Hunts therefore bound both: the delivery hours (what
 * Athena reads) and the event timestamps (what it returns), the hours
 * widened by DELIVERY_LAG_HOURS past the window's end.
 */

/** Firehose's time path, UTC (the `!{timestamp:...}` namespace uses Java DateTimeFormatter patterns). */
export const DELIVERY_HOUR_FORMAT = "yyyy/MM/dd/HH";
export const DELIVERY_HOUR_PATH = "!{timestamp:yyyy}/!{timestamp:MM}/!{timestamp:dd}/!{timestamp:HH}/";
/** Partition keys the processor returns (functions/processor/transform.ts, PartitionKeys). */
export const EVENTS_SOURCE_PATH =
  "account=!{partitionKeyFromLambda:account}/logGroup=!{partitionKeyFromLambda:logGroup}/";
/** The events format's Firehose prefix. */
export const EVENTS_OBJECT_PREFIX = `${EVENTS_PREFIX}${DELIVERY_HOUR_PATH}${EVENTS_SOURCE_PATH}`;

/** The prefix EVENTS_OBJECT_PREFIX evaluates to for one delivery hour (`yyyy/MM/dd/HH`), account and log group key. */
export function eventsPartitionPrefix(hour: string, account: string, logGroupKey: string): string {
  return `${EVENTS_PREFIX}${hour}/account=${account}/logGroup=${logGroupKey}/`;
}

/**
 * The first delivery hour the tables project. Hours before it are never read;
 * a query without an hour condition lists every hour from here to now, which
 * is why every hunt states its hours.
 */
export const PROJECTION_START_HOUR = "2026/01/01/00";

/**
 * How many hours after an event its record may still be delivered: Firehose
 * buffers up to 900 s, and a stream backlog or a processor retry adds more.
 * Events of a window are looked for in the window's hours plus this many.
 */
export const DELIVERY_LAG_HOURS = 2;

/** A column of the events tables, typed as the processor writes it (functions/processor/transform.ts toNdjson). */
export interface SearchColumn {
  readonly name: string;
  readonly type: "bigint" | "string";
  readonly comment: string;
}

/**
 * Every field of an NDJSON line. Glue column names are lowercase; the OpenX
 * JSON SerDe matches keys case-insensitively by default ("case.insensitive ...
 * The default is TRUE. When set to TRUE, the SerDe converts all uppercase keys
 * to lowercase", Athena User Guide, "OpenX JSON SerDe",
 * https://docs.aws.amazon.com/athena/latest/ug/openx-json-serde.html), so
 * `logGroup` fills `loggroup`. The table states it rather than leaning on the default.
 */
export const EVENT_COLUMNS: readonly SearchColumn[] = [
  { name: "timestamp", type: "bigint", comment: "event time, milliseconds since 1970 UTC (CloudWatch Logs)" },
  { name: "message", type: "string", comment: "the log event's message, as sent" },
  { name: "account", type: "string", comment: "account that owns the log group" },
  { name: "region", type: "string", comment: "region of the log group" },
  { name: "loggroup", type: "string", comment: "log group name (JSON key logGroup)" },
  { name: "logstream", type: "string", comment: "log stream name (JSON key logStream)" },
  { name: "id", type: "string", comment: "CloudWatch Logs event id" },
];

export type PartitionColumnName = "delivery_hour" | "account_id" | "log_group_key";

/** A projected partition column: its Athena projection and its place in the key. */
export interface PartitionColumn {
  readonly name: PartitionColumnName;
  readonly comment: string;
  /** `projection.<name>.*` table properties (Athena User Guide, "Supported types for partition projection"). */
  readonly projection: Readonly<Record<string, string>>;
  /** Path segment(s) with `${name}` where the value goes. */
  readonly path: string;
}

export const PARTITION_COLUMNS: Readonly<Record<PartitionColumnName, PartitionColumn>> = {
  delivery_hour: {
    name: "delivery_hour",
    comment: `hour Firehose delivered the record, UTC, ${DELIVERY_HOUR_FORMAT}`,
    projection: {
      type: "date",
      format: DELIVERY_HOUR_FORMAT,
      range: `${PROJECTION_START_HOUR},NOW`,
      interval: "1",
      "interval.unit": "HOURS",
    },
    path: "${delivery_hour}/",
  },
  // Injected: any account (organization mode ships accounts the config does not list); a query must name one.
  account_id: {
    name: "account_id",
    comment: "account id of the key (equals account)",
    projection: { type: "injected" },
    path: "account=${account_id}/",
  },
  log_group_key: {
    name: "log_group_key",
    comment: "the log group's key segment (logGroupKey of loggroup)",
    projection: { type: "injected" },
    path: "logGroup=${log_group_key}/",
  },
};

export type SearchTableName = "events" | "events_by_account" | "events_by_log_group";

export interface SearchTable {
  readonly name: SearchTableName;
  readonly description: string;
  readonly partitions: readonly PartitionColumnName[];
}

/**
 * Three tables over the same objects, so each question reads the fewest:
 * Athena's injected type needs an equality value in every query, so a column
 * that some queries leave open (any account) cannot be injected in the table
 * those queries use ("Your query must include at least one value for the
 * partition key", Athena User Guide, "Use dynamic ID partitioning",
 * https://docs.aws.amazon.com/athena/latest/ug/partition-projection-dynamic-id-partitioning.html).
 */
export const SEARCH_TABLES: readonly SearchTable[] = [
  {
    name: "events",
    description: "every event; a query reads the delivery hours it names, of every account",
    partitions: ["delivery_hour"],
  },
  {
    name: "events_by_account",
    description: "one account's events; a query names delivery hours and one account_id",
    partitions: ["delivery_hour", "account_id"],
  },
  {
    name: "events_by_log_group",
    description: "one log group of one account; a query names delivery hours, account_id and log_group_key",
    partitions: ["delivery_hour", "account_id", "log_group_key"],
  },
];

/** `storage.location.template` after the bucket: the table's objects for one value of each partition column. */
export function locationSuffix(table: SearchTable): string {
  return `${EVENTS_PREFIX}${table.partitions.map((name) => PARTITION_COLUMNS[name].path).join("")}`;
}

/** `storage.location.template`, as Athena reads it. */
export function locationTemplate(bucketName: string, table: SearchTable): string {
  return `s3://${bucketName}/${locationSuffix(table)}`;
}

/** The table's root location (Glue's StorageDescriptor.Location). */
export function tableLocation(bucketName: string): string {
  return `s3://${bucketName}/${EVENTS_PREFIX}`;
}

/**
 * The table properties that turn on and describe partition projection.
 * `literal` wraps the template's `${column}` text for the caller's language
 * (Terraform reads `${` as an interpolation; modules/search-catalog.ts escapes it).
 */
export function projectionProperties(
  bucketName: string,
  table: SearchTable,
  literal: (text: string) => string = (text) => text,
): Record<string, string> {
  const properties: Record<string, string> = { "projection.enabled": "true" };
  for (const name of table.partitions)
    for (const [key, value] of Object.entries(PARTITION_COLUMNS[name].projection))
      properties[`projection.${name}.${key}`] = value;
  properties["storage.location.template"] = `s3://${bucketName}/${literal(locationSuffix(table))}`;
  return properties;
}

/** A value a hunt takes; the query command fills them from its options. */
export type HuntParameter =
  "fromHour" | "toHour" | "fromMs" | "toMs" | "account" | "logGroupKey" | "logGroup" | "text";

export interface Hunt {
  readonly name: string;
  readonly description: string;
  readonly table: SearchTableName;
  /** In the order of the `?` placeholders of `sql`. */
  readonly parameters: readonly HuntParameter[];
  /**
   * SQL that Athena (Trino) and DuckDB both run unchanged: `?` placeholders
   * only in WHERE ("Currently, ? parameters can be placed only in the WHERE
   * clause", Athena User Guide, "Use parameterized queries"), identifiers
   * that are keywords double-quoted, `nullif(regexp_extract(...), '')` because
   * Trino returns NULL where DuckDB returns '' for no match.
   */
  readonly sql: string;
}

const WINDOW = `delivery_hour BETWEEN ? AND ?`;
const EVENT_TIME = `"timestamp" BETWEEN ? AND ?`;
const EVENT_FIELDS = `"timestamp", account, region, loggroup, logstream, id, message`;

/** The saved hunts (aws_athena_named_query), each bounded by delivery hours so it stays cheap. */
export const HUNTS: readonly Hunt[] = [
  {
    name: "account-events",
    description: "every event of one account in a time window",
    table: "events_by_account",
    parameters: ["fromHour", "toHour", "account", "fromMs", "toMs"],
    sql: [
      `SELECT ${EVENT_FIELDS}`,
      `FROM events_by_account`,
      `WHERE ${WINDOW}`,
      `  AND account_id = ?`,
      `  AND ${EVENT_TIME}`,
      `ORDER BY "timestamp", id`,
    ].join("\n"),
  },
  {
    name: "log-group-events",
    description: "every event of one log group of one account in a time window",
    table: "events_by_log_group",
    parameters: ["fromHour", "toHour", "account", "logGroupKey", "logGroup", "fromMs", "toMs"],
    sql: [
      `SELECT ${EVENT_FIELDS}`,
      `FROM events_by_log_group`,
      `WHERE ${WINDOW}`,
      `  AND account_id = ?`,
      `  AND log_group_key = ?`,
      `  AND loggroup = ?`,
      `  AND ${EVENT_TIME}`,
      `ORDER BY "timestamp", id`,
    ].join("\n"),
  },
  {
    name: "text-search",
    description: "events of every account whose message contains a text (case-insensitive) in a time window",
    table: "events",
    parameters: ["fromHour", "toHour", "fromMs", "toMs", "text"],
    sql: [
      `SELECT ${EVENT_FIELDS}`,
      `FROM events`,
      `WHERE ${WINDOW}`,
      `  AND ${EVENT_TIME}`,
      `  AND strpos(lower(message), ?) > 0`,
      `ORDER BY "timestamp", id`,
    ].join("\n"),
  },
  {
    name: "auth-failures",
    description: "sshd and sudo authentication failures of every account in a time window, by source",
    table: "events",
    parameters: ["fromHour", "toHour", "fromMs", "toMs"],
    sql: [
      `SELECT account, program, source, count(*) AS failures, min("timestamp") AS first_seen, max("timestamp") AS last_seen`,
      `FROM (`,
      `  SELECT account, "timestamp",`,
      // OpenSSH 9.8+ logs authentication from `sshd-session[pid]`.
      `    CASE WHEN strpos(message, 'sshd[') > 0 OR strpos(message, 'sshd:') > 0 OR strpos(message, 'sshd-session[') > 0 THEN 'sshd' ELSE 'sudo' END AS program,`,
      `    coalesce(`,
      `      nullif(regexp_extract(message, 'from ([0-9A-Fa-f.:]+) port', 1), ''),`,
      `      nullif(regexp_extract(message, 'rhost=([^ ]+)', 1), ''),`,
      `      nullif(regexp_extract(message, 'sudo(?:\\[[0-9]+\\])?: +([^ ]+) :', 1), ''),`,
      `      nullif(regexp_extract(message, 'ruser=([^ ]+)', 1), ''),`,
      `      'unknown') AS source`,
      `  FROM events`,
      `  WHERE ${WINDOW}`,
      `    AND ${EVENT_TIME}`,
      `    AND (strpos(message, 'sshd') > 0 OR strpos(message, 'sudo') > 0)`,
      `    AND (strpos(message, 'Failed password') > 0`,
      `      OR strpos(message, 'Invalid user') > 0`,
      `      OR strpos(message, 'authentication failure') > 0`,
      `      OR strpos(message, 'incorrect password attempt') > 0)`,
      `) AS failures`,
      `GROUP BY account, program, source`,
      `ORDER BY failures DESC, account, program, source`,
    ].join("\n"),
  },
  {
    name: "events-per-hour",
    description:
      "events per account per delivery hour (an account or hour missing from the rows delivered nothing)",
    table: "events",
    parameters: ["fromHour", "toHour"],
    sql: [
      `SELECT account, delivery_hour, count(*) AS events, count(DISTINCT loggroup) AS log_groups`,
      `FROM events`,
      `WHERE ${WINDOW}`,
      `GROUP BY account, delivery_hour`,
      `ORDER BY account, delivery_hour`,
    ].join("\n"),
  },
];

export function huntNamed(name: string): Hunt | undefined {
  return HUNTS.find((hunt) => hunt.name === name);
}

/** A partition value of delivery_hour for an instant: its UTC hour as Firehose writes it. */
export function deliveryHourOf(instant: Date): string {
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${instant.getUTCFullYear()}/${pad(instant.getUTCMonth() + 1)}/${pad(instant.getUTCDate())}/${pad(instant.getUTCHours())}`;
}

/** What a hunt is asked: a window of event time, and the account, log group and text some hunts take. */
export interface HuntInput {
  readonly from: Date;
  readonly to: Date;
  readonly account?: string;
  readonly logGroup?: string;
  readonly text?: string;
}

/** A parameter's value, typed: strings for Athena to quote, numbers as they are. */
export type HuntValue = string | number;

/**
 * The hunt's parameters in placeholder order. The hours run from the window's
 * start hour to DELIVERY_LAG_HOURS past its end hour; the event times bound
 * the rows exactly. Throws naming the first missing input.
 */
export function huntValues(hunt: Hunt, input: HuntInput): HuntValue[] {
  const lagged = new Date(input.to.getTime() + DELIVERY_LAG_HOURS * 3_600_000);
  const required = (value: string | undefined, option: string): string => {
    if (value === undefined || value === "") throw new Error(`hunt ${hunt.name} needs ${option}`);
    return value;
  };
  return hunt.parameters.map((parameter): HuntValue => {
    switch (parameter) {
      case "fromHour":
        return deliveryHourOf(input.from);
      case "toHour":
        return deliveryHourOf(lagged);
      case "fromMs":
        return input.from.getTime();
      case "toMs":
        return input.to.getTime();
      case "account":
        return required(input.account, "--account");
      case "logGroup":
        return required(input.logGroup, "--log-group");
      case "logGroupKey":
        return logGroupKey(required(input.logGroup, "--log-group"));
      case "text":
        return required(input.text, "--text").toLowerCase();
    }
  });
}

/**
 * A value as Athena's ExecutionParameters take it: SQL literal text. "For SQL
 * execution parameters to be treated as strings, they must be enclosed in
 * single quotes" (Athena User Guide, "Use parameterized queries"); a quote
 * inside is doubled, as in any SQL string literal (Athena User Guide,
 * "SELECT", "Escaping special characters").
 */
export function athenaLiteral(value: HuntValue): string {
  return typeof value === "number" ? String(value) : `'${value.replace(/'/g, "''")}'`;
}

/** Which `npm run query` option fills each parameter (scripts/query.ts). */
const OPTION_OF: Readonly<Record<HuntParameter, string>> = {
  fromHour: "--since",
  toHour: "--until",
  fromMs: "--since",
  toMs: "--until",
  account: "--account",
  logGroupKey: "--log-group",
  logGroup: "--log-group",
  text: "--text",
};

/** The README's table of saved hunts ("Searching the archive"). */
export function huntTable(): string {
  return [
    "| Hunt | Finds | Table (reads) | Options |",
    "| --- | --- | --- | --- |",
    ...HUNTS.map((hunt) => {
      const options = [...new Set(hunt.parameters.map((p) => OPTION_OF[p]))].map((o) => `\`${o}\``).join(" ");
      return `| \`${hunt.name}\` | ${hunt.description} | \`${hunt.table}\` | ${options} |`;
    }),
  ].join("\n");
}
