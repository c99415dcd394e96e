/**
 * AWS's answers for a healthy deployment of `baseConfig()` (fixtures.ts), as
 * the APIs document them (DescribeDestinations, DescribeStreamSummary,
 * DescribeDeliveryStream, the S3 bucket Get* calls, DescribeKey,
 * DescribeSubscriptionFilters, DescribeAccountPolicies, ListObjectsV2, and with
 * a replica GetBucketReplication and the vault's bucket and key), written out
 * by hand: the verify checks are judged against these, and each test breaks
 * one thing. Values are literal, not computed from the code under test.
 */
import { Observed } from "../../lib/verify/observed";

export const AT = new Date("2026-12-01T12:00:00Z");
const minutesBefore = (minutes: number) => AT.getTime() - minutes * 60_000;

const DESTINATION = (region: string) =>
  `arn:aws:logs:${region}:111111111111:destination:secops-security-logs`;
const STREAM = "arn:aws:kinesis:us-east-1:111111111111:stream/secops-security-logs";
const BUCKET = "arn:aws:s3:::secops-security-logs-111111111111";
export const ARCHIVE_KEY = "arn:aws:kms:us-east-1:111111111111:key/0a1b2c3d-0000-4000-8000-000000000001";
export const STREAM_KEY = "arn:aws:kms:us-east-1:111111111111:key/0a1b2c3d-0000-4000-8000-000000000002";
const SEARCH_KEY = "arn:aws:kms:us-east-1:111111111111:key/0a1b2c3d-0000-4000-8000-000000000003";

/** A destination access policy as CloudWatch Logs returns it: the string it was given. */
export function accessPolicy(region: string, accounts: string[]): string {
  return JSON.stringify({
    Version: "2012-10-17",
    Statement: [
      {
        Sid: "AllowSubscribers",
        Effect: "Allow",
        Action: ["logs:PutSubscriptionFilter", "logs:PutAccountPolicy"],
        Resource: DESTINATION(region),
        Principal: { AWS: accounts },
      },
    ],
  });
}

function key(arn: string) {
  return {
    KeyMetadata: { KeyId: arn.split("/")[1], Arn: arn, Enabled: true, KeyState: "Enabled" },
    rotationEnabled: true,
  };
}

function filter(region: string, logGroupName: string, filterPattern = "") {
  return {
    filterName: `secops-security-logs-${region}`,
    logGroupName,
    filterPattern,
    destinationArn: DESTINATION(region),
    distribution: "Random",
    creationTime: 1764500000000,
  };
}

export const ERROR_PATTERN = '{ $.level = "ERROR" }';

