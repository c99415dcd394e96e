import { createHash } from "node:crypto";
import { gunzipSync, gzipSync } from "node:zlib";
import { FirehoseRecord, transformRecord } from "../functions/processor/transform";
import { EVENTS_PREFIX, PROCESSING_FAILED_PREFIX } from "./pipeline";
import { deliveryHourOf, eventsPartitionPrefix } from "./search";
import { SecLogConfig } from "./config/model";
import { namingOf } from "./naming";
import { PolicyDocument, policyDocument } from "./iam/policy";
import { viaService } from "./partition";

/**
 * Replay of the records Firehose could not transform: the pure part of
 * `npm run replay` (scripts/replay.ts does the S3 calls).
 *
 * Firehose writes each record whose transformation failed under
 * `errors/processing-failed/yyyy/MM/dd/HH/` as one JSON object per line
 * (Firehose developer guide, "Handle failure in data transformation"):
 * `attemptsMade`, `arrivalTimestamp`, `errorCode`, `errorMessage`,
 * `attemptEndingTimestamp`, `rawData` (base64 of the record as it arrived) and
 * `lambdaArn`. Replay runs the processor's own `transformRecord` on each
 * `rawData` and writes the Ok output where Firehose would have written it.
 */

/** One line of a processing-failed error object, as Firehose documents it. */
export interface ErrorRecord {
  readonly attemptsMade?: number;
  /** Milliseconds since the epoch: the hour of the events prefix. */
  readonly arrivalTimestamp: number;
  readonly errorCode: string;
  readonly errorMessage?: string;
  readonly attemptEndingTimestamp?: number;
  readonly rawData: string;
  readonly lambdaArn?: string;
}

/** A record that cannot be replayed, and why. */
export interface Unreplayable {
  readonly sourceKey: string;
  /** 1-based line of the error object; 0 for the object as a whole. */
  readonly line: number;
  readonly reason: string;
}

/** One object to write: the Ok output of one partition and hour of one error object. */
export interface ReplayObject {
  readonly key: string;
  /** Concatenated gzip members, one per record: one valid gzip file. */
  readonly body: Buffer;
  readonly sourceKey: string;
  /** Lines of the error object it replays. */
  readonly lines: readonly number[];
}

/** What one error object turns into. */
export interface ObjectPlan {
  readonly sourceKey: string;
  /** Error records read, by errorCode ("(none)" when a line has none). */
  readonly errorCodes: ReadonlyMap<string, number>;
  readonly records: number;
  readonly replayed: number;
  /** Control messages: Firehose drops them too. */
  readonly dropped: number;
  readonly objects: readonly ReplayObject[];
  readonly unreplayable: readonly Unreplayable[];
}

const GZIP_MAGIC = [0x1f, 0x8b];

export function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === GZIP_MAGIC[0] && bytes[1] === GZIP_MAGIC[1];
}

/** The error object's text: Firehose may have gzipped it with the destination's compression. */
export function errorObjectText(body: Uint8Array): string {
  return (isGzip(body) ? gunzipSync(body) : Buffer.from(body)).toString("utf8");
}

/** The hour Firehose filed an error object under (`errors/processing-failed/yyyy/MM/dd/HH/...`), or undefined. */
export function errorObjectHour(key: string): Date | undefined {
  if (!key.startsWith(PROCESSING_FAILED_PREFIX)) return undefined;
  const match = /^(\d{4})\/(\d{2})\/(\d{2})\/(\d{2})\//.exec(key.slice(PROCESSING_FAILED_PREFIX.length));
  if (!match) return undefined;
  const [, y, m, d, h] = match.map(Number);
  return new Date(Date.UTC(y, m - 1, d, h));
}

/**
 * `--since` / `--until`: a UTC date (`2026-12-01`), date and hour
 * (`2026-12-01T13`), or a full ISO 8601 time with Z or an offset. Returns the
 * time, or undefined when the text is none of these.
 */
