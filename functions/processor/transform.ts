import { createHash } from "node:crypto";
import { gunzipSync, gzipSync } from "node:zlib";

/**
 * Firehose record transformation for CloudWatch Logs subscription data: one
 * gzip'd JSON envelope in, newline-delimited JSON out (one gzip member per
 * record), one line per log event, labelled with where it came from. Pure: no AWS SDK, no network.
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
 * Lambda's synchronous response limit: 6 MB (6,291,456 bytes) of response
 * JSON. The response is budgeted to the byte: a record whose result would push
 * it past the limit is returned ProcessingFailed instead (Firehose keeps its
 * original bytes under the error prefix), and room for the ProcessingFailed
 * entry of every record still to come is reserved before each record is
 * judged, so no batch can produce a larger response.
 */
export const RESPONSE_LIMIT_BYTES = 6 * 1024 * 1024;
/** `{"records":[` and `]}` around the entries. */
const RESPONSE_ENVELOPE_BYTES = '{"records":[]}'.length;

/**
 * Each Ok record's data is one complete gzip member of its NDJSON lines.
 * Firehose writes the members one after another, uncompressed: concatenated
 * gzip members are one valid gzip file (RFC 1952), so an object is a
 * `.ndjson.gz` that gunzip, Python's gzip and Node's zlib read whole. The
 * response then carries compressed bytes, so a record that inflates 20x or
 * more still fits. Levels measured on the bench (`npm run bench:processor`):
 * level 1 writes about 1.17x the incoming gzip and keeps a 0.2 MB batch within
 * budget time; level 9 writes about 0.98x at 3.5x the cost, and is used only
 * when the remaining budget is tight.
 */
export const FAST_GZIP_LEVEL = 1;
export const TIGHT_GZIP_LEVEL = 9;
/** The fast level is used while the budget left is at least this many times the base64 still to come. */
const FAST_LEVEL_HEADROOM = 1.5;

/** Why a record was returned ProcessingFailed (logged by the handler as counts, never with content). */
export type FailureReason = "gzip" | "utf8" | "json" | "envelope" | "event" | "size" | "error";

export interface Judgement {
  readonly result: TransformResult;
  /** Log events delivered (Ok only). */
  readonly events: number;
  readonly reason?: FailureReason;
}

export function transform(event: FirehoseEvent): FirehoseResponse {
  return transformCounting(event).response;
}

/** Bytes of a ProcessingFailed entry for this record id in the response JSON (without its separating comma). */
function failedEntryBytes(recordId: string): number {
  return Buffer.byteLength(JSON.stringify({ recordId, result: "ProcessingFailed" }), "utf8");
}

/**
 * The response, and how many log events of each account it delivers (for the
 * per-account metric) and why records failed. Every record is judged alone:
 * whatever one record holds, the others are unaffected and the handler does
 * not throw. `limit` is for tests; Lambda's is RESPONSE_LIMIT_BYTES.
 */
export function transformCounting(
  event: FirehoseEvent,
  limit: number = RESPONSE_LIMIT_BYTES,
): {
  response: FirehoseResponse;
  eventsByAccount: Map<string, number>;
  failures: Map<FailureReason, number>;
} {
  const input = event.records;
  const records: TransformResult[] = [];
  const eventsByAccount = new Map<string, number>();
  const failures = new Map<FailureReason, number>();
  const reserve = input.map((record) => failedEntryBytes(record.recordId));
  // What is left once the envelope, the commas and a ProcessingFailed entry for every record are paid for.
  let budget =
    limit - RESPONSE_ENVELOPE_BYTES - Math.max(0, input.length - 1) - reserve.reduce((a, b) => a + b, 0);
  const lengthOf = (record: FirehoseRecord) => (typeof record.data === "string" ? record.data.length : 0);
  let inputLeft = input.reduce((n, record) => n + lengthOf(record), 0);
  for (const [i, record] of input.entries()) {
    // This record's reservation is released to it: its own ProcessingFailed entry always fits.
    budget += reserve[i];
    const level = budget >= FAST_LEVEL_HEADROOM * inputLeft ? FAST_GZIP_LEVEL : TIGHT_GZIP_LEVEL;
    inputLeft -= lengthOf(record);
    const judged = judge(record, budget, level);
    budget -= entryBytes(judged.result);
    records.push(judged.result);
    if (judged.result.result === "Ok") {
      const account = judged.result.metadata.partitionKeys.account;
      eventsByAccount.set(account, (eventsByAccount.get(account) ?? 0) + judged.events);
    }
    if (judged.reason) failures.set(judged.reason, (failures.get(judged.reason) ?? 0) + 1);
  }
  return { response: { records }, eventsByAccount, failures };
}

