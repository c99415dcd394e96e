import { createHash } from "node:crypto";
import fc from "fast-check";
// The module object itself (a default import): spying on it reaches the processor's calls.
import zlib from "node:zlib";
import { gunzipSync, gzipSync } from "node:zlib";
import { handler } from "../functions/processor";
import { ACCOUNT_DIMENSION, EVENTS_METRIC, eventsMetricLines } from "../functions/processor/metrics";
import {
  explainRecord,
  FirehoseEvent,
  FirehoseRecord,
  RESPONSE_LIMIT_BYTES,
  regionOf,
  logGroupKey,
  logGroupOfKey,
  LOG_GROUP_KEY_MAX_CHARS,
  toNdjson,
  transform,
  transformCounting,
  transformRecord,
  TransformResult,
} from "../functions/processor/transform";
import { CONTROL_MESSAGE } from "./support/cloudwatch-logs";

/**
 * The processor's exact behaviour, byte for byte: every expected line below is
 * written out by hand from the format (timestamp, message, account, region,
 * logGroup, logStream, id), every expected `data` is the gzip member of that
 * text at the level the budget calls for, and every size is counted from the
 * expected entries, never read back from the code under test.
 */

const ACCOUNT = "222222222222";
const OTHER_ACCOUNT = "333333333333";
/** The envelope header exactly as CloudWatch Logs orders it, up to the events. */
const HEADER = `{"messageType":"DATA_MESSAGE","owner":"${ACCOUNT}","logGroup":"/var/log/secure","logStream":"i-0abc123/secure","subscriptionFilters":["secops-security-logs-eu-west-1"],"logEvents":[`;
/** What follows the message in each line of a record with HEADER. */
const PROVENANCE = `"account":"${ACCOUNT}","region":"eu-west-1","logGroup":"/var/log/secure","logStream":"i-0abc123/secure"`;
const KEYS = { partitionKeys: { account: ACCOUNT, logGroup: "!var!log!secure" } };

/** A record holding this exact text, gzip'd as CloudWatch Logs does (level 6 unless told). */
function rawRecord(recordId: string, text: string | Buffer, level = 6): FirehoseRecord {
  const bytes = typeof text === "string" ? Buffer.from(text, "utf8") : text;
  return { recordId, data: gzipSync(bytes, { level }).toString("base64") };
}

function envelope(events: readonly unknown[], overrides: Record<string, unknown> = {}) {
  return {
    messageType: "DATA_MESSAGE",
    owner: ACCOUNT,
    logGroup: "/var/log/secure",
    logStream: "i-0abc123/secure",
    subscriptionFilters: ["secops-security-logs-eu-west-1"],
    logEvents: events,
    ...overrides,
  };
}

const jsonRecord = (recordId: string, value: unknown, level = 6) =>
  rawRecord(recordId, JSON.stringify(value), level);

const batch = (...records: FirehoseRecord[]): FirehoseEvent => ({ records });

/** The Ok entry the processor must return for these NDJSON lines, gzip'd at this level. */
function ok(recordId: string, ndjson: string, level: 1 | 9, metadata: object = KEYS): TransformResult {
  return {
    recordId,
    result: "Ok",
    data: gzipSync(Buffer.from(ndjson, "utf8"), { level }).toString("base64"),
    metadata,
  } as TransformResult;
}

const failed = (recordId: string): TransformResult => ({ recordId, result: "ProcessingFailed" });

/** Bytes of an entry, or of a whole response, in the JSON Lambda returns. */
const bytesOf = (value: object) => Buffer.byteLength(JSON.stringify(value), "utf8");

/** Deterministic text gzip cannot shrink (64 symbols), for records whose size must not collapse. */
function noise(length: number, seed: number): string {
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  let state = seed;
  let out = "";
  for (let i = 0; i < length; i++) {
    state = (Math.imul(state, 1103515245) + 12345) >>> 0;
    out += alphabet[state >>> 26];
  }
  return out;
}