export function parseHour(text: string): Date | undefined {
  const dateOnly = /^\d{4}-\d{2}-\d{2}$/.test(text);
  const dateHour = /^\d{4}-\d{2}-\d{2}T\d{2}$/.test(text);
  const full = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/.test(text);
  if (!dateOnly && !dateHour && !full) return undefined;
  const time = Date.parse(dateOnly ? `${text}T00:00:00Z` : dateHour ? `${text}:00:00Z` : text);
  return Number.isNaN(time) ? undefined : new Date(time);
}

/** Whether an error object falls in [since, until), by the hour in its key; keys without one are kept (and reported if unreadable). */
export function inWindow(key: string, since?: Date, until?: Date): boolean {
  const hour = errorObjectHour(key);
  if (!hour) return since === undefined && until === undefined;
  // An hour's prefix holds records up to its end: keep it when any of it is at or after `since`.
  if (since && hour.getTime() + 3_600_000 <= since.getTime()) return false;
  if (until && hour.getTime() >= until.getTime()) return false;
  return true;
}

/** The events prefix Firehose writes for a partition and arrival time (lib/search.ts: events, UTC delivery hour, account, logGroup). */
export function eventsPrefix(account: string, logGroup: string, arrival: Date): string {
  return eventsPartitionPrefix(deliveryHourOf(arrival), account, logGroup);
}

/** Deterministic: the same error object and line always give the same name, so a second run finds it. */
export function replayObjectName(sourceKey: string, firstLine: number): string {
  return `replay-${createHash("sha256").update(`${sourceKey}\n${firstLine}`).digest("hex")}.ndjson.gz`;
}

/**
 * An Ok record's decoded data as one gzip member. The processor's contract is
 * that `data` is already one complete gzip member of NDJSON lines; plain
 * NDJSON (the processor before that change) is gzipped here, so the object is
 * a valid `.ndjson.gz` either way.
 */
export function gzipMember(data: string): Buffer {
  const bytes = Buffer.from(data, "base64");
  return isGzip(bytes) ? bytes : gzipSync(bytes);
}

function errorRecordOf(value: unknown): ErrorRecord | string {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return "not a JSON object";
  const v = value as Record<string, unknown>;
  if (typeof v.rawData !== "string" || v.rawData === "") return "no rawData";
  // Firehose's documentation shows the numbers as strings; what it writes are numbers. Accept both.
  const arrival =
    typeof v.arrivalTimestamp === "string" && /^\d+$/.test(v.arrivalTimestamp)
      ? Number(v.arrivalTimestamp)
      : v.arrivalTimestamp;
  if (typeof arrival !== "number" || !Number.isFinite(arrival) || arrival < 0)
    return "no arrivalTimestamp (milliseconds since the epoch), so no hour to file it under";
  return {
    arrivalTimestamp: arrival,
    errorCode: typeof v.errorCode === "string" && v.errorCode !== "" ? v.errorCode : "(none)",
    rawData: v.rawData,
    ...(typeof v.errorMessage === "string" ? { errorMessage: v.errorMessage } : {}),
    ...(typeof v.attemptsMade === "number" ? { attemptsMade: v.attemptsMade } : {}),
    ...(typeof v.lambdaArn === "string" ? { lambdaArn: v.lambdaArn } : {}),
  };
}

