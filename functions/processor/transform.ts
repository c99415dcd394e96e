import { gunzipSync } from "node:zlib";

/**
 * Firehose record transformation for CloudWatch Logs subscription data: one
 * gzip'd JSON envelope in, newline-delimited JSON out, one line per log event,
 * labelled with where it came from. Pure: no AWS SDK, no network.
 */

export interface FirehoseRecord {
  readonly recordId: string;
  /** base64 of what the Kinesis record held: CloudWatch Logs' gzip'd envelope. */
  readonly data: string;
}

export interface FirehoseEvent {
  readonly invocationId?: string;
  readonly deliveryStreamArn?: string;
  readonly region?: string;
  readonly records: readonly FirehoseRecord[];
}

export type TransformResult =
  | { recordId: string; result: "Ok"; data: string; metadata: { partitionKeys: PartitionKeys } }
  | { recordId: string; result: "Dropped" | "ProcessingFailed" };

export interface PartitionKeys {
  readonly account: string;
  readonly logGroup: string;
}

export interface FirehoseResponse {
  records: TransformResult[];
}

interface LogEvent {
  readonly id: string;
  readonly timestamp: number;
  readonly message: string;
}

interface Envelope {
  readonly messageType: "DATA_MESSAGE" | "CONTROL_MESSAGE";
  readonly owner: string;
  readonly logGroup: string;
  readonly logStream: string;
  readonly subscriptionFilters: readonly string[];
  readonly logEvents: readonly LogEvent[];
}

/**
 * Lambda's synchronous response limit is 6 MB (6,291,456 bytes). Records that
 * would push the response past this budget are returned ProcessingFailed, so
 * Firehose keeps their original bytes under the error prefix.
 */
export const RESPONSE_LIMIT_BYTES = 6 * 1024 * 1024;
/** Room for the response's own JSON around the records. */
const RESPONSE_ENVELOPE_BYTES = 1024;

export function transform(event: FirehoseEvent): FirehoseResponse {
  const records: TransformResult[] = [];
  let budget = RESPONSE_LIMIT_BYTES - RESPONSE_ENVELOPE_BYTES;
  for (const record of event.records) {
    let result = transformRecord(record);
    if (responseSize(result) > budget) result = { recordId: record.recordId, result: "ProcessingFailed" };
    budget -= responseSize(result);
    records.push(result);
  }
  return { records };
}

export function transformRecord(record: FirehoseRecord): TransformResult {
  const envelope = decode(record.data);
  if (!envelope) return { recordId: record.recordId, result: "ProcessingFailed" };
  if (envelope.messageType === "CONTROL_MESSAGE") return { recordId: record.recordId, result: "Dropped" };
  return {
    recordId: record.recordId,
    result: "Ok",
    data: Buffer.from(toNdjson(envelope), "utf8").toString("base64"),
    metadata: { partitionKeys: { account: envelope.owner, logGroup: sanitizeLogGroup(envelope.logGroup) } },
  };
}

function decode(data: string): Envelope | undefined {
  try {
    const parsed = JSON.parse(gunzipSync(Buffer.from(data, "base64")).toString("utf8"));
    return isEnvelope(parsed) ? parsed : undefined;
  } catch {
    return undefined;
  }
}

function isEnvelope(value: any): value is Envelope {
  if (typeof value !== "object" || value === null) return false;
  if (value.messageType === "CONTROL_MESSAGE") return true;
  return (
    value.messageType === "DATA_MESSAGE" &&
    typeof value.owner === "string" &&
    typeof value.logGroup === "string" &&
    typeof value.logStream === "string" &&
    Array.isArray(value.logEvents)
  );
}

/**
 * One JSON line per event. Every line shares the record's provenance, so that
 * part is serialized once; only the message needs escaping per event.
 */
export function toNdjson(envelope: Envelope): string {
  const region = regionOf(envelope.subscriptionFilters);
  const provenance =
    `,"account":${JSON.stringify(envelope.owner)},"region":${JSON.stringify(region)}` +
    `,"logGroup":${JSON.stringify(envelope.logGroup)},"logStream":${JSON.stringify(envelope.logStream)},"id":`;
  let out = "";
  for (const e of envelope.logEvents) {
    out += `{"timestamp":${Number(e.timestamp)},"message":${JSON.stringify(String(e.message))}${provenance}${JSON.stringify(String(e.id))}}\n`;
  }
  return out;
}

/**
 * The envelope does not carry the source region; the subscription filter (or
 * account policy) name does: this app names them `<pipeline>-<region>[-<hash>]`.
 */
export function regionOf(subscriptionFilters: readonly string[] | undefined): string {
  for (const name of subscriptionFilters ?? []) {
    const match = /-((?:[a-z]{2}(?:-gov)?-[a-z]+-\d))(?:-[0-9a-f]{8})?$/.exec(name);
    if (match) return match[1];
  }
  return "unknown";
}

/** S3-key-safe log group name: `/var/log/messages` -> `var.log.messages`. */
export function sanitizeLogGroup(logGroup: string): string {
  const safe = logGroup.replace(/^\/+/, "").replace(/\//g, ".").replace(/[^A-Za-z0-9._-]/g, "_");
  return (safe || "_").slice(0, 200);
}

/** Bytes the result adds to the response JSON (with its separating comma), without copying the data. */
function responseSize(result: TransformResult): number {
  if (result.result !== "Ok") return Buffer.byteLength(JSON.stringify(result), "utf8") + 1;
  // base64 is ASCII and needs no escaping: its length is its size in the JSON.
  return Buffer.byteLength(JSON.stringify({ ...result, data: "" }), "utf8") + result.data.length + 1;
}
