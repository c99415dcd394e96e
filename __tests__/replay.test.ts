import { createHash } from "node:crypto";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gunzipSync, gzipSync } from "node:zlib";
import {
  CreateBucketCommand,
  GetObjectCommand,
  ListObjectsV2Command,
  ListObjectVersionsCommand,
  PutBucketVersioningCommand,
  PutObjectCommand,
  S3Client,
} from "@aws-sdk/client-s3";
import { errorObjectHour, eventsPrefix, inWindow, parseHour, planErrorObject } from "../lib/replay";
import { ENDPOINT_ENV, run } from "../scripts/replay";
import { Moto, motoUnavailable, startMoto } from "./support/emulator";
import { baseConfig, SECURITY_ACCOUNT } from "./support/fixtures";
import { CONTROL_MESSAGE } from "./support/cloudwatch-logs";

/** A CloudWatch Logs subscription record exactly as CloudWatch Logs builds it: JSON, gzip, then base64 (as Firehose's rawData). */
function cwlData(envelope: object): string {
  return gzipSync(Buffer.from(JSON.stringify(envelope), "utf8")).toString("base64");
}

function dataMessage(
  owner: string,
  logGroup: string,
  events: Array<{ id: string; timestamp: number; message: string }>,
) {
  return {
    messageType: "DATA_MESSAGE",
    owner,
    logGroup,
    logStream: "i-0abc123/stream",
    subscriptionFilters: ["secops-security-logs-eu-west-1"],
    logEvents: events,
  };
}

const CONTROL = CONTROL_MESSAGE;

/** One line of a processing-failed error object, in Firehose's documented format. */
function errorLine(rawData: string, arrival: string, errorCode = "Lambda.FunctionError"): string {
  const arrivalTimestamp = Date.parse(arrival);
  return JSON.stringify({
    attemptsMade: 4,
    arrivalTimestamp,
    errorCode,
    errorMessage: "The Lambda function was successfully invoked but it returned an error result.",
    attemptEndingTimestamp: arrivalTimestamp + 75_000,
    rawData,
    lambdaArn: `arn:aws:lambda:us-east-1:${SECURITY_ACCOUNT}:function:secops-logs-processor:$LATEST`,
  });
}

const PAYMENTS = "222222222222";
const WEB = "333333333333";
const SECURE = [
  {
    id: "37000000000000000000000000000000000000000000000000000001",
    timestamp: 1764224000000,
    message: "Nov 27 06:10:00 host sshd[1]: Accepted publickey for ops",
  },
  {
    id: "37000000000000000000000000000000000000000000000000000002",
    timestamp: 1764224001000,
    message: "Nov 27 06:10:01 host sudo: ops : COMMAND=/bin/ls",
  },
];
const SECURE_LATER = [
  {
    id: "37000000000000000000000000000000000000000000000000000003",
    timestamp: 1764224600000,
    message: 'quoted "message" with \\ and é',
  },
];
const ACCESS = [
  {
    id: "37000000000000000000000000000000000000000000000000000004",
    timestamp: 1764226799000,
    message: '10.0.0.1 - - "GET / HTTP/1.1" 200',
  },
];
const NEXT_HOUR = [
  {
    id: "37000000000000000000000000000000000000000000000000000005",
    timestamp: 1764226800000,
    message: "next hour",
  },
];

/** Firehose files error objects by the hour it wrote them; the records carry their own arrival time. */
const OBJECT_06 =
  "errors/processing-failed/2026/11/27/06/secops-security-logs-1-2026-11-27-06-05-00-0a1b2c3d";
const OBJECT_07 =
  "errors/processing-failed/2026/11/27/07/secops-security-logs-1-2026-11-27-07-05-00-4e5f6a7b";
const OBJECT_06_LINES = [
  errorLine(cwlData(dataMessage(PAYMENTS, "/var/log/secure", SECURE)), "2026-11-27T06:10:00.000Z"),
  errorLine(
    cwlData(dataMessage(PAYMENTS, "/var/log/secure", SECURE_LATER)),
    "2026-11-27T06:20:00.000Z",
    "Lambda.ResponseSizeExceeded",
  ),
  errorLine(cwlData(dataMessage(WEB, "/var/log/nginx/access.log", ACCESS)), "2026-11-27T06:59:59.999Z"),
  // Not a CloudWatch Logs record: the processor fails it again.
  errorLine(gzipSync(Buffer.from("<html>not json</html>")).toString("base64"), "2026-11-27T06:30:00.000Z"),
  errorLine(cwlData(CONTROL), "2026-11-27T06:31:00.000Z"),
];
// Firehose gzips error output with the destination's compression: this object is gzip.
const OBJECT_07_BODY = gzipSync(
  Buffer.from(
    `${errorLine(cwlData(dataMessage(PAYMENTS, "/var/log/secure", NEXT_HOUR)), "2026-11-27T07:00:00.000Z")}\nnot a json line\n`,
  ),
);

