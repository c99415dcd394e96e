import { resolve } from "node:path";
import { BIGINT, DuckDBConnection, DuckDBInstance, DuckDBType, JS, VARCHAR } from "@duckdb/node-api";
import { EVENTS_PREFIX } from "../../lib/pipeline";
import {
  deliveryHourOf,
  EVENT_COLUMNS,
  Hunt,
  HuntInput,
  HuntValue,
  huntValues,
  PARTITION_COLUMNS,
  PartitionColumn,
  SEARCH_TABLES,
  SearchTable,
} from "../../lib/search";

/**
 * The Athena tables of lib/search.ts, translated to DuckDB views over an
 * archive on local disk, so the saved hunts can be run by the tests.
 *
 * Why: Athena cannot run here (no AWS, no Glue catalog), but DuckDB reads the
 * very objects Firehose writes (multi-member gzip NDJSON) and runs the hunts'
 * SQL unchanged (`?` placeholders, `"timestamp"`, `strpos`, `regexp_extract`,
 * `nullif`: the dialect lib/search.ts keeps to both engines).
 *
 * What: one view per SEARCH_TABLES entry, named as the table, over
 * read_json of every `.ndjson.gz` object below `<root>/events/` (Firehose
 * writes nothing else there: modules/delivery.ts `fileExtension`):
 *
 * - Data columns are EVENT_COLUMNS, typed as in Glue (bigint -> BIGINT,
 *   string -> VARCHAR). The OpenX SerDe matches JSON keys to columns
 *   case-insensitively (modules/search-catalog.ts `case.insensitive`), so
 *   Athena's `loggroup` is filled from the key `logGroup`; DuckDB's read_json
 *   matches keys exactly (a `loggroup` column reads NULL), so each column is
 *   read from the written key equal to it up to case (WRITTEN_KEYS) and named
 *   as Glue names it.
 * - Partition columns are not in the data: Athena's projection places each
 *   value in the object's key (`storage.location.template`, i.e.
 *   PARTITION_COLUMNS[...].path after EVENTS_PREFIX), and only objects under
 *   a location the template yields belong to the table. The view reads the
 *   same values back from the object's key with a regular expression built
 *   from those paths: a date projection's value is its format with digits
 *   for the pattern letters, an injected value is one path segment. Objects
 *   whose key does not fit, and hours outside the date projection's `range`
 *   (`NOW` being the current UTC hour), are not in the view.
 * - `hive_partitioning = false`: DuckDB would otherwise read `account=` and
 *   `logGroup=` in the path as columns of their own, replacing the JSON's
 *   `account` (as a number) and `logGroup` (with the key).
 * - Malformed lines fail the query, as `ignore.malformed.json` FALSE does.
 *
 * Hunt parameters are bound positionally as huntValues() returns them:
 * strings as VARCHAR, numbers as BIGINT (Athena's literals: athenaLiteral).
 */

/** The JSON keys the processor writes, in its order (functions/processor/transform.ts toNdjson). */
export const WRITTEN_KEYS = [
  "timestamp",
  "message",
  "account",
  "region",
  "logGroup",
  "logStream",
  "id",
] as const;

const DUCKDB_TYPE: Readonly<Record<(typeof EVENT_COLUMNS)[number]["type"], string>> = {
  bigint: "BIGINT",
  string: "VARCHAR",
};

/** The written key a Glue column is filled from: the one equal to it ignoring case, as the OpenX SerDe matches. */
export function writtenKeyOf(column: string): string {
  const keys = WRITTEN_KEYS.filter((key) => key.toLowerCase() === column.toLowerCase());
  if (keys.length !== 1) throw new Error(`column ${column} matches ${keys.length} written keys`);
  return keys[0];
}

const identifier = (name: string) => `"${name.replace(/"/g, '""')}"`;
const literal = (text: string) => `'${text.replace(/'/g, "''")}'`;
/** Text matched literally by RE2 (DuckDB's regular expressions). */
const regexLiteral = (text: string) => text.replace(/[\\^$.|?*+()[\]{}]/g, "\\$&");

/** A Java DateTimeFormatter pattern of the letters the tables use, as a regular expression of its output. */
function dateFormatPattern(format: string): string {
  return format.replace(/yyyy|MM|dd|HH|[A-Za-z]+|[^A-Za-z]+/g, (token) => {
    if (token === "yyyy") return "[0-9]{4}";
    if (token === "MM" || token === "dd" || token === "HH") return "[0-9]{2}";
    if (/^[A-Za-z]/.test(token))
      throw new Error(`date format ${format}: pattern ${token} has no translation`);
    return regexLiteral(token);
  });
}

/** What a partition column's value looks like in an object key. */
export function valuePattern(column: PartitionColumn): string {
  const projection = column.projection;
  if (projection.type === "date") return dateFormatPattern(projection.format);
  if (projection.type === "injected") return "[^/]+";
  throw new Error(`projection type ${projection.type} of ${column.name} has no translation`);
}

/**
 * The object keys of a table's locations: EVENTS_PREFIX and each partition
 * column's path, its value captured (group i is the table's i-th partition).
 * Anchored at the start only: a location holds the objects below it.
 */
