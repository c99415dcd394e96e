import { SecLogConfig } from "./config/model";

/**
 * Capacity and cost of the pipeline for a given log volume: pure arithmetic
 * over the config and the operator's two numbers (GB/day and events/s into
 * CloudWatch Logs), no I/O. Every assumption is a named constant below, and
 * every price names its source: this is an estimate to size the stream and
 * budget for, not a quote. `npm run capacity` prints it.
 */

// ---------------------------------------------------------------- units

const KIB = 1024;
const MIB = 1024 ** 2;
/** AWS bills "GB" of 2^30 bytes; so do we, everywhere. */
const GIB = 1024 ** 3;
const SECONDS_PER_DAY = 86_400;
/** AWS's pricing pages turn hourly rates into a month with 730 hours. */
const HOURS_PER_MONTH = 730;
const SECONDS_PER_MONTH = HOURS_PER_MONTH * 3600;
const DAYS_PER_MONTH = HOURS_PER_MONTH / 24;

// ---------------------------------------------------------------- assumptions (estimates: adjust when you have metrics)

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
/** CloudWatch Logs meters each event as its message plus 26 bytes, so a smaller average is impossible. */
const CLOUDWATCH_BYTES_PER_EVENT_OVERHEAD = 26;
/**
 * Bytes an NDJSON line adds to the metered event (account, region, log group,
 * log stream, 56-digit id, timestamp, JSON quoting): 183 bytes over the
 * message in the bench, less the 26 CloudWatch Logs already counts.
 */
const NDJSON_EXTRA_BYTES_PER_EVENT = 160;
/**
 * The processor's gzip of each record's NDJSON (one gzip member per record, level 1; Firehose
 * writes the members as they are, uncompressed): 8.2x on the bench's synthetic lines at 50
 * events per record (10.2x at 200); real messages vary more, so half that.
 */
const NDJSON_GZIP_RATIO = 4;
/** Wall time of one 0.2 MB processor batch at 512 MB arm64: ~10-20 ms on a full core in the bench, ~1/3.5 of a core in Lambda, plus invoke overhead. */
const PROCESSOR_SECONDS_PER_BATCH = 0.2;
/** Reserved concurrency over the steady-state need: Firehose invokes in bursts, not evenly. */
const PROCESSOR_CONCURRENCY_HEADROOM = 2;
/** Log groups assumed per account subscribed with `allLogGroups` (the config does not list them); `--partitions` overrides the estimate. */
const LOG_GROUPS_PER_ACCOUNT_POLICY = 20;
/** Storage is priced for this month of operation by default: the archive grows until `archive.expireAfterDays`. */
export const DEFAULT_MONTHS = 12;
/**
 * KMS requests per shard-hour for the stream key: the writer (destination
 * role) and the reader (Firehose) each take a fresh data key about every 5
 * minutes per shard (an estimate; the amounts involved are cents).
 */
const KINESIS_KMS_REQUESTS_PER_SHARD_HOUR = 24;

// ---------------------------------------------------------------- AWS limits and behaviour

/** Per-shard write limits, both modes (https://docs.aws.amazon.com/streams/latest/dev/working-with-streams.html, read 2026-11-27). */
const SHARD_WRITE_BYTES_PER_SECOND = MIB;
const SHARD_WRITE_RECORDS_PER_SECOND = 1000;
/** Size for 80% of shard capacity: the `stream-near-capacity` alarm (modules/alarms.ts) fires above that. */
const SHARD_TARGET_UTILIZATION = 0.8;
/**
 * A new on-demand stream takes 4 MiB/s and 4,000 records/s of writes, then
 * serves up to twice its peak of the last 30 days; above that it throttles
 * until it scales (https://docs.aws.amazon.com/streams/latest/dev/how-do-i-size-a-stream.html;
 * figures as summarised by lucaraveri.com and oneuptime.com, read 2026-11-27).
 */
const ON_DEMAND_INITIAL_BYTES_PER_SECOND = 4 * MIB;
const ON_DEMAND_INITIAL_RECORDS_PER_SECOND = 4000;
const ON_DEMAND_INITIAL_SHARDS = ON_DEMAND_INITIAL_BYTES_PER_SECOND / SHARD_WRITE_BYTES_PER_SECOND;
/** Kinesis keeps records 24 h in the base price; longer is extended (to 7 days), then long-term retention. */
const BASE_RETENTION_HOURS = 24;
const EXTENDED_RETENTION_HOURS = 168;
/** Firehose hands the processor 0.2 MB batches (modules/delivery.ts: PROCESSOR_BUFFER_MIB), or what arrived in its default 60 s interval. */
export const PROCESSOR_BATCH_BYTES = 0.2 * MIB;
export const PROCESSOR_BATCH_MAX_SECONDS = 60;
/** The processor's memory (modules/processor.ts default), which Lambda bills GB-seconds on. */
export const PROCESSOR_MEMORY_GB = 512 / 1024;
/**
 * Firehose's default quota of active partitions per stream; records beyond it
 * go to errors/ (activePartitionExceeded). Raisable to 5,000
 * (https://docs.aws.amazon.com/firehose/latest/dev/buffering.html, read 2026-11-27).
 */
