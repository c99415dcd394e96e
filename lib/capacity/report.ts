import { SecLogConfig } from "../config/model";
import { KIB } from "./units";
import {
  CLOUDWATCH_GZIP_RATIO,
  EVENTS_PER_RECORD,
  PROCESSOR_CONCURRENCY_HEADROOM,
  PROCESSOR_SECONDS_PER_BATCH,
  SHARD_TARGET_UTILIZATION,
  ZERO_BUFFER_FLUSH_SECONDS,
} from "./assumptions";
import { BufferFill, CapacityPlan, CostLine } from "./types";
import { bytesPerEvent } from "./model";
import {
  batchText,
  count,
  fixed,
  mib,
  onDemandLimitsText,
  percent,
  priceOf,
  quantity,
  shardLimitsText,
  usd,
} from "./format";

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
      `(${fixed(average.kinesisRecordsPerSecond, 1)} records/s average): estimates, see lib/capacity/assumptions.ts`,
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
    `  provisioned needs ${kinesis.shardsNeeded} shard(s) (peak under ${percent(SHARD_TARGET_UTILIZATION)} of ${shardLimitsText()} each)`,
    `  on-demand: peak ${kinesis.onDemandInitialCapacityFits ? "fits" : "exceeds"} a new stream's ${onDemandLimitsText()}`,
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
    `  batches of ${batchText()}: ${fixed(processor.batchesPerSecond.average, 2)}/s average, ${fixed(processor.batchesPerSecond.peak, 2)}/s peak; ` +
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
    `Monthly cost estimate, month ${storage.month} of operation (USD, us-east-1 list prices, no free tiers; sources in lib/capacity/prices.ts)`,
    ...cost.lines.map(row),
    `  ${"total".padEnd(width)}  ${"".padStart(30)}    ${"".padEnd(18)} ${usd(cost.totalUsd).padStart(11)}`,
    "",
    "Not included (not this pipeline's bill):",
    ...cost.notIncluded.map(row),
    "  Also left out: CloudWatch alarms, SNS, SQS, the pipeline's own log groups, the access-log bucket, restores from Glacier, data transfer.",
    "This is an estimate from the assumptions above; check it against the stream's and Firehose's CloudWatch metrics once traffic flows.",
  ];
}