describe("gzip failures: every way a record's gzip can be broken reaches the gzip branch", () => {
  const text = `${HEADER}{"id":"1","timestamp":1,"message":"m"}]}`;
  const member = gzipSync(Buffer.from(text, "utf8"));
  const withByte = (at: number, value: (byte: number) => number) => {
    const copy = Buffer.from(member);
    copy[at] = value(copy[at]);
    return copy;
  };
  // Byte 10 opens the deflate data: BFINAL plus BTYPE 11, a block type deflate reserves (RFC 1951 section 3.2.3).
  const reservedBlock = withByte(10, () => 0b111);
  // The CRC-32 and length of the true content stay in the trailer: only the deflate data is wrong.
  const flippedDeflate = withByte(12, (b) => b ^ 0xff);
  const badCrc = withByte(member.length - 8, (b) => b ^ 0x01);
  const badLength = withByte(member.length - 4, (b) => b ^ 0x01);

  test.each([
    ["a reserved deflate block type, trailer intact", reservedBlock, "invalid block type"],
    ["deflate data flipped, header and trailer intact", flippedDeflate, "invalid code lengths set"],
    ["valid deflate data, CRC-32 in the trailer wrong", badCrc, "incorrect data check"],
    ["valid deflate data, length in the trailer wrong", badLength, "incorrect length check"],
    ["cut inside the deflate data", member.subarray(0, 20), "unexpected end of file"],
    ["cut inside the trailer", member.subarray(0, member.length - 3), "unexpected end of file"],
    [
      "a valid member followed by bytes that are not gzip",
      Buffer.concat([member, Buffer.from("junk")]),
      "incorrect header check",
    ],
    ["not gzip at all", Buffer.from(text, "utf8"), "incorrect header check"],
    ["empty", Buffer.alloc(0), "unexpected end of file"],
  ])("%s: ProcessingFailed (gzip)", (_name, bytes, zlibError) => {
    // The fixture is broken the way its name says (zlib's own verdict), so the case cannot pass by accident.
    expect(() => gunzipSync(bytes)).toThrow(zlibError);
    const record = { recordId: "x", data: bytes.toString("base64") };
    expect(explainRecord(record)).toEqual({ result: failed("x"), events: 0, reason: "gzip" });
    const { response, eventsByAccount, failures } = transformCounting(batch(record));
    expect(response).toEqual({ records: [failed("x")] });
    expect(eventsByAccount).toEqual(new Map());
    expect(failures).toEqual(new Map([["gzip", 1]]));
  });

  test("data that is not a string at all fails the record (gzip), and the batch around it is judged normally", () => {
    const good = rawRecord("good", text);
    const missing = { recordId: "missing", data: undefined } as unknown as FirehoseRecord;
    expect(explainRecord(missing)).toEqual({ result: failed("missing"), events: 0, reason: "gzip" });
    const { response, failures } = transformCounting(batch(missing, good));
    expect(response.records).toEqual([
      failed("missing"),
      ok("good", `{"timestamp":1,"message":"m",${PROVENANCE},"id":"1"}\n`, 1),
    ]);
    expect(failures).toEqual(new Map([["gzip", 1]]));
  });

  test("the control check: the intact member itself is delivered", () => {
    expect(transformRecord(rawRecord("x", text))).toEqual(
      ok("x", `{"timestamp":1,"message":"m",${PROVENANCE},"id":"1"}\n`, 1),
    );
  });
});