/** Transforms every line of one error object; groups the Ok output by partition and hour. */
export function planErrorObject(sourceKey: string, text: string): ObjectPlan {
  const errorCodes = new Map<string, number>();
  const unreplayable: Unreplayable[] = [];
  const groups = new Map<string, { members: Buffer[]; lines: number[] }>();
  let records = 0;
  let replayed = 0;
  let dropped = 0;
  const lines = text.split("\n");
  lines.forEach((raw, index) => {
    const lineNumber = index + 1;
    if (raw.trim() === "") return;
    records++;
    let parsed: unknown;
    try {
      parsed = JSON.parse(raw);
    } catch {
      errorCodes.set("(unreadable)", (errorCodes.get("(unreadable)") ?? 0) + 1);
      unreplayable.push({ sourceKey, line: lineNumber, reason: "not JSON: not a Firehose error record" });
      return;
    }
    const record = errorRecordOf(parsed);
    const code =
      typeof record === "string"
        ? String((parsed as { errorCode?: unknown })?.errorCode ?? "(none)")
        : record.errorCode;
    errorCodes.set(code, (errorCodes.get(code) ?? 0) + 1);
    if (typeof record === "string") {
      unreplayable.push({ sourceKey, line: lineNumber, reason: `${record}: not a Firehose error record` });
      return;
    }
    const input: FirehoseRecord = { recordId: `${sourceKey}:${lineNumber}`, data: record.rawData };
    let result;
    try {
      result = transformRecord(input);
    } catch (error) {
      unreplayable.push({
        sourceKey,
        line: lineNumber,
        reason: `the processor threw: ${(error as Error).message}`,
      });
      return;
    }
    if (result.result === "Dropped") {
      dropped++;
      return;
    }
    if (result.result !== "Ok") {
      unreplayable.push({
        sourceKey,
        line: lineNumber,
        reason: `the processor still fails it (${result.result}; Firehose's error: ${record.errorCode}): keep the error object, it holds the record as it arrived`,
      });
      return;
    }
    replayed++;
    const { account, logGroup } = result.metadata.partitionKeys;
    const prefix = eventsPrefix(account, logGroup, new Date(record.arrivalTimestamp));
    const group = groups.get(prefix) ?? { members: [], lines: [] };
    group.members.push(gzipMember(result.data));
    group.lines.push(lineNumber);
    groups.set(prefix, group);
  });
  const objects = [...groups].map(([prefix, group]) => ({
    key: `${prefix}${replayObjectName(sourceKey, group.lines[0])}`,
    body: Buffer.concat(group.members),
    sourceKey,
    lines: group.lines,
  }));
  return { sourceKey, errorCodes, records, replayed, dropped, objects, unreplayable };
}

// ---------------------------------------------------------------- the replay identity's policy

export function archiveBucketArn(config: SecLogConfig): string {
  return `arn:${config.partition}:s3:::${config.archive.bucketName}`;
}

/**
 * The least privilege `npm run replay` needs, as an identity policy for the
 * role or user that runs it in the security account: list the two prefixes
 * it reads (error objects) and checks (the events keys it would write), read
 * the error objects, write events objects, and use the archive key only
 * through S3 for this bucket. Nothing else: no delete of objects or
 * versions, no other prefix (not `source/`), no bucket configuration.
 * Existence is checked by listing the exact key (s3:ListBucket), so replay
 * needs no s3:GetObject on events/.
 */
export function replayPolicy(config: SecLogConfig): PolicyDocument {
  const bucket = archiveBucketArn(config);
  const region = config.security.region;
  const naming = namingOf(config);
  return policyDocument(
    {
      Sid: "ListErrorAndEventsKeys",
      Effect: "Allow",
      Action: "s3:ListBucket",
      Resource: bucket,
      Condition: { StringLike: { "s3:prefix": [`${PROCESSING_FAILED_PREFIX}*`, `${EVENTS_PREFIX}*`] } },
    },
    {
      Sid: "ReadProcessingFailedRecords",
      Effect: "Allow",
      Action: "s3:GetObject",
      Resource: `${bucket}/${PROCESSING_FAILED_PREFIX}*`,
    },
    {
      Sid: "WriteReplayedEvents",
      Effect: "Allow",
      Action: "s3:PutObject",
      Resource: `${bucket}/${EVENTS_PREFIX}*`,
    },
    {
      Sid: "UseArchiveKeyThroughS3",
      Effect: "Allow",
      Action: ["kms:Decrypt", "kms:GenerateDataKey"],
      // The key's id is Terraform's to pick; its alias is known from the config.
      Resource: `arn:${config.partition}:kms:${region}:${config.security.accountId}:key/*`,
      Condition: {
        StringEquals: { "kms:ViaService": viaService("s3", region) },
        "ForAnyValue:StringEquals": { "kms:ResourceAliases": naming.keyAlias("archive") },
        // With the bucket's S3 Bucket Key the encryption context is the bucket ARN, otherwise the object ARN.
        StringLike: { "kms:EncryptionContext:aws:s3:arn": [bucket, `${bucket}/*`] },
      },
    },
  );
}
