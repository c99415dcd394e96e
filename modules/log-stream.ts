import { Construct } from "constructs";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { KinesisStream } from "@cdktf/provider-aws/lib/kinesis-stream";
import { KINESIS_RETENTION_HOURS } from "../lib/aws-limits";
import { requireAtLeast, requireWithin } from "./validate";

export type StreamCapacity =
  { readonly mode: "on-demand" } | { readonly mode: "provisioned"; readonly shards: number };

export interface LogStreamProps {
  readonly provider: AwsProvider;
  readonly name: string;
  readonly kmsKeyArn: string;
  readonly capacity: StreamCapacity;
  /** Record retention, within KINESIS_RETENTION_HOURS (the config's default: 7 days, time to recover a stalled Firehose). */
  readonly retentionHours: number;
}

/** The Kinesis stream every CloudWatch Logs destination writes into, KMS-encrypted at rest. */
export class LogStream extends Construct {
  readonly stream: KinesisStream;

  constructor(scope: Construct, id: string, props: LogStreamProps) {
    super(scope, id);
    requireWithin(
      this,
      "retentionHours",
      props.retentionHours,
      KINESIS_RETENTION_HOURS,
      `Kinesis keeps records ${KINESIS_RETENTION_HOURS.min}-${KINESIS_RETENTION_HOURS.max} hours`,
    );
    if (props.capacity.mode === "provisioned")
      requireAtLeast(this, "shards", props.capacity.shards, 1, "a provisioned stream has at least one shard");
    const provisioned = props.capacity.mode === "provisioned";
    this.stream = new KinesisStream(this, "Stream", {
      provider: props.provider,
      name: props.name,
      encryptionType: "KMS",
      kmsKeyId: props.kmsKeyArn,
      retentionPeriod: props.retentionHours,
      streamModeDetails: { streamMode: provisioned ? "PROVISIONED" : "ON_DEMAND" },
      // On-demand streams reject a shard count; AWS manages it.
      shardCount: props.capacity.mode === "provisioned" ? props.capacity.shards : undefined,
    });
  }

  get arn(): string {
    return this.stream.arn;
  }
}
