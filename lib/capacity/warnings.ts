import { SecLogConfig } from "../config/model";
import {
  CLOUDWATCH_LOGS_RETRY_HOURS,
  FIREHOSE_ACTIVE_PARTITION_QUOTA,
  FIREHOSE_BUFFER_MIB,
  FIREHOSE_BUFFER_RECOMMENDED_SECONDS,
  KINESIS_SHARD_WRITE_BYTES_PER_SECOND,
  KINESIS_SHARD_WRITE_RECORDS_PER_SECOND,
  FIREHOSE_ACTIVE_PARTITION_QUOTA_MAX,
} from "../aws-limits";
import { ERROR_PREFIX, PROCESSING_FAILED_PREFIX } from "../pipeline";
import { MIB } from "./units";
import {
  PROCESSOR_CONCURRENCY_HEADROOM,
  PROCESSOR_SECONDS_PER_BATCH,
  SHARD_TARGET_UTILIZATION,
} from "./assumptions";
import { FirehosePlan, KinesisPlan, ProcessorPlan, Rates } from "./types";
import { batchText, count, fixed, mib, onDemandLimitsText, percent, shardLimitsText } from "./format";

/** What the warnings read: the config and the estimate. */
export interface Sizing {
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
export function warningsOf(sizing: Sizing): string[] {
  return [shardWarning, onDemandWarning, processorWarning, partitionWarning, bufferWarning].flatMap(
    (check) => check(sizing) ?? [],
  );
}

function shardWarning({ average, peak, kinesis }: Sizing): string | undefined {
  const shards = kinesis.configuredShards;
  if (shards === undefined || shards >= kinesis.shardsNeeded) return undefined;
  const averageFits =
    average.kinesisBytesPerSecond <= shards * KINESIS_SHARD_WRITE_BYTES_PER_SECOND &&
    average.kinesisRecordsPerSecond <= shards * KINESIS_SHARD_WRITE_RECORDS_PER_SECOND;
  return (
    `stream.shards: set to ${kinesis.shardsNeeded} (now ${shards}): the estimated peak of ${mib(peak.kinesisBytesPerSecond)} MiB/s and ` +
    `${count(peak.kinesisRecordsPerSecond)} records/s needs ${kinesis.shardsNeeded} shards at ${percent(SHARD_TARGET_UTILIZATION)} of ${shardLimitsText()} each` +
    (averageFits
      ? ""
      : `; even the daily average is more than ${shards} shard(s) take: CloudWatch Logs retries throttled deliveries for ${CLOUDWATCH_LOGS_RETRY_HOURS} h, then drops them`)
  );
}

function onDemandWarning({ peak, kinesis }: Sizing): string | undefined {
  if (kinesis.mode !== "on-demand" || kinesis.onDemandInitialCapacityFits) return undefined;
  return (
    `stream.mode: set to provisioned with stream.shards: ${kinesis.shardsNeeded}, or accept throttling while on-demand scales: ` +
    `the estimated peak of ${mib(peak.kinesisBytesPerSecond)} MiB/s and ${count(peak.kinesisRecordsPerSecond)} records/s is above what a new on-demand stream takes ` +
    `(${onDemandLimitsText()}; it then serves up to twice its peak of the last 30 days). CloudWatch Logs retries throttled deliveries for ${CLOUDWATCH_LOGS_RETRY_HOURS} h`
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
    `${fixed(processor.batchesPerSecond.peak, 1)} batches/s of ${batchText()} to the processor, ~${PROCESSOR_SECONDS_PER_BATCH} s each, ` +
    `so ${processor.concurrencyNeeded} concurrent invocations (${PROCESSOR_CONCURRENCY_HEADROOM}x headroom) are needed; throttled batches are retried, then stored unprocessed under ${PROCESSING_FAILED_PREFIX}` +
    (behind
      ? `; at ${processor.reservedConcurrency} it cannot keep up even with the daily average, so most records would end up there (kept as received, without NDJSON or partitions)`
      : "")
  );
}

function partitionWarning({ config, firehose }: Sizing): string | undefined {
  if (config.delivery.format !== "events" || firehose.buffers <= FIREHOSE_ACTIVE_PARTITION_QUOTA)
    return undefined;
  return (
    `delivery.format: set to raw, or ask AWS to raise the Firehose active-partition quota (up to ${count(FIREHOSE_ACTIVE_PARTITION_QUOTA_MAX)}): about ${count(firehose.buffers)} partitions ` +
    `(account x log group; twice that around each hour boundary) exceed the default ${FIREHOSE_ACTIVE_PARTITION_QUOTA}, and records beyond it go to ${ERROR_PREFIX}`
  );
}

function bufferWarning({ config, firehose }: Sizing): string | undefined {
  const recommendedMiB = Math.ceil(
    (firehose.peak.bytesPerSecond * FIREHOSE_BUFFER_RECOMMENDED_SECONDS) / MIB,
  );
  if (config.delivery.bufferMiB >= Math.min(recommendedMiB, FIREHOSE_BUFFER_MIB.max)) return undefined;
  const target = Math.min(recommendedMiB, FIREHOSE_BUFFER_MIB.max);
  return (
    `delivery.bufferMiB: set to ${target} (now ${config.delivery.bufferMiB}): at the peak a Firehose buffer receives ${mib(firehose.peak.bytesPerSecond)} MiB/s, ` +
    `and AWS recommends a buffer above ${FIREHOSE_BUFFER_RECOMMENDED_SECONDS} s of data; smaller buffers mean many small objects (S3 requests, Glacier overhead)`
  );
}
