import {
  AthenaClient,
  ColumnInfo,
  GetQueryExecutionCommand,
  GetQueryResultsCommand,
  QueryExecution,
  Row,
  StartQueryExecutionCommand,
  StopQueryExecutionCommand,
} from "@aws-sdk/client-athena";
import { ATHENA_USD_PER_TB_SCANNED } from "../lib/aws-limits";
import { GIB, MIB } from "../lib/capacity/units";
import {
  CONFIG_OPTION,
  CommandResult,
  CommandSpec,
  commandConfig,
  EXIT,
  Output,
  positiveNumber,
  runCommandAsync,
  UsageError,
  WINDOW_OPTIONS,
} from "../lib/cli";
import { ConfigError } from "../lib/config/load";
import { SecLogConfig } from "../lib/config/model";
import { namingOf } from "../lib/naming";
import { parseHour } from "../lib/replay";
import {
  athenaLiteral,
  DELIVERY_LAG_HOURS,
  Hunt,
  HuntInput,
  HuntParameter,
  huntNamed,
  HUNTS,
  huntValues,
} from "../lib/search";
import { closest, plural } from "../lib/text";

const OPTIONS = {
  ...CONFIG_OPTION,
  ...WINDOW_OPTIONS,
  account: { type: "string" },
  "log-group": { type: "string" },
  text: { type: "string" },
  csv: { type: "boolean" },
  json: { type: "boolean" },
  "max-rows": { type: "string" },
  list: { type: "boolean" },
} as const;

/** Test-only: an Athena endpoint (the emulator) instead of AWS's. */
export const ENDPOINT_ENV = "SECLOG_QUERY_ENDPOINT";
export const DEFAULT_MAX_ROWS = 1000;
/** Columns of milliseconds since the epoch that the table also shows as UTC times. */
export const TIME_COLUMNS: readonly string[] = ["timestamp", "first_seen", "last_seen"];
/** GetQueryResults' largest page ("MaxResults ... Maximum value of 1000", Athena API Reference). */
const RESULTS_PAGE_ROWS = 1000;
/** Rows past --max-rows that are counted (page by page) before the count gives up and says "more than". */
export const MORE_ROWS_COUNTED = 10_000;
const TIB = 1024 * GIB;
/** Athena bills "rounded up to the nearest megabyte, with a 10 MB minimum per query" (lib/aws-limits.ts). */
const MIN_BILLED_BYTES = 10 * MIB;

export const QUERY_COMMAND: CommandSpec<typeof OPTIONS> = {
  name: "query",
  synopsis:
    "<hunt> --since <time> [--until <time>] [--account <id>] [--log-group <name>] [--text <text>] [--csv | --json] [--max-rows N] [--config <file>] | --list",
  positionals: [0, 1],
  options: OPTIONS,
  help: `Runs one of the saved hunts (lib/search.ts) in the search workgroup with Athena
and prints its rows. Only the hunt's own SQL runs; the options fill its
parameters, which Athena quotes (ExecutionParameters). Every hunt reads the
delivery hours of the window plus ${DELIVERY_LAG_HOURS} hours (events arrive late); the
workgroup's scan limit (search.scanLimitGiB) cancels a query that reads more.

  --list               print every hunt, what it does and the options it needs; no AWS calls
  --since <time>       start of the window (required): a duration back from now (30m, 2h, 7d),
                       a UTC date (2026-12-01), date and hour (2026-12-01T13), or ISO 8601
                       with Z or an offset (2026-12-01T13:05:00Z)
  --until <time>       end of the window (same forms; default: now)
  --account <id>       the 12-digit account (account-events, log-group-events)
  --log-group <name>   the log group's name (log-group-events)
  --text <text>        text the message contains, any case (text-search)
  --csv                CSV (RFC 4180 quoting, CRLF line ends; NULL is an empty field, an
                       empty string "")
  --json               a JSON array of objects, one per row; integer columns as numbers,
                       NULL as null
  --max-rows N         print at most N rows (default ${DEFAULT_MAX_ROWS}); stderr says how many more,
                       and where Athena wrote all of them (s3://...csv)
  -c, --config <file>  config file (default: $SECLOG_CONFIG, else config/logging.yaml)

The default output is an aligned table: control characters in values are shown
escaped (\\n, \\x1b), and ${TIME_COLUMNS.join(", ")} (milliseconds since 1970)
as UTC times; --csv and --json keep the values as Athena returned them (times in
milliseconds).
Progress (state, time, bytes scanned) and, at the end, the bytes scanned and
their cost at $${ATHENA_USD_PER_TB_SCANNED} per TB go to stderr; only the rows go to stdout.
Ctrl-C stops the query in Athena too.

Run it in the security account (security.region) with credentials of an identity
that may use the workgroup <prefix>-security-logs, such as the analyst role
<prefix>-security-logs-analyst (search.analystPrincipals), AWS SDK default chain.
${ENDPOINT_ENV}=<url> is for the tests only (an Athena emulator).

Exit codes: 0 the query succeeded (also with no rows), 1 config file problem,
search off, or the query failed or was cancelled, 2 bad arguments.`,
};