const name = (source: string, line: number) =>
  `replay-${createHash("sha256").update(`${source}\n${line}`).digest("hex")}.ndjson.gz`;
const PAYMENTS_06 = `events/2026/11/27/06/account=${PAYMENTS}/logGroup=!var!log!secure/${name(OBJECT_06, 1)}`;
const PAYMENTS_07 = `events/2026/11/27/07/account=${PAYMENTS}/logGroup=!var!log!secure/${name(OBJECT_07, 1)}`;
const WEB_06 = `events/2026/11/27/06/account=${WEB}/logGroup=!var!log!nginx!access.log/${name(OBJECT_06, 3)}`;
/** As S3 lists them (by key), which is also the order replay writes them: error object 06, then 07. */
const EXPECTED_KEYS = [PAYMENTS_06, WEB_06, PAYMENTS_07];

const line = (owner: string, logGroup: string, e: { id: string; timestamp: number; message: string }) => ({
  timestamp: e.timestamp,
  message: e.message,
  account: owner,
  region: "eu-west-1",
  logGroup,
  logStream: "i-0abc123/stream",
  id: e.id,
});
const EXPECTED_LINES: Record<string, object[]> = {
  [PAYMENTS_06]: [...SECURE, ...SECURE_LATER].map((e) => line(PAYMENTS, "/var/log/secure", e)),
  [PAYMENTS_07]: NEXT_HOUR.map((e) => line(PAYMENTS, "/var/log/secure", e)),
  [WEB_06]: ACCESS.map((e) => line(WEB, "/var/log/nginx/access.log", e)),
};

const REPORT_TAIL = [
  "  could not replay: 2",
  `    ${OBJECT_06} line 4: the processor still fails it (ProcessingFailed; Firehose's error: Lambda.FunctionError): keep the error object, it holds the record as it arrived`,
  `    ${OBJECT_07} line 2: not JSON: not a Firehose error record`,
  "",
];
const REPORT_HEAD = [
  `replay of s3://secops-security-logs-${SECURITY_ACCOUNT}/errors/processing-failed/`,
  "  error objects read: 2",
  "  error records: 7",
  "    (unreadable): 1",
  "    Lambda.FunctionError: 5",
  "    Lambda.ResponseSizeExceeded: 1",
  "  records replayed: 4",
  "  control messages dropped: 1",
];

