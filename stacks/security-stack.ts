import { join } from "node:path";
import { Construct } from "constructs";
import { TerraformOutput, TerraformStack } from "cdktf";
import { SecLogConfig } from "../lib/config/model";
import { Naming } from "../lib/naming";
import { EncryptionKey, logsEncryptionStatement } from "../modules/encryption-key";
import { ArchiveBucket } from "../modules/archive-bucket";
import { LogStream } from "../modules/log-stream";
import { Delivery } from "../modules/delivery";
import { DestinationRole, LogDestination } from "../modules/destination";
import { destinationAccessPolicy, destinationTrustPolicy, Subscribers } from "../modules/destination-policies";
import { ProcessorFunction } from "../modules/processor";
import { lambdaPackage } from "../lib/bundle";
import { accountProviders } from "./providers";
import { attachBackend } from "./backend";

export const SECURITY_STACK_NAME = "security";
/** TypeScript source of the Firehose processor, bundled at synth time. */
export const PROCESSOR_ENTRY = join(__dirname, "..", "functions", "processor", "index.ts");

/**
 * The central account: keys, archive bucket, stream and Firehose in the home
 * region, and one CloudWatch Logs destination in every region an application
 * account ships from.
 */
export class SecurityStack extends TerraformStack {
  constructor(scope: Construct, config: SecLogConfig, naming: Naming) {
    super(scope, SECURITY_STACK_NAME);
    attachBackend(this, SECURITY_STACK_NAME, config.state);
    const { accountId, region: home } = config.security;
    const providers = accountProviders(this, {
      accountId,
      regions: config.destinationRegions,
      roleArn: config.security.roleArn,
      tags: config.tags,
      sessionName: `${config.prefix}-seclog`,
    });
    const homeProvider = providers.get(home)!;
    const common = { provider: homeProvider, partition: config.partition, accountId };

    const archiveKey = new EncryptionKey(this, "ArchiveKey", {
      ...common,
      alias: naming.keyAlias("archive"),
      description: `${naming.pipeline}: archive objects and the pipeline's own log groups`,
      serviceStatements: [logsEncryptionStatement(config.partition, home, accountId, encryptedLogGroups(config, naming))],
    });
    const streamKey = new EncryptionKey(this, "StreamKey", {
      ...common,
      alias: naming.keyAlias("stream"),
      description: `${naming.pipeline}: Kinesis stream records`,
    });
    const archive = new ArchiveBucket(this, "Archive", {
      provider: homeProvider,
      bucketName: config.archive.bucketName,
      kmsKeyArn: archiveKey.arn,
      glacierAfterDays: config.archive.glacierAfterDays,
      expireAfterDays: config.archive.expireAfterDays,
      objectLock: config.archive.objectLock,
    });
    const stream = new LogStream(this, "Stream", {
      provider: homeProvider,
      name: naming.streamName,
      kmsKeyArn: streamKey.arn,
      capacity: config.stream,
      retentionHours: config.stream.retentionHours,
    });
    const processor =
      config.delivery.format === "events"
        ? new ProcessorFunction(this, "Processor", {
            provider: homeProvider,
            functionName: naming.processorName,
            roleName: naming.processorName,
            logGroupName: naming.processorLogGroupName,
            logKmsKeyArn: archiveKey.arn,
            code: lambdaPackage(PROCESSOR_ENTRY),
            reservedConcurrency: config.delivery.processorConcurrency,
          })
        : undefined;
    new Delivery(this, "Delivery", {
      ...common,
      region: home,
      name: naming.deliveryStreamName,
      roleName: naming.firehoseRoleName,
      sourceStreamArn: stream.arn,
      sourceKeyArn: streamKey.arn,
      bucketArn: archive.arn,
      bucketKeyArn: archiveKey.arn,
      logGroupName: naming.firehoseLogGroupName,
      bufferSeconds: config.delivery.bufferSeconds,
      bufferMiB: config.delivery.bufferMiB,
      format: processor ? { kind: "events", processorArn: processor.arn } : { kind: "raw" },
    });

    const senders = config.sendersByRegion;
    const role = new DestinationRole(this, "DestinationRole", {
      provider: homeProvider,
      roleName: naming.destinationRoleName,
      streamArn: stream.arn,
      streamKeyArn: streamKey.arn,
      trustPolicy: destinationTrustPolicy({
        partition: config.partition,
        securityAccountId: accountId,
        sendersByRegion: senders,
        organizationMode: config.organizationId !== undefined,
      }),
    });
    const allowAccountPolicies = config.accounts.some((a) => a.allLogGroups);
    for (const region of config.destinationRegions) {
      const subscribers = subscribersOf(config, senders.get(region) ?? []);
      const destination = new LogDestination(this, `Destination_${region}`, {
        provider: providers.get(region)!,
        name: naming.destinationName,
        role,
        streamArn: stream.arn,
        accessPolicy: subscribers
          ? destinationAccessPolicy({ destinationArn: naming.destinationArn(region), subscribers, allowAccountPolicies })
          : undefined,
        forceUpdate: config.organizationId !== undefined,
      });
      new TerraformOutput(this, `destination_arn_${region.replace(/-/g, "_")}`, {
        value: destination.arn,
        description: `CloudWatch Logs destination for log groups in ${region}`,
      });
    }
    new TerraformOutput(this, "archive_bucket", { value: archive.name, description: "S3 bucket holding the log archive" });
    new TerraformOutput(this, "stream_arn", { value: stream.arn, description: "Kinesis stream every destination writes to" });
  }
}

function encryptedLogGroups(config: SecLogConfig, naming: Naming): string[] {
  return config.delivery.format === "events" ? [naming.firehoseLogGroupName, naming.processorLogGroupName] : [naming.firehoseLogGroupName];
}

function subscribersOf(config: SecLogConfig, accountIds: readonly string[]): Subscribers | undefined {
  if (config.organizationId) return { kind: "organization", organizationId: config.organizationId };
  return accountIds.length ? { kind: "accounts", accountIds } : undefined;
}