/**
 * One record on its own, with no response budget (the replay command's entry
 * point): Ok with `data` = base64 of one gzip member of the NDJSON lines, and
 * the partition keys; Dropped for control messages; else ProcessingFailed.
 */
export function transformRecord(record: FirehoseRecord): TransformResult {
  return judge(record, Infinity, FAST_GZIP_LEVEL).result;
}

/** transformRecord, with the number of events and, for a failure, why. */
export function explainRecord(record: FirehoseRecord, budget = Infinity, level = FAST_GZIP_LEVEL): Judgement {
  return judge(record, budget, level);
}

/** zlib's output chunk: 64 KiB measured a little faster than the 16 KiB default for these sizes. */
const GZIP_CHUNK_BYTES = 64 * 1024;
const UTF8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });

class Rejected extends Error {
  constructor(readonly reason: FailureReason) {
    super(reason);
  }
}

/** One try/catch around all of a record's work: nothing a record holds can escape it. */
function judge(record: FirehoseRecord, budget: number, level: number): Judgement {
  const recordId = record.recordId;
  try {
    let raw: Buffer;
    try {
      raw = gunzipSync(Buffer.from(record.data, "base64"), { chunkSize: GZIP_CHUNK_BYTES });
    } catch {
      throw new Rejected("gzip");
    }
    let text: string;
    try {
      // Invalid UTF-8 is refused, not replaced by U+FFFD: what reaches events/ is what was sent.
      text = UTF8.decode(raw);
    } catch {
      throw new Rejected("utf8");
    }
    const decoded = decodeFast(text) ?? decodeGeneric(text);
    const { envelope, ndjson, events } = decoded;
    if (envelope.messageType === "CONTROL_MESSAGE")
      return { result: { recordId, result: "Dropped" }, events: 0 };
    const metadata = {
      partitionKeys: { account: envelope.owner, logGroup: logGroupKey(envelope.logGroup) },
    };
    const bytes = Buffer.from(ndjson, "utf8");
    const okAt = (gzipLevel: number): TransformResult => ({
      recordId,
      result: "Ok",
      data: gzipSync(bytes, { level: gzipLevel, chunkSize: GZIP_CHUNK_BYTES }).toString("base64"),
      metadata,
    });
    let result = okAt(level);
    if (entryBytes(result) > budget && level < TIGHT_GZIP_LEVEL) result = okAt(TIGHT_GZIP_LEVEL);
    if (entryBytes(result) > budget) throw new Rejected("size");
    return { result, events };
  } catch (error) {
    return {
      result: { recordId, result: "ProcessingFailed" },
      events: 0,
      reason: error instanceof Rejected ? error.reason : "error",
    };
  }
}

interface Decoded {
  readonly envelope: Omit<Envelope, "logEvents">;
  readonly ndjson: string;
  readonly events: number;
}

/** Parses the whole envelope, checks every event, then serializes them: handles any valid envelope. */
function decodeGeneric(text: string): Decoded {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new Rejected("json");
  }
  if (!isEnvelope(parsed)) throw new Rejected("envelope");
  if (parsed.messageType === "CONTROL_MESSAGE") return { envelope: parsed, ndjson: "", events: 0 };
  if (!parsed.logEvents.every(isLogEvent)) throw new Rejected("event");
  return { envelope: parsed, ndjson: toNdjson(parsed), events: parsed.logEvents.length };
}

/** A log event as CloudWatch Logs sends it: nothing is coerced, so a line's message is the event's message. */
function isLogEvent(candidate: unknown): candidate is LogEvent {
  if (typeof candidate !== "object" || candidate === null) return false;
  const value = candidate as Record<string, unknown>;
  return (
    typeof value.id === "string" &&
    typeof value.timestamp === "number" &&
    Number.isFinite(value.timestamp) &&
    typeof value.message === "string"
  );
}

