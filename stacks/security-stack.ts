import { join } from "node:path";
import { Construct } from "constructs";
import { TerraformOutput, TerraformStack } from "cdktf";
import { SecLogConfig } from "../lib/config/model";
import { Partition } from "../lib/config/regions";
import { servicePrincipal } from "../lib/partition";
import { Naming } from "../lib/naming";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { EncryptionKey, logsEncryptionStatement, serviceUsesKeyStatement } from "../modules/encryption-key";
import { AccessLogsBucket } from "../modules/access-logs-bucket";
import { AlarmSpec, AlarmTopic, PipelineAlarms, pipelineAlarmSpecs } from "../modules/alarms";
import { ObjectNotifications } from "../modules/object-notifications";
import { ArchiveBucket } from "../modules/archive-bucket";
import { LogStream } from "../modules/log-stream";
import { Delivery } from "../modules/delivery";
import {
  archivedPrefixes,
  EVENTS_PREFIX,
  RAW_PREFIX,
  replicaAlarmRegion,
  replicationRuleId,
} from "../lib/pipeline";
import { ArchiveReplication } from "../modules/replication";
import { replicationPermissions, replicationTrust } from "../lib/policies/replication";
import { DestinationRole, LogDestination } from "../modules/destination";
import { destinationTrustPolicy, regionAccessPolicy } from "../lib/policies/destination";
import { ProcessorFunction } from "../modules/processor";
import { lambdaPackage } from "../lib/bundle";
import { SearchCatalog } from "../modules/search-catalog";
import { QueryResultsBucket } from "../modules/query-results-bucket";
import { SearchWorkgroup } from "../modules/search-workgroup";
import { AnalystRole } from "../modules/analyst-role";
import { analystPermissions, analystTrust } from "../lib/policies/analyst";
import { HUNTS, SEARCH_TABLES } from "../lib/search";
import { accountProviders, workloadRoleArn } from "./providers";
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
    const replicaRegion = replicaAlarmRegion(config);
    const providers = accountProviders(this, {
      accountId,
      // The replica region's alarms need a provider there; a destination region already has one.
      regions: [
        ...config.destinationRegions,
        ...(replicaRegion && !config.destinationRegions.includes(replicaRegion) ? [replicaRegion] : []),
      ],
      roleArn: workloadRoleArn(config, config.security.roleArn),
      tags: config.tags,
      sessionName: `${config.prefix}-seclog`,
    });
    const homeProvider = providers.get(home)!;
    const common = { provider: homeProvider, partition: config.partition, accountId };

    const archiveKey = new EncryptionKey(this, "ArchiveKey", {
      ...common,
      alias: naming.keyAlias("archive"),
      description: `${naming.pipeline}: archive objects and the pipeline's own log groups`,
      serviceStatements: [
        logsEncryptionStatement({
          partition: config.partition,
          region: home,
          accountId,
          logGroupNames: encryptedLogGroups(naming),
        }),
      ],
      locked: config.archive.objectLock?.mode === "COMPLIANCE",
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
            partition: config.partition,
            functionName: naming.processorName,
            roleName: naming.processorName,
            logGroupName: naming.processorLogGroupName,
            logKmsKeyArn: archiveKey.arn,
            code: lambdaPackage(PROCESSOR_ENTRY),
            reservedConcurrency: config.delivery.processorConcurrency,
            metricNamespace: naming.metricNamespace,
          })
        : undefined;
    const delivery = new Delivery(this, "Delivery", {
      ...common,
      region: home,
      name: naming.deliveryStreamName(config.delivery.format),
      roleName: naming.firehoseRoleName,
      source: { stream, key: streamKey },
      archive: { bucket: archive, key: archiveKey },
      logGroupName: naming.firehoseLogGroupName,
      bufferSeconds: config.delivery.bufferSeconds,
      bufferMiB: config.delivery.bufferMiB,
      format:
        processor && config.delivery.format === "events"
          ? { kind: "events", processor, keepSource: config.delivery.keepSource }
          : { kind: "raw" },
    });

    const replication = config.archive.replica
      ? this.replicate(config, naming, homeProvider, { bucket: archive, key: archiveKey })
      : undefined;

    if (config.archive.accessLogs) {
      new AccessLogsBucket(this, "AccessLogs", {
        provider: homeProvider,
        partition: config.partition,
        bucketName: naming.accessLogsBucketName(),
        accountId,
        source: archive,
        glacierAfterDays: config.archive.glacierAfterDays,
        expireAfterDays: config.archive.expireAfterDays,
      });
    }
    if (config.search) this.search(config, naming, common, { bucket: archive, key: archiveKey });
    const notificationsKey = this.notificationsKey(config, naming, common, archive.arn);
    if (config.alarms && notificationsKey) {
      const topic = new AlarmTopic(this, "AlarmTopic", {
        ...common,
        region: home,
        name: naming.alarmTopicName,
        kmsKeyArn: notificationsKey.arn,
        email: config.alarms.email,
      });
      const specs = pipelineAlarmSpecs({
        streamName: naming.streamName,
        shards: config.stream.mode === "provisioned" ? config.stream.shards : undefined,
        deliveryStreamName: delivery.deliveryStream.name,
        bufferSeconds: config.delivery.bufferSeconds,
        processorName: processor ? naming.processorName : undefined,
        dynamicPartitioning: config.delivery.format === "events",
        silenceHours: config.alarms.silenceHours,
        accounts: config.accounts,
        metricNamespace: naming.metricNamespace,
        replication: replication && {
          sourceBucket: config.archive.bucketName,
          destinationBucket: config.archive.replica!.bucketName,
          ruleIds: replication.ruleIds,
          replicationTimeControl: config.archive.replica!.replicationTimeControl,
        },
      });
      // S3 publishes ReplicationLatency "in the Region of the destination bucket", and only
      // OperationsFailedReplication "in the Region of the source bucket" (Amazon S3 User Guide,
      // "Using S3 Replication metrics", https://docs.aws.amazon.com/AmazonS3/latest/userguide/repl-metrics.html).
      // An alarm sees only its own region's metrics, and notifies only a topic of its own region: with
      // the replica in another region, its latency alarms live there, with a topic of their own.
      // They leave the home `Alarms` construct, so their logical ids are new (nothing is deployed yet).
      const inReplicaRegion = (spec: AlarmSpec) =>
        replicaRegion !== undefined && spec.metricRegion === "replica";
      new PipelineAlarms(this, "Alarms", {
        provider: homeProvider,
        topicArn: topic.topic.arn,
        namePrefix: naming.pipeline,
        specs: specs.filter((spec) => !inReplicaRegion(spec)),
      });
      // A replica region means a replica, so replication rules and their latency alarms.
      if (replicaRegion) {
        const regional = { ...common, provider: providers.get(replicaRegion)! };
        new PipelineAlarms(this, "ReplicaRegionAlarms", {
          provider: regional.provider,
          topicArn: this.replicaRegionAlarmTopic(config, naming, regional, replicaRegion),
          namePrefix: naming.pipeline,
          specs: specs.filter(inReplicaRegion),
        });
      }
      new TerraformOutput(this, "alarm_topic_arn", {
        value: topic.topic.arn,
        description: "SNS topic of the pipeline's health alarms",
      });
    }
    if (config.objectNotifications && notificationsKey) {
      const notifications = new ObjectNotifications(this, "ObjectNotifications", {
        provider: homeProvider,
        partition: config.partition,
        accountId,
        queueName: naming.objectQueueName,
        key: notificationsKey,
        bucket: archive,
        prefix: processor ? EVENTS_PREFIX : RAW_PREFIX,
      });
      new TerraformOutput(this, "object_queue_url", {
        value: notifications.queue.url,
        description: "SQS queue announcing new archive objects",
      });
      new TerraformOutput(this, "object_queue_arn", {
        value: notifications.queue.arn,
        description: "SQS queue announcing new archive objects",
      });
    }

    const senders = config.sendersByRegion;
    const role = new DestinationRole(this, "DestinationRole", {
      provider: homeProvider,
      roleName: naming.destinationRoleName,
      target: { stream, key: streamKey },
      trustPolicy: destinationTrustPolicy({
        partition: config.partition,
        securityAccountId: accountId,
        sendersByRegion: senders,
        organizationMode: config.organizationId !== undefined,
      }),
    });
    for (const region of config.destinationRegions) {
      const destination = new LogDestination(this, `Destination_${region}`, {
        provider: providers.get(region)!,
        name: naming.destinationName,
        role,
        stream,
        accessPolicy: regionAccessPolicy(config, naming, region),
        forceUpdate: config.organizationId !== undefined,
      });
      new TerraformOutput(this, `destination_arn_${region.replace(/-/g, "_")}`, {
        value: destination.arn,
        description: `CloudWatch Logs destination for log groups in ${region}`,
      });
    }
    new TerraformOutput(this, "archive_bucket", {
      value: archive.name,
      description: "S3 bucket holding the log archive",
    });
    new TerraformOutput(this, "stream_arn", {
      value: stream.arn,
      description: "Kinesis stream every destination writes to",
    });
  }

  /** Replication of every archived prefix into the vault account's bucket (stacks/vault-stack.ts). */
  private replicate(
    config: SecLogConfig,
    naming: Naming,
    provider: AwsProvider,
    archive: { bucket: ArchiveBucket; key: EncryptionKey },
  ): { ruleIds: string[] } {
    const replica = config.archive.replica!;
    const { partition } = config;
    const { accountId, region } = config.security;
    const prefixes = archivedPrefixes(config.delivery);
    const replicaBucketArn = naming.replicaBucketArn(replica.accountId);
    new ArchiveReplication(this, "Replication", {
      provider,
      source: archive.bucket,
      target: {
        accountId: replica.accountId,
        bucketArn: replicaBucketArn,
        keyAliasArn: naming.replicaKeyAliasArn(replica.accountId, replica.region),
        storageClass: replica.storageClass,
        replicationTimeControl: replica.replicationTimeControl,
      },
      prefixes,
      roleName: naming.replicationRoleName,
      trust: replicationTrust(partition, accountId, archive.bucket.arn),
      permissions: replicationPermissions({
        partition,
        source: { bucketArn: archive.bucket.arn, keyArn: archive.key.arn, region },
        destination: {
          bucketArn: replicaBucketArn,
          region: replica.region,
          accountId: replica.accountId,
        },
        prefixes,
      }),
    });
    return { ruleIds: prefixes.map(replicationRuleId) };
  }

  /** Athena over `events/`: the catalog, a results bucket and its key, the workgroup and hunts, the analyst role. */
  private search(
    config: SecLogConfig,
    naming: Naming,
    common: { provider: AwsProvider; partition: Partition; accountId: string },
    archive: { bucket: ArchiveBucket; key: EncryptionKey },
  ) {
    const search = config.search!;
    const { provider, partition, accountId } = common;
    const region = config.security.region;
    new SearchCatalog(this, "SearchCatalog", {
      provider,
      databaseName: naming.searchDatabaseName,
      archive: archive.bucket,
      tables: SEARCH_TABLES,
    });
    const resultsKey = new EncryptionKey(this, "SearchResultsKey", {
      ...common,
      alias: naming.keyAlias("search-results"),
      description: `${naming.pipeline}: Athena query results`,
      destroyable: {
        reason:
          "encrypts only Athena query results, copies of archive rows that expire: turning search off deletes them, and the key goes with them (KMS waits 30 days)",
      },
    });
    const results = new QueryResultsBucket(this, "SearchResults", {
      provider,
      bucketName: naming.searchResultsBucketName(),
      key: resultsKey,
      expireAfterDays: search.resultsExpireDays,
    });
    const workgroup = new SearchWorkgroup(this, "SearchWorkgroup", {
      provider,
      name: naming.searchWorkgroupName,
      databaseName: naming.searchDatabaseName,
      results: { bucket: results, key: resultsKey },
      bytesScannedCutoff: search.bytesScannedCutoff,
      hunts: HUNTS,
    });
    new TerraformOutput(this, "search_workgroup", {
      value: workgroup.workgroup.name,
      description: "Athena workgroup of the saved hunts (npm run query)",
    });
    if (search.analystPrincipals.length === 0) return;
    const analyst = new AnalystRole(this, "AnalystRole", {
      provider,
      name: naming.analystRoleName,
      trust: analystTrust(partition, search.analystPrincipals),
      permissions: analystPermissions({
        partition,
        region,
        accountId,
        workgroupName: naming.searchWorkgroupName,
        databaseName: naming.searchDatabaseName,
        tableNames: SEARCH_TABLES.map((table) => table.name),
        archive: { bucketArn: archive.bucket.arn, keyArn: archive.key.arn },
        results: { bucketArn: results.arn, keyArn: resultsKey.arn },
      }),
    });
    new TerraformOutput(this, "analyst_role_arn", {
      value: analyst.arn,
      description: "Role the configured analysts assume to run hunts",
    });
  }

  /**
   * The alarm topic of the replica bucket's region, for the alarms on metrics S3 publishes there
   * (ReplicationLatency): CloudWatch notifies only a topic of the alarm's own region. The home
   * topic's construct, with a key of its own in that region (a KMS key is regional) that only this
   * account's alarms of that region may use, and the same email, whose subscription AWS asks to
   * confirm once more. Returns the topic's ARN.
   */
  private replicaRegionAlarmTopic(
    config: SecLogConfig,
    naming: Naming,
    common: { provider: AwsProvider; partition: Partition; accountId: string },
    region: string,
  ): string {
    const key = new EncryptionKey(this, "ReplicaRegionNotificationsKey", {
      ...common,
      alias: naming.regionalKeyAlias("notifications", region),
      description: `${naming.pipeline}: alarm topic in ${region} (replication latency alarms)`,
      serviceStatements: [alarmsUseKeyStatement(common.partition, region, common.accountId)],
      destroyable: {
        reason: `encrypts only the alarm topic in ${region}, messages in flight: turning alarms off or moving the replica into the home region deletes it, and the key goes with it (KMS waits 30 days)`,
      },
    });
    const topic = new AlarmTopic(this, "ReplicaRegionAlarmTopic", {
      ...common,
      region,
      name: naming.alarmTopicName,
      kmsKeyArn: key.arn,
      email: config.alarms!.email,
    });
    new TerraformOutput(this, "replica_region_alarm_topic_arn", {
      value: topic.topic.arn,
      description: `SNS topic of the replication latency alarms, in the replica's region ${region}`,
    });
    return topic.topic.arn;
  }

  /** The key of the alarm topic and the object queue, when either exists, with the services that write to them. */
  private notificationsKey(
    config: SecLogConfig,
    naming: Naming,
    common: { provider: AwsProvider; partition: Partition; accountId: string },
    archiveArn: string,
  ) {
    const { partition, accountId } = common;
    // Only this account's alarms (the alarm topic policy's own scope) and the archive bucket may use the key.
    const bucket = { accountId, arn: archiveArn };
    const statements = [
      ...(config.alarms ? [alarmsUseKeyStatement(partition, config.security.region, accountId)] : []),
      ...(config.objectNotifications
        ? [serviceUsesKeyStatement("S3NotifiesQueue", servicePrincipal("s3", partition), bucket)]
        : []),
    ];
    if (statements.length === 0) return undefined;
    return new EncryptionKey(this, "NotificationsKey", {
      ...common,
      alias: naming.keyAlias("notifications"),
      description: `${naming.pipeline}: alarm topic and object notification queue`,
      serviceStatements: statements,
      destroyable: {
        reason:
          "encrypts only the alarm topic and the object notification queue, messages in flight: turning alarms and notifications off deletes them, and the key goes with them (KMS waits 30 days)",
      },
    });
  }
}

/**
 * The region of the alarms that cannot live in the home region: the replica
 * bucket's, when it is another region and there are alarms (S3 publishes
 * ReplicationLatency there; the failure alarm stays home).
 */
/** CloudWatch alarms of this account in this region (the alarm topic policy's own scope) may use a topic key. */
function alarmsUseKeyStatement(partition: Partition, region: string, accountId: string) {
  return serviceUsesKeyStatement(
    "CloudWatchAlarmsPublishToTopic",
    servicePrincipal("cloudwatch", partition),
    {
      accountId,
      arn: `arn:${partition}:cloudwatch:${region}:${accountId}:alarm:*`,
    },
  );
}

/**
 * Both pipeline log groups whatever the format: a locked archive key's policy
 * can never change again (modules/encryption-key.ts, lockedKeyStatement), so
 * it must not depend on a setting the user may still change. Naming a log
 * group that does not exist (the processor's, with format raw) grants nothing.
 */
function encryptedLogGroups(naming: Naming): string[] {
  return [naming.firehoseLogGroupName, naming.processorLogGroupName];
}
