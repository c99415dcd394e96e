import { KIB } from "./units";
import { KINESIS_RETENTION_HOURS } from "../aws-limits";

/**
 * List prices (USD, us-east-1, without free tiers), each with its source, and
 * the billing rules they apply with.
 */

/** Kinesis keeps records 24 h (its default and minimum retention) in the base price; longer is extended (to 7 days), then long-term retention. */
export const BASE_RETENTION_HOURS = KINESIS_RETENTION_HOURS.min;
export const EXTENDED_RETENTION_HOURS = 168;
/** Automatic yearly key rotation adds $1/month per key for each of its first two rotations (KMS pricing since May 2024). */
export const KMS_ROTATION_MONTHS = 12;
export const KMS_BILLED_ROTATIONS = 2;
/** Billing granularity: Kinesis data per record rounded up to 1 KB, PUT payload units of 25 KB, Firehose ingestion in 5 KB steps. */
export const KINESIS_BILLING_BYTES = KIB;
export const PUT_PAYLOAD_UNIT_BYTES = 25 * KIB;
export const FIREHOSE_BILLING_BYTES = 5 * KIB;

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

export const PRICES = {
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