const FIREHOSE_ACTIVE_PARTITION_QUOTA = 500;
/** AWS recommends a buffer size above 10 s of incoming data (Firehose API BufferingHints.SizeInMBs, read 2026-11-27). */
const BUFFER_RECOMMENDED_SECONDS = 10;
const FIREHOSE_MAX_BUFFER_MIB = 128;
/** `bufferSeconds: 0` is zero buffering: Firehose delivers "within a few seconds" (https://docs.aws.amazon.com/firehose/latest/dev/buffering-hints.html). */
const ZERO_BUFFER_FLUSH_SECONDS = 5;
/** CloudWatch Logs retries a throttled delivery for 24 h, then drops it. */
const CLOUDWATCH_RETRY_HOURS = 24;
/** Per object archived to Glacier Flexible Retrieval, S3 bills 8 KB at Standard and 32 KB at Glacier rates (https://docs.aws.amazon.com/AmazonS3/latest/userguide/archival-storage.html). */
const GLACIER_STANDARD_OVERHEAD_BYTES = 8 * KIB;
const GLACIER_ARCHIVE_OVERHEAD_BYTES = 32 * KIB;
/** Automatic yearly key rotation adds $1/month per key for each of its first two rotations (KMS pricing since May 2024). */
const KMS_ROTATION_MONTHS = 12;
const KMS_BILLED_ROTATIONS = 2;
/** Billing granularity: Kinesis data per record rounded up to 1 KB, PUT payload units of 25 KB, Firehose ingestion in 5 KB steps. */
const KINESIS_BILLING_BYTES = KIB;
const PUT_PAYLOAD_UNIT_BYTES = 25 * KIB;
const FIREHOSE_BILLING_BYTES = 5 * KIB;

// ---------------------------------------------------------------- list prices (USD, us-east-1, without free tiers)

export interface ListPrice {
  readonly usd: number;
  /** The price is per this many units. */
  readonly per: number;
  readonly unit: string;
  readonly source: string;
}

const KINESIS_PRICING = "https://aws.amazon.com/kinesis/data-streams/pricing/";
const FIREHOSE_PRICING = "https://aws.amazon.com/firehose/pricing/";
const LAMBDA_PRICING = "https://aws.amazon.com/lambda/pricing/";
const S3_PRICING = "https://aws.amazon.com/s3/pricing/";
const KMS_PRICING = "https://aws.amazon.com/kms/pricing/";
const CLOUDWATCH_PRICING = "https://aws.amazon.com/cloudwatch/pricing/";
const NOT_RECHECKED = "not re-checked offline";

const PRICES = {
  kinesisOnDemandStreamHour: {
    usd: 0.04,
    per: 1,
    unit: "stream-hour",
    source: `${KINESIS_PRICING} (On-demand Standard; ${NOT_RECHECKED}; c3x.dev shows the same, read 2026-11-27)`,
  },
  kinesisOnDemandIngest: {
    usd: 0.08,
    per: 1,
    unit: "GB",
    source: `${KINESIS_PRICING} (On-demand Standard data ingested, per record rounded up to 1 KB; ${NOT_RECHECKED})`,
  },
  kinesisOnDemandRetrieval: {
    usd: 0.04,
    per: 1,
    unit: "GB",
    source: `${KINESIS_PRICING} (On-demand Standard data retrievals; ${NOT_RECHECKED})`,
  },
  kinesisOnDemandExtendedRetention: {
    usd: 0.1,
    per: 1,
    unit: "GB-month",
    source: `${KINESIS_PRICING} (On-demand extended retention, 24 h-7 days; ${NOT_RECHECKED})`,
  },
  kinesisShardHour: {
    usd: 0.015,
    per: 1,
    unit: "shard-hour",
    source: `${KINESIS_PRICING} (provisioned; ${NOT_RECHECKED}; c3x.dev and kindatechnical.com show the same, read 2026-11-27)`,
  },
  kinesisPutPayloadUnits: {
    usd: 0.014,
    per: 1e6,
    unit: "PUT payload units",
    source: `${KINESIS_PRICING} (provisioned, 25 KB units, read 2026-11-27; price ${NOT_RECHECKED})`,
  },
  kinesisProvisionedExtendedRetention: {
    usd: 0.02,
    per: 1,
    unit: "shard-hour",
    source: `${KINESIS_PRICING} (provisioned extended retention, 24 h-7 days; ${NOT_RECHECKED})`,
  },
  kinesisLongTermRetention: {
    usd: 0.023,
    per: 1,
    unit: "GB-month",
    source: `${KINESIS_PRICING} (long-term retention past 7 days; ${NOT_RECHECKED})`,
  },
  firehoseIngest: {
    usd: 0.029,
    per: 1,
    unit: "GB",
    source: `${FIREHOSE_PRICING} (Kinesis Data Streams source, first 500 TB/month, 5 KB increments per record (read 2026-11-27); price ${NOT_RECHECKED})`,
  },
  firehosePartitionedData: {
    usd: 0.02,
    per: 1,
    unit: "GB",
    source: `${FIREHOSE_PRICING} (dynamic partitioning per GB; ${NOT_RECHECKED})`,
  },
  firehosePartitionedObjects: {
    usd: 0.005,
    per: 1000,
    unit: "objects",
    source: `${FIREHOSE_PRICING} (dynamic partitioning per 1,000 S3 objects; ${NOT_RECHECKED})`,
  },
  lambdaArmGbSecond: {
    usd: 0.0000133334,
    per: 1,
    unit: "GB-s",
    source: `${LAMBDA_PRICING} (Arm, first 7.5 billion GB-s/month; cloudchipr.com shows the same, read 2026-11-27)`,
  },
  lambdaRequests: { usd: 0.2, per: 1e6, unit: "requests", source: `${LAMBDA_PRICING} (${NOT_RECHECKED})` },
  s3Standard: {
    usd: 0.023,
    per: 1,
    unit: "GB-month",
    source: `${S3_PRICING} (S3 Standard, first 50 TB; cloudburn.io shows the same, read 2026-11-27)`,
  },
  s3GlacierFlexible: {
    usd: 0.0036,
    per: 1,
    unit: "GB-month",
    source: `${S3_PRICING} (S3 Glacier Flexible Retrieval; ${NOT_RECHECKED})`,
  },
  s3Put: {
    usd: 0.005,
    per: 1000,
    unit: "PUT requests",
    source: `${S3_PRICING} (S3 Standard PUT; ${NOT_RECHECKED})`,
  },
  s3GlacierTransition: {
    usd: 0.03,
    per: 1000,
    unit: "transitions",
    source: `${S3_PRICING} (lifecycle transitions into Glacier Flexible Retrieval; ${NOT_RECHECKED})`,
  },
  kmsKeyMonth: { usd: 1, per: 1, unit: "key-month", source: `${KMS_PRICING} (read 2026-11-27)` },
  kmsRequests: {
    usd: 0.03,
    per: 10_000,
    unit: "requests",
    source: `${KMS_PRICING} (symmetric requests; wring.co shows the same, read 2026-11-27)`,
  },
  cloudWatchLogsIngest: {
    usd: 0.5,
    per: 1,
    unit: "GB",
    source: `${CLOUDWATCH_PRICING} (Standard log class ingestion; ${NOT_RECHECKED})`,
  },
} as const satisfies Record<string, ListPrice>;

