import { Construct } from "constructs";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { CloudwatchLogGroup } from "@cdktf/provider-aws/lib/cloudwatch-log-group";
import { CloudwatchLogStream } from "@cdktf/provider-aws/lib/cloudwatch-log-stream";
import { IamRole } from "@cdktf/provider-aws/lib/iam-role";
import { KinesisFirehoseDeliveryStream } from "@cdktf/provider-aws/lib/kinesis-firehose-delivery-stream";
import { PolicyStatement, policyDocument } from "../lib/iam/policy";
import { Partition } from "../lib/config/regions";
import { servicePrincipal, viaService } from "../lib/partition";
import { serviceRole } from "./service-role";
import { ArnRef } from "./refs";
import { requireAtLeast, requireWithin } from "./validate";
import {
  FIREHOSE_BUFFER_MIB,
  FIREHOSE_BUFFER_SECONDS,
  MIN_PARTITIONED_BUFFER_MIB,
  MIN_PARTITIONED_BUFFER_SECONDS,
} from "../lib/aws-limits";
import {
  ERROR_PREFIX,
  EVENTS_PREFIX,
  PROCESSOR_BUFFER_MIB,
  RAW_PREFIX,
  SOURCE_PREFIX,
} from "../lib/pipeline";
import { DELIVERY_HOUR_PATH, EVENTS_OBJECT_PREFIX } from "../lib/search";

export interface DeliveryProps {
  readonly provider: AwsProvider;
  readonly partition: Partition;
  readonly region: string;
  readonly accountId: string;
  readonly name: string;
  readonly roleName: string;
  /** The Kinesis stream Firehose reads, and the key its records are encrypted with. */
  readonly source: { readonly stream: ArnRef; readonly key: ArnRef };
  /** The bucket Firehose writes, and the key of its objects (also of Firehose's error log). */
  readonly archive: { readonly bucket: ArnRef; readonly key: ArnRef };
  readonly logGroupName: string;
  /** Buffering interval, FIREHOSE_BUFFER_SECONDS; with `events` at least MIN_PARTITIONED_BUFFER_SECONDS. */
  readonly bufferSeconds: number;
  /** Buffering size, FIREHOSE_BUFFER_MIB; with `events` at least MIN_PARTITIONED_BUFFER_MIB. */
  readonly bufferMiB: number;
  /** Retention of Firehose's own error log. @default 365 */
  readonly errorLogRetentionDays?: number;
  readonly format: DeliveryFormat;
}

/**
 * `raw`: records exactly as CloudWatch Logs sent them. `events`: one NDJSON line
 * per log event from the processor Lambda, partitioned by account and log group.
 */
export type DeliveryFormat =
  | { readonly kind: "raw" }
  | {
      readonly kind: "events";
      /** The processor Lambda (ProcessorFunction). */
      readonly processor: ArnRef;
      /**
       * Firehose's source record backup: every record exactly as CloudWatch Logs
       * sent it, under SOURCE_PREFIX of the same bucket and key. AWS cannot
       * disable it once enabled ("Back up source records", Firehose developer guide).
       */
      readonly keepSource?: boolean;
    };

const DATE_PATH = DELIVERY_HOUR_PATH;
const ERROR_LOG_STREAM = "DestinationDelivery";
/** The log stream Firehose's console creates for S3 backup delivery errors. */
const BACKUP_ERROR_LOG_STREAM = "BackupDelivery";

/**
 * Firehose reading the Kinesis stream and writing objects to the archive.
 *
 * `raw` keeps every record byte for byte: CloudWatch Logs already gzips each
 * record, and concatenated gzip members are themselves a valid gzip file, so
 * objects are stored UNCOMPRESSED with a `.gz` extension rather than
 * compressed twice. `events` has the processor Lambda turn each record into
 * NDJSON, one gzip member per record, and uses its partition keys for dynamic
 * partitioning (which needs a buffer of at least 64 MiB); Firehose writes the
 * members UNCOMPRESSED as `.ndjson.gz`, the same way. Records the processor
 * cannot handle are kept as they arrived under the error prefix.
 * Firehose server-side encryption is not set: AWS rejects it for a Kinesis
 * stream source (the stream is encrypted instead).
 */
