import { FIREHOSE_PROCESSOR_BUFFER_MIB } from "./aws-limits";

/**
 * Choices of this app (not AWS's) that more than one layer reads: the
 * constructs that act on them and the tools that reason about them (the
 * capacity model, replay, synth warnings). A choice only one construct needs
 * stays in that construct.
 */

/** Where delivered data and delivery failures land in the archive bucket (modules/delivery.ts writes them). */
export const RAW_PREFIX = "raw/";
export const EVENTS_PREFIX = "events/";
export const ERROR_PREFIX = "errors/";
/** Source record backup (events format with `delivery.keepSource`). */
export const SOURCE_PREFIX = "source/";
/**
 * Where Firehose puts records the processor failed: the error prefix with
 * Firehose's `!{firehose:error-output-type}` for a failed transformation
 * (Firehose developer guide, "Handle failure in data transformation").
 */
export const PROCESSING_FAILED_PREFIX = `${ERROR_PREFIX}processing-failed/`;

/**
 * Firehose's Lambda buffer, in MB of records as they arrive (gzip): the
 * smallest AWS allows. The processor's response (gzip'd again, about 1.2x the
 * incoming bytes) must stay under Lambda's 6 MB, and small batches keep each
 * invocation short.
 */
export const PROCESSOR_BUFFER_MIB = FIREHOSE_PROCESSOR_BUFFER_MIB.min;

/** The processor Lambda's memory, which Lambda bills GB-seconds on (modules/processor.ts). */
export const PROCESSOR_MEMORY_MIB = 512;

/**
 * A provisioned stream is sized to stay under this share of its shards' write
 * capacity (the capacity model), and the `stream-near-capacity` alarm fires
 * above it.
 */
export const STREAM_CAPACITY_TARGET = 0.8;

/**
 * Every prefix Firehose writes in the archive for a delivery format: the
 * data, the delivery failures, and the source backup when kept. What the
 * vault replica copies (modules/replication.ts), one rule each.
 */
export function archivedPrefixes(delivery: {
  readonly format: "events" | "raw";
  readonly keepSource?: boolean;
}): string[] {
  if (delivery.format === "raw") return [RAW_PREFIX, ERROR_PREFIX];
  return [EVENTS_PREFIX, ERROR_PREFIX, ...(delivery.keepSource ? [SOURCE_PREFIX] : [])];
}

/** A replication rule's id for an archived prefix (the prefix without its slash): also the `RuleId` dimension of its metrics. */
export function replicationRuleId(prefix: string): string {
  return prefix.replace(/\/$/, "");
}

/**
 * The region of the replica bucket when the security stack must alarm there:
 * S3 publishes ReplicationLatency "in the Region of the destination bucket"
 * (Amazon S3 User Guide, "Using S3 Replication metrics",
 * https://docs.aws.amazon.com/AmazonS3/latest/userguide/repl-metrics.html), so
 * with alarms on and the replica outside the home region the stack has a
 * provider, an alarm topic and a topic key there (stacks/security-stack.ts),
 * and the SCP protects that key (lib/scp.ts).
 */
export function replicaAlarmRegion(config: {
  readonly alarms?: unknown;
  readonly security: { readonly region: string };
  readonly archive: { readonly replica?: { readonly region: string } };
}): string | undefined {
  const region = config.archive.replica?.region;
  return config.alarms && region !== undefined && region !== config.security.region ? region : undefined;
}