describe("replay logic", () => {
  test("--since/--until accept a UTC date, a date and hour, or ISO 8601 with a zone; nothing else", () => {
    expect(
      ["2026-11-27", "2026-11-27T06", "2026-11-27T06:30:00Z", "2026-11-27T08:30+02:00"].map((t) =>
        parseHour(t)?.toISOString(),
      ),
    ).toEqual([
      "2026-11-27T00:00:00.000Z",
      "2026-11-27T06:00:00.000Z",
      "2026-11-27T06:30:00.000Z",
      "2026-11-27T06:30:00.000Z",
    ]);
    expect(
      ["27/11/2026", "2026-11-27T06:30", "yesterday", "2026-13-01", ""].map((t) => parseHour(t)),
    ).toEqual([undefined, undefined, undefined, undefined, undefined]);
  });

  test("an error object is in [since, until) by the hour of its key; an hour overlapping since is kept", () => {
    expect(errorObjectHour(OBJECT_06)?.toISOString()).toBe("2026-11-27T06:00:00.000Z");
    expect(errorObjectHour("errors/processing-failed/x")).toBeUndefined();
    const at = (t: string) => new Date(t);
    expect([
      inWindow(OBJECT_06, at("2026-11-27T06:59:00Z")),
      inWindow(OBJECT_06, at("2026-11-27T07:00:00Z")),
      inWindow(OBJECT_06, undefined, at("2026-11-27T06:00:00Z")),
      inWindow(OBJECT_06, undefined, at("2026-11-27T06:00:01Z")),
      inWindow(OBJECT_06),
    ]).toEqual([true, false, false, true, true]);
  });

  test("the events prefix is Firehose's: UTC hour of arrival, account, log group key", () => {
    expect(eventsPrefix(PAYMENTS, "!var!log!secure", new Date("2026-11-27T23:59:59.999Z"))).toBe(
      `events/2026/11/27/23/account=${PAYMENTS}/logGroup=!var!log!secure/`,
    );
  });

  test("one object per partition and hour; the body is the records' gzip members, concatenated, which gunzip to the NDJSON lines", () => {
    const plan = planErrorObject(OBJECT_06, `${OBJECT_06_LINES.join("\n")}\n`);
    expect(plan.objects.map((o) => [o.key, o.lines])).toEqual([
      [PAYMENTS_06, [1, 2]],
      [WEB_06, [3]],
    ]);
    const body = plan.objects[0].body;
    // Two members, one per record (the processor's contract: each Ok record's data is one gzip member).
    expect([...body.subarray(0, 2)]).toEqual([0x1f, 0x8b]);
    expect(body.indexOf(Buffer.from([0x1f, 0x8b, 0x08]), 10)).toBeGreaterThan(0);
    expect(ndjson(body)).toEqual(EXPECTED_LINES[PAYMENTS_06]);
    expect({
      records: plan.records,
      replayed: plan.replayed,
      dropped: plan.dropped,
      codes: Object.fromEntries(plan.errorCodes),
      unreplayable: plan.unreplayable.map((u) => u.line),
    }).toEqual({
      records: 5,
      replayed: 3,
      dropped: 1,
      codes: { "Lambda.FunctionError": 4, "Lambda.ResponseSizeExceeded": 1 },
      unreplayable: [4],
    });
  });

  test("a line without rawData or arrivalTimestamp cannot be replayed, and says why", () => {
    const plan = planErrorObject(
      OBJECT_06,
      [
        JSON.stringify({ errorCode: "Lambda.FunctionError", arrivalTimestamp: 1 }),
        JSON.stringify({ errorCode: "X", rawData: "H4sI" }),
      ].join("\n"),
    );
    expect(plan.unreplayable.map((u) => [u.line, u.reason])).toEqual([
      [1, "no rawData: not a Firehose error record"],
      [
        2,
        "no arrivalTimestamp (milliseconds since the epoch), so no hour to file it under: not a Firehose error record",
      ],
    ]);
  });
});

function ndjson(body: Buffer): object[] {
  const text = gunzipSync(body).toString("utf8");
  expect(text.endsWith("\n")).toBe(true);
  return text
    .trimEnd()
    .split("\n")
    .map((l) => JSON.parse(l));
}

const cannotRun = motoUnavailable();
const inCi = process.env.CI === "true";
if (cannotRun && !inCi) process.stdout.write(`replay emulator test skipped: ${cannotRun}\n`);
const describeMoto = cannotRun && !inCi ? describe.skip : describe;