describe("decode failures: a valid gzip member whose content is refused, one case per branch", () => {
  const events = (body: string) => `${HEADER}${body}]}`;
  test.each([
    // utf8: refused before any JSON is read.
    [
      "invalid UTF-8 (0xff) in a message",
      Buffer.from(`${HEADER}{"id":"1","timestamp":1,"message":"a\xffb"}]}`, "latin1"),
      "utf8",
    ],
    [
      "an overlong UTF-8 encoding of '/'",
      Buffer.from(`${HEADER}{"id":"1","timestamp":1,"message":"\xc0\xaf"}]}`, "latin1"),
      "utf8",
    ],
    [
      "a lone surrogate encoded in UTF-8 (CESU)",
      Buffer.from(`${HEADER}{"id":"1","timestamp":1,"message":"\xed\xa0\x80"}]}`, "latin1"),
      "utf8",
    ],
    // json: what the generic path's JSON.parse refuses, including shapes the fast path must not let through.
    ["HTML, not JSON", "<html>not json</html>", "json"],
    [
      "a UTF-8 byte order mark before the JSON",
      `\ufeff${events(`{"id":"1","timestamp":1,"message":"m"}`)}`,
      "json",
    ],
    ["two envelopes one after the other", events(`{"id":"1","timestamp":1,"message":"m"}`).repeat(2), "json"],
    ["text after the envelope", `${events(`{"id":"1","timestamp":1,"message":"m"}`)} tail`, "json"],
    [
      "an event after the envelope's end",
      `${events(`{"id":"1","timestamp":1,"message":"m"}`)}{"id":"2","timestamp":2,"message":"n"}]}`,
      "json",
    ],
    ["no events, then more text ending in ]}", events("") + `xx]}`, "json"],
    [
      "cut after an event, the text ending in a line's \"}\\n",
      `${HEADER}{"id":"1","timestamp":1,"message":"m"},{"id":"2","timestamp":2,"message":"n"}\n`,
      "json",
    ],
    ["a timestamp with a leading zero", events(`{"id":"1","timestamp":01,"message":"m"}`), "json"],
    ["a raw tab inside a message", events(`{"id":"1","timestamp":1,"message":"a\tb"}`), "json"],
    ["a raw newline inside a message", events(`{"id":"1","timestamp":1,"message":"a\nb"}`), "json"],
    [
      "a \\u escape of three hex digits",
      events(String.raw`{"id":"1","timestamp":1,"message":"\u00f"}`),
      "json",
    ],
    ["an unknown escape \\q", events(String.raw`{"id":"1","timestamp":1,"message":"bad \q"}`), "json"],
    ["a message quote left open", events(`{"id":"1","timestamp":1,"message":"m}`), "json"],
    // envelope: valid JSON, not a CloudWatch Logs envelope.
    ["JSON null", "null", "envelope"],
    ["a JSON number", "5", "envelope"],
    ["a JSON array", "[]", "envelope"],
    ["another messageType", JSON.stringify(envelope([], { messageType: "DATA" })), "envelope"],
    ["logGroup a number", JSON.stringify(envelope([], { logGroup: 7 })), "envelope"],
    ["logStream null", JSON.stringify(envelope([], { logStream: null })), "envelope"],
    ["owner missing", JSON.stringify(envelope([], { owner: undefined })), "envelope"],
    [
      "a subscription filter that is a number after one that is not",
      JSON.stringify(envelope([], { subscriptionFilters: ["secops-security-logs-eu-west-1", 7] })),
      "envelope",
    ],
    ["logEvents an object", JSON.stringify(envelope([], { logEvents: {} })), "envelope"],
    ["logEvents missing", JSON.stringify(envelope([], { logEvents: undefined })), "envelope"],
    [
      "owner a number, in CloudWatch Logs' key order",
      JSON.stringify(envelope([{ id: "1", timestamp: 1, message: "m" }], { owner: 222222222222 })),
      "envelope",
    ],
    [
      "subscriptionFilters a string",
      JSON.stringify(envelope([], { subscriptionFilters: "secops-security-logs-eu-west-1" })),
      "envelope",
    ],
    [
      "subscriptionFilters holding a number",
      JSON.stringify(envelope([], { subscriptionFilters: [7] })),
      "envelope",
    ],
    // event: an envelope whose events are not CloudWatch Logs events.
    ["an event that is a number", events("5"), "event"],
    ["an event that is a string", events('"m"'), "event"],
    ["a timestamp that is true", events(`{"id":"1","timestamp":true,"message":"m"}`), "event"],
    ["an event without an id", events(`{"timestamp":1,"message":"m"}`), "event"],
    ["an event that is null", events("null"), "event"],
    ["an id that is a number", events(`{"id":1,"timestamp":1,"message":"m"}`), "event"],
    ["a timestamp that is a string", events(`{"id":"1","timestamp":"1","message":"m"}`), "event"],
    ["a timestamp beyond a double (1e400)", events(`{"id":"1","timestamp":1e400,"message":"m"}`), "event"],
    ["a message that is an object", events(`{"id":"1","timestamp":1,"message":{"a":1}}`), "event"],
    ["a message missing", events(`{"id":"1","timestamp":1}`), "event"],
    [
      "a good event, then a bad one",
      events(`{"id":"1","timestamp":1,"message":"m"},{"id":"2","timestamp":2,"message":5}`),
      "event",
    ],
  ])("%s: ProcessingFailed, for the reason its row names", (_name, content, reason) => {
    const bytes = typeof content === "string" ? Buffer.from(content, "utf8") : content;
    const record = rawRecord("x", bytes);
    // The gzip member is valid: the record gets past the gzip branch.
    expect(gunzipSync(Buffer.from(record.data, "base64")).equals(bytes)).toBe(true);
    expect(explainRecord(record)).toEqual({ result: failed("x"), events: 0, reason });
    const { response, eventsByAccount, failures } = transformCounting(batch(record));
    expect(response).toEqual({ records: [failed("x")] });
    expect(eventsByAccount).toEqual(new Map());
    expect(failures).toEqual(new Map([[reason, 1]]));
  });

  test("an error no check foresaw (here gzip running out of memory) fails that record alone, as 'error'", () => {
    const good = rawRecord("good", `${HEADER}{"id":"1","timestamp":1,"message":"m"}]}`);
    const line = `{"timestamp":1,"message":"m",${PROVENANCE},"id":"1"}\n`;
    const real = zlib.gzipSync;
    const gzip = jest.spyOn(zlib, "gzipSync");
    gzip.mockImplementationOnce(() => {
      throw new RangeError("Array buffer allocation failed");
    });
    try {
      const { response, eventsByAccount, failures } = transformCounting(
        batch({ ...good, recordId: "oom" }, good),
      );
      expect(response.records).toEqual([failed("oom"), ok("good", line, 1)]);
      expect(eventsByAccount).toEqual(new Map([[ACCOUNT, 1]]));
      expect(failures).toEqual(new Map([["error", 1]]));
      gzip.mockImplementationOnce(() => {
        throw new RangeError("Array buffer allocation failed");
      });
      expect(explainRecord(good)).toEqual({ result: failed("good"), events: 0, reason: "error" });
    } finally {
      gzip.mockRestore();
    }
    expect(zlib.gzipSync).toBe(real);
  });
});

describe("control messages are dropped, whichever path reads them", () => {
  const dropped = { result: { recordId: "c", result: "Dropped" }, events: 0 };
  test.each([
    ["as CloudWatch Logs sends it", JSON.stringify(CONTROL_MESSAGE)],
    [
      "keys in another order (generic path)",
      JSON.stringify(Object.assign({ logEvents: CONTROL_MESSAGE.logEvents }, CONTROL_MESSAGE)),
    ],
    ["with no logEvents at all", JSON.stringify({ ...CONTROL_MESSAGE, logEvents: undefined })],
    ["with logEvents that are not an array", JSON.stringify({ ...CONTROL_MESSAGE, logEvents: 5 })],
    // Decided by the header: a control message's events are never delivered, so they are not read.
    [
      "with events cut short",
      `${JSON.stringify({ ...CONTROL_MESSAGE, logEvents: [] }).slice(0, -2)}{"id":"1","timest`,
    ],
    [
      "with events the fast pattern matches",
      JSON.stringify({ ...CONTROL_MESSAGE, logEvents: [{ id: "1", timestamp: 1, message: "m" }] }),
    ],
  ])("%s", (_name, text) => {
    const record = rawRecord("c", text);
    expect(explainRecord(record)).toEqual(dropped);
    const { response, eventsByAccount, failures } = transformCounting(batch(record));
    expect(response).toEqual({ records: [{ recordId: "c", result: "Dropped" }] });
    expect(eventsByAccount).toEqual(new Map());
    expect(failures).toEqual(new Map());
  });
});