export class Delivery extends Construct {
  readonly deliveryStream: KinesisFirehoseDeliveryStream;
  readonly role: IamRole;

  constructor(scope: Construct, id: string, props: DeliveryProps) {
    super(scope, id);
    validateBuffering(this, props);
    const provider = props.provider;
    const logGroup = new CloudwatchLogGroup(this, "ErrorLogGroup", {
      provider,
      name: props.logGroupName,
      retentionInDays: props.errorLogRetentionDays ?? 365,
      kmsKeyId: props.archive.key.arn,
    });
    new CloudwatchLogStream(this, "ErrorLogStream", {
      provider,
      name: ERROR_LOG_STREAM,
      logGroupName: logGroup.name,
    });
    const keepSource = props.format.kind === "events" && props.format.keepSource === true;
    if (keepSource)
      new CloudwatchLogStream(this, "BackupErrorLogStream", {
        provider,
        name: BACKUP_ERROR_LOG_STREAM,
        logGroupName: logGroup.name,
      });

    const { role, policy: rolePolicy } = serviceRole(this, {
      provider,
      name: props.roleName,
      description: "Firehose reads the security log stream and writes the archive bucket",
      trust: firehoseTrustPolicy(props.partition, props.accountId),
      policyName: "deliver-security-logs",
      permissions: firehosePermissions({ ...props, logGroupArn: logGroup.arn }),
    });
    this.role = role;

    this.deliveryStream = new KinesisFirehoseDeliveryStream(this, "DeliveryStream", {
      provider,
      name: props.name,
      destination: "extended_s3",
      kinesisSourceConfiguration: { kinesisStreamArn: props.source.stream.arn, roleArn: this.role.arn },
      extendedS3Configuration: {
        roleArn: this.role.arn,
        bucketArn: props.archive.bucket.arn,
        kmsKeyArn: props.archive.key.arn,
        errorOutputPrefix: `${ERROR_PREFIX}!{firehose:error-output-type}/${DATE_PATH}`,
        bufferingInterval: props.bufferSeconds,
        bufferingSize: props.bufferMiB,
        cloudwatchLoggingOptions: {
          enabled: true,
          logGroupName: logGroup.name,
          logStreamName: ERROR_LOG_STREAM,
        },
        ...formatSettings(props.format),
        ...(keepSource
          ? {
              // The source bytes, in the archive bucket with the archive key: same lifecycle, same Object Lock.
              s3BackupMode: "Enabled",
              s3BackupConfiguration: {
                roleArn: this.role.arn,
                bucketArn: props.archive.bucket.arn,
                kmsKeyArn: props.archive.key.arn,
                prefix: `${SOURCE_PREFIX}${DATE_PATH}`,
                // Firehose requires an error prefix with a prefix that has expressions.
                errorOutputPrefix: `${ERROR_PREFIX}source-backup/!{firehose:error-output-type}/${DATE_PATH}`,
                bufferingInterval: props.bufferSeconds,
                bufferingSize: props.bufferMiB,
                // CloudWatch Logs' records are gzip already; concatenated members are one gzip file.
                compressionFormat: "UNCOMPRESSED",
                cloudwatchLoggingOptions: {
                  enabled: true,
                  logGroupName: logGroup.name,
                  logStreamName: BACKUP_ERROR_LOG_STREAM,
                },
              },
            }
          : {}),
      },
      // Firehose checks its role when the stream is created.
      dependsOn: [rolePolicy],
      // Switching formats replaces the stream (dynamic partitioning cannot be
      // turned on or off on an existing one). Firehose starts a new stream at
      // the LATEST position of its Kinesis source, so the new stream is created
      // first (its name differs, Naming.deliveryStreamName) and both read the
      // stream for the overlap: records arriving meanwhile reach S3 twice, never
      // zero times, with the same CloudWatch Logs event id.
      lifecycle: { createBeforeDestroy: true },
      provisioners: [drainBeforeDestroy()],
    });
  }
}