// ---------------------------------------------------------------- the plan

export interface CapacityInput {
  /** Volume ingested into CloudWatch Logs (uncompressed, as CloudWatch Logs meters it), daily average. */
  readonly gbPerDay: number;
  /** Log events per second, daily average. */
  readonly eventsPerSecond: number;
  readonly peakFactor: number;
  /** Storage is priced for this month of operation. */
  readonly months: number;
  /** Overrides the partition count estimated from the config. */
  readonly partitions?: number;
}

/** One rate of traffic at each stage, average or peak. */
export interface Rates {
  readonly cloudWatchBytesPerSecond: number;
  readonly eventsPerSecond: number;
  /** gzip'd CloudWatch Logs records as Kinesis stores them. */
  readonly kinesisBytesPerSecond: number;
  readonly kinesisRecordsPerSecond: number;
  /** The processor's NDJSON, unpacked (events format). */
  readonly ndjsonBytesPerSecond: number;
  /** The processor's output as Firehose buffers and stores it: NDJSON gzip'd per record (events format). */
  readonly processedBytesPerSecond: number;
}

export interface KinesisPlan {
  readonly mode: "on-demand" | "provisioned";
  readonly configuredShards?: number;
  /** Shards a provisioned stream needs to stay under 80% at the peak. */
  readonly shardsNeeded: number;
  readonly averageRecordBytes: number;
  readonly onDemandInitialCapacityFits: boolean;
  readonly monthlyUsd: { readonly onDemand: number; readonly provisioned: number };
  readonly cheaperMode: "on-demand" | "provisioned";
}

export interface BufferFill {
  /** Into one Firehose buffer: the whole stream (raw) or one partition (events). */
  readonly bytesPerSecond: number;
  /** Share of `bufferMiB` filled in one `bufferSeconds`; at 1 or more, size flushes first. */
  readonly fill: number;
  readonly trigger: "interval" | "size";
  readonly flushSeconds: number;
}

export interface FirehosePlan {
  readonly format: "events" | "raw";
  readonly bufferSeconds: number;
  readonly bufferMiB: number;
  /** Buffers filling in parallel: 1 (raw), or one per account and log group (events). */
  readonly buffers: number;
  readonly buffersFrom: "config" | "--partitions" | "raw format";
  readonly average: BufferFill;
  readonly peak: BufferFill;
  readonly objectsPerHour: number;
  /** Average object size as stored (Firehose compresses neither format). */
  readonly averageObjectMiB: number;
}

export interface ProcessorPlan {
  readonly batchesPerSecond: { readonly average: number; readonly peak: number };
  readonly concurrencyNeeded: number;
  /** Undefined: no reservation, the function shares the account's unreserved pool. */
  readonly reservedConcurrency?: number;
  /** Kinesis bytes/s the reserved concurrency can process (undefined without a reservation). */
  readonly capacityBytesPerSecond?: number;
}

export interface StoragePlan {
  readonly month: number;
  readonly storedGbPerDay: number;
  readonly standardGb: number;
  readonly glacierGb: number;
  readonly objectsPerMonth: number;
  readonly transitionsPerMonth: number;
}

export interface CostLine {
  readonly item: string;
  readonly quantity: number;
  readonly price: ListPrice;
  readonly usd: number;
}

export interface CapacityPlan {
  readonly input: CapacityInput;
  readonly average: Rates;
  readonly peak: Rates;
  readonly kinesis: KinesisPlan;
  readonly firehose: FirehosePlan;
  /** Events format only. */
  readonly processor?: ProcessorPlan;
  readonly storage: StoragePlan;
  readonly cost: {
    readonly lines: readonly CostLine[];
    readonly totalUsd: number;
    readonly notIncluded: readonly CostLine[];
  };
  /** Each names the config key to change and the value to set. */
  readonly warnings: readonly string[];
}

/** The whole estimate for one config and one traffic figure. */
export function estimateCapacity(config: SecLogConfig, input: CapacityInput): CapacityPlan {
  const average = ratesOf(input.gbPerDay, input.eventsPerSecond);
  const peak = scaleRates(average, input.peakFactor);
  const kinesis = kinesisPlan(config, average, peak);
  const partitions = input.partitions ?? estimatePartitions(config);
  const firehose = firehosePlan(config, average, peak, partitions, input.partitions !== undefined);
  const processor =
    config.delivery.format === "events"
      ? processorPlan(config.delivery.processorConcurrency, average, peak)
      : undefined;
  const storage = storagePlan(config, average, firehose, input.months);
  const lines = [
    ...kinesisCost(config.stream.mode, kinesis, average, config),
    ...firehoseCost(config, kinesis, firehose, average),
    ...(processor ? processorCost(processor) : []),
    ...storageCost(config, storage),
    ...kmsCost(config, kinesis, storage, input.months),
  ];
  return {
    input,
    average,
    peak,
    kinesis,
    firehose,
    processor,
    storage,
    cost: { lines, totalUsd: sum(lines.map((line) => line.usd)), notIncluded: [cloudWatchLogsLine(average)] },
    warnings: warningsOf({ config, average, peak, kinesis, firehose, processor }),
  };
}

