import { gzipSync } from "node:zlib";
import { FirehoseEvent } from "../functions/processor/transform";

/**
 * A Firehose invocation of about `targetBytes` (Lambda's request limit is
 * 6 MB) made of CloudWatch Logs records built the way CloudWatch Logs builds
 * them: a JSON envelope of log events, gzip'd, base64 in the event. Messages
 * vary like real syslog/auth/web lines so gzip ratios are realistic.
 */
export function firehoseBatch(targetBytes: number, eventsPerRecord = 200): FirehoseEvent {
  const records: Array<{ recordId: string; data: string }> = [];
  let size = 200;
  let seed = 42;
  const random = () => ((seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32);
  const pick = <T>(items: readonly T[]) => items[Math.floor(random() * items.length)];
  const users = ["root", "ec2-user", "deploy", "alice", "bob", "svc-backup"];
  const paths = ["/api/v1/payments", "/login", "/healthz", "/static/app.js", "/api/v1/users/42"];
  const line = (i: number) =>
    pick([
      () => `Accepted publickey for ${pick(users)} from 10.${i % 255}.${Math.floor(random() * 255)}.${i % 7} port ${1024 + Math.floor(random() * 60000)} ssh2: RSA SHA256:${Math.floor(random() * 1e12).toString(36)}`,
      () => `10.0.${i % 255}.${Math.floor(random() * 255)} - - [27/Nov/2026:07:${String(i % 60).padStart(2, "0")}:00 +0000] "GET ${pick(paths)} HTTP/1.1" ${pick([200, 200, 200, 304, 404, 500])} ${Math.floor(random() * 50000)} "-" "Mozilla/5.0"`,
      () => JSON.stringify({ level: pick(["INFO", "WARN", "ERROR"]), msg: "authorization decision", user: pick(users), allowed: random() > 0.1, requestId: Math.floor(random() * 1e15).toString(16) }),
      () => `pam_unix(sudo:session): session opened for user ${pick(users)} by (uid=${Math.floor(random() * 2000)})`,
    ])();
  for (let r = 0; size < targetBytes; r++) {
    const envelope = {
      messageType: "DATA_MESSAGE",
      owner: String(200000000000 + (r % 17)),
      logGroup: pick(["/var/log/secure", "/var/log/messages", "/var/log/nginx/access.log", "/app/payments/security"]),
      logStream: `i-${(r * 7919).toString(16).padStart(17, "0")}`,
      subscriptionFilters: [pick(["secops-security-logs-us-east-1", "secops-security-logs-eu-west-1"])],
      logEvents: Array.from({ length: eventsPerRecord }, (_, i) => ({ id: `${37000000000000 + r * eventsPerRecord + i}`, timestamp: 1764226800000 + r * 1000 + i, message: line(i) })),
    };
    const data = gzipSync(Buffer.from(JSON.stringify(envelope))).toString("base64");
    const recordId = `49546986683135544286507457936321625675700192471156785154${String(r).padStart(6, "0")}`;
    size += data.length + recordId.length + 30;
    records.push({ recordId, data });
  }
  return { invocationId: "bench", deliveryStreamArn: "arn:aws:firehose:us-east-1:111111111111:deliverystream/secops-security-logs", region: "us-east-1", records };
}