describeMoto("npm run replay against moto's S3", () => {
  const BUCKET = `secops-security-logs-${SECURITY_ACCOUNT}`;
  const work = mkdtempSync(join(tmpdir(), "seclog-replay-"));
  const configFile = join(work, "config.json");
  writeFileSync(configFile, JSON.stringify(baseConfig()));
  const savedEnv = { ...process.env };
  let moto: Moto;
  let s3: S3Client;
  let env: NodeJS.ProcessEnv;

  beforeAll(async () => {
    moto = await startMoto();
    // The command's S3 client takes credentials from the SDK's default chain: the environment here.
    Object.assign(process.env, {
      AWS_ACCESS_KEY_ID: "AKIAEMULATOR00000000",
      AWS_SECRET_ACCESS_KEY: "emulator-secret",
    });
    delete process.env.AWS_SESSION_TOKEN;
    delete process.env.AWS_PROFILE;
    env = { ...process.env, [ENDPOINT_ENV]: moto.endpoint };
    s3 = new S3Client({
      endpoint: moto.endpoint,
      region: "us-east-1",
      forcePathStyle: true,
      credentials: { accessKeyId: "AKIAEMULATOR00000000", secretAccessKey: "emulator-secret" },
    });
    // Versioned like the archive, without its TLS-only bucket policy (moto refuses object calls under a conditional Deny).
    await s3.send(new CreateBucketCommand({ Bucket: BUCKET }));
    await s3.send(
      new PutBucketVersioningCommand({ Bucket: BUCKET, VersioningConfiguration: { Status: "Enabled" } }),
    );
    await s3.send(
      new PutObjectCommand({ Bucket: BUCKET, Key: OBJECT_06, Body: `${OBJECT_06_LINES.join("\n")}\n` }),
    );
    await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: OBJECT_07, Body: OBJECT_07_BODY }));
    // Not an error object: replay never reads it.
    await s3.send(
      new PutObjectCommand({ Bucket: BUCKET, Key: "source/2026/11/27/06/secops-security-logs-1", Body: "x" }),
    );
  }, 60_000);

  afterAll(async () => {
    s3?.destroy();
    await moto?.stop();
    process.env = savedEnv;
  });

  const replay = async (...argv: string[]) => {
    let stdout = "";
    let stderr = "";
    const code = await run(["--config", configFile, ...argv], env, {
      stdout: { write: (s: string) => ((stdout += s), true) },
      stderr: { write: (s: string) => ((stderr += s), true) },
    });
    return { code, stdout, stderr };
  };
  const eventsKeys = async () =>
    ((await s3.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: "events/" }))).Contents ?? [])
      .map((o) => o.Key!)
      .sort();
  const versions = async () =>
    ((await s3.send(new ListObjectVersionsCommand({ Bucket: BUCKET }))).Versions ?? []).length;

  test("--dry-run reads and reports, and writes nothing", async () => {
    const result = await replay("--dry-run");
    expect(result.stdout).toBe(
      [
        `replay of s3://${BUCKET}/errors/processing-failed/ (dry run: nothing written)`,
        ...REPORT_HEAD.slice(1),
        "  objects to write: 3",
        ...[PAYMENTS_06, WEB_06, PAYMENTS_07].map((k) => `    ${k}`),
        "  objects already present: 0",
        ...REPORT_TAIL,
      ].join("\n"),
    );
    expect(result.code).toBe(3);
    expect(await eventsKeys()).toEqual([]);
    expect(await versions()).toBe(3);
  });

  test("writes exactly one object per partition and hour, whose body gunzips to the replayed events; exit 3 for what it could not replay", async () => {
    const result = await replay();
    expect(result.stdout).toBe(
      [
        ...REPORT_HEAD,
        "  objects written: 3",
        ...[PAYMENTS_06, WEB_06, PAYMENTS_07].map((k) => `    ${k}`),
        "  objects already present: 0",
        ...REPORT_TAIL,
      ].join("\n"),
    );
    expect(result.code).toBe(3);
    expect(result.stderr).toBe(
      [
        `replay: 2 error objects under s3://${BUCKET}/errors/processing-failed/`,
        `replay: [1/2] ${OBJECT_06}`,
        `replay: [2/2] ${OBJECT_07}`,
        "",
      ].join("\n"),
    );
    expect(await eventsKeys()).toEqual(EXPECTED_KEYS);
    for (const key of EXPECTED_KEYS) {
      const object = await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: key }));
      expect([key, ndjson(Buffer.from(await object.Body!.transformToByteArray()))]).toEqual([
        key,
        EXPECTED_LINES[key],
      ]);
    }
  });

  test("a second run writes nothing new: every object is already present", async () => {
    const before = await versions();
    const result = await replay();
    expect(result.stdout).toBe(
      [...REPORT_HEAD, "  objects written: 0", "  objects already present: 3", ...REPORT_TAIL].join("\n"),
    );
    expect(result.code).toBe(3);
    expect(await eventsKeys()).toEqual(EXPECTED_KEYS);
    expect(await versions()).toBe(before);
  });

  test("--since/--until select error objects by their hour", async () => {
    const result = await replay("--dry-run", "--since", "2026-11-27T07");
    expect(result.stdout).toMatch(/^ {2}error objects read: 1$/m);
    expect(result.stdout).toMatch(/^ {2}objects already present: 1$/m);
    const none = await replay("--dry-run", "--until", "2026-11-27T06");
    expect([
      none.code,
      none.stdout.includes("  error objects read: 0\n"),
      none.stdout.includes("  could not replay: 0\n"),
    ]).toEqual([0, true, true]);
  });

  test("bad arguments exit 2, --print-policy makes no AWS call", async () => {
    const bad = await replay("--since", "yesterday");
    expect([bad.code, bad.stderr.split("\n")[0]]).toEqual([
      2,
      'replay: --since must be a UTC date (2026-12-01), date and hour (2026-12-01T13), or ISO 8601 time with Z or an offset, got "yesterday"',
    ]);
    const reversed = await replay("--since", "2026-11-27T07", "--until", "2026-11-27T06");
    expect([reversed.code, reversed.stderr.split("\n")[0]]).toEqual([
      2,
      "replay: --since must be before --until",
    ]);
    const policy = await run(
      ["--config", configFile, "--print-policy"],
      { ...env, [ENDPOINT_ENV]: "http://127.0.0.1:9" },
      { stdout: { write: () => true }, stderr: { write: () => true } },
    );
    expect(policy).toBe(0);
  });
});
