import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { gunzipSync, gzipSync, inflateRawSync } from "node:zlib";
import { logGroupKey, logGroupOfKey } from "../functions/processor/transform";
import {
  DELIVERY_LAG_HOURS,
  deliveryHourOf,
  EVENT_COLUMNS,
  Hunt,
  HuntInput,
  huntNamed,
  HUNTS,
  huntValues,
  PROJECTION_START_HOUR,
  SEARCH_TABLES,
} from "../lib/search";
import {
  ArchiveObject,
  at,
  buildArchive,
  FIXTURE_ACCOUNTS,
  FIXTURE_EVENTS,
  FIXTURE_RECORDS,
  FixtureEvent,
  FixtureRecord,
  ORG_ONLY,
  PAYMENTS,
  WEB,
} from "./support/archive-fixture";
import { DuckDBArchive, locationPattern, QueryResult, viewSql, WRITTEN_KEYS } from "./support/duckdb-archive";

/**
 * Every saved hunt of lib/search.ts, its SQL unchanged, run by DuckDB over an
 * archive the real processor and the real Firehose prefix wrote
 * (support/archive-fixture.ts; the translation of the tables is
 * support/duckdb-archive.ts). Each expected answer is computed here from the
 * fixture's input events by what the hunt is documented to find, never read
 * back from a query.
 */

const HOUR_MS = 3_600_000;
/** The tests' window: 09:00:00.000 to 11:30:00.000 on the fixture's day, both ends included. */
const FROM = new Date(at("09:00:00.000"));
const TO = new Date(at("11:30:00.000"));
const WINDOW = { from: FROM, to: TO } as const;

let root: string;
let objects: ArchiveObject[];
let archive: DuckDBArchive;

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), "seclog-archive-"));
  objects = buildArchive(root);
  archive = await DuckDBArchive.open(root);
});

afterAll(() => {
  archive?.close();
  if (root) rmSync(root, { recursive: true, force: true });
});

const hunt = (name: string): Hunt => {
  const found = huntNamed(name);
  if (!found) throw new Error(`no hunt ${name}`);
  return found;
};

const inWindow = (event: FixtureEvent, input: HuntInput) =>
  event.timestamp >= input.from.getTime() && event.timestamp <= input.to.getTime();

/** The delivery hours a query with this window reads: its first hour to DELIVERY_LAG_HOURS past its last. */
function hoursRead(input: HuntInput): string[] {
  const hours: string[] = [];
  const last = Math.floor(input.to.getTime() / HOUR_MS) + DELIVERY_LAG_HOURS;
  for (let hour = Math.floor(input.from.getTime() / HOUR_MS); hour <= last; hour++)
    hours.push(deliveryHourOf(new Date(hour * HOUR_MS)));
  return hours;
}

/** The columns of the event hunts, in the order the hunts select them. */
const EVENT_ROW_COLUMNS = ["timestamp", "account", "region", "loggroup", "logstream", "id", "message"];

const eventRow = (event: FixtureEvent) => ({
  timestamp: BigInt(event.timestamp),
  account: event.account,
  region: event.region,
  loggroup: event.logGroup,
  logstream: event.logStream,
  id: event.id,
  message: event.message,
});

/** ORDER BY "timestamp", id (ids are ASCII digits: code-unit order is DuckDB's and Athena's). */
const byTimeThenId = (a: FixtureEvent, b: FixtureEvent) =>
  a.timestamp - b.timestamp || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

const compare = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

function eventsAnswer(keep: (event: FixtureEvent) => boolean): QueryResult {
  return {
    columns: EVENT_ROW_COLUMNS,
    rows: FIXTURE_EVENTS.filter(keep).sort(byTimeThenId).map(eventRow),
  };
}

/** auth-failures: the failures a reader of each line names, counted by account, program and source. */
function authFailuresAnswer(input: HuntInput): QueryResult {
  const groups = new Map<string, { account: string; program: string; source: string; times: number[] }>();
  for (const event of FIXTURE_EVENTS) {
    if (!event.auth || !inWindow(event, input)) continue;
    const key = JSON.stringify([event.account, event.auth.program, event.auth.source]);
    const group = groups.get(key) ?? { account: event.account, ...event.auth, times: [] };
    group.times.push(event.timestamp);
    groups.set(key, group);
  }
  const rows = [...groups.values()]
    .sort(
      (a, b) =>
        b.times.length - a.times.length ||
        compare(a.account, b.account) ||
        compare(a.program, b.program) ||
        compare(a.source, b.source),
    )
    .map((g) => ({
      account: g.account,
      program: g.program,
      source: g.source,
      failures: BigInt(g.times.length),
      first_seen: BigInt(Math.min(...g.times)),
      last_seen: BigInt(Math.max(...g.times)),
    }));
  return { columns: ["account", "program", "source", "failures", "first_seen", "last_seen"], rows };
}

