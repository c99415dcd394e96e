import { MIB } from "./units";
import {
  CLOUDWATCH_LOGS_BYTES_PER_EVENT_OVERHEAD,
  FIREHOSE_PROCESSOR_DEFAULT_INTERVAL_SECONDS,
} from "../aws-limits";
import { PROCESSOR_BUFFER_MIB, PROCESSOR_MEMORY_MIB, STREAM_CAPACITY_TARGET } from "../pipeline";

/**
 * The capacity model's assumptions: estimates to adjust when you have
 * metrics, and the pipeline's own settings it sizes for (from lib/pipeline.ts,
 * so the model prices what the stacks build). AWS's limits come from
 * lib/aws-limits.ts, prices from ./prices.ts.
 */

/**
 * Peak-hour rate as a multiple of the daily average. Logs follow business
 * hours and burst during deploys and incidents (the moments security logs
 * matter most); 2-3x is typical, we size for the top of that range.
 */
export const DEFAULT_PEAK_FACTOR = 3;
/**
 * CloudWatch Logs bytes (as it meters ingestion) per gzip byte it writes to
 * Kinesis. The processor bench's synthetic syslog/web/JSON lines give 3.8 at
 * 50 events per record; repetitive real logs compress better, so 4 errs
 * toward more bytes. Measure yours: Kinesis IncomingBytes vs CloudWatch Logs
 * IncomingBytes.
 */
export const CLOUDWATCH_GZIP_RATIO = 4;
/**
 * Log events per Kinesis record. CloudWatch Logs sends one gzip'd batch of a
 * log stream's events per record; agents flush every few seconds, so busy
 * streams give hundreds and quiet ones a handful. Measure yours: Kinesis
 * IncomingRecords vs CloudWatch Logs IncomingLogEvents.
 */
export const EVENTS_PER_RECORD = 50;
/**
 * Bytes an NDJSON line adds to the metered event (account, region, log group,
 * log stream, 56-digit id, timestamp, JSON quoting): 183 bytes over the
 * message in the bench, less the 26 CloudWatch Logs already counts.
 */
export const NDJSON_EXTRA_BYTES_PER_EVENT = 160;
/**
 * The processor's gzip of each record's NDJSON (one gzip member per record, level 1; Firehose
 * writes the members as they are, uncompressed): 8.2x on the bench's synthetic lines at 50
 * events per record (10.2x at 200); real messages vary more, so half that.
 */
export const NDJSON_GZIP_RATIO = 4;
/** Wall time of one 0.2 MB processor batch at 512 MB arm64: ~10-20 ms on a full core in the bench, ~1/3.5 of a core in Lambda, plus invoke overhead. */
export const PROCESSOR_SECONDS_PER_BATCH = 0.2;
/** Reserved concurrency over the steady-state need: Firehose invokes in bursts, not evenly. */
export const PROCESSOR_CONCURRENCY_HEADROOM = 2;
/** Log groups assumed per account subscribed with `allLogGroups` (the config does not list them); `--partitions` overrides the estimate. */
export const LOG_GROUPS_PER_ACCOUNT_POLICY = 20;
/** Storage is priced for this month of operation by default: the archive grows until `archive.expireAfterDays`. */
export const DEFAULT_MONTHS = 12;
/**
 * KMS requests per shard-hour for the stream key: the writer (destination
 * role) and the reader (Firehose) each take a fresh data key about every 5
 * minutes per shard (an estimate; the amounts involved are cents).
 */
export const KINESIS_KMS_REQUESTS_PER_SHARD_HOUR = 24;

/** Size for this share of shard capacity: the `stream-near-capacity` alarm (modules/alarms.ts) fires above it. */
export const SHARD_TARGET_UTILIZATION = STREAM_CAPACITY_TARGET;
/** Firehose hands the processor batches of PROCESSOR_BUFFER_MIB, or what arrived in its default interval. */
export const PROCESSOR_BATCH_BYTES = PROCESSOR_BUFFER_MIB * MIB;
export const PROCESSOR_BATCH_MAX_SECONDS = FIREHOSE_PROCESSOR_DEFAULT_INTERVAL_SECONDS;
/** The processor's memory, which Lambda bills GB-seconds on. */
export const PROCESSOR_MEMORY_GB = PROCESSOR_MEMORY_MIB / 1024;
/**
 * `bufferSeconds: 0` is zero buffering: Firehose delivers "within a few
 * seconds" (https://docs.aws.amazon.com/firehose/latest/dev/buffering-hints.html); 5 s is our reading.
 */
export const ZERO_BUFFER_FLUSH_SECONDS = 5;
/** The smallest average event size CloudWatch Logs can meter: a 1-byte message plus its per-event overhead. */
export const MIN_BYTES_PER_EVENT = CLOUDWATCH_LOGS_BYTES_PER_EVENT_OVERHEAD + 1;