/**
 * Deleting a delivery stream deletes the records it still buffers
 * (DeleteDeliveryStream: "Deletes a Firehose stream and its data",
 * https://docs.aws.amazon.com/firehose/latest/APIReference/API_DeleteDeliveryStream.html).
 * Before Terraform deletes a stream (the old one of a replacement), wait out
 * its buffering interval plus the processor's 60 s buffer and a minute of
 * margin, so everything it read has been written; the new stream has been
 * reading since it was created. A destroy-time provisioner only sees `self`:
 * the interval is the old stream's own. Needs a POSIX shell where Terraform runs.
 */
export const DRAIN_MARGIN_SECONDS = 120;

function drainBeforeDestroy() {
  return {
    type: "local-exec" as const,
    when: "destroy" as const,
    command: `sleep $(( \${self.extended_s3_configuration[0].buffering_interval} + ${DRAIN_MARGIN_SECONDS} ))`,
  };
}

/**
 * Firehose's buffering ranges, and dynamic partitioning (the events format)
 * needs at least 64 MiB and has no zero buffering (lib/aws-limits.ts; the
 * config checks the same: lib/config/rules.ts, eventsFormatBuffer/Interval).
 */
function validateBuffering(scope: Construct, props: DeliveryProps): void {
  requireWithin(
    scope,
    "bufferSeconds",
    props.bufferSeconds,
    FIREHOSE_BUFFER_SECONDS,
    "Firehose's buffering interval range",
  );
  requireWithin(scope, "bufferMiB", props.bufferMiB, FIREHOSE_BUFFER_MIB, "Firehose's buffering size range");
  if (props.format.kind !== "events") return;
  requireAtLeast(
    scope,
    "bufferMiB",
    props.bufferMiB,
    MIN_PARTITIONED_BUFFER_MIB,
    `the events format uses Firehose dynamic partitioning, which needs a buffer of at least ${MIN_PARTITIONED_BUFFER_MIB} MiB; raise it or use the raw format`,
  );
  requireAtLeast(
    scope,
    "bufferSeconds",
    props.bufferSeconds,
    MIN_PARTITIONED_BUFFER_SECONDS,
    `the events format uses Firehose dynamic partitioning, which has no zero buffering (intervals under ${MIN_PARTITIONED_BUFFER_SECONDS} s); raise it or use the raw format`,
  );
}

function formatSettings(format: DeliveryFormat) {
  if (format.kind === "raw") {
    return { prefix: `${RAW_PREFIX}${DATE_PATH}`, compressionFormat: "UNCOMPRESSED", fileExtension: ".gz" };
  }
  return {
    // Delivery hour first, then account and log group: the layout the search tables project (lib/search.ts).
    prefix: EVENTS_OBJECT_PREFIX,
    // The processor returns each record as one gzip member of NDJSON (functions/processor/transform.ts):
    // written one after another they are one valid gzip file, so Firehose must not compress again.
    compressionFormat: "UNCOMPRESSED",
    fileExtension: ".ndjson.gz",
    dynamicPartitioningConfiguration: { enabled: true },
    processingConfiguration: {
      enabled: true,
      processors: [
        {
          type: "Lambda",
          parameters: [
            { parameterName: "LambdaArn", parameterValue: `${format.processor.arn}:$LATEST` },
            { parameterName: "BufferSizeInMBs", parameterValue: String(PROCESSOR_BUFFER_MIB) },
            // BufferIntervalInSeconds stays at Firehose's 60 s default, unstated: the AWS
            // provider drops default-valued processor parameters when it reads the stream
            // back, so stating 60 is a perpetual diff (found by the emulator re-plan).
          ],
        },
      ],
    },
  };
}