export function locationPattern(table: SearchTable): string {
  const paths = table.partitions.map((name) => {
    const column = PARTITION_COLUMNS[name];
    const [before, after, ...rest] = column.path.split(`\${${name}}`);
    if (after === undefined || rest.length > 0) throw new Error(`path of ${name} must hold \${${name}} once`);
    return `${regexLiteral(before)}(${valuePattern(column)})${regexLiteral(after)}`;
  });
  return `^${regexLiteral(EVENTS_PREFIX)}${paths.join("")}`;
}

/** The first and last values a date projection yields (`range`, `NOW` being the current UTC hour). */
function projectedRange(column: PartitionColumn, now: Date): [string, string] {
  const [start, end] = column.projection.range.split(",").map((bound) => bound.trim());
  const value = (bound: string) => {
    if (bound === "NOW") {
      if (column.projection.format !== "yyyy/MM/dd/HH")
        throw new Error(`NOW for ${column.projection.format}`);
      return deliveryHourOf(now);
    }
    if (!new RegExp(`^${dateFormatPattern(column.projection.format)}$`).test(bound))
      throw new Error(`range bound ${bound} of ${column.name} is not in its format`);
    return bound;
  };
  return [value(start), value(end)];
}

/** The DuckDB view standing for an Athena table over the archive at `root`. */
export function viewSql(root: string, table: SearchTable, now: Date = new Date()): string {
  const base = resolve(root);
  const columns = EVENT_COLUMNS.map(
    (column) => `${identifier(writtenKeyOf(column.name))}: ${literal(DUCKDB_TYPE[column.type])}`,
  );
  const pattern = literal(locationPattern(table));
  const data = EVENT_COLUMNS.map(
    (column) => `${identifier(writtenKeyOf(column.name))} AS ${identifier(column.name)}`,
  );
  const partitions = table.partitions.map(
    (name, i) => `regexp_extract(object_key, ${pattern}, ${i + 1}) AS ${identifier(name)}`,
  );
  const ranges = table.partitions
    .map((name) => PARTITION_COLUMNS[name])
    .filter((column) => column.projection.type === "date")
    .map((column) => {
      const [first, last] = projectedRange(column, now);
      return `  AND ${identifier(column.name)} BETWEEN ${literal(first)} AND ${literal(last)}`;
    });
  return [
    `CREATE OR REPLACE VIEW ${identifier(table.name)} AS`,
    `SELECT * FROM (`,
    `  SELECT ${[...data, ...partitions].join(", ")}`,
    `  FROM (`,
    `    SELECT *, substr(filename, length(${literal(base)}) + 2) AS object_key`,
    `    FROM read_json(${literal(`${base}/${EVENTS_PREFIX}**/*.ndjson.gz`)},`,
    `      format = 'newline_delimited', compression = 'gzip', filename = true, hive_partitioning = false,`,
    `      columns = {${columns.join(", ")}})`,
    `    WHERE starts_with(filename, ${literal(`${base}/`)})`,
    `  ) AS objects`,
    `  WHERE regexp_matches(object_key, ${pattern})`,
    `) AS projected`,
    `WHERE true`,
    ...ranges,
  ].join("\n");
}

/** DuckDB's type for a hunt value: strings VARCHAR, numbers BIGINT. */
function bound(value: HuntValue): { value: string | bigint; type: DuckDBType } {
  if (typeof value === "string") return { value, type: VARCHAR };
  if (!Number.isSafeInteger(value)) throw new Error(`${value} is not an integer`);
  return { value: BigInt(value), type: BIGINT };
}

export interface QueryResult {
  readonly columns: readonly string[];
  /** BIGINT values are bigint, VARCHAR strings. */
  readonly rows: ReadonlyArray<Record<string, JS>>;
}

/** An in-memory DuckDB with one view per search table over the archive at `root`. */
export class DuckDBArchive {
  private constructor(
    private readonly instance: DuckDBInstance,
    private readonly connection: DuckDBConnection,
  ) {}

  static async open(root: string, options: { now?: Date } = {}): Promise<DuckDBArchive> {
    const instance = await DuckDBInstance.create(":memory:");
    const connection = await instance.connect();
    for (const table of SEARCH_TABLES) await connection.run(viewSql(root, table, options.now));
    return new DuckDBArchive(instance, connection);
  }

  /** SQL with `?` placeholders, bound positionally. */
  async query(sql: string, values: readonly HuntValue[] = []): Promise<QueryResult> {
    const params = values.map(bound);
    const reader = await this.connection.runAndReadAll(
      sql,
      params.map((p) => p.value),
      params.map((p) => p.type),
    );
    return { columns: reader.columnNames(), rows: reader.getRowObjectsJS() };
  }

  /** A saved hunt, its SQL unchanged, with the values huntValues gives for the input. */
  hunt(hunt: Hunt, input: HuntInput): Promise<QueryResult> {
    return this.query(hunt.sql, huntValues(hunt, input));
  }

  close(): void {
    this.connection.closeSync();
    this.instance.closeSync();
  }
}
