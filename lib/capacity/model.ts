import { SecLogConfig } from "../config/model";
import {
  GLACIER_ARCHIVE_OVERHEAD_BYTES,
  GLACIER_STANDARD_OVERHEAD_BYTES,
  KINESIS_ON_DEMAND_INITIAL_WRITE_BYTES_PER_SECOND,
  KINESIS_ON_DEMAND_INITIAL_WRITE_RECORDS_PER_SECOND,
  KINESIS_SHARD_WRITE_BYTES_PER_SECOND,
  KINESIS_SHARD_WRITE_RECORDS_PER_SECOND,
} from "../aws-limits";
import { DAYS_PER_MONTH, GIB, HOURS_PER_MONTH, MIB, SECONDS_PER_DAY, SECONDS_PER_MONTH } from "./units";
import {
  CLOUDWATCH_GZIP_RATIO,
  EVENTS_PER_RECORD,
  KINESIS_KMS_REQUESTS_PER_SHARD_HOUR,
  LOG_GROUPS_PER_ACCOUNT_POLICY,
  NDJSON_EXTRA_BYTES_PER_EVENT,
  NDJSON_GZIP_RATIO,
  PROCESSOR_BATCH_BYTES,
  PROCESSOR_BATCH_MAX_SECONDS,
  PROCESSOR_CONCURRENCY_HEADROOM,
  PROCESSOR_MEMORY_GB,
  PROCESSOR_SECONDS_PER_BATCH,
  SHARD_TARGET_UTILIZATION,
  ZERO_BUFFER_FLUSH_SECONDS,
} from "./assumptions";
import {
  BASE_RETENTION_HOURS,
  EXTENDED_RETENTION_HOURS,
  FIREHOSE_BILLING_BYTES,
  KINESIS_BILLING_BYTES,
  KMS_BILLED_ROTATIONS,
  KMS_ROTATION_MONTHS,
  ListPrice,
  PRICES,
  PUT_PAYLOAD_UNIT_BYTES,
} from "./prices";
import {
  BufferFill,
  CapacityInput,
  CapacityPlan,
  CostLine,
  FirehosePlan,
  KinesisPlan,
  ProcessorPlan,
  Rates,
  StoragePlan,
} from "./types";
import { warningsOf } from "./warnings";
import { PROCESSOR_MEMORY_MIB } from "../pipeline";

/**
 * The capacity model: traffic at each stage, the stream, Firehose, processor
 * and storage it needs, and what they cost. Pure arithmetic over the config
 * and the operator's two numbers.
 */

/** A new on-demand stream's write capacity, in provisioned shards. */
const ON_DEMAND_INITIAL_SHARDS =
  KINESIS_ON_DEMAND_INITIAL_WRITE_BYTES_PER_SECOND / KINESIS_SHARD_WRITE_BYTES_PER_SECOND;

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

/** Shards that keep the peak under SHARD_TARGET_UTILIZATION of both per-shard write limits. */
function shardsFor(peak: Rates): number {
  const byBytes =
    peak.kinesisBytesPerSecond / (KINESIS_SHARD_WRITE_BYTES_PER_SECOND * SHARD_TARGET_UTILIZATION);
  const byRecords =
    peak.kinesisRecordsPerSecond / (KINESIS_SHARD_WRITE_RECORDS_PER_SECOND * SHARD_TARGET_UTILIZATION);
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
      peak.kinesisBytesPerSecond <= KINESIS_ON_DEMAND_INITIAL_WRITE_BYTES_PER_SECOND &&
      peak.kinesisRecordsPerSecond <= KINESIS_ON_DEMAND_INITIAL_WRITE_RECORDS_PER_SECOND,
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
      `Lambda processor duration (${PROCESSOR_MEMORY_MIB} MB arm64)`,
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
  // Archive and stream; the notifications key with alarms or the queue; the search results key with search.
  const keys = 2 + (config.alarms || config.objectNotifications ? 1 : 0) + (config.search ? 1 : 0);
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