export type OutputFormat = "table" | "csv" | "json";

/** A command line, checked: the hunt, what it is asked, and how to print the rows. */
export interface QueryRequest {
  readonly hunt: Hunt;
  readonly input: HuntInput;
  readonly format: OutputFormat;
  readonly maxRows: number;
}

/** The option values of the command line (parseArgs'). */
export interface QueryOptions {
  readonly since?: string;
  readonly until?: string;
  readonly account?: string;
  readonly "log-group"?: string;
  readonly text?: string;
  readonly csv?: boolean;
  readonly json?: boolean;
  readonly "max-rows"?: string;
}

const DURATION_MS: Readonly<Record<string, number>> = { m: 60_000, h: 3_600_000, d: 86_400_000 };

/** `30m`, `2h`, `7d`: a positive whole number of minutes, hours or days, in milliseconds. */
export function parseDuration(text: string): number | undefined {
  const match = /^([1-9]\d*)([mhd])$/.exec(text);
  return match ? Number(match[1]) * DURATION_MS[match[2]] : undefined;
}

/** A `--since`/`--until` value: a duration back from `now`, or a time parseHour reads. */
export function parseTime(text: string, now: Date): Date | undefined {
  const duration = parseDuration(text);
  return duration === undefined ? parseHour(text) : new Date(now.getTime() - duration);
}

function timeOption(value: string, option: string, now: Date): Date {
  const time = parseTime(value, now);
  if (!time)
    throw new UsageError(
      `--${option} must be a duration back from now (30m, 2h, 7d), a UTC date (2026-12-01), date and hour (2026-12-01T13), or ISO 8601 time with Z or an offset, got "${value}"`,
    );
  return time;
}

/** The options each hunt parameter comes from. */
const OPTION_OF: Readonly<Record<HuntParameter, string>> = {
  fromHour: "--since",
  toHour: "--since",
  fromMs: "--since",
  toMs: "--since",
  account: "--account",
  logGroup: "--log-group",
  logGroupKey: "--log-group",
  text: "--text",
};
const VALUE_OF: Readonly<Record<string, string>> = {
  "--since": "<time>",
  "--account": "<id>",
  "--log-group": "<name>",
  "--text": "<text>",
};

/** The options a hunt needs, in the order it takes them: `--since` first. */
export function huntOptions(hunt: Hunt): string[] {
  return [...new Set(hunt.parameters.map((parameter) => OPTION_OF[parameter]))];
}

function huntFor(name: string | undefined): Hunt {
  if (name === undefined) throw new UsageError("name a hunt (--list shows every hunt)");
  const hunt = huntNamed(name);
  if (hunt) return hunt;
  const names = HUNTS.map((h) => h.name);
  const near = closest(name, names);
  throw new UsageError(
    near
      ? `unknown hunt "${name}"; did you mean ${near}? (--list shows every hunt)`
      : `unknown hunt "${name}"; the hunts are ${names.join(", ")} (--list shows what each does)`,
  );
}

/** An option given to a hunt that would ignore it: the rows would not be what the operator asked. */
function refuseUnused(hunt: Hunt, options: QueryOptions): void {
  const needs = huntOptions(hunt);
  for (const option of ["account", "log-group", "text"] as const)
    if (options[option] !== undefined && !needs.includes(`--${option}`))
      throw new UsageError(`hunt ${hunt.name} does not take --${option} (--list shows what each hunt takes)`);
}

function outputFormat(options: QueryOptions): OutputFormat {
  if (options.csv && options.json) throw new UsageError("--csv and --json exclude each other");
  return options.csv ? "csv" : options.json ? "json" : "table";
}

