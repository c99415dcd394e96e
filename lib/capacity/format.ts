import { ListPrice } from "./prices";
import { MIB } from "./units";
import {
  KINESIS_ON_DEMAND_INITIAL_WRITE_BYTES_PER_SECOND,
  KINESIS_ON_DEMAND_INITIAL_WRITE_RECORDS_PER_SECOND,
  KINESIS_SHARD_WRITE_BYTES_PER_SECOND,
  KINESIS_SHARD_WRITE_RECORDS_PER_SECOND,
} from "../aws-limits";
import { PROCESSOR_BATCH_BYTES } from "./assumptions";

/** Number formatting of the capacity report and warnings (en-US, fixed digits). */

export const mib = (bytesPerSecond: number) =>
  fixed(bytesPerSecond / MIB, bytesPerSecond < 0.1 * MIB ? 3 : 2);
export const fixed = (value: number, digits: number) =>
  value.toLocaleString("en-US", { minimumFractionDigits: digits, maximumFractionDigits: digits });
export const count = (value: number) => fixed(value, value < 10 ? 1 : 0);
export const percent = (fraction: number) => `${fixed(fraction * 100, 0)}%`;
export const usd = (value: number) => `$${fixed(value, 2)}`;
export const quantity = (value: number) => fixed(value, value < 100 ? 2 : 0);

export function priceOf(price: ListPrice): string {
  const amount = `$${price.usd.toLocaleString("en-US", { minimumFractionDigits: 2, maximumFractionDigits: 10 })}`;
  return `${amount}/${price.per === 1 ? price.unit : price.per.toLocaleString("en-US")}`;
}

/** Write capacity as the report words it: `1 MiB/s and 1,000 records/s`. */
function writesText(bytesPerSecond: number, recordsPerSecond: number): string {
  return `${bytesPerSecond / MIB} MiB/s and ${recordsPerSecond.toLocaleString("en-US")} records/s`;
}

/** One shard's write limits. */
export const shardLimitsText = () =>
  writesText(KINESIS_SHARD_WRITE_BYTES_PER_SECOND, KINESIS_SHARD_WRITE_RECORDS_PER_SECOND);

/** What a new on-demand stream takes. */
export const onDemandLimitsText = () =>
  writesText(
    KINESIS_ON_DEMAND_INITIAL_WRITE_BYTES_PER_SECOND,
    KINESIS_ON_DEMAND_INITIAL_WRITE_RECORDS_PER_SECOND,
  );

/** The processor's batch size: `0.2 MB`. */
export const batchText = () => `${PROCESSOR_BATCH_BYTES / MIB} MB`;
