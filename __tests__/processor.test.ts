import { execFileSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gunzipSync, gzipSync, inflateRawSync } from "node:zlib";
import fc from "fast-check";
import { lambdaZip } from "../lib/bundle";
import { PROCESSOR_ENTRY } from "../stacks/security-stack";
import { Naming } from "../lib/naming";
import { KNOWN_REGIONS } from "../lib/config/regions";
import { handler } from "../functions/processor";
import {
  explainRecord,
  FirehoseEvent,
  FirehoseRecord,
  RESPONSE_LIMIT_BYTES,
  logGroupKey,
  regionOf,
  transformCounting,
  transformRecord,
  TransformResult,
} from "../functions/processor/transform";
import { firehoseBatch, KINESIS_RECORD_MAX_BYTES, largeRecordBatch } from "../bench/fixtures";
import { CONTROL_MESSAGE } from "./support/cloudwatch-logs";

/** A CloudWatch Logs subscription envelope exactly as CloudWatch Logs builds it: JSON, gzip, then base64 in the Firehose event. */
function cwlRecord(recordId: string, envelope: object): { recordId: string; data: string } {
  return { recordId, data: gzipSync(Buffer.from(JSON.stringify(envelope), "utf8")).toString("base64") };
}

function dataMessage(
  events: Array<{ id: string; timestamp: number; message: string }>,
  overrides: Record<string, unknown> = {},
) {
  return {
    messageType: "DATA_MESSAGE",
    owner: "222222222222",
    logGroup: "/var/log/secure",
    logStream: "i-0abc123/secure",
    subscriptionFilters: ["secops-security-logs-eu-west-1"],
    logEvents: events,
    ...overrides,
  };
}

const CONTROL = CONTROL_MESSAGE;

const event = (...records: Array<{ recordId: string; data: string }>): FirehoseEvent => ({
  invocationId: "inv-1",
  deliveryStreamArn: "arn:aws:firehose:us-east-1:111111111111:deliverystream/secops-security-logs",
  region: "us-east-1",
  records,
});

/** CRC-32 as gzip's trailer holds it (zlib.crc32 needs Node 20.15; engines allows any 20). */
const CRC_TABLE = Int32Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0xedb88320 : c >>> 1;
  return c;
});
function crc32(bytes: Buffer): number {
  let crc = -1;
  for (let i = 0; i < bytes.length; i++) crc = CRC_TABLE[(crc ^ bytes[i]) & 0xff] ^ (crc >>> 8);
  return (crc ^ -1) >>> 0;
}

/**
 * An Ok record's data: base64 of ONE complete gzip member (header without
 * optional fields, deflate, CRC-32 and length of exactly this content), the
 * contract Firehose's concatenation and the replay command rely on.
 */
function memberOf(result: TransformResult): Buffer {
  if (result.result !== "Ok") throw new Error(`record ${result.recordId} is ${result.result}`);
  const bytes = Buffer.from(result.data, "base64");
  expect([...bytes.subarray(0, 4)]).toEqual([0x1f, 0x8b, 0x08, 0x00]);
  const content = gunzipSync(bytes);
  // The trailer describes the whole content: a second member would have its own.
  expect([bytes.readUInt32LE(bytes.length - 8), bytes.readUInt32LE(bytes.length - 4)]).toEqual([
    crc32(content),
    content.length % 2 ** 32,
  ]);
  expect(inflateRawSync(bytes.subarray(10, bytes.length - 8)).equals(content)).toBe(true);
  return content;
}

/** The first nine bytes of an Ok record's gzip member: everything but the OS byte. */
function memberHeader(result: TransformResult): number[] {
  return [...Buffer.from((result as { data: string }).data, "base64").subarray(0, 9)];
}

function textOf(result: TransformResult): string {
  return memberOf(result).toString("utf8");
}

function linesOf(result: TransformResult): Array<Record<string, unknown>> {
  const text = textOf(result);
  expect(text.endsWith("\n")).toBe(true);
  return text
    .slice(0, -1)
    .split("\n")
    .map((line) => JSON.parse(line));
}

/** The response as the Lambda runtime sends it: its JSON, in bytes. */
const responseBytes = (response: object) => Buffer.byteLength(JSON.stringify(response), "utf8");

/** Text gzip cannot shrink much (64 symbols: 6 bits a character), deterministic per seed. */
function randomText(length: number, seed: number): string {
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  let state = seed >>> 0;
  const out = Buffer.alloc(length);
  for (let i = 0; i < length; i++) {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t ^= t + Math.imul(t ^ (t >>> 7), 61 | t);
    out[i] = alphabet.charCodeAt(((t ^ (t >>> 14)) >>> 0) % 64);
  }
  return out.toString("latin1");
}

