import { gzipSync, inflateRawSync } from "node:zlib";
import { lambdaZip } from "../lib/bundle";
import { PROCESSOR_ENTRY } from "../stacks/security-stack";
import { Naming } from "../lib/naming";
import { KNOWN_REGIONS } from "../lib/config/regions";
import { handler } from "../functions/processor";
import { FirehoseEvent, minimumOutputSize, RESPONSE_LIMIT_BYTES, sanitizeLogGroup, regionOf, transformRecord, TransformResult } from "../functions/processor/transform";

/** A CloudWatch Logs subscription envelope exactly as CloudWatch Logs builds it: JSON, gzip, then base64 in the Firehose event. */
function cwlRecord(recordId: string, envelope: object): { recordId: string; data: string } {
  return { recordId, data: gzipSync(Buffer.from(JSON.stringify(envelope), "utf8")).toString("base64") };
}

function dataMessage(events: Array<{ id: string; timestamp: number; message: string }>, overrides: Record<string, unknown> = {}) {
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

const CONTROL = {
  messageType: "CONTROL_MESSAGE",
  owner: "CloudwatchLogs",
  logGroup: "",
  logStream: "",
  subscriptionFilters: [],
  logEvents: [{ id: "", timestamp: 1732690000000, message: "CWL CONTROL MESSAGE: Checking health of destination Kinesis stream." }],
};

const event = (...records: Array<{ recordId: string; data: string }>): FirehoseEvent => ({
  invocationId: "inv-1",
  deliveryStreamArn: "arn:aws:firehose:us-east-1:111111111111:deliverystream/secops-security-logs",
  region: "us-east-1",
  records,
});

function linesOf(result: TransformResult): Array<Record<string, unknown>> {
  if (result.result !== "Ok") throw new Error(`record ${result.recordId} is ${result.result}`);
  const text = Buffer.from(result.data, "base64").toString("utf8");
  expect(text.endsWith("\n")).toBe(true);
  return text.slice(0, -1).split("\n").map((line) => JSON.parse(line));
}

describe("Firehose processor: CloudWatch Logs envelopes to NDJSON", () => {
  test("one JSON line per log event, in order, with its provenance", async () => {
    const response = await handler(
      event(
        cwlRecord("r1", dataMessage([
          { id: "3861", timestamp: 1732690000000, message: "Accepted publickey for ec2-user from 10.0.0.5" },
          { id: "3862", timestamp: 1732690000123, message: "session opened for user root" },
        ])),
      ),
    );
    expect(response.records).toHaveLength(1);
    const [record] = response.records;
    expect(record).toMatchObject({ recordId: "r1", result: "Ok", metadata: { partitionKeys: { account: "222222222222", logGroup: "var.log.secure" } } });
    expect(linesOf(record)).toEqual([
      { timestamp: 1732690000000, message: "Accepted publickey for ec2-user from 10.0.0.5", account: "222222222222", region: "eu-west-1", logGroup: "/var/log/secure", logStream: "i-0abc123/secure", id: "3861" },
      { timestamp: 1732690000123, message: "session opened for user root", account: "222222222222", region: "eu-west-1", logGroup: "/var/log/secure", logStream: "i-0abc123/secure", id: "3862" },
    ]);
    // exactly these keys, in this order
    const text = Buffer.from((record as { data: string }).data, "base64").toString("utf8");
    expect(Object.keys(JSON.parse(text.split("\n")[0]))).toEqual(["timestamp", "message", "account", "region", "logGroup", "logStream", "id"]);
  });

  test("CONTROL_MESSAGE records are dropped", async () => {
    const response = await handler(event(cwlRecord("c1", CONTROL)));
    expect(response.records).toEqual([{ recordId: "c1", result: "Dropped" }]);
  });

  test.each([
    ["corrupt gzip", { recordId: "x", data: Buffer.from("\x1f\x8b\x08\x00garbage").toString("base64") }],
    ["not gzip at all", { recordId: "x", data: Buffer.from("plain text").toString("base64") }],
    ["gzip of non-JSON", { recordId: "x", data: gzipSync(Buffer.from("<html>not json</html>")).toString("base64") }],
    ["JSON that is not an envelope", { recordId: "x", data: gzipSync(Buffer.from(JSON.stringify({ hello: "world" }))).toString("base64") }],
    ["DATA_MESSAGE without logEvents", { recordId: "x", data: gzipSync(Buffer.from(JSON.stringify({ messageType: "DATA_MESSAGE", owner: "1", logGroup: "g", logStream: "s" }))).toString("base64") }],
    ["truncated gzip", { recordId: "x", data: gzipSync(Buffer.from(JSON.stringify(dataMessage([{ id: "1", timestamp: 1, message: "m" }])))).subarray(0, 20).toString("base64") }],
  ])("%s: ProcessingFailed, so Firehose keeps the original bytes under the error prefix", async (_name, record) => {
    expect((await handler(event(record))).records).toEqual([{ recordId: "x", result: "ProcessingFailed" }]);
  });

  test("unicode and characters that need escaping survive intact", async () => {
    const messages = ["Benutzer „müller“ angemeldet ✓", "日本語のログ 🚨", 'quote " backslash \\ tab \t newline \n end', "\u0000\u001f control", "emoji 👩‍💻 zwj"];
    const response = await handler(event(cwlRecord("u", dataMessage(messages.map((message, i) => ({ id: String(i), timestamp: i, message }))))));
    expect(linesOf(response.records[0]).map((l) => l.message)).toEqual(messages);
  });

  test("a 1 MB log event becomes one line holding all of it", async () => {
    const big = "A".repeat(1024 * 1024 - 10) + "é-end";
    const response = await handler(event(cwlRecord("big", dataMessage([{ id: "1", timestamp: 5, message: big }]))));
    const [line] = linesOf(response.records[0]);
    expect(line.message).toBe(big);
  });

  test("records in one batch keep their order, status and ids", async () => {
    const response = await handler(
      event(
        cwlRecord("a", dataMessage([{ id: "1", timestamp: 1, message: "first" }])),
        cwlRecord("b", CONTROL),
        { recordId: "c", data: "!!notbase64gzip!!" },
        cwlRecord("d", dataMessage([{ id: "2", timestamp: 2, message: "second" }], { owner: "333333333333", logGroup: "/aws/lambda/fn", subscriptionFilters: ["secops-security-logs-us-east-1"] })),
      ),
    );
    expect(response.records.map((r) => [r.recordId, r.result])).toEqual([["a", "Ok"], ["b", "Dropped"], ["c", "ProcessingFailed"], ["d", "Ok"]]);
    expect(linesOf(response.records[3])).toEqual([
      { timestamp: 2, message: "second", account: "333333333333", region: "us-east-1", logGroup: "/aws/lambda/fn", logStream: "i-0abc123/secure", id: "2" },
    ]);
  });

  test("a batch whose output would exceed 6 MB: what fits is Ok, the rest ProcessingFailed, none lost or duplicated", async () => {
    // 8 records of ~1 MB of log text each: gzip makes them tiny, NDJSON (base64) makes each ~1.4 MB.
    const records = Array.from({ length: 8 }, (_, i) =>
      cwlRecord(`r${i}`, dataMessage(Array.from({ length: 10 }, (_, j) => ({ id: `${i}-${j}`, timestamp: j, message: `${i}:${j}:`.padEnd(100 * 1024, "x") })))),
    );
    const response = await handler(event(...records));
    const size = Buffer.byteLength(JSON.stringify(response), "utf8");
    expect(size).toBeLessThanOrEqual(RESPONSE_LIMIT_BYTES);
    expect(response.records.map((r) => r.recordId)).toEqual(records.map((r) => r.recordId));
    const ok = response.records.filter((r) => r.result === "Ok");
    const failed = response.records.filter((r) => r.result === "ProcessingFailed");
    expect(ok.length).toBeGreaterThan(0);
    expect(failed.length).toBeGreaterThan(0);
    expect(ok.length + failed.length).toBe(8);
    // every Ok record carries all of its own events, and only those
    for (const r of ok) {
      const i = r.recordId.slice(1);
      expect(linesOf(r).map((l) => l.id)).toEqual(Array.from({ length: 10 }, (_, j) => `${i}-${j}`));
    }
  });

  test("an empty batch answers with no records", async () => {
    expect(await handler(event())).toEqual({ records: [] });
  });
});

describe("processor helpers", () => {
  test("reads back the region from every filter and policy name this app gives, in every region", () => {
    const naming = new Naming({ prefix: "secops", partition: "aws", securityAccountId: "111111111111" });
    for (const region of KNOWN_REGIONS) {
      expect([region, regionOf([naming.subscriptionFilterName(region, "", false)])]).toEqual([region, region]);
      expect([region, regionOf([naming.subscriptionFilterName(region, "ERROR", true)])]).toEqual([region, region]);
      expect([region, regionOf([naming.accountPolicyName(region)])]).toEqual([region, region]);
    }
  });

  test.each([
    [["secops-security-logs-eu-west-1"], "eu-west-1"],
    [["secops-security-logs-us-gov-west-1-0a1b2c3d"], "us-gov-west-1"],
    [["secops-security-logs-ap-southeast-2-deadbeef"], "ap-southeast-2"],
    [["someone-elses-filter"], "unknown"],
    [[], "unknown"],
  ])("region of %j is %s", (filters, region) => {
    expect(regionOf(filters)).toBe(region);
  });

  test.each([
    ["/var/log/messages", "var.log.messages"],
    ["/aws/lambda/my-fn", "aws.lambda.my-fn"],
    ["App#Security Logs", "App_Security_Logs"],
    ["/", "_"],
  ])("log group %s is partition %s", (name, key) => {
    expect(sanitizeLogGroup(name)).toBe(key);
  });
});

describe("processor package", () => {
  const zip = lambdaZip(PROCESSOR_ENTRY);

  test("is reproducible: the same source gives the same bytes (and the same source_code_hash)", () => {
    expect(lambdaZip(PROCESSOR_ENTRY).equals(zip)).toBe(true);
  });

  test("holds index.js exporting the handler, with no network or AWS SDK code in it", () => {
    const code = inflateRawSync(zip.subarray(30 + "index.js".length, zip.indexOf(Buffer.from([0x50, 0x4b, 0x01, 0x02])))).toString("utf8");
    const mod = { exports: {} as Record<string, unknown> };
    new Function("module", "exports", "require", code)(mod, mod.exports, require);
    expect(typeof mod.exports.handler).toBe("function");
    for (const forbidden of ["node:http", "\"http\"", "\"https\"", "node:net", "\"net\"", "\"dgram\"", "@aws-sdk", "aws-sdk"]) expect(code).not.toContain(forbidden);
  });
});

describe("processor paths and budget", () => {
  /** An envelope as raw JSON text, for shapes JSON.stringify would not produce. */
  const rawRecord = (recordId: string, text: string) => ({ recordId, data: gzipSync(Buffer.from(text, "utf8")).toString("base64") });

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
    expect((await handler(event(rawRecord("bad", text)))).records).toEqual([{ recordId: "bad", result: "ProcessingFailed" }]);
  });

  test("the size bound read from the gzip trailer never exceeds the real output, even for escape-heavy messages", () => {
    const records = [
      cwlRecord("plain", dataMessage(Array.from({ length: 50 }, (_, i) => ({ id: String(i), timestamp: i, message: "x".repeat(500) })))),
      rawRecord("escaped", `{"messageType":"DATA_MESSAGE","owner":"2","logGroup":"/g","logStream":"s","subscriptionFilters":[],"logEvents":[{"id":"1","timestamp":1,"message":"${"\\u00fc".repeat(20000)}"}]}`),
    ];
    for (const record of records) {
      const result = transformRecord(record) as { data: string };
      expect(minimumOutputSize(record)).toBeLessThanOrEqual(result.data.length);
      expect(minimumOutputSize(record)).toBeGreaterThan(0);
    }
  });
});
