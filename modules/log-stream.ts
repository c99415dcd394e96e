import { Construct } from "constructs";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { KinesisStream } from "@cdktf/provider-aws/lib/kinesis-stream";

export type StreamCapacity =
  { readonly mode: "on-demand" } | { readonly mode: "provisioned"; readonly shards: number };

export interface LogStreamProps {
  readonly provider: AwsProvider;
  readonly name: string;
  readonly kmsKeyArn: string;
  readonly capacity: StreamCapacity;
  /** @default 168 (7 days: time to recover a stalled Firehose without losing records) */
  readonly retentionHours?: number;
}

/** The Kinesis stream every CloudWatch Logs destination writes into, KMS-encrypted at rest. */
export class LogStream extends Construct {
  readonly stream: KinesisStream;

  constructor(scope: Construct, id: string, props: LogStreamProps) {
    super(scope, id);
    const provisioned = props.capacity.mode === "provisioned";
    this.stream = new KinesisStream(this, "Stream", {
      provider: props.provider,
      name: props.name,
      encryptionType: "KMS",
      kmsKeyId: props.kmsKeyArn,
      retentionPeriod: props.retentionHours ?? 168,
      streamModeDetails: { streamMode: provisioned ? "PROVISIONED" : "ON_DEMAND" },
      // On-demand streams reject a shard count; AWS manages it.
      shardCount: props.capacity.mode === "provisioned" ? props.capacity.shards : undefined,
    });
  }

  get arn(): string {
    return this.stream.arn;
  }
}