describe("Firehose processor: CloudWatch Logs envelopes to NDJSON", () => {
  test("one JSON line per log event, in order, with its provenance", async () => {
    const response = await handler(
      event(
        cwlRecord(
          "r1",
          dataMessage([
            {
              id: "3861",
              timestamp: 1732690000000,
              message: "Accepted publickey for ec2-user from 10.0.0.5",
            },
            { id: "3862", timestamp: 1732690000123, message: "session opened for user root" },
          ]),
        ),
      ),
    );
    expect(response.records).toHaveLength(1);
    const [record] = response.records;
    expect(record).toMatchObject({
      recordId: "r1",
      result: "Ok",
      metadata: { partitionKeys: { account: "222222222222", logGroup: "!var!log!secure" } },
    });
    expect(linesOf(record)).toEqual([
      {
        timestamp: 1732690000000,
        message: "Accepted publickey for ec2-user from 10.0.0.5",
        account: "222222222222",
        region: "eu-west-1",
        logGroup: "/var/log/secure",
        logStream: "i-0abc123/secure",
        id: "3861",
      },
      {
        timestamp: 1732690000123,
        message: "session opened for user root",
        account: "222222222222",
        region: "eu-west-1",
        logGroup: "/var/log/secure",
        logStream: "i-0abc123/secure",
        id: "3862",
      },
    ]);
    // exactly these keys, in this order
    const text = textOf(record);
    expect(Object.keys(JSON.parse(text.split("\n")[0]))).toEqual([
      "timestamp",
      "message",
      "account",
      "region",
      "logGroup",
      "logStream",
      "id",
    ]);
  });

  test("CONTROL_MESSAGE records are dropped", async () => {
    const response = await handler(event(cwlRecord("c1", CONTROL)));
    expect(response.records).toEqual([{ recordId: "c1", result: "Dropped" }]);
  });

  const okEnvelope = dataMessage([{ id: "1", timestamp: 1, message: "m" }]);
  const gzipOf = (bytes: Buffer | string) =>
    gzipSync(typeof bytes === "string" ? Buffer.from(bytes, "utf8") : bytes);
  const truncated = gzipOf(JSON.stringify(okEnvelope)).subarray(0, 20);
  const corrupt = Buffer.concat([gzipOf(JSON.stringify(okEnvelope))]);
  corrupt[12] ^= 0xff; // inside the deflate data: header and trailer intact
  test.each([
    ["corrupt gzip (deflate data flipped, header and trailer intact)", "gzip", corrupt],
    ["not gzip at all", "gzip", Buffer.from("plain text")],
    ["truncated gzip", "gzip", truncated],
    ["gzip of non-JSON", "json", gzipOf("<html>not json</html>")],
    ["JSON that is not an envelope", "envelope", gzipOf(JSON.stringify({ hello: "world" }))],
    [
      "DATA_MESSAGE without logEvents",
      "envelope",
      gzipOf(
        JSON.stringify({
          messageType: "DATA_MESSAGE",
          owner: "1",
          logGroup: "g",
          logStream: "s",
          subscriptionFilters: [],
        }),
      ),
    ],
    [
      "subscriptionFilters not an array",
      "envelope",
      gzipOf(
        JSON.stringify(
          dataMessage([{ id: "1", timestamp: 1, message: "m" }], {
            subscriptionFilters: "secops-security-logs-eu-west-1",
          }),
        ),
      ),
    ],
    [
      "subscriptionFilters holding a number",
      "envelope",
      gzipOf(
        JSON.stringify(dataMessage([{ id: "1", timestamp: 1, message: "m" }], { subscriptionFilters: [7] })),
      ),
    ],
    [
      "owner not a string",
      "envelope",
      gzipOf(JSON.stringify(dataMessage([{ id: "1", timestamp: 1, message: "m" }], { owner: 222222222222 }))),
    ],
    [
      "a message that is an object",
      "event",
      gzipOf(
        JSON.stringify(dataMessage([{ id: "1", timestamp: 1, message: { a: 1 } as unknown as string }])),
      ),
    ],
    [
      "a message missing",
      "event",
      gzipOf(
        JSON.stringify(
          dataMessage([{ id: "1", timestamp: 1 } as { id: string; timestamp: number; message: string }]),
        ),
      ),
    ],
    [
      "an id that is a number",
      "event",
      gzipOf(JSON.stringify(dataMessage([{ id: 1 as unknown as string, timestamp: 1, message: "m" }]))),
    ],
    [
      "a timestamp that is a string",
      "event",
      gzipOf(JSON.stringify(dataMessage([{ id: "1", timestamp: "1" as unknown as number, message: "m" }]))),
    ],
    [
      "a timestamp beyond a double (1e400)",
      "event",
      gzipOf(
        JSON.stringify(dataMessage([{ id: "1", timestamp: 0, message: "m" }])).replace(
          '"timestamp":0',
          '"timestamp":1e400',
        ),
      ),
    ],
    [
      "an event that is null",
      "event",
      gzipOf(
        JSON.stringify(dataMessage([null as unknown as { id: string; timestamp: number; message: string }])),
      ),
    ],
    [
      "a good event then a bad one",
      "event",
      gzipOf(
        JSON.stringify(
          dataMessage([
            { id: "1", timestamp: 1, message: "m" },
            { id: "2", timestamp: 2, message: 5 as unknown as string },
          ]),
        ),
      ),
    ],
    [
      "invalid UTF-8 in a message (fast-path shape)",
      "utf8",
      gzipOf(
        Buffer.concat([
          Buffer.from(JSON.stringify(okEnvelope).replace('"message":"m"', '"message":"a')),
          Buffer.from([0xff, 0xfe]),
          Buffer.from('b"}]}'),
        ]),
      ),
    ],
    [
      "a UTF-8 overlong encoding of '/'",
      "utf8",
      gzipOf(
        Buffer.concat([
          Buffer.from(JSON.stringify(okEnvelope).replace('"message":"m"', '"message":"')),
          Buffer.from([0xc0, 0xaf]),
          Buffer.from('"}]}'),
        ]),
      ),
    ],
    [
      "a lone surrogate encoded in UTF-8 (CESU)",
      "utf8",
      gzipOf(
        Buffer.concat([
          Buffer.from(JSON.stringify(okEnvelope).replace('"message":"m"', '"message":"')),
          Buffer.from([0xed, 0xa0, 0x80]),
          Buffer.from('"}]}'),
        ]),
      ),
    ],
  ])("%s: ProcessingFailed (%s), alone: a good record next to it is Ok", async (_name, reason, bytes) => {
    // Each fixture reaches the branch it names: a gzip case is one zlib itself refuses, every other
    // case is a valid gzip member (processor-exact.test.ts names zlib's error for each way gzip breaks).
    if (reason === "gzip") expect(() => gunzipSync(bytes)).toThrow();
    else expect(gunzipSync(bytes).length).toBeGreaterThan(0);
    const record = { recordId: "x", data: bytes.toString("base64") };
    expect(explainRecord(record)).toEqual({
      result: { recordId: "x", result: "ProcessingFailed" },
      events: 0,
      reason,
    });
    const response = await handler(
      event(cwlRecord("before", okEnvelope), record, cwlRecord("after", okEnvelope)),
    );
    expect(response.records.map((r) => [r.recordId, r.result])).toEqual([
      ["before", "Ok"],
      ["x", "ProcessingFailed"],
      ["after", "Ok"],
    ]);
    expect(response.records[1]).toEqual({ recordId: "x", result: "ProcessingFailed" });
  });

  test("the handler logs why records failed, as counts only", async () => {
    const log = jest.spyOn(console, "log").mockImplementation(() => undefined);
    try {
      await handler(
        event(
          { recordId: "a", data: "AAAA" },
          cwlRecord("b", dataMessage([{ id: "1", timestamp: 1, message: 5 as unknown as string }])),
          { recordId: "c", data: "" },
        ),
      );
      expect(log.mock.calls).toEqual([[JSON.stringify({ processingFailed: { gzip: 2, event: 1 } })]]);
    } finally {
      log.mockRestore();
    }
  });

  test("unicode and characters that need escaping survive intact", async () => {
    const messages = [
      "Benutzer „müller“ angemeldet ✓",
      "日本語のログ 🚨",
      'quote " backslash \\ tab \t newline \n end',
      "\u0000\u001f control",
      "emoji 👩‍💻 zwj",
    ];
    const response = await handler(
      event(
        cwlRecord("u", dataMessage(messages.map((message, i) => ({ id: String(i), timestamp: i, message })))),
      ),
    );
    expect(linesOf(response.records[0]).map((l) => l.message)).toEqual(messages);
  });

  test("a 1 MB log event becomes one line holding all of it", async () => {
    const big = "A".repeat(1024 * 1024 - 10) + "é-end";
    const response = await handler(
      event(cwlRecord("big", dataMessage([{ id: "1", timestamp: 5, message: big }]))),
    );
    const [line] = linesOf(response.records[0]);
    expect(line.message).toBe(big);
  });

  test("records in one batch keep their order, status and ids", async () => {
    const response = await handler(
      event(
        cwlRecord("a", dataMessage([{ id: "1", timestamp: 1, message: "first" }])),
        cwlRecord("b", CONTROL),
        { recordId: "c", data: "!!notbase64gzip!!" },
        cwlRecord(
          "d",
          dataMessage([{ id: "2", timestamp: 2, message: "second" }], {
            owner: "333333333333",
            logGroup: "/aws/lambda/fn",
            subscriptionFilters: ["secops-security-logs-us-east-1"],
          }),
        ),
      ),
    );
    expect(response.records.map((r) => [r.recordId, r.result])).toEqual([
      ["a", "Ok"],
      ["b", "Dropped"],
      ["c", "ProcessingFailed"],
      ["d", "Ok"],
    ]);
    expect(linesOf(response.records[3])).toEqual([
      {
        timestamp: 2,
        message: "second",
        account: "333333333333",
        region: "us-east-1",
        logGroup: "/aws/lambda/fn",
        logStream: "i-0abc123/secure",
        id: "2",
      },
    ]);
  });

  test("a batch whose compressed output would exceed 6 MB: what fits is Ok, the rest ProcessingFailed for size, none lost or duplicated", async () => {
    // 8 records of ~1 MB of incompressible text each: about 1 MB of base64 each even gzip'd.
    const records = Array.from({ length: 8 }, (_, i) =>
      cwlRecord(
        `r${i}`,
        dataMessage(
          Array.from({ length: 4 }, (_, j) => ({
            id: `${i}-${j}`,
            timestamp: j,
            message: randomText(256 * 1024, i * 10 + j),
          })),
        ),
      ),
    );
    const { response, failures } = transformCounting(event(...records));
    expect(responseBytes(response)).toBeLessThanOrEqual(RESPONSE_LIMIT_BYTES);
    expect(response.records.map((r) => r.recordId)).toEqual(records.map((r) => r.recordId));
    // In order: the first ones fit, then none (each record is about as large as the last).
    expect(response.records.map((r) => r.result)).toEqual([
      ...Array(5).fill("Ok"),
      ...Array(3).fill("ProcessingFailed"),
    ]);
    expect(failures).toEqual(new Map([["size", 3]]));
    for (const r of response.records.filter((r) => r.result === "Ok")) {
      const i = r.recordId.slice(1);
      expect(linesOf(r).map((l) => l.id)).toEqual(Array.from({ length: 4 }, (_, j) => `${i}-${j}`));
    }
  });

  test("the issue's minimal case (a 4,717,000-character message, then 14 one-event records with 56-character ids) stays under 6 MB", async () => {
    const ids = Array.from({ length: 15 }, (_, i) => `${i}`.padStart(56, "4"));
    const records = [
      cwlRecord(ids[0], dataMessage([{ id: "1", timestamp: 1, message: randomText(4_717_000, 99) }])),
      ...ids
        .slice(1)
        .map((id, i) => cwlRecord(id, dataMessage([{ id: String(i), timestamp: i, message: "small" }]))),
    ];
    const response = await handler(event(...records));
    expect(responseBytes(response)).toBeLessThanOrEqual(RESPONSE_LIMIT_BYTES);
    expect(response.records.map((r) => r.recordId)).toEqual(ids);
    expect(response.records.map((r) => r.result)).toEqual(Array(15).fill("Ok"));
  });

  test("the largest record CloudWatch Logs can send (1 MiB gzip'd, inflating over 20x) is delivered Ok, whole", () => {
    const batch = largeRecordBatch();
    const [record] = batch.records;
    const gzipped = Buffer.from(record.data, "base64");
    const envelope = JSON.parse(gunzipSync(gzipped).toString("utf8"));
    expect(gzipped.length).toBeLessThanOrEqual(KINESIS_RECORD_MAX_BYTES);
    expect(gzipped.length).toBeGreaterThan(0.95 * KINESIS_RECORD_MAX_BYTES);
    expect(gunzipSync(gzipped).length / gzipped.length).toBeGreaterThan(20);
    const { response, eventsByAccount } = transformCounting(batch);
    expect(responseBytes(response)).toBeLessThanOrEqual(RESPONSE_LIMIT_BYTES);
    const [result] = response.records;
    expect(result).toMatchObject({
      recordId: record.recordId,
      result: "Ok",
      metadata: { partitionKeys: { account: "222222222222", logGroup: "!app!payments!security" } },
    });
    const lines = linesOf(result);
    expect(lines.map((l) => [l.id, l.timestamp, l.message])).toEqual(
      envelope.logEvents.map((e: { id: string; timestamp: number; message: string }) => [
        e.id,
        e.timestamp,
        e.message,
      ]),
    );
    expect(eventsByAccount).toEqual(new Map([["222222222222", envelope.logEvents.length]]));
  });

  test("an empty batch answers with no records", async () => {
    expect(await handler(event())).toEqual({ records: [] });
  });
});

