/**
 * Capacity and cost of the pipeline for a given log volume: pure arithmetic
 * over the config and the operator's two numbers (GB/day and events/s into
 * CloudWatch Logs), no I/O. `npm run capacity` prints it.
 *
 * - ./assumptions.ts: the estimates (adjust them when you have metrics) and the pipeline settings sized for;
 * - ./prices.ts: list prices, each naming its source, and the billing rules;
 * - ./model.ts: the estimate (rates, stream, Firehose, processor, storage, cost);
 * - ./warnings.ts: under-provisioning, each naming the config key and value that fix it;
 * - ./report.ts: the text report. AWS's limits come from lib/aws-limits.ts.
 *
 * This is an estimate to size the stream and budget for, not a quote.
 */
export {
  CLOUDWATCH_GZIP_RATIO,
  DEFAULT_MONTHS,
  DEFAULT_PEAK_FACTOR,
  EVENTS_PER_RECORD,
  MIN_BYTES_PER_EVENT,
  PROCESSOR_BATCH_BYTES,
  PROCESSOR_BATCH_MAX_SECONDS,
  PROCESSOR_MEMORY_GB,
} from "./assumptions";
export type { ListPrice } from "./prices";
export type * from "./types";
export { bytesPerEvent, estimateCapacity } from "./model";
export { formatPlan } from "./report";