/** events-per-hour: every event delivered in an hour read, whatever its time, by account and delivery hour. */
function eventsPerHourAnswer(input: HuntInput): QueryResult {
  const hours = new Set(hoursRead(input));
  const groups = new Map<string, { account: string; hour: string; events: number; logGroups: Set<string> }>();
  for (const event of FIXTURE_EVENTS) {
    if (!hours.has(event.deliveryHour)) continue;
    const key = `${event.account} ${event.deliveryHour}`;
    const group = groups.get(key) ?? {
      account: event.account,
      hour: event.deliveryHour,
      events: 0,
      logGroups: new Set<string>(),
    };
    group.events += 1;
    group.logGroups.add(event.logGroup);
    groups.set(key, group);
  }
  const rows = [...groups.values()]
    .sort((a, b) => compare(a.account, b.account) || compare(a.hour, b.hour))
    .map((g) => ({
      account: g.account,
      delivery_hour: g.hour,
      events: BigInt(g.events),
      log_groups: BigInt(g.logGroups.size),
    }));
  return { columns: ["account", "delivery_hour", "events", "log_groups"], rows };
}

interface HuntCase {
  readonly title: string;
  readonly input: HuntInput;
  readonly expected: () => QueryResult;
}

const LAMBDA = "/aws/lambda/pay.ments-api_v2";

/** Realistic questions for each hunt, keyed by hunt name. */
const CASES: Readonly<Record<string, readonly HuntCase[]>> = {
  "account-events": [
    {
      title: "a configured account's events in the window, the late record included",
      input: { ...WINDOW, account: PAYMENTS },
      expected: () => eventsAnswer((e) => e.account === PAYMENTS && inWindow(e, WINDOW)),
    },
    {
      title: "an account only in the organization",
      input: { ...WINDOW, account: ORG_ONLY },
      expected: () => eventsAnswer((e) => e.account === ORG_ONLY && inWindow(e, WINDOW)),
    },
  ],
  "log-group-events": [
    {
      title: `${LAMBDA}: dots, dashes and underscores, and a record delivered an hour late`,
      input: { ...WINDOW, account: PAYMENTS, logGroup: LAMBDA },
      expected: () =>
        eventsAnswer((e) => e.account === PAYMENTS && e.logGroup === LAMBDA && inWindow(e, WINDOW)),
    },
    {
      title: "app#1 of one account, not the other account's app#1",
      input: { ...WINDOW, account: PAYMENTS, logGroup: "app#1" },
      expected: () =>
        eventsAnswer((e) => e.account === PAYMENTS && e.logGroup === "app#1" && inWindow(e, WINDOW)),
    },
    {
      title: "app#1 of the organization-only account",
      input: { ...WINDOW, account: ORG_ONLY, logGroup: "app#1" },
      expected: () =>
        eventsAnswer((e) => e.account === ORG_ONLY && e.logGroup === "app#1" && inWindow(e, WINDOW)),
    },
    {
      title: "a/b/c, a name without a leading slash",
      input: { ...WINDOW, account: WEB, logGroup: "a/b/c" },
      expected: () => eventsAnswer((e) => e.account === WEB && e.logGroup === "a/b/c" && inWindow(e, WINDOW)),
    },
  ],
  "text-search": [
    {
      title: "FAILED, in any case, in every account",
      input: { ...WINDOW, text: "FAILED" },
      expected: () => eventsAnswer((e) => e.message.toLowerCase().includes("failed") && inWindow(e, WINDOW)),
    },
    {
      title: "a text with a double quote, non-ASCII letters and a single quote",
      input: { ...WINDOW, text: `"ZOË" CAN'T` },
      expected: () =>
        eventsAnswer((e) => e.message.toLowerCase().includes(`"zoë" can't`) && inWindow(e, WINDOW)),
    },
    {
      title: "o'brien, inside a JSON message",
      input: { ...WINDOW, text: "o'brien" },
      expected: () => eventsAnswer((e) => e.message.toLowerCase().includes("o'brien") && inWindow(e, WINDOW)),
    },
  ],
  "auth-failures": [
    {
      title: "the window: sshd by remote address, sudo by user, accepted logins and other programs left out",
      input: WINDOW,
      expected: () => authFailuresAnswer(WINDOW),
    },
    {
      title: "the window's second half",
      input: { from: new Date(at("10:00:00.000")), to: TO },
      expected: () => authFailuresAnswer({ from: new Date(at("10:00:00.000")), to: TO }),
    },
  ],
  "events-per-hour": [
    {
      title: "the window's hours and the lag hours after them",
      input: WINDOW,
      expected: () => eventsPerHourAnswer(WINDOW),
    },
    {
      title: "half an hour",
      input: { from: new Date(at("10:00:00.000")), to: new Date(at("10:30:00.000")) },
      expected: () =>
        eventsPerHourAnswer({ from: new Date(at("10:00:00.000")), to: new Date(at("10:30:00.000")) }),
    },
  ],
};