/** Traffic at each stage for a daily volume and event rate into CloudWatch Logs. */
function ratesOf(gbPerDay: number, eventsPerSecond: number): Rates {
  const cloudWatchBytesPerSecond = (gbPerDay * GIB) / SECONDS_PER_DAY;
  return {
    cloudWatchBytesPerSecond,
    eventsPerSecond,
    kinesisBytesPerSecond: cloudWatchBytesPerSecond / CLOUDWATCH_GZIP_RATIO,
    kinesisRecordsPerSecond: eventsPerSecond / EVENTS_PER_RECORD,
    ndjsonBytesPerSecond: cloudWatchBytesPerSecond + eventsPerSecond * NDJSON_EXTRA_BYTES_PER_EVENT,
    processedBytesPerSecond:
      (cloudWatchBytesPerSecond + eventsPerSecond * NDJSON_EXTRA_BYTES_PER_EVENT) / NDJSON_GZIP_RATIO,
  };
}

/** The smallest average event size CloudWatch Logs can meter: a 1-byte message plus its per-event overhead. */
export const MIN_BYTES_PER_EVENT = CLOUDWATCH_BYTES_PER_EVENT_OVERHEAD + 1;

/** The average metered size of an event that the two inputs imply. */
export function bytesPerEvent(gbPerDay: number, eventsPerSecond: number): number {
  return (gbPerDay * GIB) / (eventsPerSecond * SECONDS_PER_DAY);
}

function scaleRates(rates: Rates, factor: number): Rates {
  return {
    cloudWatchBytesPerSecond: rates.cloudWatchBytesPerSecond * factor,
    eventsPerSecond: rates.eventsPerSecond * factor,
    kinesisBytesPerSecond: rates.kinesisBytesPerSecond * factor,
    kinesisRecordsPerSecond: rates.kinesisRecordsPerSecond * factor,
    ndjsonBytesPerSecond: rates.ndjsonBytesPerSecond * factor,
    processedBytesPerSecond: rates.processedBytesPerSecond * factor,
  };
}

/**
 * Dynamic partitions (events format): one per account and log group name,
 * since the partition key has no region. Accounts with `allLogGroups` ship
 * groups the config does not name, so each counts LOG_GROUPS_PER_ACCOUNT_POLICY.
 * In organization mode unlisted accounts send too: that is what `--partitions` is for.
 */
function estimatePartitions(config: SecLogConfig): number {
  const counts = config.accounts.map((account) => {
    const named = new Set(account.logGroups.map((group) => group.name)).size;
    return account.allLogGroups ? Math.max(named, LOG_GROUPS_PER_ACCOUNT_POLICY) : named;
  });
  return Math.max(1, sum(counts));
}

// ---------------------------------------------------------------- Kinesis

/** Shards that keep the peak under 80% of both per-shard write limits. */
function shardsFor(peak: Rates): number {
  const byBytes = peak.kinesisBytesPerSecond / (SHARD_WRITE_BYTES_PER_SECOND * SHARD_TARGET_UTILIZATION);
  const byRecords =
    peak.kinesisRecordsPerSecond / (SHARD_WRITE_RECORDS_PER_SECOND * SHARD_TARGET_UTILIZATION);
  return Math.max(1, Math.ceil(byBytes), Math.ceil(byRecords));
}

function kinesisPlan(config: SecLogConfig, average: Rates, peak: Rates): KinesisPlan {
  const shardsNeeded = shardsFor(peak);
  const base = {
    mode: config.stream.mode,
    configuredShards: config.stream.mode === "provisioned" ? config.stream.shards : undefined,
    shardsNeeded,
    averageRecordBytes: average.kinesisBytesPerSecond / average.kinesisRecordsPerSecond,
    onDemandInitialCapacityFits:
      peak.kinesisBytesPerSecond <= ON_DEMAND_INITIAL_BYTES_PER_SECOND &&
      peak.kinesisRecordsPerSecond <= ON_DEMAND_INITIAL_RECORDS_PER_SECOND,
  };
  // Both modes priced the same way, so the comparison is like for like.
  const onDemand = sum(kinesisCost("on-demand", base, average, config).map((line) => line.usd));
  const provisioned = sum(
    kinesisCost("provisioned", { ...base, configuredShards: shardsNeeded }, average, config).map(
      (line) => line.usd,
    ),
  );
  return {
    ...base,
    monthlyUsd: { onDemand, provisioned },
    cheaperMode: provisioned < onDemand ? "provisioned" : "on-demand",
  };
}

type KinesisSizing = Pick<KinesisPlan, "configuredShards" | "shardsNeeded" | "averageRecordBytes">;

