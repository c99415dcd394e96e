import fc from "fast-check";
import { baseConfig } from "./support/fixtures";
import { onlyResource, resourcesOf, StackJson, synthStacks } from "./support/synth";
import { evaluatePrefix } from "./support/firehose-prefix";
import { logGroupKey, transformRecord } from "../functions/processor/transform";
import { gzipSync } from "node:zlib";

/**
 * Firehose and Athena agree on where events are: for records of any account
 * and log group arriving at any time, the key the SYNTHESIZED Firehose prefix
 * gives the object lies under the location the SYNTHESIZED projection
 * properties of each table generate for that record's partition values, and
 * under no location generated for other hours, accounts or log groups.
 * Both sides are read from the synthesized security stack, not from lib/search.ts.
 */

const BUCKET = "secops-security-logs-111111111111";
const ARCHIVE_BUCKET_REFERENCE = /\$\{aws_s3_bucket\.Archive_Bucket_[0-9A-F]+\.bucket\}/g;

const security: StackJson = synthStacks(baseConfig()).security;
const firehosePrefix: string = onlyResource(security, "aws_kinesis_firehose_delivery_stream")
  .extended_s3_configuration.prefix;
const tables = resourcesOf(security, "aws_glue_catalog_table").map(([, body]) => body);

/** A synthesized string as Terraform hands it to AWS: the bucket reference resolved, `$${` unescaped. */
function asApplied(text: string): string {
  return text.replace(ARCHIVE_BUCKET_REFERENCE, BUCKET).replace(/\$\$\{/g, "${");
}

interface Projection {
  readonly template: string;
  readonly columns: readonly string[];
  readonly properties: Record<string, string>;
}

function projectionOf(table: Record<string, any>): Projection {
  const properties: Record<string, string> = Object.fromEntries(
    Object.entries(table.parameters as Record<string, string>).map(([k, v]) => [k, asApplied(v)]),
  );
  return {
    template: properties["storage.location.template"],
    columns: (table.partition_keys as Array<{ name: string }>).map((key) => key.name),
    properties,
  };
}

const pad = (n: number, width = 2) => String(n).padStart(width, "0");

/** Athena's date projection for `yyyy/MM/dd/HH` and 1 HOURS: every hour in [from, to] within the range. */
function projectedHours(p: Projection, column: string, from: Date, to: Date): string[] {
  expect(p.properties[`projection.${column}.type`]).toBe("date");
  expect(p.properties[`projection.${column}.format`]).toBe("yyyy/MM/dd/HH");
  expect(p.properties[`projection.${column}.interval`]).toBe("1");
  expect(p.properties[`projection.${column}.interval.unit`]).toBe("HOURS");
  const [start, end] = p.properties[`projection.${column}.range`].split(",");
  expect(end).toBe("NOW");
  const [y, m, d, h] = start.split("/").map(Number);
  const rangeStart = Date.UTC(y, m - 1, d, h);
  const hours: string[] = [];
  const first = Math.max(Math.floor(from.getTime() / 3_600_000) * 3_600_000, rangeStart);
  for (let t = first; t <= to.getTime(); t += 3_600_000) {
    const at = new Date(t);
    hours.push(
      `${pad(at.getUTCFullYear(), 4)}/${pad(at.getUTCMonth() + 1)}/${pad(at.getUTCDate())}/${pad(at.getUTCHours())}`,
    );
  }
  return hours;
}

/** The locations Athena reads for a query: hours [from, to], and the equality values of injected columns. */
function projectedLocations(
  p: Projection,
  query: { from: Date; to: Date; injected: Record<string, string> },
): string[] {
  let locations = [p.template];
  for (const column of p.columns) {
    const type = p.properties[`projection.${column}.type`];
    const values =
      type === "date"
        ? projectedHours(p, column, query.from, query.to)
        : type === "injected"
          ? [query.injected[column]]
          : (() => {
              throw new Error(`unexpected projection type ${type} of ${column}`);
            })();
    locations = locations.flatMap((location) => values.map((v) => location.split(`\${${column}}`).join(v)));
  }
  return locations;
}

/** The processor's partition keys for an envelope of this account and log group (the real transform). */
function partitionKeysOf(account: string, logGroup: string): Record<string, string> {
  const envelope = {
    messageType: "DATA_MESSAGE",
    owner: account,
    logGroup,
    logStream: "i-0abc",
    subscriptionFilters: ["secops-security-logs-us-east-1"],
    logEvents: [{ id: "1", timestamp: 1_780_000_000_000, message: "m" }],
  };
  const result = transformRecord({
    recordId: "r",
    data: gzipSync(Buffer.from(JSON.stringify(envelope))).toString("base64"),
  });
  if (result.result !== "Ok") throw new Error(`processor refused ${logGroup}`);
  return { ...result.metadata.partitionKeys };
}

function objectKey(partitionKeys: Record<string, string>, arrival: Date): string {
  return `s3://${BUCKET}/${evaluatePrefix(firehosePrefix, { arrival, partitionKeys })}secops-security-logs-1-x.ndjson.gz`;
}

const AWKWARD_LOG_GROUPS = [
  "/var/log/secure",
  "/aws/lambda/pay.ments-api_v2",
  "app#1",
  "a/b/c",
  "x",
  "/",
  "-._",
  "#".repeat(10),
];

const accountArb = fc.stringMatching(/^\d{12}$/);
const logGroupArb = fc.oneof(
  fc.constantFrom(...AWKWARD_LOG_GROUPS),
  fc.stringMatching(/^[.\-_/#A-Za-z0-9]{1,120}$/),
);
// From the projection's first hour to 2100, to the millisecond.
const arrivalArb = fc.date({
  min: new Date("2026-01-01T00:00:00.000Z"),
  max: new Date("2099-12-31T23:59:59.999Z"),
  noInvalidDate: true,
});

describe("the synthesized Firehose prefix and the synthesized projections agree", () => {
  test("the security stack has the three tables, each projecting every partition column it declares", () => {
    expect(tables.map((t) => t.name).sort()).toEqual(["events", "events_by_account", "events_by_log_group"]);
    for (const table of tables) {
      const p = projectionOf(table);
      expect(p.properties["projection.enabled"]).toBe("true");
      for (const column of p.columns) expect(p.template).toContain(`\${${column}}`);
      expect(table.storage_descriptor.location).toMatch(/\/events\/$/);
    }
    // Terraform must receive `$${` (a literal), never a bare `${column}` it would interpolate.
    for (const table of tables)
      expect(table.parameters["storage.location.template"]).not.toMatch(
        /(?<!\$)\$\{(delivery_hour|account_id|log_group_key)\}/,
      );
  });

  test("each record's object lies under its own partition's location in every table, and only there", () => {
    fc.assert(
      fc.property(accountArb, logGroupArb, arrivalArb, accountArb, (account, logGroup, arrival, other) => {
        const keys = partitionKeysOf(account, logGroup);
        expect(keys).toEqual({ account, logGroup: logGroupKey(logGroup) });
        const key = objectKey(keys, arrival);
        const injected = { account_id: account, log_group_key: keys.logGroup };
        for (const table of tables) {
          const p = projectionOf(table);
          const own = projectedLocations(p, { from: arrival, to: arrival, injected });
          expect(own).toHaveLength(1);
          expect(key.startsWith(own[0])).toBe(true);
          // The hour before and after, and another account, project elsewhere.
          const before = new Date(Math.floor(arrival.getTime() / 3_600_000) * 3_600_000 - 1);
          const after = new Date(Math.floor(arrival.getTime() / 3_600_000) * 3_600_000 + 3_600_000);
          for (const hour of [before, after])
            for (const location of projectedLocations(p, { from: hour, to: hour, injected }))
              expect(key.startsWith(location)).toBe(false);
          if (p.columns.includes("account_id") && other !== account)
            for (const location of projectedLocations(p, {
              from: arrival,
              to: arrival,
              injected: { ...injected, account_id: other },
            }))
              expect(key.startsWith(location)).toBe(false);
        }
      }),
      { numRuns: 120 },
    );
  });

  test("a window of hours reads exactly those hours: the hour boundaries, UTC", () => {
    const events = projectionOf(tables.find((t) => t.name === "events")!);
    const keys = partitionKeysOf("222222222222", "/var/log/secure");
    const cases: Array<[string, boolean]> = [
      ["2026-12-01T09:59:59.999Z", false],
      ["2026-12-01T10:00:00.000Z", true],
      ["2026-12-01T11:59:59.999Z", true],
      ["2026-12-01T12:00:00.000Z", false],
      ["2025-12-31T23:59:59.999Z", false], // before the projection's range: never generated
    ];
    const window = {
      from: new Date("2026-12-01T10:00:00Z"),
      to: new Date("2026-12-01T11:59:59Z"),
      injected: {},
    };
    const locations = projectedLocations(events, window);
    expect(locations).toEqual([
      `s3://${BUCKET}/events/2026/12/01/10/`,
      `s3://${BUCKET}/events/2026/12/01/11/`,
    ]);
    for (const [at, read] of cases) {
      const key = objectKey(keys, new Date(at));
      expect([at, locations.some((location) => key.startsWith(location))]).toEqual([at, read]);
    }
  });

  test("organization accounts the config does not list are read by the all-accounts table", () => {
    const events = projectionOf(tables.find((t) => t.name === "events")!);
    const key = objectKey(
      partitionKeysOf("999999999999", "/var/log/secure"),
      new Date("2026-12-01T10:30:00Z"),
    );
    const locations = projectedLocations(events, {
      from: new Date("2026-12-01T10:00:00Z"),
      to: new Date("2026-12-01T10:59:59Z"),
      injected: {},
    });
    expect(locations.some((location) => key.startsWith(location))).toBe(true);
  });
});
