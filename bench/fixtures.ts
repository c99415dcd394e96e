import { gzipSync } from "node:zlib";
import { FirehoseEvent } from "../functions/processor/transform";

export type MessageKind = "mixed" | "json";

/** A deterministic pseudo-random generator (the same batch every run). */
function generator(seed: number) {
  // mulberry32: the old LCG's low bits repeat, which made gzip ratios jump with small changes.
  const random = () => {
    seed = (seed + 0x6d2b79f5) >>> 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
  const pick = <T>(items: readonly T[]) => items[Math.floor(random() * items.length)];
  return { random, pick };
}

const USERS = ["root", "ec2-user", "deploy", "alice", "bob", "svc-backup"];
const PATHS = ["/api/v1/payments", "/login", "/healthz", "/static/app.js", "/api/v1/users/42"];
const BENCH_STREAM_ARN = "arn:aws:firehose:us-east-1:111111111111:deliverystream/secops-security-logs";

/**
 * A Firehose invocation of about `targetBytes` (Lambda's request limit is
 * 6 MB) made of CloudWatch Logs records built the way CloudWatch Logs builds
 * them: a JSON envelope of log events, gzip'd, base64 in the event. Messages
 * vary like real syslog/auth/web lines so gzip ratios are realistic; `json`
 * makes every message a JSON document (quotes escaped in the envelope).
 */
export function firehoseBatch(
  targetBytes: number,
  eventsPerRecord = 200,
  kind: MessageKind = "mixed",
): FirehoseEvent {
  const records: Array<{ recordId: string; data: string }> = [];
  let size = 200;
  const { random, pick } = generator(42);
  const mixed = (i: number) =>
    pick([
      () =>
        `Accepted publickey for ${pick(USERS)} from 10.${i % 255}.${Math.floor(random() * 255)}.${i % 7} port ${1024 + Math.floor(random() * 60000)} ssh2: RSA SHA256:${Math.floor(random() * 1e12).toString(36)}`,
      () =>
        `10.0.${i % 255}.${Math.floor(random() * 255)} - - [27/Nov/2026:07:${String(i % 60).padStart(2, "0")}:00 +0000] "GET ${pick(PATHS)} HTTP/1.1" ${pick([200, 200, 200, 304, 404, 500])} ${Math.floor(random() * 50000)} "-" "Mozilla/5.0"`,
      () =>
        JSON.stringify({
          level: pick(["INFO", "WARN", "ERROR"]),
          msg: "authorization decision",
          user: pick(USERS),
          allowed: random() > 0.1,
          requestId: Math.floor(random() * 1e15).toString(16),
        }),
      () =>
        `pam_unix(sudo:session): session opened for user ${pick(USERS)} by (uid=${Math.floor(random() * 2000)})`,
    ])();
  const json = (i: number) =>
    JSON.stringify({
      eventVersion: "1.09",
      eventTime: `2026-11-27T07:${String(i % 60).padStart(2, "0")}:00Z`,
      eventSource: pick(["iam.amazonaws.com", "s3.amazonaws.com", "sts.amazonaws.com", "kms.amazonaws.com"]),
      eventName: pick(["AssumeRole", "GetObject", "Decrypt", "PutObject", "CreateAccessKey"]),
      userIdentity: {
        type: "AssumedRole",
        principalId: `AROA${Math.floor(random() * 1e12)
          .toString(36)
          .toUpperCase()}:${pick(USERS)}`,
        arn: `arn:aws:sts::222222222222:assumed-role/${pick(USERS)}`,
      },
      sourceIPAddress: `10.0.${i % 255}.${Math.floor(random() * 255)}`,
      userAgent: 'aws-cli/2.17 "quoted" agent\\path',
      requestParameters: { bucketName: "payments-data", key: `reports/${Math.floor(random() * 1e6)}.csv` },
      requestID: Math.floor(random() * 1e15).toString(16),
    });
  const line = kind === "json" ? json : mixed;
  for (let r = 0; size < targetBytes; r++) {
    const envelope = {
      messageType: "DATA_MESSAGE",
      owner: String(200000000000 + (r % 17)),
      logGroup: pick([
        "/var/log/secure",
        "/var/log/messages",
        "/var/log/nginx/access.log",
        "/app/payments/security",
      ]),
      logStream: `i-${(r * 7919).toString(16).padStart(17, "0")}`,
      subscriptionFilters: [pick(["secops-security-logs-us-east-1", "secops-security-logs-eu-west-1"])],
      logEvents: Array.from({ length: eventsPerRecord }, (_, i) => ({
        id: `${37000000000000 + r * eventsPerRecord + i}`,
        timestamp: 1764226800000 + r * 1000 + i,
        message: line(i),
      })),
    };
    const data = gzipSync(Buffer.from(JSON.stringify(envelope))).toString("base64");
    const recordId = `49546986683135544286507457936321625675700192471156785154${String(r).padStart(6, "0")}`;
    size += data.length + recordId.length + 30;
    records.push({ recordId, data });
  }
  return { invocationId: "bench", deliveryStreamArn: BENCH_STREAM_ARN, region: "us-east-1", records };
}

/** Kinesis's largest record: 1 MiB (data and partition key). */
export const KINESIS_RECORD_MAX_BYTES = 1024 * 1024;

/**
 * The worst record CloudWatch Logs can send: gzip'd as close to Kinesis's
 * 1 MiB record limit as it gets, of stack-trace-like text that inflates about 25x
 * (large messages: stack-trace-like lines of ~64 KB), alone in its batch as
 * Firehose hands it over.
 */
export function largeRecordBatch(messageBytes = 64 * 1024): FirehoseEvent {
  const { random, pick } = generator(7);
  const frames = [
    "at com.example.payments.Service.handle",
    "at org.springframework.web.Dispatcher.doDispatch",
    "at java.base/java.lang.Thread.run",
    "Caused by: java.io.IOException: connection reset",
  ];
  const message = (n: number) => {
    let text = `ERROR request ${n} failed for ${pick(USERS)}:`;
    // Repetitive frames, few variable parts: about 25:1 under gzip.
    while (text.length < messageBytes)
      text += `\n\t${pick(frames)}(${pick(["Service", "Dispatcher", "Thread"])}.java:${100 + Math.floor(random() * 16) * 10})`;
    return text.slice(0, messageBytes);
  };
  const envelopeOf = (events: number) => ({
    messageType: "DATA_MESSAGE",
    owner: "222222222222",
    logGroup: "/app/payments/security",
    logStream: "i-0000000000000beef",
    subscriptionFilters: ["secops-security-logs-us-east-1"],
    logEvents: Array.from({ length: events }, (_, i) => ({
      id: `${37000000000000 + i}`,
      timestamp: 1764226800000 + i,
      message: message(i),
    })),
  });
  // Grow the record until it is just under 1 MiB compressed.
  let events = 16;
  let data = gzipSync(Buffer.from(JSON.stringify(envelopeOf(events))));
  while (true) {
    const next = Math.floor(events * Math.min(1.5, (KINESIS_RECORD_MAX_BYTES * 0.98) / data.length));
    if (next <= events) break;
    const candidate = gzipSync(Buffer.from(JSON.stringify(envelopeOf(next))));
    if (candidate.length > KINESIS_RECORD_MAX_BYTES - 256) break;
    events = next;
    data = candidate;
  }
  return {
    invocationId: "bench-large",
    deliveryStreamArn: BENCH_STREAM_ARN,
    region: "us-east-1",
    records: [
      {
        recordId: "49546986683135544286507457936321625675700192471156785154000000",
        data: data.toString("base64"),
      },
    ],
  };
}
