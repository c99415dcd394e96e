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

export interface DeliveryProps {
  readonly provider: AwsProvider;
  readonly partition: Partition;
  readonly region: string;
  readonly accountId: string;
  readonly name: string;
  readonly roleName: string;
  readonly sourceStreamArn: string;
  readonly sourceKeyArn: string;
  readonly bucketArn: string;
  readonly bucketKeyArn: string;
  readonly logGroupName: string;
  /** @default 300 */
  readonly bufferSeconds?: number;
  /** @default 64 */
  readonly bufferMiB?: number;
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
      readonly processorArn: string;
      /**
       * Firehose's source record backup: every record exactly as CloudWatch Logs
       * sent it, under SOURCE_PREFIX of the same bucket and key. AWS cannot
       * disable it once enabled ("Back up source records", Firehose developer guide).
       */
      readonly keepSource?: boolean;
    };

/** Where delivered data and delivery failures land in the archive bucket. */
export const RAW_PREFIX = "raw/";
export const EVENTS_PREFIX = "events/";
export const ERROR_PREFIX = "errors/";
/** Source record backup (events format with `delivery.keepSource`). */
export const SOURCE_PREFIX = "source/";
const DATE_PATH = "!{timestamp:yyyy}/!{timestamp:MM}/!{timestamp:dd}/!{timestamp:HH}/";
const EVENTS_PARTITION =
  "account=!{partitionKeyFromLambda:account}/logGroup=!{partitionKeyFromLambda:logGroup}/";
const ERROR_LOG_STREAM = "DestinationDelivery";
/** The log stream Firehose's console creates for S3 backup delivery errors. */
const BACKUP_ERROR_LOG_STREAM = "BackupDelivery";
/**
 * Firehose's Lambda buffer, in MB of records as they arrive (gzip). 0.2 is the
 * smallest AWS allows: the processor's response (gzip'd again, about 1.2x the
 * incoming bytes) must stay under Lambda's 6 MB, and small batches keep each
 * invocation short.
 */
const PROCESSOR_BUFFER_MIB = 0.2;

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
    const provider = props.provider;
    const logGroup = new CloudwatchLogGroup(this, "ErrorLogGroup", {
      provider,
      name: props.logGroupName,
      retentionInDays: props.errorLogRetentionDays ?? 365,
      kmsKeyId: props.bucketKeyArn,
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
      kinesisSourceConfiguration: { kinesisStreamArn: props.sourceStreamArn, roleArn: this.role.arn },
      extendedS3Configuration: {
        roleArn: this.role.arn,
        bucketArn: props.bucketArn,
        kmsKeyArn: props.bucketKeyArn,
        errorOutputPrefix: `${ERROR_PREFIX}!{firehose:error-output-type}/${DATE_PATH}`,
        bufferingInterval: props.bufferSeconds ?? 300,
        bufferingSize: props.bufferMiB ?? 64,
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
                bucketArn: props.bucketArn,
                kmsKeyArn: props.bucketKeyArn,
                prefix: `${SOURCE_PREFIX}${DATE_PATH}`,
                // Firehose requires an error prefix with a prefix that has expressions.
                errorOutputPrefix: `${ERROR_PREFIX}source-backup/!{firehose:error-output-type}/${DATE_PATH}`,
                bufferingInterval: props.bufferSeconds ?? 300,
                bufferingSize: props.bufferMiB ?? 64,
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
    });
  }
}

function formatSettings(format: DeliveryFormat) {
  if (format.kind === "raw") {
    return { prefix: `${RAW_PREFIX}${DATE_PATH}`, compressionFormat: "UNCOMPRESSED", fileExtension: ".gz" };
  }
  return {
    prefix: `${EVENTS_PREFIX}${EVENTS_PARTITION}${DATE_PATH}`,
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
            { parameterName: "LambdaArn", parameterValue: `${format.processorArn}:$LATEST` },
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

interface FirehosePermissionProps {
  readonly format: DeliveryFormat;
  readonly region: string;
  readonly sourceStreamArn: string;
  readonly sourceKeyArn: string;
  readonly bucketArn: string;
  readonly bucketKeyArn: string;
  readonly logGroupArn: string;
}

/**
 * AWS's documented Firehose permissions for a Kinesis source and an S3
 * destination, narrowed: read one stream, write (never delete) the data and
 * error prefixes of one bucket (and `source/` with the source record backup),
 * use each key only through its service.
 */
export function firehosePermissions(props: FirehosePermissionProps) {
  const dataPrefix = props.format.kind === "raw" ? RAW_PREFIX : EVENTS_PREFIX;
  const sourceBackup =
    props.format.kind === "events" && props.format.keepSource === true
      ? [`${props.bucketArn}/${SOURCE_PREFIX}*`]
      : [];
  const invokeProcessor: PolicyStatement[] =
    props.format.kind === "events"
      ? [
          {
            Sid: "InvokeProcessor",
            Effect: "Allow",
            Action: ["lambda:InvokeFunction", "lambda:GetFunctionConfiguration"],
            Resource: [props.format.processorArn, `${props.format.processorArn}:*`],
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
      Resource: props.sourceStreamArn,
    },
    {
      Sid: "DecryptSourceStream",
      Effect: "Allow",
      Action: "kms:Decrypt",
      Resource: props.sourceKeyArn,
      Condition: {
        // kinesis.<region>.amazonaws.com in every partition, aws-cn included (lib/partition.ts).
        StringEquals: { "kms:ViaService": viaService("kinesis", props.region) },
        StringLike: { "kms:EncryptionContext:aws:kinesis:arn": props.sourceStreamArn },
      },
    },
    {
      Sid: "LocateBucket",
      Effect: "Allow",
      Action: ["s3:GetBucketLocation", "s3:ListBucket", "s3:ListBucketMultipartUploads"],
      Resource: props.bucketArn,
    },
    {
      Sid: "WriteArchiveObjects",
      Effect: "Allow",
      Action: ["s3:PutObject", "s3:GetObject", "s3:AbortMultipartUpload"],
      Resource: [`${props.bucketArn}/${dataPrefix}*`, `${props.bucketArn}/${ERROR_PREFIX}*`, ...sourceBackup],
    },
    {
      Sid: "EncryptArchiveObjects",
      Effect: "Allow",
      Action: ["kms:GenerateDataKey", "kms:Decrypt"],
      Resource: props.bucketKeyArn,
      Condition: {
        StringEquals: { "kms:ViaService": viaService("s3", props.region) },
        // With an S3 Bucket Key the encryption context is the bucket ARN, otherwise the object ARN.
        StringLike: { "kms:EncryptionContext:aws:s3:arn": [props.bucketArn, `${props.bucketArn}/*`] },
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