/** Firehose may assume the role only on behalf of this account (AWS's documented sts:ExternalId check). */
export function firehoseTrustPolicy(partition: Partition, accountId: string) {
  return policyDocument({
    Effect: "Allow",
    Principal: { Service: servicePrincipal("firehose", partition) },
    Action: "sts:AssumeRole",
    Condition: { StringEquals: { "sts:ExternalId": accountId } },
  });
}

interface FirehosePermissionProps extends Pick<DeliveryProps, "format" | "region" | "source" | "archive"> {
  readonly logGroupArn: string;
}

/**
 * AWS's documented Firehose permissions for a Kinesis source and an S3
 * destination, narrowed: read one stream, write (never delete) the data and
 * error prefixes of one bucket (and `source/` with the source record backup),
 * use each key only through its service.
 */
export function firehosePermissions(props: FirehosePermissionProps) {
  const streamArn = props.source.stream.arn;
  const bucketArn = props.archive.bucket.arn;
  const dataPrefix = props.format.kind === "raw" ? RAW_PREFIX : EVENTS_PREFIX;
  const sourceBackup =
    props.format.kind === "events" && props.format.keepSource === true
      ? [`${bucketArn}/${SOURCE_PREFIX}*`]
      : [];
  const invokeProcessor: PolicyStatement[] =
    props.format.kind === "events"
      ? [
          {
            Sid: "InvokeProcessor",
            Effect: "Allow",
            Action: ["lambda:InvokeFunction", "lambda:GetFunctionConfiguration"],
            Resource: [props.format.processor.arn, `${props.format.processor.arn}:*`],
          },
        ]
      : [];
  return policyDocument(
    {
      Sid: "ReadSourceStream",
      Effect: "Allow",
      Action: [
        "kinesis:DescribeStream",
        "kinesis:GetShardIterator",
        "kinesis:GetRecords",
        "kinesis:ListShards",
      ],
      Resource: streamArn,
    },
    {
      Sid: "DecryptSourceStream",
      Effect: "Allow",
      Action: "kms:Decrypt",
      Resource: props.source.key.arn,
      Condition: {
        // kinesis.<region>.amazonaws.com in every partition, aws-cn included (lib/partition.ts).
        StringEquals: { "kms:ViaService": viaService("kinesis", props.region) },
        StringLike: { "kms:EncryptionContext:aws:kinesis:arn": streamArn },
      },
    },
    {
      Sid: "LocateBucket",
      Effect: "Allow",
      Action: ["s3:GetBucketLocation", "s3:ListBucket", "s3:ListBucketMultipartUploads"],
      Resource: bucketArn,
    },
    {
      Sid: "WriteArchiveObjects",
      Effect: "Allow",
      Action: ["s3:PutObject", "s3:GetObject", "s3:AbortMultipartUpload"],
      Resource: [`${bucketArn}/${dataPrefix}*`, `${bucketArn}/${ERROR_PREFIX}*`, ...sourceBackup],
    },
    {
      Sid: "EncryptArchiveObjects",
      Effect: "Allow",
      Action: ["kms:GenerateDataKey", "kms:Decrypt"],
      Resource: props.archive.key.arn,
      Condition: {
        StringEquals: { "kms:ViaService": viaService("s3", props.region) },
        // With an S3 Bucket Key the encryption context is the bucket ARN, otherwise the object ARN.
        StringLike: { "kms:EncryptionContext:aws:s3:arn": [bucketArn, `${bucketArn}/*`] },
      },
    },
    {
      Sid: "LogDeliveryErrors",
      Effect: "Allow",
      Action: "logs:PutLogEvents",
      Resource: `${props.logGroupArn}:log-stream:*`,
    },
    ...invokeProcessor,
  );
}