describe("processor helpers", () => {
  test("reads back the region from every filter and policy name this app gives, in every region", () => {
    const naming = new Naming({ prefix: "secops", partition: "aws", securityAccountId: "111111111111" });
    for (const region of KNOWN_REGIONS) {
      expect([region, regionOf([naming.subscriptionFilterName(region, 0)])]).toEqual([region, region]);
      expect([region, regionOf([naming.subscriptionFilterName(region, 1)])]).toEqual([region, region]);
      expect([region, regionOf([naming.accountPolicyName(region)])]).toEqual([region, region]);
    }
  });

  test.each([
    [["secops-security-logs-eu-west-1"], "eu-west-1"],
    [["secops-security-logs-us-gov-west-1-0a1b2c3d"], "us-gov-west-1"],
    [["secops-security-logs-ap-southeast-2-deadbeef"], "ap-southeast-2"],
    [["secops-security-logs-eu-central-2-2"], "eu-central-2"],
    [["secops-security-logs-eu-central-2-3"], "unknown"],
    [["someone-elses-filter"], "unknown"],
    [[], "unknown"],
  ])("region of %j is %s", (filters, region) => {
    expect(regionOf(filters)).toBe(region);
  });

  test.each([
    ["/var/log/messages", "!var!log!messages"],
    ["/aws/lambda/my-fn", "!aws!lambda!my-fn"],
    ["App#Security Logs", "App(23)Security(20)Logs"],
    ["/", "!"],
  ])("log group %s is partition %s", (name, key) => {
    expect(logGroupKey(name)).toBe(key);
  });
});