const LOG_EVENTS_KEY = '"logEvents":[';
/**
 * One log event exactly as CloudWatch Logs writes it, followed by `,` or the
 * envelope's closing `]}`. The timestamp must be a JSON integer of at most 16
 * digits (CloudWatch Logs' have 13; a longer one goes to the generic path, which
 * writes the double JSON.parse reads) and the message a
 * well-formed JSON string (no raw control characters, only JSON escapes),
 * captured still escaped (written as "unrolled loop": no two ways to match one
 * text, so no backtracking). Sticky: each match must start where the last ended.
 */
const LOG_EVENT =
  // eslint-disable-next-line no-control-regex -- JSON strings cannot hold raw control characters (RFC 8259 section 7)
  /\{"id":"(\d+)","timestamp":(0|[1-9]\d{0,15}),"message":("[^"\\\u0000-\u001f]*(?:\\(?:["\\/bfnrt]|u[0-9a-fA-F]{4})[^"\\\u0000-\u001f]*)*")\}(?:,|\]\}[ \t\n\r]*$)/gy;

/**
 * The common case, about three times faster than parse-and-serialize: the
 * small envelope header is parsed on its own, and each event is rewritten
 * into its NDJSON line by one native regular-expression pass (a replacement
 * pattern, no callback), messages staying in CloudWatch Logs' own escaping (a
 * valid JSON string for the same text). Used only when the events part is
 * matched end to end with no gap, which also proves it well-formed; anything
 * else goes to the generic path. The sticky pass stops at the first event it
 * cannot match and leaves the rest as it was, and the body ends in `]}`: so
 * the output ends in a line's `"}\n` only if every event was rewritten (an
 * envelope with no events is left to the generic path, which writes nothing).
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
  if (!body.trimEnd().endsWith("]}")) return undefined;
  // `$` in a replacement pattern is special: the provenance's own (a log stream name may hold one) is doubled.
  const line = `{"timestamp":$2,"message":$3${provenanceOf(header).replaceAll("$", "$$$$")}"$1"}\n`;
  const ndjson = body.replace(LOG_EVENT, line);
  if (!ndjson.endsWith('"}\n')) return undefined;
  // A line's only raw newline is its last character (JSON strings escape theirs).
  let events = 0;
  for (let i = ndjson.indexOf("\n"); i >= 0; i = ndjson.indexOf("\n", i + 1)) events++;
  return { envelope: header, ndjson, events };
}

/** The part of every line after the message: where the event came from. */
function provenanceOf(
  envelope: Pick<Envelope, "owner" | "logGroup" | "logStream" | "subscriptionFilters">,
): string {
  return (
    `,"account":${JSON.stringify(envelope.owner)},"region":${JSON.stringify(regionOf(envelope.subscriptionFilters))}` +
    `,"logGroup":${JSON.stringify(envelope.logGroup)},"logStream":${JSON.stringify(envelope.logStream)},"id":`
  );
}

function isEnvelope(candidate: unknown): candidate is Envelope {
  if (typeof candidate !== "object" || candidate === null) return false;
  const value = candidate as Record<string, unknown>;
  if (value.messageType === "CONTROL_MESSAGE") return true;
  return (
    value.messageType === "DATA_MESSAGE" &&
    typeof value.owner === "string" &&
    typeof value.logGroup === "string" &&
    typeof value.logStream === "string" &&
    Array.isArray(value.subscriptionFilters) &&
    value.subscriptionFilters.every((name: unknown) => typeof name === "string") &&
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
    timestamp: e.timestamp,
    message: e.message,
    account,
    region,
    logGroup,
    logStream,
    id: e.id,
  }));
  if (lines.length === 0) return "";
  const array = JSON.stringify(lines);
  return `${array.slice(1, -1).replaceAll('},{"timestamp":', '}\n{"timestamp":')}\n`;
}

/**
 * The envelope does not carry the source region; the subscription filter (or
 * account policy) name does: this app names them `<pipeline>-<region>`, and a
 * log group's second filter `<pipeline>-<region>-2` (`-<8 hex>` before 2026-12).
 */