/** Every read of a healthy deployment. A fresh copy each call: tests change it freely. */
export function healthy(): Observed {
  return {
    at: AT,
    security: {
      identity: "arn:aws:sts::111111111111:assumed-role/SecurityAudit/seclog-verify",
      destinations: {
        "eu-west-1": {
          destinationName: "secops-security-logs",
          targetArn: STREAM,
          roleArn: "arn:aws:iam::111111111111:role/secops-logs-destination",
          accessPolicy: accessPolicy("eu-west-1", ["222222222222"]),
          arn: DESTINATION("eu-west-1"),
        },
        "us-east-1": {
          destinationName: "secops-security-logs",
          targetArn: STREAM,
          roleArn: "arn:aws:iam::111111111111:role/secops-logs-destination",
          accessPolicy: accessPolicy("us-east-1", ["222222222222", "333333333333"]),
          arn: DESTINATION("us-east-1"),
        },
      },
      stream: { StreamStatus: "ACTIVE", EncryptionType: "KMS", KeyId: STREAM_KEY, StreamARN: STREAM },
      delivery: {
        DeliveryStreamStatus: "ACTIVE",
        Source: { KinesisStreamSourceDescription: { KinesisStreamARN: STREAM } },
        Destinations: [
          {
            ExtendedS3DestinationDescription: {
              BucketARN: BUCKET,
              Prefix:
                "events/!{timestamp:yyyy}/!{timestamp:MM}/!{timestamp:dd}/!{timestamp:HH}/account=!{partitionKeyFromLambda:account}/logGroup=!{partitionKeyFromLambda:logGroup}/",
              ErrorOutputPrefix:
                "errors/!{firehose:error-output-type}/!{timestamp:yyyy}/!{timestamp:MM}/!{timestamp:dd}/!{timestamp:HH}/",
              EncryptionConfiguration: { KMSEncryptionConfig: { AWSKMSKeyARN: ARCHIVE_KEY } },
              ProcessingConfiguration: {
                Enabled: true,
                Processors: [
                  {
                    Type: "Lambda",
                    Parameters: [
                      {
                        ParameterName: "LambdaArn",
                        ParameterValue:
                          "arn:aws:lambda:us-east-1:111111111111:function:secops-logs-processor:$LATEST",
                      },
                    ],
                  },
                ],
              },
              S3BackupMode: "Disabled",
            },
          },
        ],
      },
      bucket: {
        versioning: { Status: "Enabled" },
        publicAccessBlock: {
          BlockPublicAcls: true,
          IgnorePublicAcls: true,
          BlockPublicPolicy: true,
          RestrictPublicBuckets: true,
        },
        encryption: [
          {
            ApplyServerSideEncryptionByDefault: { SSEAlgorithm: "aws:kms", KMSMasterKeyID: ARCHIVE_KEY },
            BucketKeyEnabled: true,
          },
        ],
        // S3 returns the policy with its own formatting: one-element lists as they were written.
        policy: JSON.stringify({
          Version: "2012-10-17",
          Statement: [
            {
              Sid: "FirehoseWrites",
              Effect: "Allow",
              Principal: { AWS: "arn:aws:iam::111111111111:role/secops-logs-firehose" },
              Action: "s3:PutObject",
              Resource: `${BUCKET}/events/*`,
            },
            {
              Sid: "DenyInsecureTransport",
              Effect: "Deny",
              Principal: "*",
              Action: "s3:*",
              Resource: [`${BUCKET}/*`, BUCKET],
              Condition: { Bool: { "aws:SecureTransport": "false" } },
            },
          ],
        }),
        ownership: [{ ObjectOwnership: "BucketOwnerEnforced" }],
        lifecycle: [
          {
            ID: "archive",
            Status: "Enabled",
            Filter: {},
            Transitions: [{ Days: 90, StorageClass: "GLACIER" }],
            NoncurrentVersionTransitions: [{ NoncurrentDays: 90, StorageClass: "GLACIER" }],
          },
        ],
        objectLock: undefined,
      },
      keys: {
        "alias/secops-archive": key(ARCHIVE_KEY),
        "alias/secops-stream": key(STREAM_KEY),
        "alias/secops-search-results": key(SEARCH_KEY),
      },
      errors: { count: 0 },
    },
    accounts: {
      "payments-prod": {
        identity: "arn:aws:sts::222222222222:assumed-role/SecurityAudit/seclog-verify",
        regions: {
          "us-east-1": {
            logGroups: {
              // Due: ingested 30 minutes ago, more than the 300 s buffer plus the 600 s margin.
              "/var/log/messages": {
                lastIngestionTime: minutesBefore(30),
                filters: [filter("us-east-1", "/var/log/messages")],
              },
              "/app/payments/security": {
                lastIngestionTime: minutesBefore(5),
                filters: [filter("us-east-1", "/app/payments/security", ERROR_PATTERN)],
              },
            },
            active: [
              // Ships elsewhere too, but also to us: covered.
              {
                logGroupName: "/var/log/audit-copy",
                lastIngestionTime: minutesBefore(10),
                filters: [filter("us-east-1", "/var/log/audit-copy")],
              },
            ],
          },
          "eu-west-1": {
            logGroups: {
              "/var/log/messages": { filters: [filter("eu-west-1", "/var/log/messages")] },
              "/app/payments/security": {
                filters: [filter("eu-west-1", "/app/payments/security", ERROR_PATTERN)],
              },
            },
            active: [],
          },
        },
      },
      "web-prod": {
        identity: "arn:aws:sts::333333333333:assumed-role/SecurityAudit/seclog-verify",
        regions: {
          "us-east-1": {
            logGroups: {
              "/var/log/nginx/access.log": {
                lastIngestionTime: minutesBefore(60 * 30),
                filters: [filter("us-east-1", "/var/log/nginx/access.log")],
              },
            },
            accountPolicy: {
              policyName: "secops-security-logs-us-east-1",
              policyType: "SUBSCRIPTION_FILTER_POLICY",
              scope: "ALL",
              selectionCriteria: 'LogGroupName NOT IN ["/aws/lambda/noisy","/var/log/nginx/access.log"]',
              policyDocument: JSON.stringify({
                DestinationArn: DESTINATION("us-east-1"),
                FilterPattern: "",
                Distribution: "Random",
              }),
            },
            active: [],
          },
        },
      },
    },
    delivered: {
      "222222222222/us-east-1//var/log/messages": {
        count: 2,
        newest: {
          key: "events/2026/12/01/11/account=222222222222/logGroup=!var!log!messages/secops-security-logs-1-2026-12-01-11-34-00-abc.ndjson.gz",
          lastModified: new Date(minutesBefore(26)),
        },
      },
    },
  };
}

// ---------- with a replica (`archive.replica`) ----------

export const VAULT_ACCOUNT = "444444444444";
export const REPLICA_BUCKET = "secops-security-logs-replica-444444444444";
const REPLICA_BUCKET_ARN = `arn:aws:s3:::${REPLICA_BUCKET}`;
export const REPLICA_KEY = "arn:aws:kms:us-west-2:444444444444:key/0a1b2c3d-0000-4000-8000-000000000004";
export const REPLICA_KEY_ALIAS_ARN = "arn:aws:kms:us-west-2:444444444444:alias/secops-replica";
export const REPLICATION_ROLE = "arn:aws:iam::111111111111:role/secops-logs-replication";