describe("processor package", () => {
  const zip = lambdaZip(PROCESSOR_ENTRY);

  test("is reproducible: the same source gives the same bytes (and the same source_code_hash)", () => {
    expect(lambdaZip(PROCESSOR_ENTRY).equals(zip)).toBe(true);
  });

  test("holds index.js exporting the handler, with no network or AWS SDK code in it", () => {
    const code = inflateRawSync(
      zip.subarray(30 + "index.js".length, zip.indexOf(Buffer.from([0x50, 0x4b, 0x01, 0x02]))),
    ).toString("utf8");
    const mod = { exports: {} as Record<string, unknown> };
    new Function("module", "exports", "require", code)(mod, mod.exports, require);
    expect(typeof mod.exports.handler).toBe("function");
    for (const forbidden of [
      "node:http",
      '"http"',
      '"https"',
      "node:net",
      '"net"',
      '"dgram"',
      "@aws-sdk",
      "aws-sdk",
    ])
      expect(code).not.toContain(forbidden);
  });
});

describe("processor paths and budget", () => {
  /** An envelope as raw JSON text, for shapes JSON.stringify would not produce. */
  const rawRecord = (recordId: string, text: string) => ({
    recordId,
    data: gzipSync(Buffer.from(text, "utf8")).toString("base64"),
  });

  test("an envelope with another key order (generic path) gives the same lines as CloudWatch Logs' usual order (fast path)", async () => {
    const usual = dataMessage([{ id: "1", timestamp: 10, message: 'a "quoted" \\ message ü' }]);
    const reordered = `{"logEvents":[{"message":"a \\"quoted\\" \\\\ message \\u00fc","timestamp":10,"id":"1"}],"logStream":"i-0abc123/secure","owner":"222222222222","messageType":"DATA_MESSAGE","logGroup":"/var/log/secure","subscriptionFilters":["secops-security-logs-eu-west-1"]}`;
    const response = await handler(event(cwlRecord("fast", usual), rawRecord("generic", reordered)));
    expect(linesOf(response.records[1])).toEqual(linesOf(response.records[0]));
  });

  test("messages escaped as \\uXXXX by the sender keep their text (fast path copies the escape)", async () => {
    const text = `{"messageType":"DATA_MESSAGE","owner":"222222222222","logGroup":"/g","logStream":"s","subscriptionFilters":[],"logEvents":[{"id":"7","timestamp":1,"message":"${"\\u00fc".repeat(3000)}\\ud83d\\ude80"}]}`;
    const response = await handler(event(rawRecord("esc", text)));
    expect(linesOf(response.records[0])[0].message).toBe("ü".repeat(3000) + "🚀");
  });

  test("a malformed escape inside a message is not copied through: the record fails as invalid JSON", async () => {
    const text = `{"messageType":"DATA_MESSAGE","owner":"1","logGroup":"/g","logStream":"s","subscriptionFilters":[],"logEvents":[{"id":"7","timestamp":1,"message":"bad \\q escape"}]}`;
    expect((await handler(event(rawRecord("bad", text)))).records).toEqual([
      { recordId: "bad", result: "ProcessingFailed" },
    ]);
  });
});