function kinesisCost(
  mode: "on-demand" | "provisioned",
  kinesis: KinesisSizing,
  average: Rates,
  config: SecLogConfig,
): CostLine[] {
  const recordsPerMonth = average.kinesisRecordsPerSecond * SECONDS_PER_MONTH;
  const storedGbPerDay = (average.kinesisBytesPerSecond * SECONDS_PER_DAY) / GIB;
  const hours = config.stream.retentionHours;
  const longTermGbMonths = (storedGbPerDay * Math.max(0, hours - EXTENDED_RETENTION_HOURS)) / 24;
  const longTerm =
    longTermGbMonths > 0
      ? [line("Kinesis long-term retention (past 7 days)", longTermGbMonths, PRICES.kinesisLongTermRetention)]
      : [];
  if (mode === "on-demand") {
    const billedGb = (recordsPerMonth * roundUp(kinesis.averageRecordBytes, KINESIS_BILLING_BYTES)) / GIB;
    const extendedGbMonths =
      (storedGbPerDay * (Math.min(hours, EXTENDED_RETENTION_HOURS) - BASE_RETENTION_HOURS)) / 24;
    return [
      line("Kinesis on-demand stream", HOURS_PER_MONTH, PRICES.kinesisOnDemandStreamHour),
      line("Kinesis on-demand data in (1 KB per record)", billedGb, PRICES.kinesisOnDemandIngest),
      // Retrievals rounded like ingestion: an assumption, AWS's page spells out the rounding for data in only.
      line("Kinesis on-demand data out (Firehose reads)", billedGb, PRICES.kinesisOnDemandRetrieval),
      ...(extendedGbMonths > 0
        ? [
            line(
              "Kinesis extended retention (to 7 days)",
              extendedGbMonths,
              PRICES.kinesisOnDemandExtendedRetention,
            ),
          ]
        : []),
      ...longTerm,
    ];
  }
  const shardHours = (kinesis.configuredShards ?? kinesis.shardsNeeded) * HOURS_PER_MONTH;
  const putUnits = recordsPerMonth * Math.ceil(kinesis.averageRecordBytes / PUT_PAYLOAD_UNIT_BYTES);
  return [
    line("Kinesis provisioned shards", shardHours, PRICES.kinesisShardHour),
    line("Kinesis PUT payload units (25 KB)", putUnits, PRICES.kinesisPutPayloadUnits),
    ...(hours > BASE_RETENTION_HOURS
      ? [
          line(
            "Kinesis extended retention (to 7 days)",
            shardHours,
            PRICES.kinesisProvisionedExtendedRetention,
          ),
        ]
      : []),
    ...longTerm,
  ];
}

// ---------------------------------------------------------------- Firehose

function firehosePlan(
  config: SecLogConfig,
  average: Rates,
  peak: Rates,
  partitions: number,
  overridden: boolean,
): FirehosePlan {
  const { format, bufferSeconds, bufferMiB } = config.delivery;
  // Firehose buffers what it will write: the processor's gzip'd NDJSON per partition (events), the records as they came (raw).
  const buffers = format === "events" ? partitions : 1;
  const perBuffer = (rates: Rates) =>
    (format === "events" ? rates.processedBytesPerSecond : rates.kinesisBytesPerSecond) / buffers;
  const averageFill = bufferFill(perBuffer(average), bufferSeconds, bufferMiB);
  return {
    format,
    bufferSeconds,
    bufferMiB,
    buffers,
    buffersFrom: format === "raw" ? "raw format" : overridden ? "--partitions" : "config",
    average: averageFill,
    peak: bufferFill(perBuffer(peak), bufferSeconds, bufferMiB),
    objectsPerHour: (buffers * 3600) / averageFill.flushSeconds,
    averageObjectMiB: (averageFill.bytesPerSecond * averageFill.flushSeconds) / MIB,
  };
}

/** Which hint flushes a buffer first, and how often. */
function bufferFill(bytesPerSecond: number, bufferSeconds: number, bufferMiB: number): BufferFill {
  const interval = bufferSeconds || ZERO_BUFFER_FLUSH_SECONDS;
  const fill = (bytesPerSecond * interval) / (bufferMiB * MIB);
  return fill >= 1
    ? { bytesPerSecond, fill, trigger: "size", flushSeconds: (bufferMiB * MIB) / bytesPerSecond }
    : { bytesPerSecond, fill, trigger: "interval", flushSeconds: interval };
}

function firehoseCost(
  config: SecLogConfig,
  kinesis: KinesisPlan,
  firehose: FirehosePlan,
  average: Rates,
): CostLine[] {
  const recordsPerMonth = average.kinesisRecordsPerSecond * SECONDS_PER_MONTH;
  const ingestGb = (recordsPerMonth * roundUp(kinesis.averageRecordBytes, FIREHOSE_BILLING_BYTES)) / GIB;
  const ingest = line("Firehose ingestion (5 KB per record)", ingestGb, PRICES.firehoseIngest);
  if (config.delivery.format === "raw") return [ingest];
  // Firehose partitions what the processor returns: NDJSON, gzip'd per record (larger than the records it read).
  const partitionedGb = (average.processedBytesPerSecond * SECONDS_PER_MONTH) / GIB;
  return [
    ingest,
    line("Firehose dynamic partitioning data", partitionedGb, PRICES.firehosePartitionedData),
    line(
      "Firehose dynamic partitioning objects",
      firehose.objectsPerHour * HOURS_PER_MONTH,
      PRICES.firehosePartitionedObjects,
    ),
  ];
}

// ---------------------------------------------------------------- processor Lambda

function processorPlan(reservedConcurrency: number | undefined, average: Rates, peak: Rates): ProcessorPlan {
  const batches = (rates: Rates) =>
    Math.max(rates.kinesisBytesPerSecond / PROCESSOR_BATCH_BYTES, 1 / PROCESSOR_BATCH_MAX_SECONDS);
  const peakBatches = batches(peak);
  return {
    batchesPerSecond: { average: batches(average), peak: peakBatches },
    // Little's law: concurrent invocations = arrivals per second x seconds each.
    concurrencyNeeded: Math.ceil(peakBatches * PROCESSOR_SECONDS_PER_BATCH * PROCESSOR_CONCURRENCY_HEADROOM),
    reservedConcurrency,
    capacityBytesPerSecond:
      reservedConcurrency === undefined
        ? undefined
        : (reservedConcurrency / PROCESSOR_SECONDS_PER_BATCH) * PROCESSOR_BATCH_BYTES,
  };
}