/** `baseConfig()` with a replica in the vault account: COMPLIANCE 365 days, the defaults otherwise. */
export function withReplica(config: Record<string, any>, fields: Record<string, unknown> = {}) {
  config.archive = {
    ...(config.archive ?? {}),
    replica: {
      accountId: VAULT_ACCOUNT,
      region: "us-west-2",
      objectLock: { mode: "COMPLIANCE", days: 365 },
      ...fields,
    },
  };
  return config;
}

/** One rule of GetBucketReplication as S3 returns a V2 (Filter) rule. */
export function replicationRule(id: string, priority: number) {
  return {
    ID: id,
    Priority: priority,
    Filter: { Prefix: `${id}/` },
    Status: "Enabled",
    SourceSelectionCriteria: { SseKmsEncryptedObjects: { Status: "Enabled" } },
    Destination: {
      Bucket: REPLICA_BUCKET_ARN,
      Account: VAULT_ACCOUNT,
      StorageClass: "STANDARD",
      AccessControlTranslation: { Owner: "Destination" },
      EncryptionConfiguration: { ReplicaKmsKeyID: REPLICA_KEY_ALIAS_ARN },
      Metrics: { Status: "Enabled" },
    },
    DeleteMarkerReplication: { Status: "Disabled" },
  };
}

/** The vault bucket policy as S3 returns it: the document it was given, whitespace aside. */
export function vaultPolicy(): string {
  const onlyTheRole = {
    Principal: { AWS: "arn:aws:iam::111111111111:root" },
    Condition: { ArnEquals: { "aws:PrincipalArn": REPLICATION_ROLE } },
  };
  return JSON.stringify({
    Version: "2012-10-17",
    Statement: [
      {
        Sid: "DenyInsecureTransport",
        Effect: "Deny",
        Principal: "*",
        Action: "s3:*",
        Resource: [REPLICA_BUCKET_ARN, `${REPLICA_BUCKET_ARN}/*`],
        Condition: { Bool: { "aws:SecureTransport": "false" } },
      },
      {
        Sid: "ReplicationRoleWritesReplicas",
        Effect: "Allow",
        ...onlyTheRole,
        Action: ["s3:ObjectOwnerOverrideToBucketOwner", "s3:ReplicateObject", "s3:ReplicateTags"],
        Resource: `${REPLICA_BUCKET_ARN}/*`,
      },
      {
        Sid: "ReplicationRoleReadsVersioning",
        Effect: "Allow",
        ...onlyTheRole,
        Action: "s3:GetBucketVersioning",
        Resource: REPLICA_BUCKET_ARN,
      },
      {
        Sid: "OnlyTheReplicationRoleReplicates",
        Effect: "Deny",
        Principal: "*",
        Action: [
          "s3:ObjectOwnerOverrideToBucketOwner",
          "s3:ReplicateObject",
          "s3:ReplicateTags",
          "s3:ReplicateDelete",
        ],
        Resource: `${REPLICA_BUCKET_ARN}/*`,
        Condition: { ArnNotEquals: { "aws:PrincipalArn": REPLICATION_ROLE } },
      },
      {
        Sid: "NoDirectWrites",
        Effect: "Deny",
        Principal: "*",
        Action: "s3:PutObject",
        Resource: `${REPLICA_BUCKET_ARN}/*`,
      },
    ],
  });
}

/**
 * Every read of a healthy deployment of `withReplica(baseConfig())`: the
 * healthy reads, the archive's replication configuration (events/ and
 * errors/), and the vault's bucket and key. A fresh copy each call.
 */
export function healthyWithReplica(): Observed {
  const observed = healthy();
  return {
    ...observed,
    security: {
      ...observed.security,
      replication: {
        Role: REPLICATION_ROLE,
        Rules: [replicationRule("events", 0), replicationRule("errors", 1)],
      },
    },
    vault: {
      identity: "arn:aws:sts::444444444444:assumed-role/SecurityAudit/seclog-verify",
      bucket: {
        versioning: { Status: "Enabled" },
        publicAccessBlock: {
          BlockPublicAcls: true,
          IgnorePublicAcls: true,
          BlockPublicPolicy: true,
          RestrictPublicBuckets: true,
        },
        encryption: [
          {
            ApplyServerSideEncryptionByDefault: { SSEAlgorithm: "aws:kms", KMSMasterKeyID: REPLICA_KEY },
            BucketKeyEnabled: true,
          },
        ],
        policy: vaultPolicy(),
        ownership: [{ ObjectOwnership: "BucketOwnerEnforced" }],
        lifecycle: [
          {
            ID: "archive",
            Status: "Enabled",
            Filter: {},
            Transitions: [{ Days: 90, StorageClass: "GLACIER" }],
            NoncurrentVersionTransitions: [{ NoncurrentDays: 90, StorageClass: "GLACIER" }],
          },
        ],
        objectLock: {
          ObjectLockEnabled: "Enabled",
          Rule: { DefaultRetention: { Mode: "COMPLIANCE", Days: 365 } },
        },
      },
      keys: { "alias/secops-replica": key(REPLICA_KEY) },
    },
  };
}