describe("processor output: concatenated gzip members are one gzip file", () => {
  test("the Ok records of a batch, written one after another as Firehose does, read whole with Node's zlib, Python's gzip and gunzip", async () => {
    const records = [
      cwlRecord(
        "a",
        dataMessage([
          { id: "1", timestamp: 1, message: "first ü" },
          { id: "2", timestamp: 2, message: "second 🚨" },
        ]),
      ),
      cwlRecord(
        "b",
        dataMessage([{ id: "3", timestamp: 3, message: 'third "quoted"' }], { owner: "333333333333" }),
      ),
      cwlRecord("c", dataMessage([{ id: "4", timestamp: 4, message: randomText(200_000, 5) }])),
    ];
    const response = await handler(event(...records));
    const object = Buffer.concat(
      response.records.map((r) => Buffer.from((r as { data: string }).data, "base64")),
    );
    const expected = response.records.map(textOf).join("");
    expect(expected.split("\n")).toHaveLength(5);
    expect(gunzipSync(object).toString("utf8")).toBe(expected);
    const file = join(mkdtempSync(join(tmpdir(), "seclog-gzip-")), "part.ndjson.gz");
    writeFileSync(file, object);
    expect(
      execFileSync(
        "python3",
        ["-c", "import gzip, sys; sys.stdout.buffer.write(gzip.open(sys.argv[1]).read())", file],
        { maxBuffer: 64 * 1024 * 1024 },
      ).toString("utf8"),
    ).toBe(expected);
    expect(execFileSync("gunzip", ["-c", file], { maxBuffer: 64 * 1024 * 1024 }).toString("utf8")).toBe(
      expected,
    );
  });

  test("the same record gives the same bytes (the replay command's object names rely on it): no time in the member", () => {
    const record = cwlRecord("a", dataMessage([{ id: "1", timestamp: 1, message: "same" }]));
    const first = transformRecord(record);
    // ID1 ID2, CM 8 (deflate), FLG 0, MTIME 0 (no timestamp: RFC 1952 section 2.3.1), XFL 4 (fastest level).
    const header = memberHeader(first);
    expect(header).toEqual([0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 4]);
    expect(transformRecord(record)).toEqual(first);
  });
});