function processorCost(processor: ProcessorPlan): CostLine[] {
  const invocations = processor.batchesPerSecond.average * SECONDS_PER_MONTH;
  return [
    line("Lambda processor requests", invocations, PRICES.lambdaRequests),
    line(
      "Lambda processor duration (512 MB arm64)",
      invocations * PROCESSOR_SECONDS_PER_BATCH * PROCESSOR_MEMORY_GB,
      PRICES.lambdaArmGbSecond,
    ),
  ];
}

// ---------------------------------------------------------------- S3 and KMS

/**
 * The archive in month `months` of operation: the last `glacierAfterDays` of
 * data in S3 Standard, everything older (until `expireAfterDays`) in Glacier
 * Flexible Retrieval with its per-object overhead.
 */
function storagePlan(
  config: SecLogConfig,
  average: Rates,
  firehose: FirehosePlan,
  months: number,
): StoragePlan {
  const storedBytesPerSecond =
    config.delivery.format === "events" ? average.processedBytesPerSecond : average.kinesisBytesPerSecond;
  const storedGbPerDay = (storedBytesPerSecond * SECONDS_PER_DAY) / GIB;
  const keptDays = Math.min(months * DAYS_PER_MONTH, config.archive.expireAfterDays ?? Infinity);
  const standardDays = Math.min(config.archive.glacierAfterDays, keptDays);
  const glacierDays = keptDays - standardDays;
  const archivedObjects = firehose.objectsPerHour * 24 * glacierDays;
  const objectsPerMonth = firehose.objectsPerHour * HOURS_PER_MONTH;
  return {
    month: months,
    storedGbPerDay,
    standardGb: storedGbPerDay * standardDays + (archivedObjects * GLACIER_STANDARD_OVERHEAD_BYTES) / GIB,
    glacierGb: storedGbPerDay * glacierDays + (archivedObjects * GLACIER_ARCHIVE_OVERHEAD_BYTES) / GIB,
    objectsPerMonth,
    // Once objects reach glacierAfterDays, a month's worth of them transitions every month.
    transitionsPerMonth: glacierDays > 0 ? objectsPerMonth : 0,
  };
}

function storageCost(config: SecLogConfig, storage: StoragePlan): CostLine[] {
  const glacier =
    storage.glacierGb > 0
      ? [
          line(
            "S3 Glacier Flexible Retrieval storage (+32 KB/object)",
            storage.glacierGb,
            PRICES.s3GlacierFlexible,
          ),
        ]
      : [];
  const transitions =
    storage.transitionsPerMonth > 0
      ? [line("S3 lifecycle transitions to Glacier", storage.transitionsPerMonth, PRICES.s3GlacierTransition)]
      : [];
  return [
    line(
      `S3 Standard storage (${config.archive.glacierAfterDays} days, +8 KB/archived object)`,
      storage.standardGb,
      PRICES.s3Standard,
    ),
    ...glacier,
    line("S3 PUT requests (Firehose objects)", storage.objectsPerMonth, PRICES.s3Put),
    ...transitions,
  ];
}

/**
 * Keys: archive and stream, plus notifications when alarms or the object
 * queue exist (stacks/security-stack.ts). Requests: one per archive object
 * (an upper bound: the archive's S3 Bucket Key saves most of them) plus the
 * stream's data keys.
 */
function kmsCost(
  config: SecLogConfig,
  kinesis: KinesisPlan,
  storage: StoragePlan,
  months: number,
): CostLine[] {
  const keys = 2 + (config.alarms || config.objectNotifications ? 1 : 0);
  const rotations = Math.min(Math.floor((months - 1) / KMS_ROTATION_MONTHS), KMS_BILLED_ROTATIONS);
  const streamShards = kinesis.configuredShards ?? Math.max(ON_DEMAND_INITIAL_SHARDS, kinesis.shardsNeeded);
  const requests =
    storage.objectsPerMonth + streamShards * KINESIS_KMS_REQUESTS_PER_SHARD_HOUR * HOURS_PER_MONTH;
  return [
    line(
      `KMS keys (${keys}${rotations ? `, ${rotations} rotation(s) each` : ""})`,
      keys * (1 + rotations),
      PRICES.kmsKeyMonth,
    ),
    line("KMS requests (S3 objects, upper bound; stream data keys)", requests, PRICES.kmsRequests),
  ];
}

/** What the application accounts already pay to ingest the logs: shown, never in our total. */
function cloudWatchLogsLine(average: Rates): CostLine {
  return line(
    "CloudWatch Logs ingestion in the app accounts",
    (average.cloudWatchBytesPerSecond * SECONDS_PER_MONTH) / GIB,
    PRICES.cloudWatchLogsIngest,
  );
}

// ---------------------------------------------------------------- warnings

interface Sizing {
  readonly config: SecLogConfig;
  readonly average: Rates;
  readonly peak: Rates;
  readonly kinesis: KinesisPlan;
  readonly firehose: FirehosePlan;
  readonly processor?: ProcessorPlan;
}

/**
 * Under-provisioning, each naming the key and value that fixes it. Kinesis
 * retention needs no check: the schema's minimum of 24 h outlasts the
 * iterator-age alarm (at most 45 min, held for 15 min) by 23 h: time to act.
 */
function warningsOf(sizing: Sizing): string[] {
  return [shardWarning, onDemandWarning, processorWarning, partitionWarning, bufferWarning].flatMap(
    (check) => check(sizing) ?? [],
  );
}