function maxRowsOption(value: string | undefined): number {
  if (value === undefined) return DEFAULT_MAX_ROWS;
  const rows = positiveNumber(value, "max-rows");
  if (!Number.isInteger(rows)) throw new UsageError(`--max-rows must be a whole number, got "${value}"`);
  return rows;
}

/** The command line as a request, or a UsageError naming what is wrong. */
export function parseRequest(positionals: readonly string[], options: QueryOptions, now: Date): QueryRequest {
  const hunt = huntFor(positionals[0]);
  if (options.since === undefined) throw new UsageError("--since is required (e.g. --since 2h)");
  const from = timeOption(options.since, "since", now);
  const to = options.until === undefined ? now : timeOption(options.until, "until", now);
  if (from.getTime() >= to.getTime()) throw new UsageError("--since must be before --until");
  if (options.account !== undefined && !/^\d{12}$/.test(options.account))
    throw new UsageError(`--account must be a 12-digit account id, got "${options.account}"`);
  refuseUnused(hunt, options);
  const input: HuntInput = {
    from,
    to,
    account: options.account,
    logGroup: options["log-group"],
    text: options.text,
  };
  try {
    huntValues(hunt, input);
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  return { hunt, input, format: outputFormat(options), maxRows: maxRowsOption(options["max-rows"]) };
}

/** `--list`: every hunt, the options it needs and what it does. */
export function listHunts(): string {
  const width = Math.max(...HUNTS.map((hunt) => hunt.name.length)) + 2;
  const entries = HUNTS.map((hunt) => {
    const options = huntOptions(hunt)
      .map((option) => `${option} ${VALUE_OF[option]}`)
      .join(" ");
    return `  ${hunt.name.padEnd(width)}${options} [--until <time>]\n  ${" ".repeat(width)}${hunt.description}\n`;
  });
  return `hunts (npm run query -- <hunt> <options>):\n\n${entries.join("")}`;
}

// ---------------------------------------------------------------- rows and their formats

export interface ResultColumn {
  readonly name: string;
  /** Athena's type of the column (ColumnInfo.Type), e.g. bigint, varchar. */
  readonly type: string;
}

/** A query's rows as Athena returns them: text, or null for NULL. */
export interface ResultTable {
  readonly columns: readonly ResultColumn[];
  readonly rows: ReadonlyArray<ReadonlyArray<string | null>>;
}

const INTEGER_TYPES = new Set(["tinyint", "smallint", "integer", "int", "bigint"]);
const isInteger = (column: ResultColumn) => INTEGER_TYPES.has(column.type.toLowerCase());

/** Control characters as escapes, so a log message cannot move the cursor or recolour the terminal. */
export function visible(text: string): string {
  const named: Record<string, string> = { "\n": "\\n", "\r": "\\r", "\t": "\\t", "\\": "\\\\" };
  // eslint-disable-next-line no-control-regex
  return text.replace(/[\u0000-\u001f\u007f-\u009f\\]/g, (c) => {
    return named[c] ?? `\\x${c.charCodeAt(0).toString(16).padStart(2, "0")}`;
  });
}

/** A table cell: time columns of whole milliseconds as ISO UTC, other values made visible. */
function tableCell(column: ResultColumn, value: string | null): string {
  if (value === null) return "";
  if (TIME_COLUMNS.includes(column.name) && /^-?\d+$/.test(value)) {
    const time = new Date(Number(value));
    if (!Number.isNaN(time.getTime())) return time.toISOString();
  }
  return visible(value);
}

/** Aligned columns two spaces apart, integers (not times) right-aligned, a dashed rule under the header, no trailing spaces. */
export function formatTable(table: ResultTable): string {
  if (table.columns.length === 0) return "";
  const cells = [
    table.columns.map((column) => visible(column.name)),
    ...table.rows.map((row) => table.columns.map((column, i) => tableCell(column, row[i] ?? null))),
  ];
  const length = (text: string) => [...text].length;
  const widths = table.columns.map((_, i) => Math.max(...cells.map((row) => length(row[i]))));
  // Counts right, times (shown as ISO text) and words left.
  const rightAligned = table.columns.map(
    (column) => isInteger(column) && !TIME_COLUMNS.includes(column.name),
  );
  const line = (row: readonly string[]) =>
    row
      .map((cell, i) => {
        const pad = " ".repeat(widths[i] - length(cell));
        return rightAligned[i] ? pad + cell : cell + pad;
      })
      .join("  ")
      .trimEnd();
  const rule = widths.map((width) => "-".repeat(width)).join("  ");
  return [line(cells[0]), rule, ...cells.slice(1).map(line)].map((l) => `${l}\n`).join("");
}

/** One CSV field: quoted when it holds a quote, comma, CR or LF (RFC 4180), and when empty (NULL is the unquoted empty field). */
function csvField(value: string | null): string {
  if (value === null) return "";
  return value === "" || /[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

/** RFC 4180: a header line, then a line per row, each ended by CRLF. */
export function formatCsv(table: ResultTable): string {
  return [table.columns.map((column) => column.name), ...table.rows]
    .map((row) => `${row.map((value) => csvField(value ?? null)).join(",")}\r\n`)
    .join("");
}

function jsonValue(column: ResultColumn, value: string | null): string | number | null {
  if (value === null || !isInteger(column) || !/^-?\d+$/.test(value)) return value;
  const number = Number(value);
  return Number.isSafeInteger(number) ? number : value;
}

/** An array of objects keyed by column name; C1 control characters escaped too (JSON.stringify leaves them). */
export function formatJson(table: ResultTable): string {
  const objects = table.rows.map((row) =>
    Object.fromEntries(table.columns.map((column, i) => [column.name, jsonValue(column, row[i] ?? null)])),
  );
  const text = JSON.stringify(objects, null, 2).replace(
    /[\u007f-\u009f\u2028\u2029]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`,
  );
  return `${text}\n`;
}

export function formatRows(table: ResultTable, format: OutputFormat): string {
  return format === "csv" ? formatCsv(table) : format === "json" ? formatJson(table) : formatTable(table);
}

/** `0 B`, `512 B`, `1.5 KiB`, `12.3 MiB`, `1.0 GiB`: binary units, as AWS bills them. */
export function humanBytes(bytes: number): string {
  const units = ["B", "KiB", "MiB", "GiB", "TiB", "PiB"];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return unit === 0 ? `${value} B` : `${value.toFixed(1)} ${units[unit]}`;
}

/** What Athena charges for a query that scanned `bytes`: whole MiB, at least 10 MiB, at ATHENA_USD_PER_TB_SCANNED. */
export function scanCost(bytes: number): { readonly billedBytes: number; readonly usd: number } {
  const billedBytes = Math.max(Math.ceil(bytes / MIB) * MIB, MIN_BILLED_BYTES);
  return { billedBytes, usd: (billedBytes / TIB) * ATHENA_USD_PER_TB_SCANNED };
}

/** The closing line on stderr: rows (`atLeast`: counting stopped), bytes scanned and their cost. */
export function scanSummary(rows: number, bytes: number, atLeast = false): string {
  const { billedBytes, usd } = scanCost(bytes);
  const dollars = usd >= 0.01 ? usd.toFixed(2) : usd.toFixed(6);
  const minimum =
    billedBytes > bytes && billedBytes === MIN_BILLED_BYTES ? ", Athena's minimum per query" : "";
  return `query: ${atLeast ? "more than " : ""}${plural(rows, "row")}; scanned ${humanBytes(bytes)}, billed as ${humanBytes(billedBytes)}${minimum}: $${dollars} at $${ATHENA_USD_PER_TB_SCANNED} per TB`;
}

/** The wait before poll `attempt` (0, 1, ...): 250 ms doubling to at most 3 s. */
export function pollDelay(attempt: number): number {
  return Math.min(250 * 2 ** attempt, 3000);
}

const SCAN_LIMIT = /bytes scanned limit|data usage|scan(ned)? limit|BytesScannedCutoff/i;

/** Why a query ended FAILED or CANCELLED, in Athena's words, with what to do about the scan limit when that was it. */
export function failureMessage(execution: QueryExecution, config: SecLogConfig): string {
  const status = execution.Status ?? {};
  const reason = status.StateChangeReason ?? status.AthenaError?.ErrorMessage ?? "Athena gave no reason";
  const lines = [`query: ${execution.QueryExecutionId ?? "?"} ${status.State ?? "?"}: ${reason}`];
  if (SCAN_LIMIT.test(reason)) {
    const limit = config.search ? humanBytes(config.search.bytesScannedCutoff) : "?";
    lines.push(
      `query: the workgroup's per-query scan limit (search.scanLimitGiB: ${limit}) stopped it: narrow --since/--until, use a hunt that names --account or --log-group, or raise search.scanLimitGiB and deploy the security stack`,
    );
  }
  return `${lines.join("\n")}\n`;
}

// ---------------------------------------------------------------- Athena

export interface RunOptions {
  /** The time durations count back from, and elapsed time is measured with. Default: the clock. */
  readonly now?: () => Date;
  readonly sleep?: (ms: number) => Promise<void>;
  /** Aborted: the query is stopped in Athena (Ctrl-C). */
  readonly signal?: AbortSignal;
}

interface Context {
  readonly athena: AthenaClient;
  readonly config: SecLogConfig;
  readonly out: Output;
  readonly now: () => Date;
  readonly sleep: (ms: number) => Promise<void>;
  readonly signal?: AbortSignal;
}

/** An AWS call that failed (credentials, permissions, no workgroup, network): exit 1 with its message. */
class AwsCallError extends Error {}

async function call<T>(what: string, request: () => Promise<T>): Promise<T> {
  try {
    return await request();
  } catch (error) {
    const { name, message } = error as Error;
    throw new AwsCallError(`Athena ${what} failed: ${name}: ${message}`);
  }
}

export async function run(
  argv: readonly string[],
  env: NodeJS.ProcessEnv = process.env,
  out: Output = process,
  options: RunOptions = {},
): Promise<number> {
  const now = options.now ?? (() => new Date());
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  return runCommandAsync(
    QUERY_COMMAND,
    argv,
    async ({ values, positionals }) => {
      if (values.list) {
        if (positionals.length > 0) throw new UsageError("--list takes no hunt");
        return listHunts();
      }
      const request = parseRequest(positionals, values, now());
      const { file, config } = commandConfig(values.config, env);
      if (!config.search) throw new ConfigError(file, [{ path: "", message: searchOffMessage(config) }]);
      const athena = new AthenaClient({
        region: config.security.region,
        ...(env[ENDPOINT_ENV] ? { endpoint: env[ENDPOINT_ENV] } : {}),
      });
      try {
        return await query({ athena, config, out, now, sleep, signal: options.signal }, request);
      } catch (error) {
        if (!(error instanceof AwsCallError)) throw error;
        out.stderr.write(
          `query: ${error.message}\nquery: run it with credentials of the security account that may use workgroup ${namingOf(config).searchWorkgroupName} in ${config.security.region}\n`,
        );
        return { stdout: "", code: EXIT.failure };
      } finally {
        athena.destroy();
      }
    },
    out,
  );
}

function searchOffMessage(config: SecLogConfig): string {
  return config.delivery.format === "raw"
    ? "search is off: delivery.format is raw, and raw objects have nothing for Athena to project; set delivery.format: events (the default), then npx cdktf deploy security"
    : "search is off (search.enabled: false): remove it or set search.enabled: true, then npx cdktf deploy security";
}

async function query(context: Context, request: QueryRequest): Promise<CommandResult> {
  const id = await startHunt(context, request);
  const execution = await waitFor(context, id);
  if (execution.Status?.State !== "SUCCEEDED") {
    context.out.stderr.write(failureMessage(execution, context.config));
    return { stdout: "", code: EXIT.failure };
  }
  const results = await fetchResults(context.athena, id, request.maxRows);
  context.out.stdout.write(formatRows(results.table, request.format));
  if (results.more > 0) context.out.stderr.write(moreRowsNote(results, request.maxRows, execution));
  const rows = results.table.rows.length + results.more;
  const scanned = execution.Statistics?.DataScannedInBytes ?? 0;
  context.out.stderr.write(`${scanSummary(rows, scanned, !results.complete)}\n`);
  return { stdout: "" };
}

async function startHunt(context: Context, request: QueryRequest): Promise<string> {
  const naming = namingOf(context.config);
  const started = await call("StartQueryExecution", () =>
    context.athena.send(
      new StartQueryExecutionCommand({
        QueryString: request.hunt.sql,
        QueryExecutionContext: { Database: naming.searchDatabaseName, Catalog: "AwsDataCatalog" },
        WorkGroup: naming.searchWorkgroupName,
        // No ResultConfiguration: the workgroup enforces its own (modules/search-workgroup.ts).
        ExecutionParameters: huntValues(request.hunt, request.input).map(athenaLiteral),
      }),
    ),
  );
  const id = started.QueryExecutionId!;
  context.out.stderr.write(
    `query: ${request.hunt.name} from ${request.input.from.toISOString()} to ${request.input.to.toISOString()}: query ${id} in workgroup ${naming.searchWorkgroupName}, ${context.config.security.region}\n`,
  );
  return id;
}

const TERMINAL_STATES = new Set(["SUCCEEDED", "FAILED", "CANCELLED"]);

/** Polls until the query ends, a progress line per poll; stops the query when the signal aborts. */
async function waitFor(context: Context, id: string): Promise<QueryExecution> {
  const started = context.now().getTime();
  for (let attempt = 0; ; attempt++) {
    await context.sleep(pollDelay(attempt));
    if (context.signal?.aborted) return stop(context, id);
    const { QueryExecution: execution } = await call("GetQueryExecution", () =>
      context.athena.send(new GetQueryExecutionCommand({ QueryExecutionId: id })),
    );
    const state = execution?.Status?.State ?? "UNKNOWN";
    const elapsed = ((context.now().getTime() - started) / 1000).toFixed(1);
    const scanned = humanBytes(execution?.Statistics?.DataScannedInBytes ?? 0);
    context.out.stderr.write(`query: ${state}, ${elapsed} s, ${scanned} scanned\n`);
    if (TERMINAL_STATES.has(state)) return execution!;
  }
}

async function stop(context: Context, id: string): Promise<QueryExecution> {
  await call("StopQueryExecution", () =>
    context.athena.send(new StopQueryExecutionCommand({ QueryExecutionId: id })),
  );
  return {
    QueryExecutionId: id,
    Status: {
      State: "CANCELLED",
      StateChangeReason: "interrupted: the query was stopped (StopQueryExecution)",
    },
  };
}

export interface FetchedResults {
  readonly table: ResultTable;
  /** Rows past --max-rows, counted. */
  readonly more: number;
  /** False when counting stopped at MORE_ROWS_COUNTED: `more` is a lower bound. */
  readonly complete: boolean;
}

const cellsOf = (row: Row): Array<string | null> =>
  (row.Data ?? []).map((datum) => datum.VarCharValue ?? null);

function columnsOf(
  header: ReadonlyArray<string | null> | undefined,
  info: readonly ColumnInfo[],
): ResultColumn[] {
  const names = header ?? info.map((column) => column.Name ?? "");
  return names.map((name, i) => ({ name: name ?? "", type: info[i]?.Type ?? "varchar" }));
}

/** Pages GetQueryResults: the first row of the first page is the header; rows past maxRows are only counted. */
export async function fetchResults(
  athena: Pick<AthenaClient, "send">,
  id: string,
  maxRows: number,
): Promise<FetchedResults> {
  const rows: Array<Array<string | null>> = [];
  let columns: ResultColumn[] | undefined;
  let more = 0;
  let token: string | undefined;
  do {
    const page = await call("GetQueryResults", () =>
      athena.send(
        new GetQueryResultsCommand({ QueryExecutionId: id, NextToken: token, MaxResults: RESULTS_PAGE_ROWS }),
      ),
    );
    const pageRows = (page.ResultSet?.Rows ?? []).map(cellsOf);
    if (!columns) columns = columnsOf(pageRows.shift(), page.ResultSet?.ResultSetMetadata?.ColumnInfo ?? []);
    const room = Math.max(maxRows - rows.length, 0);
    rows.push(...pageRows.slice(0, room));
    more += Math.max(pageRows.length - room, 0);
    token = page.NextToken;
  } while (token && more < MORE_ROWS_COUNTED);
  return { table: { columns: columns ?? [], rows }, more, complete: token === undefined };
}

/** Rows past --max-rows: how many, and where Athena wrote every row. */
export function moreRowsNote(results: FetchedResults, maxRows: number, execution: QueryExecution): string {
  const location = execution.ResultConfiguration?.OutputLocation;
  const count = results.complete ? plural(results.more, "more row") : `more than ${results.more} more rows`;
  return `query: ${count} not printed (--max-rows ${maxRows}); ${
    location ? `all rows are in ${location}` : "Athena gave no results location"
  }\n`;
}

if (require.main === module) {
  const controller = new AbortController();
  process.once("SIGINT", () => controller.abort());
  void run(process.argv.slice(2), process.env, process, { signal: controller.signal }).then(
    (code) => (process.exitCode = code),
  );
}