describe("processor response budget: never over Lambda's 6 MB", () => {
  // One large record of incompressible text, then one small record whose id is padded to put the
  // whole response exactly where each case wants it.
  const big = cwlRecord("big", dataMessage([{ id: "1", timestamp: 1, message: randomText(6_000_000, 1) }]));
  const small = (pad: number) =>
    cwlRecord(`s${"p".repeat(pad)}`, dataMessage([{ id: "2", timestamp: 2, message: "small" }]));
  // Calibrated inside the first test that needs it, not in beforeAll: code a hook runs belongs to no
  // test, and Stryker then runs every test against every mutant that code reaches.
  let calibrated: number | undefined;
  function fits(): number {
    if (calibrated !== undefined) return calibrated;
    // Everything Ok, some bytes under the limit; each pad byte adds exactly one byte.
    const { response } = transformCounting(event(big, small(0)));
    expect(response.records.map((r) => r.result)).toEqual(["Ok", "Ok"]);
    calibrated = RESPONSE_LIMIT_BYTES - responseBytes(response);
    expect(calibrated).toBeGreaterThan(1000);
    expect(calibrated).toBeLessThan(400_000);
    return calibrated;
  }

  test.each([
    ["one byte under the limit", -1, ["Ok", "Ok"]],
    ["exactly at the limit", 0, ["Ok", "Ok"]],
    ["one byte over the limit", 1, ["Ok", "ProcessingFailed"]],
  ])("a response that would be %s", (_name, delta, results) => {
    const records = [big, small(fits() + delta)];
    const { response, failures } = transformCounting(event(...records));
    expect(response.records.map((r) => [r.recordId, r.result])).toEqual(
      records.map((r, i) => [r.recordId, results[i]]),
    );
    const size = responseBytes(response);
    if (delta <= 0) expect(size).toBe(RESPONSE_LIMIT_BYTES + delta);
    else {
      expect(size).toBeLessThanOrEqual(RESPONSE_LIMIT_BYTES);
      expect(failures).toEqual(new Map([["size", 1]]));
    }
  });

  test("a record whose fast (level 1) gzip does not fit the budget is compressed again at level 9 and delivered", () => {
    // Ten 1 MB runs of one character: level 6 (CloudWatch Logs' side) and 9 give ~10 KB, level 1 ~44 KB.
    const record = cwlRecord(
      "runs",
      dataMessage(
        Array.from({ length: 10 }, (_, i) => ({
          id: String(i),
          timestamp: i,
          message: "x".repeat(1024 * 1024),
        })),
      ),
    );
    const fast = explainRecord(record).result as { data: string };
    const tight = explainRecord(record, Infinity, 9).result as { data: string };
    expect(fast.data.length).toBeGreaterThan(3 * record.data.length);
    expect(tight.data.length).toBeLessThan(1.2 * record.data.length);
    // Room for 2x the input: the fast level is tried first (1.5x headroom), does not fit, level 9 does.
    const limit = responseBytes({ records: [{ ...tight }] }) + record.data.length;
    const { response, failures } = transformCounting(event(record), limit);
    expect(response.records).toEqual([{ ...tight }]);
    expect(failures).toEqual(new Map());
    expect(linesOf(response.records[0])).toHaveLength(10);
  });

  test("a realistic batch at Lambda's 6 MB request limit: every record Ok (gzip level 9 when the budget is tight), under 6 MB", () => {
    const batch = firehoseBatch(6 * 1024 * 1024);
    expect(Buffer.byteLength(JSON.stringify(batch))).toBeGreaterThan(6_000_000);
    const { response } = transformCounting(batch);
    expect(responseBytes(response)).toBeLessThanOrEqual(RESPONSE_LIMIT_BYTES);
    expect(response.records.map((r) => [r.recordId, r.result])).toEqual(
      batch.records.map((r) => [r.recordId, "Ok"]),
    );
  });

  test("the room for every later record's ProcessingFailed entry is reserved before a record is judged", () => {
    // The big record alone fits; followed by enough ids that their failure entries would not fit
    // next to it, it must give way (the old budget let it take the room and overflowed).
    const alone = responseBytes(transformCounting(event(big)).response);
    const entry =
      Buffer.byteLength(JSON.stringify({ recordId: "f".repeat(56), result: "ProcessingFailed" })) + 1;
    const count = Math.ceil((RESPONSE_LIMIT_BYTES - alone + 1) / entry);
    const invalid = Array.from({ length: count }, (_, i) => ({
      recordId: `${i}`.padStart(56, "f"),
      data: "AAAA",
    }));
    const { response } = transformCounting(event(big, ...invalid));
    expect(responseBytes(response)).toBeLessThanOrEqual(RESPONSE_LIMIT_BYTES);
    expect(response.records[0]).toEqual({ recordId: "big", result: "ProcessingFailed" });
    expect(response.records.map((r) => r.recordId)).toEqual(["big", ...invalid.map((r) => r.recordId)]);
  });
});