function shardWarning({ average, peak, kinesis }: Sizing): string | undefined {
  const shards = kinesis.configuredShards;
  if (shards === undefined || shards >= kinesis.shardsNeeded) return undefined;
  const averageFits =
    average.kinesisBytesPerSecond <= shards * SHARD_WRITE_BYTES_PER_SECOND &&
    average.kinesisRecordsPerSecond <= shards * SHARD_WRITE_RECORDS_PER_SECOND;
  return (
    `stream.shards: set to ${kinesis.shardsNeeded} (now ${shards}): the estimated peak of ${mib(peak.kinesisBytesPerSecond)} MiB/s and ` +
    `${count(peak.kinesisRecordsPerSecond)} records/s needs ${kinesis.shardsNeeded} shards at ${percent(SHARD_TARGET_UTILIZATION)} of 1 MiB/s and 1,000 records/s each` +
    (averageFits
      ? ""
      : `; even the daily average is more than ${shards} shard(s) take: CloudWatch Logs retries throttled deliveries for ${CLOUDWATCH_RETRY_HOURS} h, then drops them`)
  );
}

function onDemandWarning({ peak, kinesis }: Sizing): string | undefined {
  if (kinesis.mode !== "on-demand" || kinesis.onDemandInitialCapacityFits) return undefined;
  return (
    `stream.mode: set to provisioned with stream.shards: ${kinesis.shardsNeeded}, or accept throttling while on-demand scales: ` +
    `the estimated peak of ${mib(peak.kinesisBytesPerSecond)} MiB/s and ${count(peak.kinesisRecordsPerSecond)} records/s is above what a new on-demand stream takes ` +
    `(4 MiB/s and 4,000 records/s; it then serves up to twice its peak of the last 30 days). CloudWatch Logs retries throttled deliveries for ${CLOUDWATCH_RETRY_HOURS} h`
  );
}

function processorWarning({ average, processor }: Sizing): string | undefined {
  if (
    !processor ||
    processor.reservedConcurrency === undefined ||
    processor.reservedConcurrency >= processor.concurrencyNeeded
  )
    return undefined;
  const behind = processor.capacityBytesPerSecond! < average.kinesisBytesPerSecond;
  return (
    `delivery.processorConcurrency: set to ${processor.concurrencyNeeded} (now ${processor.reservedConcurrency}): at the peak Firehose sends ` +
    `${fixed(processor.batchesPerSecond.peak, 1)} batches/s of 0.2 MB to the processor, ~${PROCESSOR_SECONDS_PER_BATCH} s each, ` +
    `so ${processor.concurrencyNeeded} concurrent invocations (${PROCESSOR_CONCURRENCY_HEADROOM}x headroom) are needed; throttled batches are retried, then stored unprocessed under errors/processing-failed/` +
    (behind
      ? `; at ${processor.reservedConcurrency} it cannot keep up even with the daily average, so most records would end up there (kept as received, without NDJSON or partitions)`
      : "")
  );
}

function partitionWarning({ config, firehose }: Sizing): string | undefined {
  if (config.delivery.format !== "events" || firehose.buffers <= FIREHOSE_ACTIVE_PARTITION_QUOTA)
    return undefined;
  return (
    `delivery.format: set to raw, or ask AWS to raise the Firehose active-partition quota (up to 5,000): about ${count(firehose.buffers)} partitions ` +
    `(account x log group; twice that around each hour boundary) exceed the default ${FIREHOSE_ACTIVE_PARTITION_QUOTA}, and records beyond it go to errors/`
  );
}

function bufferWarning({ config, firehose }: Sizing): string | undefined {
  const recommendedMiB = Math.ceil((firehose.peak.bytesPerSecond * BUFFER_RECOMMENDED_SECONDS) / MIB);
  if (config.delivery.bufferMiB >= Math.min(recommendedMiB, FIREHOSE_MAX_BUFFER_MIB)) return undefined;
  const target = Math.min(recommendedMiB, FIREHOSE_MAX_BUFFER_MIB);
  return (
    `delivery.bufferMiB: set to ${target} (now ${config.delivery.bufferMiB}): at the peak a Firehose buffer receives ${mib(firehose.peak.bytesPerSecond)} MiB/s, ` +
    `and AWS recommends a buffer above ${BUFFER_RECOMMENDED_SECONDS} s of data; smaller buffers mean many small objects (S3 requests, Glacier overhead)`
  );
}

// ---------------------------------------------------------------- text report

/** The human-readable report: sizing, buffering, processor, the cost table and what it leaves out. */
export function formatPlan(plan: CapacityPlan, configFile: string, config: SecLogConfig): string {
  return (
    [
      ...inputSection(plan, configFile),
      ...kinesisSection(plan, config),
      ...firehoseSection(plan),
      ...processorSection(plan),
      ...costSection(plan),
    ].join("\n") + "\n"
  );
}

function inputSection({ input, average, peak }: CapacityPlan, configFile: string): string[] {
  return [
    `seclog capacity estimate for ${configFile}`,
    `  into CloudWatch Logs: ${fixed(input.gbPerDay, 1)} GB/day, ${count(input.eventsPerSecond)} events/s (daily average, ` +
      `${fixed(bytesPerEvent(input.gbPerDay, input.eventsPerSecond), 0)} bytes/event); peak ${input.peakFactor}x: ` +
      `${mib(peak.cloudWatchBytesPerSecond)} MiB/s, ${count(peak.eventsPerSecond)} events/s`,
    `  assumed: gzip ${CLOUDWATCH_GZIP_RATIO}:1 into Kinesis, ${EVENTS_PER_RECORD} events per record ` +
      `(${fixed(average.kinesisRecordsPerSecond, 1)} records/s average): estimates, see lib/capacity.ts`,
    "",
  ];
}