describe("exact output: the lines, byte for byte", () => {
  // Every JSON escape, a \u escape in both cases, a surrogate pair, and `$` patterns a replacement would expand.
  const escaped = String.raw`"q\" b\\ s\/ \b\f\n\r\t \u00fc\u00FC \ud83d\ude80 $1 $& $$ $'"`;

  test("fast path (CloudWatch Logs' key order): messages keep the sender's escaping, timestamps their digits", () => {
    const text =
      HEADER +
      [
        `{"id":"0","timestamp":0,"message":${escaped}}`,
        `{"id":"38611234567890123456","timestamp":7,"message":""}`,
        `{"id":"3","timestamp":1732690000000,"message":"plain"}`,
        // 16 digits: the longest timestamp the fast path copies (exact as a double below 2^53).
        `{"id":"4","timestamp":1234567890123456,"message":${escaped}}`,
      ].join(",") +
      "]}";
    const lines =
      `{"timestamp":0,"message":${escaped},${PROVENANCE},"id":"0"}\n` +
      `{"timestamp":7,"message":"",${PROVENANCE},"id":"38611234567890123456"}\n` +
      `{"timestamp":1732690000000,"message":"plain",${PROVENANCE},"id":"3"}\n` +
      `{"timestamp":1234567890123456,"message":${escaped},${PROVENANCE},"id":"4"}\n`;
    const record = rawRecord("fast", text);
    expect(explainRecord(record)).toEqual({ result: ok("fast", lines, 1), events: 4 });
    const { response, eventsByAccount, failures } = transformCounting(batch(record));
    expect(response).toEqual({ records: [ok("fast", lines, 1)] });
    expect(eventsByAccount).toEqual(new Map([[ACCOUNT, 4]]));
    expect(failures).toEqual(new Map());
  });

  test.each([
    ["a space", " "],
    ["a tab", "\t"],
    ["a newline", "\n"],
    ["a carriage return", "\r"],
    ["all four", " \t\n\r \r\n"],
  ])("JSON whitespace (%s) after the envelope keeps the fast path", (_name, space) => {
    const text = `${HEADER}{"id":"1","timestamp":1,"message":${escaped}},{"id":"2","timestamp":2,"message":${escaped}}]}${space}`;
    const lines =
      `{"timestamp":1,"message":${escaped},${PROVENANCE},"id":"1"}\n` +
      `{"timestamp":2,"message":${escaped},${PROVENANCE},"id":"2"}\n`;
    expect(explainRecord(rawRecord("w", text))).toEqual({ result: ok("w", lines, 1), events: 2 });
  });

  // What JSON.stringify writes for `escaped`: only `"`, `\` and control characters stay escaped.
  const normalized = String.raw`"q\" b\\ s/ \b\f\n\r\t üü 🚀 $1 $& $$ $'"`;

  test.each([
    ["keys in another order", `{"message":${escaped},"id":"1","timestamp":1}`],
    ["a 17-digit timestamp", `{"id":"1","timestamp":12345678901234567,"message":${escaped}}`],
    ["a timestamp with a fraction", `{"id":"1","timestamp":1.5,"message":${escaped}}`],
    ["a timestamp with an exponent", `{"id":"1","timestamp":1e3,"message":${escaped}}`],
    ["a negative timestamp", `{"id":"1","timestamp":-1,"message":${escaped}}`],
    ["an id that is not digits", `{"id":"i-1","timestamp":1,"message":${escaped}}`],
    ["an empty id", `{"id":"","timestamp":1,"message":${escaped}}`],
    ["whitespace inside an event", `{"id":"1", "timestamp":1,"message":${escaped}}`],
    ["a key more in an event", `{"id":"1","timestamp":1,"message":${escaped},"extra":true}`],
  ])("generic path (%s): the line JSON.stringify writes for the event JSON.parse reads", (_name, event) => {
    const text = `${HEADER}${event}]}`;
    // The reference is JSON itself: the parsed event's values, serialized.
    const { id, timestamp } = JSON.parse(text).logEvents[0];
    const line = `{"timestamp":${JSON.stringify(timestamp)},"message":${normalized},${PROVENANCE},"id":${JSON.stringify(id)}}\n`;
    expect(explainRecord(rawRecord("g", text))).toEqual({ result: ok("g", line, 1), events: 1 });
  });

  test("a 17-digit timestamp is written as the double JSON.parse reads (the digits cannot be kept)", () => {
    const text = `${HEADER}{"id":"1","timestamp":12345678901234567,"message":"m"}]}`;
    expect(explainRecord(rawRecord("t", text)).result).toEqual(
      ok("t", `{"timestamp":12345678901234568,"message":"m",${PROVENANCE},"id":"1"}\n`, 1),
    );
  });

  test("generic path with several events: one line each, in order, and the events counted", () => {
    const text = `{"logEvents":[{"message":"a\\/","id":"1","timestamp":1},{"message":"},{\\"timestamp\\":","id":"2","timestamp":2},{"message":"c","id":"3","timestamp":3}],"messageType":"DATA_MESSAGE","owner":"${OTHER_ACCOUNT}","logGroup":"//aws/lambda/fn","logStream":"s$1","subscriptionFilters":["other","secops-security-logs-us-gov-west-1-0a1b2c3d"]}`;
    const provenance = `"account":"${OTHER_ACCOUNT}","region":"us-gov-west-1","logGroup":"//aws/lambda/fn","logStream":"s$1"`;
    const lines =
      `{"timestamp":1,"message":"a/",${provenance},"id":"1"}\n` +
      `{"timestamp":2,"message":"},{\\"timestamp\\":",${provenance},"id":"2"}\n` +
      `{"timestamp":3,"message":"c",${provenance},"id":"3"}\n`;
    const keys = { partitionKeys: { account: OTHER_ACCOUNT, logGroup: "!!aws!lambda!fn" } };
    expect(explainRecord(rawRecord("g", text))).toEqual({ result: ok("g", lines, 1, keys), events: 3 });
  });

  test("`$` in the provenance is written as itself (the fast path's replacement pattern escapes it)", () => {
    const stream = "a$1b$&c$$d$'e$`f$";
    const text = `{"messageType":"DATA_MESSAGE","owner":"${ACCOUNT}","logGroup":"/g$2","logStream":${JSON.stringify(stream)},"subscriptionFilters":[],"logEvents":[{"id":"1","timestamp":1,"message":"m"},{"id":"2","timestamp":2,"message":"n"}]}`;
    const provenance = `"account":"${ACCOUNT}","region":"unknown","logGroup":"/g$2","logStream":${JSON.stringify(stream)}`;
    const lines =
      `{"timestamp":1,"message":"m",${provenance},"id":"1"}\n` +
      `{"timestamp":2,"message":"n",${provenance},"id":"2"}\n`;
    const keys = { partitionKeys: { account: ACCOUNT, logGroup: "!g(24)2" } };
    expect(explainRecord(rawRecord("d", text))).toEqual({ result: ok("d", lines, 1, keys), events: 2 });
  });

  test.each([
    ["CloudWatch Logs' key order", `${HEADER}]}`],
    ["CloudWatch Logs' key order, whitespace after", `${HEADER}]} \n`],
    ["logEvents first", `{"logEvents":[],${HEADER.slice(1, -'"logEvents":['.length - 1)}}`],
  ])(
    "an envelope with no events (%s) is Ok: an empty gzip member, 0 events, the account counted",
    (_name, text) => {
      const record = rawRecord("e", text);
      expect(JSON.parse(text).logEvents).toEqual([]);
      expect(explainRecord(record)).toEqual({ result: ok("e", "", 1), events: 0 });
      const { eventsByAccount } = transformCounting(batch(record));
      expect(eventsByAccount).toEqual(new Map([[ACCOUNT, 0]]));
    },
  );

  test("toNdjson: one line per event, keys in the line order, no line for no events", () => {
    const env = envelope([
      { id: "1", timestamp: 1, message: 'a"}' },
      { id: "2", timestamp: 2, message: "b" },
    ]) as Parameters<typeof toNdjson>[0];
    expect(toNdjson(env)).toBe(
      `{"timestamp":1,"message":"a\\"}",${PROVENANCE},"id":"1"}\n{"timestamp":2,"message":"b",${PROVENANCE},"id":"2"}\n`,
    );
    expect(toNdjson({ ...env, logEvents: [] })).toBe("");
  });

  test("transform, transformRecord and transformCounting agree, with the fast gzip level when the budget is not tight", () => {
    const records = [
      rawRecord("a", `${HEADER}{"id":"1","timestamp":1,"message":"m"}]}`),
      jsonRecord("b", CONTROL_MESSAGE),
      { recordId: "c", data: "AAAA" },
    ];
    const expected = [
      ok("a", `{"timestamp":1,"message":"m",${PROVENANCE},"id":"1"}\n`, 1),
      { recordId: "b", result: "Dropped" },
      failed("c"),
    ];
    expect(transform(batch(...records))).toEqual({ records: expected });
    expect(records.map(transformRecord)).toEqual(expected);
    expect(transformCounting(batch(...records)).response).toEqual({ records: expected });
  });
});

