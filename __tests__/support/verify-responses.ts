/**
 * AWS's answers for a healthy deployment of `baseConfig()` (fixtures.ts), as
 * the APIs document them (DescribeDestinations, DescribeStreamSummary,
 * DescribeDeliveryStream, the S3 bucket Get* calls, DescribeKey,
 * DescribeSubscriptionFilters, DescribeAccountPolicies, ListObjectsV2), written
 * out by hand: the verify checks are judged against these, and each test
 * breaks one thing. Values are literal, not computed from the code under test.
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