function kinesisSection({ average, peak, kinesis }: CapacityPlan, config: SecLogConfig): string[] {
  const configured =
    kinesis.configuredShards === undefined
      ? "on-demand"
      : `provisioned, ${kinesis.configuredShards} shard(s)`;
  const cheaper =
    kinesis.cheaperMode === "provisioned" ? `provisioned with ${kinesis.shardsNeeded} shard(s)` : "on-demand";
  return [
    `Kinesis (stream.mode: ${configured}; retention ${config.stream.retentionHours} h)`,
    `  writes: ${mib(average.kinesisBytesPerSecond)} MiB/s and ${count(average.kinesisRecordsPerSecond)} records/s average, ` +
      `${mib(peak.kinesisBytesPerSecond)} MiB/s and ${count(peak.kinesisRecordsPerSecond)} records/s peak; ~${fixed(kinesis.averageRecordBytes / KIB, 1)} KB per record`,
    `  provisioned needs ${kinesis.shardsNeeded} shard(s) (peak under ${percent(SHARD_TARGET_UTILIZATION)} of 1 MiB/s and 1,000 records/s each)`,
    `  on-demand: peak ${kinesis.onDemandInitialCapacityFits ? "fits" : "exceeds"} a new stream's 4 MiB/s and 4,000 records/s`,
    `  cheaper: ${cheaper} (${usd(Math.min(kinesis.monthlyUsd.onDemand, kinesis.monthlyUsd.provisioned))}/month; ` +
      `on-demand ${usd(kinesis.monthlyUsd.onDemand)}, provisioned ${usd(kinesis.monthlyUsd.provisioned)}). On-demand needs no resizing as volume grows.`,
    "",
  ];
}

function firehoseSection({ firehose }: CapacityPlan): string[] {
  const what =
    firehose.format === "events"
      ? `per partition (${firehose.buffers} from ${firehose.buffersFrom}), NDJSON gzip'd by the processor`
      : "whole stream, as received";
  const fill = (label: string, b: BufferFill) =>
    `  ${label} ${mib(b.bytesPerSecond)} MiB/s: ${percent(b.fill)} of ${firehose.bufferMiB} MiB in ` +
    `${firehose.bufferSeconds || ZERO_BUFFER_FLUSH_SECONDS} s, so ${b.trigger} triggers each flush, every ${fixed(b.flushSeconds, 0)} s`;
  return [
    `Firehose (delivery.format: ${firehose.format}; bufferSeconds ${firehose.bufferSeconds}, bufferMiB ${firehose.bufferMiB}; buffer: ${what})`,
    fill("average", firehose.average),
    fill("peak   ", firehose.peak),
    `  objects: ${count(firehose.objectsPerHour)}/hour, ~${fixed(firehose.averageObjectMiB, 1)} MiB each (as stored)`,
    "",
  ];
}

function processorSection({ processor }: CapacityPlan): string[] {
  if (!processor) return [];
  return [
    `Processor Lambda (delivery.processorConcurrency: ${processor.reservedConcurrency ?? "unset, the account's unreserved concurrency"})`,
    `  batches of 0.2 MB: ${fixed(processor.batchesPerSecond.average, 2)}/s average, ${fixed(processor.batchesPerSecond.peak, 2)}/s peak; ` +
      `needs ${processor.concurrencyNeeded} concurrent (~${PROCESSOR_SECONDS_PER_BATCH} s each, ${PROCESSOR_CONCURRENCY_HEADROOM}x headroom); ` +
      (processor.reservedConcurrency === undefined
        ? "the account's unreserved pool must have that much free"
        : `${processor.reservedConcurrency} process up to ${mib(processor.capacityBytesPerSecond!)} MiB/s of records`),
    "",
  ];
}

function costSection({ cost, storage }: CapacityPlan): string[] {
  const width = Math.max(...[...cost.lines, ...cost.notIncluded].map((l) => l.item.length));
  const row = (l: CostLine) =>
    `  ${l.item.padEnd(width)}  ${`${quantity(l.quantity)} ${l.price.unit}`.padStart(30)}  x ${priceOf(l.price).padEnd(18)} ${usd(l.usd).padStart(11)}`;
  return [
    `Monthly cost estimate, month ${storage.month} of operation (USD, us-east-1 list prices, no free tiers; sources in lib/capacity.ts)`,
    ...cost.lines.map(row),
    `  ${"total".padEnd(width)}  ${"".padStart(30)}    ${"".padEnd(18)} ${usd(cost.totalUsd).padStart(11)}`,
    "",
    "Not included (not this pipeline's bill):",
    ...cost.notIncluded.map(row),
    "  Also left out: CloudWatch alarms, SNS, SQS, the pipeline's own log groups, the access-log bucket, restores from Glacier, data transfer.",
    "This is an estimate from the assumptions above; check it against the stream's and Firehose's CloudWatch metrics once traffic flows.",
  ];
}

// ---------------------------------------------------------------- helpers

function line(item: string, quantity: number, price: ListPrice): CostLine {
  return { item, quantity, price, usd: (quantity / price.per) * price.usd };
}

function roundUp(bytes: number, step: number): number {
  return Math.ceil(bytes / step) * step;
}

function sum(values: readonly number[]): number {
  return values.reduce((total, value) => total + value, 0);
}

const mib = (bytesPerSecond: number) => fixed(bytesPerSecond / MIB, bytesPerSecond < 0.1 * MIB ? 3 : 2);
const fixed = (value: number, digits: number) =>
  value.toLocaleString("en-US", { minimumFractionDigits: digits, maximumFractionDigits: digits });
const count = (value: number) => fixed(value, value < 10 ? 1 : 0);
const percent = (fraction: number) => `${fixed(fraction * 100, 0)}%`;
const usd = (value: number) => `$${fixed(value, 2)}`;
const quantity = (value: number) => fixed(value, value < 100 ? 2 : 0);

function priceOf(price: ListPrice): string {
  const amount = `$${price.usd.toLocaleString("en-US", { minimumFractionDigits: 2, maximumFractionDigits: 10 })}`;
  return `${amount}/${price.per === 1 ? price.unit : price.per.toLocaleString("en-US")}`;
}