test("every saved hunt is run here, and nothing else", () => {
  expect(Object.keys(CASES).sort()).toEqual(HUNTS.map((h) => h.name).sort());
});

describe.each(HUNTS.map((h) => [h.name, h] as const))("hunt %s", (name, saved) => {
  test.each((CASES[name] ?? []).map((c) => [c.title, c] as const))("%s", async (_title, c) => {
    const expected = c.expected();
    // An empty answer would pass for a hunt that finds nothing.
    expect(expected.rows.length).toBeGreaterThan(0);
    expect(await archive.hunt(saved, c.input)).toEqual(expected);
  });
});

describe("the fixture is what the tests say it is", () => {
  test("every record arrives after its events and within DELIVERY_LAG_HOURS of their hour", () => {
    const lagOf = (e: FixtureEvent) =>
      Math.floor(e.arrival.getTime() / HOUR_MS) - Math.floor(e.timestamp / HOUR_MS);
    expect(
      FIXTURE_EVENTS.filter((e) => e.arrival.getTime() < e.timestamp || lagOf(e) > DELIVERY_LAG_HOURS),
    ).toEqual([]);
    // Delivered in their events' hour, or (the late records) in the next one.
    expect(new Set(FIXTURE_EVENTS.map(lagOf))).toEqual(new Set([0, 1]));
  });

  test("three accounts, one of them only in the organization, and the awkward log groups", () => {
    expect(new Set(FIXTURE_EVENTS.map((e) => e.account))).toEqual(new Set(FIXTURE_ACCOUNTS));
    expect(new Set(FIXTURE_EVENTS.map((e) => e.logGroup))).toEqual(
      new Set(["/var/log/secure", "/var/log/messages", LAMBDA, "app#1", "a/b/c"]),
    );
    expect(new Set(FIXTURE_EVENTS.map((e) => e.region))).toEqual(new Set(["us-east-1", "eu-west-1"]));
  });

  test("the delayed records are delivered an hour after their events' hour, inside the lagged hours", () => {
    const delayed = FIXTURE_EVENTS.filter(
      (e) => inWindow(e, WINDOW) && e.deliveryHour > deliveryHourOf(TO),
    ).map((e) => [e.recordId, e.deliveryHour]);
    expect(delayed).toEqual([
      ["r13", "2026/03/14/12"],
      ["r13", "2026/03/14/12"],
      ["r14", "2026/03/14/12"],
    ]);
  });
});

/** The contents of each gzip member of a file, walked member by member (header, deflate, CRC and size). */
function gzipMembers(bytes: Buffer): Buffer[] {
  const members: Buffer[] = [];
  for (let at = 0; at < bytes.length;) {
    // Node writes no optional header fields: ID1 ID2 CM=8 FLG=0, then MTIME, XFL, OS.
    expect([...bytes.subarray(at, at + 4)]).toEqual([0x1f, 0x8b, 0x08, 0x00]);
    const { buffer, engine } = inflateRawSync(bytes.subarray(at + 10), { info: true }) as unknown as {
      buffer: Buffer;
      engine: { bytesWritten: number };
    };
    const end = at + 10 + engine.bytesWritten;
    expect(bytes.readUInt32LE(end + 4)).toBe(buffer.length);
    members.push(buffer);
    at = end + 8;
  }
  return members;
}

