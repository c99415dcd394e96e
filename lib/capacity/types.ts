import { ListPrice } from "./prices";

/** The capacity model's input and what it estimates. */

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