export function regionOf(subscriptionFilters: readonly string[] | undefined): string {
  for (const name of Array.isArray(subscriptionFilters) ? subscriptionFilters : []) {
    if (typeof name !== "string") continue;
    const match = /-((?:[a-z]{2}(?:-gov)?-[a-z]+-\d))(?:-[0-9a-f]{8}|-2)?$/.exec(name);
    if (match) return match[1];
  }
  return "unknown";
}

/**
 * The log group's part of an object key (the `logGroup` partition key), one
 * to one: letters, digits, `.`, `_` and `-` stay as they are, `/` becomes
 * `!`, and every other UTF-8 byte (`#`, a space, anything else) becomes `(XX)`,
 * its two hex digits. `/var/log/messages` -> `!var!log!messages`. `!`, `(` and
 * `)` are in S3's "safe characters" and not in CloudWatch Logs' (S3 User
 * Guide, "Naming Amazon S3 objects", https://docs.aws.amazon.com/AmazonS3/latest/userguide/object-keys.html;
 * CloudWatch Logs API Reference, CreateLogGroup, logGroupName pattern
 * `[\.\-_/#A-Za-z0-9]+`), so no two names share a key and logGroupOfKey reads
 * the name back. `%` is not used: Athena and Hive read `%XX` in a location as
 * an escape. A key longer than LOG_GROUP_KEY_MAX_CHARS (a 512-character name
 * made mostly of `#`) is cut and ends in `(~)` and 16 hex digits of the
 * name's SHA-256, so the object key stays under S3's 1,024 bytes; such a key
 * cannot be read back, and the line's `logGroup` field still holds the name.
 */
export function logGroupKey(logGroup: string): string {
  const tokens: string[] = [];
  for (const char of logGroup) {
    if (/^[A-Za-z0-9._-]$/.test(char)) tokens.push(char);
    else if (char === "/") tokens.push("!");
    else
      for (const byte of Buffer.from(char, "utf8"))
        tokens.push(`(${byte.toString(16).toUpperCase().padStart(2, "0")})`);
  }
  const key = tokens.join("");
  if (key === "") return "(empty)";
  if (key.length <= LOG_GROUP_KEY_MAX_CHARS) return key;
  // Cut between tokens, never inside a `(XX)`: the kept part is still a valid key prefix.
  let kept = "";
  for (const token of tokens) {
    if (kept.length + token.length > LOG_GROUP_KEY_MAX_CHARS - CUT_SUFFIX_CHARS) break;
    kept += token;
  }
  const digest = createHash("sha256").update(logGroup, "utf8").digest("hex").slice(0, 16);
  return `${kept}(~)${digest}`;
}

/** `(~)` and 16 hex digits. */
const CUT_SUFFIX_CHARS = 19;

/** Longest log group key: with the rest of the object key well under S3's 1,024 bytes. */
export const LOG_GROUP_KEY_MAX_CHARS = 600;

/** The log group name a key was made from (logGroupKey's inverse); undefined for a cut key or a key it cannot have made. */
export function logGroupOfKey(key: string): string | undefined {
  if (key === "(empty)") return "";
  if (!/^(?:[A-Za-z0-9._!-]|\([0-9A-F]{2}\))+$/.test(key)) return undefined;
  const bytes: number[] = [];
  for (const [, plain, hex] of key.matchAll(/([A-Za-z0-9._!-])|\(([0-9A-F]{2})\)/g)) {
    if (hex !== undefined) bytes.push(parseInt(hex, 16));
    else bytes.push((plain === "!" ? "/" : plain).charCodeAt(0));
  }
  let name: string;
  try {
    name = new TextDecoder("utf-8", { fatal: true }).decode(Uint8Array.from(bytes));
  } catch {
    return undefined;
  }
  // Only the key logGroupKey writes for this name reads back (no `(41)` for an `A`).
  return logGroupKey(name) === key ? name : undefined;
}

/** Bytes the result adds to the response JSON (without its separating comma), without copying the data. */
function entryBytes(result: TransformResult): number {
  if (result.result !== "Ok") return Buffer.byteLength(JSON.stringify(result), "utf8");
  // base64 is ASCII and needs no escaping: its length is its size in the JSON.
  return Buffer.byteLength(JSON.stringify({ ...result, data: "" }), "utf8") + result.data.length;
}