describe("counts: events by account and failures by reason", () => {
  test("summed per account in first-seen order; control messages and failures count no events", () => {
    const records = [
      jsonRecord(
        "a1",
        envelope([
          { id: "1", timestamp: 1, message: "m" },
          { id: "2", timestamp: 2, message: "n" },
        ]),
      ),
      jsonRecord("b", envelope([{ id: "3", timestamp: 3, message: "o" }], { owner: OTHER_ACCOUNT })),
      jsonRecord("c", CONTROL_MESSAGE),
      { recordId: "x", data: "AAAA" },
      // Generic path: its events are counted by the parser, not by lines.
      jsonRecord("a2", envelope([1, 2, 3].map((i) => ({ message: "m", id: `${i}`, timestamp: i })))),
      jsonRecord("y", envelope([{ id: "1", timestamp: "1" }])),
      { recordId: "z", data: "" },
    ];
    const { response, eventsByAccount, failures } = transformCounting(batch(...records));
    expect(response.records.map((r) => r.result)).toEqual([
      "Ok",
      "Ok",
      "Dropped",
      "ProcessingFailed",
      "Ok",
      "ProcessingFailed",
      "ProcessingFailed",
    ]);
    expect([...eventsByAccount]).toEqual([
      [ACCOUNT, 5],
      [OTHER_ACCOUNT, 1],
    ]);
    expect([...failures]).toEqual([
      ["gzip", 2],
      ["event", 1],
    ]);
  });
});