describe("processor properties (fast-check, seeded)", () => {
  type Event = { id: string; timestamp: number; message: string };
  const eventArb: fc.Arbitrary<Event> = fc.record({
    id: fc.stringMatching(/^\d{1,20}$/),
    timestamp: fc.integer({ min: 0, max: 4_102_444_800_000 }),
    message: fc.oneof(
      fc.string({ unit: "grapheme", maxLength: 60 }),
      fc.string({ unit: "binary", maxLength: 60 }),
      fc.json({ maxDepth: 2 }),
      fc.constantFrom("", '"', "\\", "\n\t\u0000", "$1 $& $$"),
    ),
  });
  const envelopeArb = fc.record({
    owner: fc.stringMatching(/^\d{12}$/),
    logGroup: fc.string({ minLength: 1, maxLength: 40 }),
    logStream: fc.string({ maxLength: 40 }),
    events: fc.array(eventArb, { maxLength: 12 }),
    generic: fc.boolean(),
  });
  type Envelope = typeof envelopeArb extends fc.Arbitrary<infer T> ? T : never;
  type Case = { kind: "valid"; envelope: Envelope } | { kind: "control" } | { kind: "invalid"; data: string };
  const invalidArb = fc.oneof(
    fc.uint8Array({ maxLength: 64 }).map((b) => Buffer.from(b).toString("base64")),
    fc.uint8Array({ maxLength: 64 }).map((b) => gzipSync(Buffer.from(b)).toString("base64")),
    fc.constantFrom(
      gzipSync(
        JSON.stringify(dataMessage([{ id: "1", timestamp: 1, message: "m" }], { subscriptionFilters: "x" })),
      ).toString("base64"),
      gzipSync(
        JSON.stringify(dataMessage([{ id: "1", timestamp: "1" as unknown as number, message: "m" }])),
      ).toString("base64"),
      gzipSync(
        Buffer.concat([
          Buffer.from(
            '{"messageType":"DATA_MESSAGE","owner":"1","logGroup":"g","logStream":"s","subscriptionFilters":[],"logEvents":[{"id":"1","timestamp":1,"message":"',
          ),
          Buffer.from([0xff]),
          Buffer.from('"}]}'),
        ]),
      ).toString("base64"),
    ),
  );
  const caseArb: fc.Arbitrary<Case> = fc.oneof(
    { weight: 6, arbitrary: envelopeArb.map((envelope) => ({ kind: "valid" as const, envelope })) },
    { weight: 1, arbitrary: fc.constant({ kind: "control" as const }) },
    { weight: 3, arbitrary: invalidArb.map((data) => ({ kind: "invalid" as const, data })) },
  );
  // Passing runs take about a second; a failure's shrinking is cut off at 20 s and still fails the test.
  const BOUNDED = { interruptAfterTimeLimit: 20_000, markInterruptAsFailure: true } as const;
  const batchArb = fc.array(fc.tuple(fc.string({ minLength: 1, maxLength: 60 }), caseArb), { maxLength: 12 });

  /** The record CloudWatch Logs would send; `generic` puts the keys in another order (the generic path). */
  function recordOf(recordId: string, c: Case): FirehoseRecord {
    if (c.kind === "invalid") return { recordId, data: c.data };
    if (c.kind === "control") return cwlRecord(recordId, CONTROL);
    const { owner, logGroup, logStream, events, generic } = c.envelope;
    const envelope = dataMessage(events, { owner, logGroup, logStream });
    if (!generic) return cwlRecord(recordId, envelope);
    const { logEvents, ...header } = envelope;
    return cwlRecord(recordId, {
      logEvents: logEvents.map(({ message, timestamp, id }) => ({ message, timestamp, id })),
      ...header,
    });
  }

  function check(batch: Array<[string, Case]>, limit: number) {
    // Unique ids: Firehose's are; the property is "each once, in order".
    const cases = batch.map(([id, c], i) => [`${i}:${id}`, c] as const);
    const records = cases.map(([id, c]) => recordOf(id, c));
    const { response } = transformCounting(event(...records), limit);
    expect(responseBytes(response)).toBeLessThanOrEqual(limit);
    expect(response.records.map((r) => r.recordId)).toEqual(records.map((r) => r.recordId));
    for (const [i, result] of response.records.entries()) {
      const c = cases[i][1];
      if (c.kind === "invalid") expect(result.result).toBe("ProcessingFailed");
      if (c.kind === "control") expect(result.result).toBe("Dropped");
      if (c.kind !== "valid") continue;
      if (limit === RESPONSE_LIMIT_BYTES) expect(result.result).toBe("Ok");
      if (result.result !== "Ok") {
        expect(result.result).toBe("ProcessingFailed");
        continue;
      }
      const text = textOf(result);
      const lines =
        text === ""
          ? []
          : text
              .slice(0, -1)
              .split("\n")
              .map((line) => JSON.parse(line));
      expect(lines.map((l) => [l.id, l.timestamp, l.message, l.account, l.logGroup, l.logStream])).toEqual(
        c.envelope.events.map((e) => [
          e.id,
          e.timestamp,
          e.message,
          c.envelope.owner,
          c.envelope.logGroup,
          c.envelope.logStream,
        ]),
      );
      expect(result.metadata.partitionKeys).toEqual({
        account: c.envelope.owner,
        logGroup: logGroupKey(c.envelope.logGroup),
      });
    }
  }

  test("any batch of valid and invalid records: under the limit, every id once and in order, every Ok message the input's", () => {
    fc.assert(
      fc.property(batchArb, (batch) => check(batch, RESPONSE_LIMIT_BYTES)),
      { seed: 16, numRuns: 300, ...BOUNDED },
    );
  });

  test("the same under a tight budget, so records fail for size: never over it, never out of order", () => {
    // The smallest limit that can hold the envelope and every record's ProcessingFailed entry, plus some room.
    const floor = (batch: Array<[string, Case]>) =>
      Buffer.byteLength(
        JSON.stringify({
          records: batch.map(([id], i) => ({ recordId: `${i}:${id}`, result: "ProcessingFailed" })),
        }),
      );
    fc.assert(
      fc.property(batchArb, fc.integer({ min: 0, max: 3000 }), (batch, room) =>
        check(batch, floor(batch) + room),
      ),
      { seed: 61, numRuns: 300, ...BOUNDED },
    );
  });
});