describe("the objects", () => {
  test("are named as Firehose names them, under the evaluated prefix", () => {
    for (const object of objects)
      expect(object.key).toMatch(
        /^events\/2026\/03\/14\/\d{2}\/account=\d{12}\/logGroup=[A-Za-z0-9._!()-]+\/secops-security-logs-1-2026-03-14-\d{2}-\d{2}-\d{2}-[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-a[0-9a-f]{3}-[0-9a-f]{12}\.ndjson\.gz$/,
      );
    expect(objects.map((o) => o.key.slice(0, o.key.lastIndexOf("/") + 1))).toContain(
      "events/2026/03/14/09/account=222222222222/logGroup=app(23)1/",
    );
    expect(objects.map((o) => o.key.slice(0, o.key.lastIndexOf("/") + 1))).toContain(
      "events/2026/03/14/12/account=222222222222/logGroup=!aws!lambda!pay.ments-api_v2/",
    );
    // One object per buffer and prefix: r00, r01 and r02 share both.
    expect(objects.map((o) => o.recordIds)).toContainEqual(["r00", "r01", "r02"]);
    expect(objects.flatMap((o) => o.recordIds).sort()).toEqual(FIXTURE_RECORDS.map((r) => r.recordId).sort());
  });

  test("are multi-member gzip NDJSON a standard reader reads whole: one JSON line per event, the processor's keys", () => {
    for (const object of objects) {
      const bytes = readFileSync(object.path);
      // One gzip member per record, one after another, each the record's lines.
      const members = gzipMembers(bytes).map((member) => member.toString("utf8").split("\n").length - 1);
      expect(members).toEqual(
        object.recordIds.map((id) => FIXTURE_EVENTS.filter((e) => e.recordId === id).length),
      );
      const text = gunzipSync(bytes).toString("utf8");
      expect(text.endsWith("\n")).toBe(true);
      const lines = text.slice(0, -1).split("\n");
      expect(lines).toHaveLength(object.events.length);
      const parsed = lines.map((line) => JSON.parse(line) as Record<string, unknown>);
      for (const line of parsed) expect(Object.keys(line)).toEqual([...WRITTEN_KEYS]);
      expect(parsed).toEqual(
        object.events.map((e) => ({
          timestamp: e.timestamp,
          message: e.message,
          account: e.account,
          region: e.region,
          logGroup: e.logGroup,
          logStream: e.logStream,
          id: e.id,
        })),
      );
    }
    expect(objects.reduce((n, o) => n + o.events.length, 0)).toBe(FIXTURE_EVENTS.length);
  });
});

describe("the DuckDB translation of the tables", () => {
  test("every Glue column is one written JSON key up to case, and every written key one column", () => {
    expect(EVENT_COLUMNS.map((c) => c.name)).toEqual(WRITTEN_KEYS.map((key) => key.toLowerCase()));
  });

  test("each table's location pattern is its storage.location.template with the values captured", () => {
    const hour = "([0-9]{4}/[0-9]{2}/[0-9]{2}/[0-9]{2})";
    expect(Object.fromEntries(SEARCH_TABLES.map((t) => [t.name, locationPattern(t)]))).toEqual({
      events: `^events/${hour}/`,
      events_by_account: `^events/${hour}/account=([^/]+)/`,
      events_by_log_group: `^events/${hour}/account=([^/]+)/logGroup=([^/]+)/`,
    });
  });

  test.each(SEARCH_TABLES.map((t) => [t.name, t] as const))(
    "%s holds every event, each with its object's partition values: account_id = account, log_group_key reads back to loggroup, delivered within the lag",
    async (_name, table) => {
      const { columns, rows } = await archive.query(`SELECT * FROM ${table.name} ORDER BY "timestamp", id`);
      expect(columns).toEqual([...EVENT_COLUMNS.map((c) => c.name), ...table.partitions]);
      const keyOf = new Map(FIXTURE_RECORDS.map((r) => [r.recordId, logGroupKey(r.logGroup)]));
      const partitions = (e: FixtureEvent): Record<string, string> => ({
        delivery_hour: e.deliveryHour,
        account_id: e.account,
        log_group_key: keyOf.get(e.recordId) as string,
      });
      expect(rows).toEqual(
        [...FIXTURE_EVENTS].sort(byTimeThenId).map((e) => ({
          ...eventRow(e),
          ...Object.fromEntries(table.partitions.map((name) => [name, partitions(e)[name]])),
        })),
      );
      for (const row of rows) {
        if ("account_id" in row) expect(row.account_id).toBe(row.account);
        if ("log_group_key" in row) expect(logGroupOfKey(row.log_group_key as string)).toBe(row.loggroup);
        const eventHour = Math.floor(Number(row.timestamp) / HOUR_MS);
        const lagged = Array.from({ length: DELIVERY_LAG_HOURS + 1 }, (_, i) =>
          deliveryHourOf(new Date((eventHour + i) * HOUR_MS)),
        );
        expect(lagged).toContain(row.delivery_hour);
      }
    },
  );

  test("the same consistency, asked of DuckDB in SQL, finds no row that breaks it", async () => {
    const { rows } = await archive.query(
      `SELECT count(*) AS rows_read,
         count(*) FILTER (WHERE account_id <> account) AS other_account,
         count(*) FILTER (WHERE delivery_hour < strftime(make_timestamp("timestamp" * 1000), '%Y/%m/%d/%H')
           OR delivery_hour > strftime(make_timestamp(("timestamp" + ?) * 1000), '%Y/%m/%d/%H')) AS out_of_lag
       FROM events_by_log_group`,
      [DELIVERY_LAG_HOURS * HOUR_MS],
    );
    expect(rows).toEqual([{ rows_read: BigInt(FIXTURE_EVENTS.length), other_account: 0n, out_of_lag: 0n }]);
  });

  test("placeholders are bound as Athena's literals are typed: strings VARCHAR, numbers BIGINT", async () => {
    const { rows } = await archive.query("SELECT typeof(?) AS text, typeof(?) AS number", [
      "x",
      1773478800000,
    ]);
    expect(rows).toEqual([{ text: "VARCHAR", number: "BIGINT" }]);
  });

  test("DuckDB matches JSON keys exactly and reads key=value paths as columns: why the views name keys and turn that off", async () => {
    const object = objects.find((o) => o.events.some((e) => e.logGroup === "app#1")) as ArchiveObject;
    const read = (options: string) =>
      archive.query(
        `SELECT loggroup, account FROM read_json('${object.path}', format = 'newline_delimited', compression = 'gzip', ${options})`,
      );
    const exact = await read(
      "hive_partitioning = false, columns = {loggroup: 'VARCHAR', account: 'VARCHAR'}",
    );
    expect(exact.rows.map((r) => r.loggroup)).toEqual(object.events.map(() => null));
    const hive = await read("columns = {logGroup: 'VARCHAR', account: 'VARCHAR'}");
    // The path's logGroup= and account= replace the JSON's values (the key, and a number).
    expect(hive.rows[0]).toEqual({ logGroup: "app(23)1", account: BigInt(object.events[0].account) });
  });

  test("only the hours of the date projection's range are read, and only objects under a table's locations", async () => {
    const base = mkdtempSync(join(tmpdir(), "seclog-range-"));
    try {
      const record = (recordId: string, day: string, time: string): FixtureRecord => ({
        recordId,
        account: PAYMENTS,
        logGroup: "/var/log/secure",
        logStream: "s",
        filter: "us-east-1",
        day,
        arrival: time,
        buffer: 1,
        events: [{ time, message: recordId }],
      });
      expect(PROJECTION_START_HOUR).toBe("2026/01/01/00");
      buildArchive(base, [
        record("before-start", "2025-12-31", "23:50:00"),
        record("first-hour", "2026-01-01", "00:10:00"),
        record("after-now", "2026-01-01", "01:10:00"),
      ]);
      // An object Firehose would not write: under an hour, but not under an account.
      const stray = join(base, "events/2026/01/01/00/stray.ndjson.gz");
      mkdirSync(dirname(stray), { recursive: true });
      const line = {
        timestamp: 1,
        message: "stray",
        account: "1",
        region: "r",
        logGroup: "g",
        logStream: "s",
        id: "1",
      };
      writeFileSync(stray, gzipSync(`${JSON.stringify(line)}\n`));
      const small = await DuckDBArchive.open(base, { now: new Date("2026-01-01T00:30:00Z") });
      try {
        const messages = async (table: string) =>
          (await small.query(`SELECT message FROM ${table} ORDER BY message`)).rows.map((r) => r.message);
        expect(await messages("events")).toEqual(["first-hour", "stray"]);
        expect(await messages("events_by_account")).toEqual(["first-hour"]);
        expect(await messages("events_by_log_group")).toEqual(["first-hour"]);
      } finally {
        small.close();
      }
    } finally {
      rmSync(base, { recursive: true, force: true });
    }
  });

  test("the view's SQL reads the archive root's events/ objects as gzip NDJSON", () => {
    const sql = viewSql("/archive", SEARCH_TABLES[0], new Date("2026-03-14T12:00:00Z"));
    expect(sql).toContain(
      `read_json('/archive/events/**/*.ndjson.gz',\n      format = 'newline_delimited', compression = 'gzip', filename = true, hive_partitioning = false,`,
    );
    expect(sql).toContain(`"delivery_hour" BETWEEN '2026/01/01/00' AND '2026/03/14/12'`);
  });
});

describe("what the hunts' bounds do", () => {
  /** The hunt's values with the toHour placeholder set to the window's own last hour: no lag. */
  function unlagged(saved: Hunt, input: HuntInput) {
    const values = huntValues(saved, input);
    const at = saved.parameters.indexOf("toHour");
    expect(values[at]).toBe(deliveryHourOf(new Date(input.to.getTime() + DELIVERY_LAG_HOURS * HOUR_MS)));
    values[at] = deliveryHourOf(input.to);
    return values;
  }

  const lateIds = (account: string) =>
    FIXTURE_EVENTS.filter(
      (e) => e.account === account && inWindow(e, WINDOW) && e.deliveryHour > deliveryHourOf(TO),
    )
      .map((e) => e.id)
      .sort();

  test("the records delivered after the window's last hour are found thanks to the lag, and missed without it", async () => {
    const saved = hunt("account-events");
    const input = { ...WINDOW, account: PAYMENTS };
    const lagged = await archive.hunt(saved, input);
    const plain = await archive.query(saved.sql, unlagged(saved, input));
    expect(lateIds(PAYMENTS)).toHaveLength(2);
    const ids = (result: QueryResult) => result.rows.map((r) => r.id as string);
    expect(
      ids(lagged)
        .filter((id) => lateIds(PAYMENTS).includes(id))
        .sort(),
    ).toEqual(lateIds(PAYMENTS));
    expect(plain.rows).toEqual(lagged.rows.filter((r) => !lateIds(PAYMENTS).includes(r.id as string)));
  });

  test("an authentication failure delivered late counts only with the lag", async () => {
    const saved = hunt("auth-failures");
    const row = (result: QueryResult) =>
      result.rows.find((r) => r.account === ORG_ONLY && r.program === "sshd" && r.source === "203.0.113.7");
    const late = FIXTURE_EVENTS.filter((e) => e.recordId === "r14");
    expect(late.map((e) => e.auth)).toEqual([{ program: "sshd", source: "203.0.113.7" }]);
    const lagged = row(await archive.hunt(saved, WINDOW));
    const plain = row(await archive.query(saved.sql, unlagged(saved, WINDOW)));
    expect(lagged?.failures).toBe(2n);
    expect(lagged?.last_seen).toBe(BigInt(late[0].timestamp));
    expect(plain?.failures).toBe(1n);
  });

  test("events a millisecond outside the window are in the hours read but not returned; moving the bound returns them", async () => {
    const before = FIXTURE_EVENTS.find((e) => e.timestamp === FROM.getTime() - 1) as FixtureEvent;
    const after = FIXTURE_EVENTS.find((e) => e.timestamp === TO.getTime() + 1) as FixtureEvent;
    expect([before.deliveryHour, after.deliveryHour]).toEqual(["2026/03/14/09", "2026/03/14/11"]);
    const saved = hunt("account-events");
    const ids = async (input: HuntInput) => (await archive.hunt(saved, input)).rows.map((r) => r.id);
    const inside = await ids({ ...WINDOW, account: PAYMENTS });
    expect(inside).not.toContain(before.id);
    expect(inside).not.toContain(after.id);
    expect(inside).toContain(FIXTURE_EVENTS.find((e) => e.timestamp === FROM.getTime())?.id);
    expect(inside).toContain(FIXTURE_EVENTS.find((e) => e.timestamp === TO.getTime())?.id);
    const wider = await ids({
      from: new Date(FROM.getTime() - 1),
      to: new Date(TO.getTime() + 1),
      account: PAYMENTS,
    });
    expect(wider).toEqual([before.id, ...inside, after.id]);
  });

  test("the account only in the organization is in the events per hour and in the text search", async () => {
    const perHour = await archive.hunt(hunt("events-per-hour"), WINDOW);
    expect(perHour.rows.filter((r) => r.account === ORG_ONLY).map((r) => r.delivery_hour)).toEqual([
      "2026/03/14/09",
      "2026/03/14/10",
      "2026/03/14/12",
      "2026/03/14/13",
    ]);
    const text = await archive.hunt(hunt("text-search"), { ...WINDOW, text: "failed password" });
    expect(new Set(text.rows.map((r) => r.account))).toEqual(new Set([PAYMENTS, WEB, ORG_ONLY]));
  });
});