describe("the response budget, to the byte", () => {
  /** One event of 100,000 `x`: CloudWatch Logs' level-6 gzip is small, our level 1 about twice as large. */
  const runs = rawRecord(
    "runs",
    JSON.stringify(envelope([{ id: "1", timestamp: 1, message: "x".repeat(100_000) }])),
  );
  const runsLines = `{"timestamp":1,"message":"${"x".repeat(100_000)}",${PROVENANCE},"id":"1"}\n`;
  const runsFast = ok("runs", runsLines, 1);
  const runsTight = ok("runs", runsLines, 9);

  test("the fixture: level 1 is much larger than the input and than level 9", () => {
    expect(bytesOf(runsFast)).toBeGreaterThan(1.5 * runs.data.length);
    expect(bytesOf(runsTight)).toBeLessThan(bytesOf(runsFast) - 100);
  });

  test.each([
    ["the fast result exactly fills the budget: kept", 1, () => bytesOf(runsFast), () => runsFast],
    [
      "one byte short for the fast result: compressed again at level 9",
      1,
      () => bytesOf(runsFast) - 1,
      () => runsTight,
    ],
    ["the tight result exactly fills the budget", 9, () => bytesOf(runsTight), () => runsTight],
    [
      "the tight result exactly fills the budget, starting at level 1",
      1,
      () => bytesOf(runsTight),
      () => runsTight,
    ],
    ["one byte short for the tight result: size", 9, () => bytesOf(runsTight) - 1, () => failed("runs")],
    [
      "one byte short for the tight result, starting at level 1: size",
      1,
      () => bytesOf(runsTight) - 1,
      () => failed("runs"),
    ],
  ])("explainRecord: %s", (_name, level, budget, expected) => {
    const result = expected();
    expect(explainRecord(runs, budget(), level)).toEqual(
      result.result === "Ok" ? { result, events: 1 } : { result, events: 0, reason: "size" },
    );
  });

  test("explainRecord and transformRecord default to no budget and the fast level", () => {
    expect(explainRecord(runs)).toEqual({ result: runsFast, events: 1 });
    expect(transformRecord(runs)).toEqual(runsFast);
  });

  // Stored (level 0) input: the input is large and our output small, so both levels fit and only the
  // headroom rule picks one: the fast level while the budget is at least 1.5x the base64 still to come.
  const stored = (recordId: string, message: string) =>
    rawRecord(recordId, JSON.stringify(envelope([{ id: "1", timestamp: 1, message }])), 0);
  const storedLines = (message: string) => `{"timestamp":1,"message":"${message}",${PROVENANCE},"id":"1"}\n`;
  const ENVELOPE = '{"records":[]}'.length;

  test("one record: the fast level at a budget of exactly 1.5x its base64, level 9 one byte below", () => {
    const record = stored("s", "y".repeat(3000));
    const headroom = 1.5 * record.data.length;
    expect(bytesOf(ok("s", storedLines("y".repeat(3000)), 1))).toBeLessThan(headroom - 1);
    // A single record's budget is the limit less the response envelope `{"records":[]}`.
    expect(transformCounting(batch(record), ENVELOPE + headroom).response.records).toEqual([
      ok("s", storedLines("y".repeat(3000)), 1),
    ]);
    expect(transformCounting(batch(record), ENVELOPE + headroom - 1).response.records).toEqual([
      ok("s", storedLines("y".repeat(3000)), 9),
    ]);
  });

  test("the base64 still to come counts this record and the later ones, not the earlier ones nor records without data", () => {
    const first = stored("s1", "y".repeat(3000));
    const second = stored("s2", "z".repeat(3000));
    const missing = { recordId: "m", data: undefined } as unknown as FirehoseRecord;
    const firstTight = ok("s1", storedLines("y".repeat(3000)), 9);
    const headroom = 1.5 * second.data.length;
    // Budget left for s2: the limit less the envelope, two commas, s1's entry and m's reservation.
    const limit = ENVELOPE + 2 + bytesOf(firstTight) + bytesOf(failed("m")) + headroom;
    expect(1.5 * (first.data.length + second.data.length)).toBeGreaterThan(limit);
    const expected = (level: 1 | 9) => [
      firstTight,
      ok("s2", storedLines("z".repeat(3000)), level),
      failed("m"),
    ];
    expect(transformCounting(batch(first, second, missing), limit).response.records).toEqual(expected(1));
    expect(transformCounting(batch(first, second, missing), limit - 1).response.records).toEqual(expected(9));
  });

  describe("two records: each judged against what is left after the envelope, the commas and every later record's failure entry", () => {
    // Stored input four times our output, so level 9 is always the one tried: sizes follow from the ids.
    const big = stored("big", noise(3000, 7));
    const small = stored("small-record", "s".repeat(2000));
    const bigOk = ok("big", storedLines(noise(3000, 7)), 9);
    const smallOk = ok("small-record", storedLines("s".repeat(2000)), 9);
    const [E_BIG, E_SMALL] = [bytesOf(bigOk), bytesOf(smallOk)];
    const [F_BIG, F_SMALL] = [bytesOf(failed("big")), bytesOf(failed("small-record"))];
    const run = (limit: number) => transformCounting(batch(big, small), limit);

    test("the fixture: level 9 is tried for both at these budgets; big is much larger than small", () => {
      expect(1.5 * small.data.length).toBeGreaterThan(E_BIG + E_SMALL);
      expect(E_BIG - F_BIG).toBeGreaterThan(E_SMALL - F_SMALL + 1);
    });

    test.each([
      ["both fit exactly", ENVELOPE + 1 + E_BIG + E_SMALL, [bigOk, smallOk], {}],
      [
        "one byte short: the second fails for size",
        ENVELOPE + E_BIG + E_SMALL,
        [bigOk, failed("small-record")],
        { size: 1 },
      ],
      [
        "the first fits next to the second's failure entry, exactly",
        ENVELOPE + 1 + E_BIG + F_SMALL,
        [bigOk, failed("small-record")],
        { size: 1 },
      ],
      [
        "one byte less: the first gives way to the second's failure entry, and the second fits",
        ENVELOPE + E_BIG + F_SMALL,
        [failed("big"), smallOk],
        { size: 1 },
      ],
      [
        "room for the failure entries only",
        ENVELOPE + 1 + F_BIG + F_SMALL,
        [failed("big"), failed("small-record")],
        { size: 2 },
      ],
    ])("%s", (_name, limit, records, failures) => {
      const { response, failures: reasons } = run(limit);
      expect(response).toEqual({ records });
      expect(bytesOf(response)).toBeLessThanOrEqual(limit);
      expect(Object.fromEntries(reasons)).toEqual(failures);
    });

    test("the response is exactly at the limit when both fit exactly, and when the second gives way", () => {
      expect(bytesOf(run(ENVELOPE + 1 + E_BIG + E_SMALL).response)).toBe(ENVELOPE + 1 + E_BIG + E_SMALL);
      expect(bytesOf(run(ENVELOPE + 1 + E_BIG + F_SMALL).response)).toBe(ENVELOPE + 1 + E_BIG + F_SMALL);
    });
  });

  test("Lambda's limit, 6 MB (6,291,456 bytes), is the default", () => {
    expect(RESPONSE_LIMIT_BYTES).toBe(6_291_456);
    expect(transformCounting(batch(runs)).response).toEqual({ records: [runsFast] });
  });
});

