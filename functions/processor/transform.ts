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
  return transformCounting(event).response;
}

/** The response, and how many log events of each account it delivers (for the per-account metric). */
export function transformCounting(event: FirehoseEvent): { response: FirehoseResponse; eventsByAccount: Map<string, number> } {
  const records: TransformResult[] = [];
  const eventsByAccount = new Map<string, number>();
  let budget = RESPONSE_LIMIT_BYTES - RESPONSE_ENVELOPE_BYTES;
  for (const record of event.records) {
    const failed: TransformResult = { recordId: record.recordId, result: "ProcessingFailed" };
    const outcome = minimumOutputSize(record) > budget ? { result: failed, events: 0 } : transformOne(record);
    const result = responseSize(outcome.result) > budget ? failed : outcome.result;
    budget -= responseSize(result);
    records.push(result);
    if (result.result === "Ok") {
      const account = result.metadata.partitionKeys.account;
      eventsByAccount.set(account, (eventsByAccount.get(account) ?? 0) + outcome.events);
    }
  }
  return { response: { records }, eventsByAccount };
}

export function transformRecord(record: FirehoseRecord): TransformResult {
  return transformOne(record).result;
}

function transformOne(record: FirehoseRecord): { result: TransformResult; events: number } {
  const decoded = decode(record.data);
  if (!decoded) return { result: { recordId: record.recordId, result: "ProcessingFailed" }, events: 0 };
  const { envelope, ndjson, events } = decoded;
  if (envelope.messageType === "CONTROL_MESSAGE") return { result: { recordId: record.recordId, result: "Dropped" }, events: 0 };
  return {
    result: {
      recordId: record.recordId,
      result: "Ok",
      data: Buffer.from(ndjson, "utf8").toString("base64"),
      metadata: { partitionKeys: { account: envelope.owner, logGroup: sanitizeLogGroup(envelope.logGroup) } },
    },
    events,
  };
}

interface Decoded {
  readonly envelope: Omit<Envelope, "logEvents">;
  readonly ndjson: string;
  readonly events: number;
}

function decode(data: string): Decoded | undefined {
  let text: string;
  try {
    text = gunzipSync(Buffer.from(data, "base64")).toString("utf8");
  } catch {
    return undefined;
  }
  return decodeFast(text) ?? decodeGeneric(text);
}

/** Parses the whole envelope, then serializes every event: handles any valid envelope. */
function decodeGeneric(text: string): Decoded | undefined {
  try {
    const parsed = JSON.parse(text);
    if (!isEnvelope(parsed)) return undefined;
    const data = parsed.messageType === "DATA_MESSAGE";
    return { envelope: parsed, ndjson: data ? toNdjson(parsed) : "", events: data ? parsed.logEvents.length : 0 };
  } catch {
    return undefined;
  }
}

const LOG_EVENTS_KEY = '"logEvents":[';
/**
 * One log event exactly as CloudWatch Logs writes it, followed by `,` or the
 * envelope's closing `]}`. The message must be a well-formed JSON string
 * (no raw control characters, only JSON escapes), captured still escaped.
 */
const LOG_EVENT = /\{"id":"(\d+)","timestamp":(\d+),"message":("(?:[^"\\\u0000-\u001f]|\\["\\/bfnrt]|\\u[0-9a-fA-F]{4})*")\}(,|\]\}\s*$)/g;

/**
 * The common case, about three times faster than parse-and-serialize: the
 * small envelope header is parsed on its own, and each event is rewritten
 * into its NDJSON line by one native regular-expression pass, messages staying
 * in CloudWatch Logs' own escaping (a valid JSON string for the same text).
 * Used only when the events part is matched end to end with no gap, which
 * also proves it well-formed; anything else goes to the generic path.
 */