describe("the handler's log: metrics and failure counts", () => {
  const records = [
    jsonRecord(
      "a",
      envelope([
        { id: "1", timestamp: 1, message: "m" },
        { id: "2", timestamp: 2, message: "n" },
      ]),
    ),
    jsonRecord("b", envelope([{ id: "3", timestamp: 3, message: "o" }], { owner: OTHER_ACCOUNT })),
    { recordId: "x", data: "AAAA" },
  ];
  const metric = (account: string, events: number) =>
    `{"_aws":{"Timestamp":1764226800000,"CloudWatchMetrics":[{"Namespace":"SecLog/secops","Dimensions":[["Account"]],"Metrics":[{"Name":"Events","Unit":"Count"}]}]},"Account":"${account}","Events":${events}}`;
  let log: jest.SpyInstance;
  const saved = process.env.METRIC_NAMESPACE;
  beforeEach(() => {
    log = jest.spyOn(console, "log").mockImplementation(() => undefined);
    jest.spyOn(Date, "now").mockReturnValue(1764226800000);
  });
  afterEach(() => {
    jest.restoreAllMocks();
    if (saved === undefined) delete process.env.METRIC_NAMESPACE;
    else process.env.METRIC_NAMESPACE = saved;
  });

  test("with METRIC_NAMESPACE: one metric line per account in first-seen order, then the failure counts", async () => {
    process.env.METRIC_NAMESPACE = "SecLog/secops";
    const response = await handler(batch(...records));
    expect(response).toEqual(transform(batch(...records)));
    expect(log.mock.calls).toEqual([
      [metric(ACCOUNT, 2)],
      [metric(OTHER_ACCOUNT, 1)],
      ['{"processingFailed":{"gzip":1}}'],
    ]);
  });

  test("without METRIC_NAMESPACE (or empty): no metric lines", async () => {
    delete process.env.METRIC_NAMESPACE;
    await handler(batch(...records));
    process.env.METRIC_NAMESPACE = "";
    await handler(batch(...records));
    expect(log.mock.calls).toEqual([
      ['{"processingFailed":{"gzip":1}}'],
      ['{"processingFailed":{"gzip":1}}'],
    ]);
  });

  test("no failures: no failure line", async () => {
    process.env.METRIC_NAMESPACE = "SecLog/secops";
    await handler(batch(records[1]));
    await handler(batch());
    expect(log.mock.calls).toEqual([[metric(OTHER_ACCOUNT, 1)]]);
  });

  test("eventsMetricLines: the Embedded Metric Format line, exactly", () => {
    expect([EVENTS_METRIC, ACCOUNT_DIMENSION]).toEqual(["Events", "Account"]);
    expect(
      eventsMetricLines(
        "SecLog/secops",
        new Map([
          [ACCOUNT, 2],
          [OTHER_ACCOUNT, 0],
        ]),
        1764226800000,
      ),
    ).toEqual([metric(ACCOUNT, 2), metric(OTHER_ACCOUNT, 0)]);
    expect(eventsMetricLines("SecLog/secops", new Map(), 1)).toEqual([]);
  });
});

describe("regionOf and logGroupKey, at their edges", () => {
  test.each([
    [["secops-security-logs-eu-west-1"], "eu-west-1"],
    [["secops-security-logs-eu-west-1-0a1b2c3d"], "eu-west-1"],
    [["secops-security-logs-eu-west-1-ABCDEF12"], "unknown"],
    [["secops-security-logs-eu-west-1-0a1b2c3"], "unknown"],
    [["secops-security-logs-eu-west-1-0a1b2c3d4"], "unknown"],
    [["secops-security-logs-eu-west-1-extra"], "unknown"],
    [["secops-security-logs-eu-west-12"], "unknown"],
    [["secops-security-logs-eu-west-x"], "unknown"],
    [["eu-west-1"], "unknown"],
    [["secops-security-logs-eur-west-1"], "unknown"],
    [["secops-security-logs-us-gov-east-1"], "us-gov-east-1"],
    [["secops-security-logs-us-mil-east-1"], "unknown"],
    [["someone-elses-filter", "secops-security-logs-ap-south-1"], "ap-south-1"],
    [["secops-security-logs-ap-south-1", "secops-security-logs-eu-west-1"], "ap-south-1"],
  ])("region of %j is %s", (filters, region) => {
    expect(regionOf(filters)).toBe(region);
  });

  test("anything that is not a list of strings has no region: entries that are not strings are skipped", () => {
    expect(regionOf(undefined)).toBe("unknown");
    expect(regionOf("secops-security-logs-eu-west-1" as unknown as string[])).toBe("unknown");
    // An array whose text would match is still not a name.
    expect(regionOf([["secops-security-logs-eu-west-1"], "x-ap-south-1"] as unknown as string[])).toBe(
      "ap-south-1",
    );
  });

  test.each([
    ["/var/log/messages", "!var!log!messages"],
    ["//var//log/messages", "!!var!!log!messages"],
    ["Az09._-", "Az09._-"],
    ["app#1", "app(23)1"],
    ["a b", "a(20)b"],
    ["é", "(C3)(A9)"],
    ["%41", "(25)41"],
    ["!", "(21)"],
    ["(", "(28)"],
    ["", "(empty)"],
    ["g".repeat(600), "g".repeat(600)],
  ])("log group %j has key %j, and the key reads back", (name, key) => {
    expect(logGroupKey(name)).toBe(key);
    expect(logGroupOfKey(key)).toBe(name);
  });

  test("a key past LOG_GROUP_KEY_MAX_CHARS is cut and ends in (~) and 16 hex digits of the name's SHA-256; it does not read back", () => {
    const name = "#".repeat(512);
    const key = logGroupKey(name);
    const digest = createHash("sha256").update(name, "utf8").digest("hex").slice(0, 16);
    // 581 characters are left before the suffix: 145 whole escapes (580), never a split one.
    expect(key).toBe(`${"(23)".repeat(145)}(~)${digest}`);
    expect(key).toHaveLength(LOG_GROUP_KEY_MAX_CHARS - 1);
    expect(logGroupOfKey(key)).toBeUndefined();
    expect(logGroupKey("g".repeat(601))).toBe(
      `${"g".repeat(581)}(~)${createHash("sha256").update("g".repeat(601)).digest("hex").slice(0, 16)}`,
    );
  });

  test.each(["(41)", "(2F)", "(c3)(a9)", "a/b", "a%2Fb", "(~)", "(C3)", "a b", ""])(
    "%j is not a key logGroupKey writes: undefined",
    (key) => expect(logGroupOfKey(key)).toBeUndefined(),
  );

  test("one to one over CloudWatch Logs names and any text: keys are S3-safe and read back unless cut", () => {
    // Sizes up to "max": fast-check's default keeps strings short, and the long ones are where keys get cut.
    const cloudWatchName = (size: fc.SizeForArbitrary) =>
      fc.stringMatching(/^[.\-_/#A-Za-z0-9]{1,512}$/, { size });
    // Any text within CloudWatch Logs' 512 characters (UTF-16 units, as the API counts).
    const anyText = (size: fc.SizeForArbitrary) =>
      fc
        .string({ unit: "grapheme", minLength: 1, maxLength: 512, size })
        .filter((text) => text.length <= 512);
    fc.assert(
      fc.property(
        fc.oneof(cloudWatchName("small"), cloudWatchName("max"), anyText("small"), anyText("large")),
        cloudWatchName("medium"),
        (name, other) => {
          const key = logGroupKey(name);
          const cut = /\(~\)[0-9a-f]{16}$/.test(key);
          // S3's safe characters only; a cut key's marker `(~)` is the one exception.
          expect(key).toMatch(cut ? /^[A-Za-z0-9._!()-]*\(~\)[0-9a-f]{16}$/ : /^[A-Za-z0-9._!()-]+$/);
          expect(key).not.toMatch(/[%/]/);
          expect(key.length).toBeLessThanOrEqual(LOG_GROUP_KEY_MAX_CHARS);
          // Cut exactly when the whole key would not fit.
          expect(cut).toBe(
            [...name].reduce((n, c) => n + (/[A-Za-z0-9._\-/]/.test(c) ? 1 : 4 * Buffer.byteLength(c)), 0) >
              LOG_GROUP_KEY_MAX_CHARS,
          );
          expect(logGroupOfKey(key)).toBe(cut ? undefined : name);
          if (other !== name) expect(logGroupKey(other)).not.toBe(key);
        },
      ),
      { seed: 17, numRuns: 500 },
    );
  });
});