function decodeFast(text: string): Decoded | undefined {
  const at = text.indexOf(LOG_EVENTS_KEY);
  if (at < 0) return undefined;
  let header: unknown;
  try {
    header = JSON.parse(`${text.slice(0, at)}"logEvents":[]}`);
  } catch {
    return undefined;
  }
  if (!isEnvelope(header)) return undefined;
  if (header.messageType === "CONTROL_MESSAGE") return { envelope: header, ndjson: "", events: 0 };
  const body = text.slice(at + LOG_EVENTS_KEY.length);
  if (/^\]\}\s*$/.test(body)) return { envelope: header, ndjson: "", events: 0 };
  const provenance = provenanceOf(header);
  let next = 0;
  let contiguous = true;
  let closed = false;
  let events = 0;
  const ndjson = body.replace(LOG_EVENT, (match: string, id: string, timestamp: string, message: string, end: string, offset: number) => {
    if (offset !== next || closed) contiguous = false;
    events++;
    next = offset + match.length;
    closed = end !== ",";
    return `{"timestamp":${timestamp},"message":${message}${provenance}"${id}"}\n`;
  });
  return contiguous && closed && next === body.length ? { envelope: header, ndjson, events } : undefined;
}

/** The part of every line after the message: where the event came from. */
function provenanceOf(envelope: Pick<Envelope, "owner" | "logGroup" | "logStream" | "subscriptionFilters">): string {
  return (
    `,"account":${JSON.stringify(envelope.owner)},"region":${JSON.stringify(regionOf(envelope.subscriptionFilters))}` +
    `,"logGroup":${JSON.stringify(envelope.logGroup)},"logStream":${JSON.stringify(envelope.logStream)},"id":`
  );
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
 * One JSON line per event (the portable path; `ndjsonFromRaw` is the fast one).
 * The whole record is serialized by a single native
 * JSON.stringify of an array, then split into lines: the separator
 * `},{"timestamp":` cannot occur inside a serialized string (its quote would
 * be escaped), so replacing it is exact, and much faster than per-event work.
 */
export function toNdjson(envelope: Envelope): string {
  const region = regionOf(envelope.subscriptionFilters);
  const { owner: account, logGroup, logStream } = envelope;
  const lines = envelope.logEvents.map((e) => ({
    timestamp: Number(e.timestamp),
    message: String(e.message),
    account,
    region,
    logGroup,
    logStream,
    id: String(e.id),
  }));
  if (lines.length === 0) return "";
  const array = JSON.stringify(lines);
  return `${array.slice(1, -1).replaceAll('},{"timestamp":', '}\n{"timestamp":')}\n`;
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

/** Room for an envelope's header (log group and stream names are at most 512 characters each). */
const MAX_HEADER_BYTES = 2048;

/**
 * A lower bound of the base64 NDJSON a record can produce, read from the gzip
 * trailer (ISIZE: the uncompressed length) without decompressing. Every
 * event's line holds its message and id again plus the provenance; only a
 * message escaped as `\uXXXX` by CloudWatch Logs can shrink, to no less than a
 * third. A record whose bound already exceeds the remaining response budget
 * cannot fit, so it fails without the work of unpacking it.
 */
export function minimumOutputSize(record: FirehoseRecord): number {
  const data = record.data;
  if (data.length < 12) return 0;
  const tail = Buffer.from(data.slice(-8), "base64");
  if (tail.length < 4) return 0;
  const uncompressed = tail.readUInt32LE(tail.length - 4);
  return Math.floor((Math.max(0, uncompressed - MAX_HEADER_BYTES) / 3) * (4 / 3));
}

/** Bytes the result adds to the response JSON (with its separating comma), without copying the data. */
function responseSize(result: TransformResult): number {
  if (result.result !== "Ok") return Buffer.byteLength(JSON.stringify(result), "utf8") + 1;
  // base64 is ASCII and needs no escaping: its length is its size in the JSON.
  return Buffer.byteLength(JSON.stringify({ ...result, data: "" }), "utf8") + result.data.length + 1;
}
