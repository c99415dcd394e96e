import {
  baseConfig,
  chinaConfig,
  fullConfig,
  PAYMENTS_ACCOUNT as PAY,
  SECURITY_ACCOUNT as SEC,
  WEB_ACCOUNT as WEB,
} from "./support/fixtures";
import { synthStacks, StackJson } from "./support/synth";
import {
  denyInsecureTransport,
  Document,
  iamDocument,
  policiesOf,
  ref,
  sortedActions,
} from "./support/policies";

/**
 * Every policy every stack synthesizes, whole: for each role, key, bucket,
 * topic, queue and destination, each statement's Sid, Effect, Principal,
 * Action (sorted, the whole list), Resource and Condition, and the exact set
 * of policy-bearing resources per stack (a new policy, statement, action or
 * condition fails here). The expected documents are written from what AWS
 * documents for each service (cited per builder) and the prefixes and names
 * the stacks use, not copied from a synth.
 */

// Logical ids are a contract (security-stack.test.ts): these are the resources policies name.
const ARCHIVE = ref("aws_s3_bucket.Archive_Bucket_DB32D495");
const ACCESS_LOGS = ref("aws_s3_bucket.AccessLogs_Bucket_FB91B785");
const STATE_BUCKET = ref("aws_s3_bucket.StateBucket_3A0A90D0");
const SEARCH_RESULTS = ref("aws_s3_bucket.SearchResults_Bucket_69000AC3");
const STREAM = ref("aws_kinesis_stream.Stream_FBE79EEE");
const STREAM_KEY = ref("aws_kms_key.StreamKey_053B4889");
const ARCHIVE_KEY = ref("aws_kms_key.ArchiveKey_5C51534B");
const STATE_KEY = ref("aws_kms_key.StateKey_D2B02354");
const FIREHOSE_LOG_GROUP = ref("aws_cloudwatch_log_group.Delivery_ErrorLogGroup_72A528FB");
const PROCESSOR_LOG_GROUP = ref("aws_cloudwatch_log_group.Processor_LogGroup_B3034378");
const PROCESSOR = ref("aws_lambda_function.Processor_Function_BE9FBF91");
const TOPIC = ref("aws_sns_topic.AlarmTopic_AD6681D3");
const QUEUE = ref("aws_sqs_queue.ObjectNotifications_Queue_7E3680D3");
const SENDER_ROLE = ref("aws_iam_role.SenderRole_5B8E7289");

const DESTINATION = "secops-security-logs";
const FIREHOSE_LOG_GROUP_NAME = "/aws/kinesisfirehose/secops-security-logs";
const PROCESSOR_LOG_GROUP_NAME = "/aws/lambda/secops-logs-processor";

/** Where a scenario runs: partition and the security account's home region. */
interface Home {
  readonly partition: "aws" | "aws-cn";
  readonly region: string;
}
const US_EAST_1: Home = { partition: "aws", region: "us-east-1" };
const CN_NORTH_1: Home = { partition: "aws-cn", region: "cn-north-1" };

/** The root of the account administers a key; IAM policies of that account delegate from it (KMS default key policy). */
const rootAdministersKey = (home: Home, accountId = SEC) => ({
  Sid: "AccountRootAdministersKey",
  Effect: "Allow",
  Principal: { AWS: `arn:${home.partition}:iam::${accountId}:root` },
  Action: "kms:*",
  Resource: "*",
});

/** Firehose developer guide, "Grant Firehose access to an Amazon S3 destination": sts:ExternalId = the account. */
const firehoseTrust = () =>
  iamDocument({
    Effect: "Allow",
    Principal: { Service: "firehose.amazonaws.com" },
    Action: "sts:AssumeRole",
    Condition: { StringEquals: { "sts:ExternalId": SEC } },
  });

interface DeliveryShape {
  readonly format: "events" | "raw";
  readonly keepSource?: boolean;
}

/**
 * Firehose developer guide: a Kinesis source (DescribeStream, GetShardIterator,
 * GetRecords, ListShards; kms:Decrypt through Kinesis for an encrypted
 * stream), an S3 destination (bucket-level GetBucketLocation, ListBucket,
 * ListBucketMultipartUploads; object-level AbortMultipartUpload, GetObject,
 * PutObject; kms:GenerateDataKey and kms:Decrypt through S3 with the
 * aws:s3:arn context), the error log (logs:PutLogEvents) and, with a
 * processor, lambda:InvokeFunction and lambda:GetFunctionConfiguration.
 * Objects only under the prefixes this stack writes; never a Delete or
 * Put*Configuration.
 */
function firehosePermissions(home: Home, shape: DeliveryShape) {
  const objects = [
    `${ARCHIVE}/${shape.format === "raw" ? "raw" : "events"}/*`,
    `${ARCHIVE}/errors/*`,
    ...(shape.keepSource ? [`${ARCHIVE}/source/*`] : []),
  ];
  return iamDocument(
    {
      Sid: "ReadSourceStream",
      Effect: "Allow",
      Action: [
        "kinesis:DescribeStream",
        "kinesis:GetRecords",
        "kinesis:GetShardIterator",
        "kinesis:ListShards",
      ],
      Resource: STREAM,
    },
    {
      Sid: "DecryptSourceStream",
      Effect: "Allow",
      Action: "kms:Decrypt",
      Resource: STREAM_KEY,
      Condition: {
        StringEquals: { "kms:ViaService": `kinesis.${home.region}.amazonaws.com` },
        StringLike: { "kms:EncryptionContext:aws:kinesis:arn": STREAM },
      },
    },
    {
      Sid: "LocateBucket",
      Effect: "Allow",
      Action: ["s3:GetBucketLocation", "s3:ListBucket", "s3:ListBucketMultipartUploads"],
      Resource: ARCHIVE,
    },
    {
      Sid: "WriteArchiveObjects",
      Effect: "Allow",
      Action: ["s3:AbortMultipartUpload", "s3:GetObject", "s3:PutObject"],
      Resource: objects,
    },
    {
      Sid: "EncryptArchiveObjects",
      Effect: "Allow",
      Action: ["kms:Decrypt", "kms:GenerateDataKey"],
      Resource: ARCHIVE_KEY,
      Condition: {
        StringEquals: { "kms:ViaService": `s3.${home.region}.amazonaws.com` },
        StringLike: { "kms:EncryptionContext:aws:s3:arn": [ARCHIVE, `${ARCHIVE}/*`] },
      },
    },
    {
      Sid: "LogDeliveryErrors",
      Effect: "Allow",
      Action: "logs:PutLogEvents",
      Resource: `${FIREHOSE_LOG_GROUP}:log-stream:*`,
    },
    ...(shape.format === "events"
      ? [
          {
            Sid: "InvokeProcessor",
            Effect: "Allow",
            Action: ["lambda:GetFunctionConfiguration", "lambda:InvokeFunction"],
            Resource: [PROCESSOR, `${PROCESSOR}:*`],
          },
        ]
      : []),
  );
}

/** Lambda's execution role trust (no confused-deputy keys documented; the rule is suppressed with a reason). */
const processorTrust = () =>
  iamDocument({ Effect: "Allow", Principal: { Service: "lambda.amazonaws.com" }, Action: "sts:AssumeRole" });

/** Its own log group only: CreateLogStream and PutLogEvents (no CreateLogGroup: the stack creates it). */
const processorPermissions = () =>
  iamDocument({
    Sid: "WriteOwnLogs",
    Effect: "Allow",
    Action: ["logs:CreateLogStream", "logs:PutLogEvents"],
    Resource: `${PROCESSOR_LOG_GROUP}:*`,
  });

/**
 * CloudWatch Logs user guide, cross-account subscriptions and "Confused
 * deputy prevention": the destination role is trusted by logs.amazonaws.com
 * (logs.amazonaws.com.cn in aws-cn) for aws:SourceArn
 * `arn:aws:logs:<region>:<account>:*` of every sender and of the recipient.
 */
const destinationTrust = (principal: string, sourceArns: string[]) =>
  iamDocument({
    Effect: "Allow",
    Principal: { Service: principal },
    Action: "sts:AssumeRole",
    Condition: { StringLike: { "aws:SourceArn": sourceArns } },
  });

/**
 * "Step 2: Create an IAM role" of the cross-account destination guide:
 * kinesis:PutRecord on the stream; the stream's SSE needs kms:GenerateDataKey
 * on its key. Reported (issue 14): unlike the Firehose role's key statements,
 * this one has no kms:ViaService / aws:kinesis:arn context condition.
 */
const destinationPermissions = () =>
  iamDocument(
    { Sid: "PutIntoStream", Effect: "Allow", Action: "kinesis:PutRecord", Resource: STREAM },
    { Sid: "EncryptStreamRecords", Effect: "Allow", Action: "kms:GenerateDataKey", Resource: STREAM_KEY },
  );

/** The destination's access policy: its own ARN, the listed accounts (or the organization) only. */
function destinationAccess(
  home: Home,
  region: string,
  who: { accounts: string[] } | { organization: string },
  accountPolicies: boolean,
) {
  const statement = {
    Sid: "AllowSubscribers",
    Effect: "Allow",
    Action: accountPolicies
      ? ["logs:PutAccountPolicy", "logs:PutSubscriptionFilter"]
      : ["logs:PutSubscriptionFilter"],
    Resource: `arn:${home.partition}:logs:${region}:${SEC}:destination:${DESTINATION}`,
  };
  return "organization" in who
    ? iamDocument({
        ...statement,
        Principal: "*",
        Condition: { StringEquals: { "aws:PrincipalOrgID": who.organization } },
      })
    : iamDocument({ ...statement, Principal: { AWS: who.accounts } });
}

/**
 * CloudWatch Logs user guide, "Encrypt log data in CloudWatch Logs using AWS
 * KMS": the regional logs principal, these five action patterns, and the log
 * groups pinned by kms:EncryptionContext:aws:logs:arn.
 */
const archiveKeyPolicy = (home: Home, principal: string, logGroups: string[], locked = false) =>
  iamDocument(
    rootAdministersKey(home),
    {
      Sid: "CloudWatchLogsEncryptsLogGroup",
      Effect: "Allow",
      Principal: { Service: principal },
      Action: ["kms:Decrypt*", "kms:Describe*", "kms:Encrypt*", "kms:GenerateDataKey*", "kms:ReEncrypt*"],
      Resource: "*",
      Condition: {
        ArnEquals: {
          "kms:EncryptionContext:aws:logs:arn": logGroups.map(
            (name) => `arn:${home.partition}:logs:${home.region}:${SEC}:log-group:${name}`,
          ),
        },
      },
    },
    ...(locked ? [KEY_LOCK] : []),
  );

/**
 * COMPLIANCE mode: nobody, the root included, disables the key, schedules its
 * deletion or replaces this policy (issue 19, part 3).
 */
const KEY_LOCK = {
  Sid: "NobodyDisablesDeletesOrUnlocksTheKey",
  Effect: "Deny",
  Principal: { AWS: "*" },
  Action: ["kms:DisableKey", "kms:PutKeyPolicy", "kms:ScheduleKeyDeletion"],
  Resource: "*",
};

const alarmSources = (home: Home) => `arn:${home.partition}:cloudwatch:${home.region}:${SEC}:alarm:*`;

/** SNS and S3 guides: kms:GenerateDataKey* and kms:Decrypt for the service, with aws:SourceAccount and aws:SourceArn. */
const serviceUsesKey = (sid: string, service: string, sourceArn: string) => ({
  Sid: sid,
  Effect: "Allow",
  Principal: { Service: service },
  Action: ["kms:Decrypt", "kms:GenerateDataKey*"],
  Resource: "*",
  Condition: { StringEquals: { "aws:SourceAccount": SEC }, ArnLike: { "aws:SourceArn": sourceArn } },
});

function notificationsKeyPolicy(home: Home, uses: { alarms: boolean; queue: boolean }) {
  return iamDocument(
    rootAdministersKey(home),
    ...(uses.alarms
      ? [serviceUsesKey("CloudWatchAlarmsPublishToTopic", "cloudwatch.amazonaws.com", alarmSources(home))]
      : []),
    ...(uses.queue ? [serviceUsesKey("S3NotifiesQueue", "s3.amazonaws.com", ARCHIVE)] : []),
  );
}

/** S3 user guide, server access logging: logging.s3.amazonaws.com, the log prefix only, for the source bucket and account. */
const accessLogsBucketPolicy = () =>
  iamDocument(
    {
      Sid: "S3ServerAccessLogDelivery",
      Effect: "Allow",
      Principal: { Service: "logging.s3.amazonaws.com" },
      Action: "s3:PutObject",
      Resource: `${ACCESS_LOGS}/archive/*`,
      Condition: { ArnLike: { "aws:SourceArn": ARCHIVE }, StringEquals: { "aws:SourceAccount": SEC } },
    },
    denyInsecureTransport(ACCESS_LOGS),
  );

/** CloudWatch alarms of this account and region publish; nobody else. */
const alarmTopicPolicy = (home: Home) =>
  iamDocument({
    Sid: "CloudWatchAlarmsOfThisAccount",
    Effect: "Allow",
    Principal: { Service: "cloudwatch.amazonaws.com" },
    Action: "sns:Publish",
    Resource: TOPIC,
    Condition: {
      StringEquals: { "aws:SourceAccount": SEC },
      ArnLike: { "aws:SourceArn": alarmSources(home) },
    },
  });

/** S3 user guide, notification destinations: sqs:SendMessage for this bucket of this account. */
const objectQueuePolicy = () =>
  iamDocument({
    Sid: "ArchiveBucketEvents",
    Effect: "Allow",
    Principal: { Service: "s3.amazonaws.com" },
    Action: "sqs:SendMessage",
    Resource: QUEUE,
    Condition: { ArnEquals: { "aws:SourceArn": ARCHIVE }, StringEquals: { "aws:SourceAccount": SEC } },
  });

/** CWLtoSubscriptionFilterRole as AWS documents it: logs.amazonaws.com, no condition (suppressed with a reason). */
const senderTrust = (principal: string) =>
  iamDocument({ Effect: "Allow", Principal: { Service: principal }, Action: "sts:AssumeRole" });

const senderPermissions = (resources: string[]) =>
  iamDocument({
    Sid: "ValidateSubscriptionsOfOwnLogGroups",
    Effect: "Allow",
    Action: "logs:PutLogEvents",
    Resource: resources,
  });

/** The account-level subscription document (not IAM): every log group, to the region's destination. */
const accountSubscription = (home: Home, region: string, roleArn?: string) => ({
  DestinationArn: `arn:${home.partition}:logs:${region}:${SEC}:destination:${DESTINATION}`,
  ...(roleArn ? { RoleArn: roleArn } : {}),
  FilterPattern: "",
  Distribution: "Random",
});

/** Terraform's S3 backend docs: the state object, its lock, ListBucket on the key, the key through S3. */
function stateRole(home: Home, bucket: string, keyPrefix: string, stack: string, kms: boolean) {
  const bucketArn = `arn:${home.partition}:s3:::${bucket}`;
  const key = `${keyPrefix}/${stack}.tfstate`;
  return iamDocument(
    {
      Sid: "ListOwnStateKey",
      Effect: "Allow",
      Action: "s3:ListBucket",
      Resource: bucketArn,
      Condition: { StringEquals: { "s3:prefix": key } },
    },
    {
      Sid: "ReadWriteOwnState",
      Effect: "Allow",
      Action: ["s3:GetObject", "s3:PutObject"],
      Resource: `${bucketArn}/${key}`,
    },
    {
      Sid: "LockOwnState",
      Effect: "Allow",
      Action: ["s3:DeleteObject", "s3:GetObject", "s3:PutObject"],
      Resource: `${bucketArn}/${key}.tflock`,
    },
    ...(kms
      ? [
          {
            Sid: "UseStateKeyThroughS3",
            Effect: "Allow",
            Action: ["kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey"],
            Resource: STATE_KEY,
            Condition: {
              StringEquals: {
                "kms:ViaService": `s3.${home.region}.amazonaws.com`,
                "kms:EncryptionContext:aws:s3:arn": bucketArn,
              },
            },
          },
        ]
      : []),
  );
}

const stateTrust = (home: Home, accountId: string) =>
  iamDocument({
    Sid: "ApplicationAccountAssumes",
    Effect: "Allow",
    Principal: { AWS: `arn:${home.partition}:iam::${accountId}:root` },
    Action: "sts:AssumeRole",
  });

/** The security stack's policies: `<type>.<id>.<attribute>` -> document. */
interface SecurityShape extends DeliveryShape {
  readonly home: Home;
  readonly destinations: Record<string, string>; // region -> destination policy logical id
  readonly access: (region: string) => Document;
  readonly sourceArns: string[];
  readonly accessLogs: boolean;
  readonly alarms: boolean;
  readonly queue: boolean;
  /** archive.objectLock COMPLIANCE: the archive key policy carries the lock. */
  readonly locked?: boolean;
}

function securityPolicies(shape: SecurityShape): Record<string, Document> {
  const { home } = shape;
  const logsPrincipal = home.partition === "aws-cn" ? "logs.amazonaws.com.cn" : "logs.amazonaws.com";
  // Both in every format: a locked key's policy can never change, so it must not follow delivery.format.
  const logGroups = [FIREHOSE_LOG_GROUP_NAME, PROCESSOR_LOG_GROUP_NAME];
  return {
    ...Object.fromEntries(
      Object.entries(shape.destinations).map(([region, id]) => [
        `aws_cloudwatch_log_destination_policy.${id}.access_policy`,
        shape.access(region),
      ]),
    ),
    "aws_iam_role.Delivery_Role_DD34AE81.assume_role_policy": firehoseTrust(),
    "aws_iam_role_policy.Delivery_RolePolicy_5F7A3933.policy": firehosePermissions(home, shape),
    "aws_iam_role.DestinationRole_5512639E.assume_role_policy": destinationTrust(
      logsPrincipal,
      shape.sourceArns,
    ),
    "aws_iam_role_policy.DestinationRole_RolePolicy_91E2B9B6.policy": destinationPermissions(),
    ...(shape.format === "events"
      ? {
          "aws_iam_role.Processor_Role_59F44976.assume_role_policy": processorTrust(),
          "aws_iam_role_policy.Processor_RolePolicy_A4F05023.policy": processorPermissions(),
        }
      : {}),
    "aws_kms_key.ArchiveKey_5C51534B.policy": archiveKeyPolicy(
      home,
      `logs.${home.region}.${home.partition === "aws-cn" ? "amazonaws.com.cn" : "amazonaws.com"}`,
      logGroups,
      shape.locked,
    ),
    "aws_kms_key.StreamKey_053B4889.policy": iamDocument(rootAdministersKey(home)),
    ...(shape.alarms || shape.queue
      ? { "aws_kms_key.NotificationsKey_1DC6809C.policy": notificationsKeyPolicy(home, shape) }
      : {}),
    ...(shape.accessLogs
      ? { "aws_s3_bucket_policy.AccessLogs_Policy_3C1D984A.policy": accessLogsBucketPolicy() }
      : {}),
    "aws_s3_bucket_policy.Archive_Policy_A09DB26D.policy": iamDocument(denyInsecureTransport(ARCHIVE)),
    // Search is on by default with the events format: the results key (root only) and TLS-only results bucket.
    ...(shape.format === "events"
      ? {
          "aws_kms_key.SearchResultsKey_0005A591.policy": iamDocument(rootAdministersKey(home)),
          "aws_s3_bucket_policy.SearchResults_Policy_0A222C6F.policy": iamDocument(
            denyInsecureTransport(SEARCH_RESULTS),
          ),
        }
      : {}),
    ...(shape.alarms
      ? { "aws_sns_topic_policy.AlarmTopic_Policy_3A97F6C2.policy": alarmTopicPolicy(home) }
      : {}),
    ...(shape.queue
      ? { "aws_sqs_queue_policy.ObjectNotifications_Policy_3EF3847D.policy": objectQueuePolicy() }
      : {}),
  };
}

function statePolicies(
  home: Home,
  bucket: string,
  keyPrefix: string,
  roles: Record<string, { accountId: string; role: string; policy: string }>,
  kms: boolean,
): Record<string, Document> {
  const policies: Record<string, Document> = {};
  for (const [stack, { accountId, role, policy }] of Object.entries(roles)) {
    policies[`aws_iam_role.${role}.assume_role_policy`] = stateTrust(home, accountId);
    policies[`aws_iam_role_policy.${policy}.policy`] = stateRole(home, bucket, keyPrefix, stack, kms);
  }
  if (kms) policies["aws_kms_key.StateKey_D2B02354.policy"] = iamDocument(rootAdministersKey(home));
  policies["aws_s3_bucket_policy.StateBucket_Policy_AE4F6A9E.policy"] = iamDocument(
    denyInsecureTransport(STATE_BUCKET),
  );
  return policies;
}

const STATE_ROLES = {
  "payments-prod": {
    accountId: PAY,
    role: "StateAccess_payments-prod_Role_60F15FAA",
    policy: "StateAccess_payments-prod_RolePolicy_20D3E5A4",
  },
  "web-prod": {
    accountId: WEB,
    role: "StateAccess_web-prod_Role_6BB6662C",
    policy: "StateAccess_web-prod_RolePolicy_BBC2B6F6",
  },
};

const BASE_DESTINATIONS = {
  "eu-west-1": "Destination_eu-west-1_AccessPolicy_FD97115B",
  "us-east-1": "Destination_us-east-1_AccessPolicy_52A9F3C1",
};

/** baseConfig(): payments ships from us-east-1 and eu-west-1, web from us-east-1 with allLogGroups. */
const BASE_SECURITY: SecurityShape = {
  home: US_EAST_1,
  format: "events",
  destinations: BASE_DESTINATIONS,
  access: (region) =>
    destinationAccess(US_EAST_1, region, { accounts: region === "us-east-1" ? [PAY, WEB] : [PAY] }, true),
  sourceArns: [
    `arn:aws:logs:eu-west-1:${SEC}:*`,
    `arn:aws:logs:eu-west-1:${PAY}:*`,
    `arn:aws:logs:us-east-1:${SEC}:*`,
    `arn:aws:logs:us-east-1:${PAY}:*`,
    `arn:aws:logs:us-east-1:${WEB}:*`,
  ],
  accessLogs: true,
  alarms: false,
  queue: false,
};

const BASE_WEB = {
  "aws_cloudwatch_log_account_policy.Subscriptions_us-east-1_AccountPolicy_6D5F27B5.policy_document":
    accountSubscription(US_EAST_1, "us-east-1"),
};

interface Scenario {
  readonly config: () => Record<string, any>;
  readonly expected: Record<string, Record<string, Document>>;
}

const SCENARIOS: Record<string, Scenario> = {
  "account lists, events format, access logs (baseConfig)": {
    config: baseConfig,
    expected: {
      security: securityPolicies(BASE_SECURITY),
      "payments-prod": {},
      "web-prod": BASE_WEB,
    },
  },
  "events format with the source record backup (delivery.keepSource)": {
    config: () => ({ ...baseConfig(), delivery: { keepSource: true } }),
    expected: {
      security: securityPolicies({ ...BASE_SECURITY, keepSource: true }),
      "payments-prod": {},
      "web-prod": BASE_WEB,
    },
  },
  "raw format: no processor, raw/ instead of events/, one encrypted log group": {
    config: () => ({ ...baseConfig(), delivery: { format: "raw" } }),
    expected: {
      security: securityPolicies({ ...BASE_SECURITY, format: "raw" }),
      "payments-prod": {},
      "web-prod": BASE_WEB,
    },
  },
  "no account uses allLogGroups, no access logs: no PutAccountPolicy, no log-bucket policy": {
    config: () => {
      const config = baseConfig();
      delete config.accounts[1].allLogGroups;
      config.archive = { accessLogs: false };
      return config;
    },
    expected: {
      security: securityPolicies({
        ...BASE_SECURITY,
        access: (region) =>
          destinationAccess(
            US_EAST_1,
            region,
            { accounts: region === "us-east-1" ? [PAY, WEB] : [PAY] },
            false,
          ),
        accessLogs: false,
      }),
      "payments-prod": {},
      "web-prod": {},
    },
  },
  "organization mode, three regions, alarms, SQS notifications, bootstrapped KMS state (fullConfig)": {
    config: fullConfig,
    expected: {
      state: statePolicies(US_EAST_1, "tf-state-bucket", "seclog", STATE_ROLES, true),
      security: securityPolicies({
        home: US_EAST_1,
        format: "events",
        destinations: {
          "ap-southeast-2": "Destination_ap-southeast-2_AccessPolicy_537EB14B",
          ...BASE_DESTINATIONS,
        },
        access: (region) => destinationAccess(US_EAST_1, region, { organization: "o-a1b2c3d4e5" }, true),
        // Senders are not known in advance: any account, in the regions that have a destination.
        sourceArns: [
          "arn:aws:logs:ap-southeast-2:*:*",
          "arn:aws:logs:eu-west-1:*:*",
          "arn:aws:logs:us-east-1:*:*",
        ],
        accessLogs: true,
        alarms: true,
        queue: true,
        // fullConfig locks the archive in COMPLIANCE mode.
        locked: true,
      }),
      "payments-prod": {
        "aws_iam_role.SenderRole_5B8E7289.assume_role_policy": senderTrust("logs.amazonaws.com"),
        "aws_iam_role_policy.SenderRole_RolePolicy_C226F21C.policy": senderPermissions([
          `arn:aws:logs:us-east-1:${PAY}:log-group:/app/payments/security:*`,
          `arn:aws:logs:us-east-1:${PAY}:log-group:/var/log/messages:*`,
          `arn:aws:logs:eu-west-1:${PAY}:log-group:/app/payments/security:*`,
          `arn:aws:logs:eu-west-1:${PAY}:log-group:/var/log/messages:*`,
        ]),
      },
      "web-prod": {
        "aws_cloudwatch_log_account_policy.Subscriptions_ap-southeast-2_AccountPolicy_89CE87C3.policy_document":
          accountSubscription(US_EAST_1, "ap-southeast-2", SENDER_ROLE),
        "aws_cloudwatch_log_account_policy.Subscriptions_us-east-1_AccountPolicy_6D5F27B5.policy_document":
          accountSubscription(US_EAST_1, "us-east-1", SENDER_ROLE),
        "aws_iam_role.SenderRole_5B8E7289.assume_role_policy": senderTrust("logs.amazonaws.com"),
        // With allLogGroups the account policy subscribes every log group of each region it ships from.
        "aws_iam_role_policy.SenderRole_RolePolicy_C226F21C.policy": senderPermissions([
          `arn:aws:logs:us-east-1:${WEB}:log-group:*`,
          `arn:aws:logs:ap-southeast-2:${WEB}:log-group:*`,
        ]),
      },
    },
  },
  "alarms without SQS notifications, bootstrapped SSE-S3 state": {
    config: () => {
      const config = baseConfig();
      config.alarms = {};
      config.state = {
        backend: "s3",
        s3: { bucket: "acme-tf-state", region: "eu-west-1", bootstrap: true, encryption: "sse-s3" },
      };
      return config;
    },
    expected: {
      state: statePolicies(
        { partition: "aws", region: "eu-west-1" },
        "acme-tf-state",
        "secops",
        STATE_ROLES,
        false,
      ),
      security: securityPolicies({ ...BASE_SECURITY, alarms: true }),
      "payments-prod": {},
      "web-prod": BASE_WEB,
    },
  },
  "SQS notifications without alarms": {
    config: () => ({ ...baseConfig(), notifications: { sqs: true } }),
    expected: {
      security: securityPolicies({ ...BASE_SECURITY, queue: true }),
      "payments-prod": {},
      "web-prod": BASE_WEB,
    },
  },
  "AWS China (chinaConfig): aws-cn ARNs, the China CloudWatch Logs principals": {
    config: chinaConfig,
    expected: {
      state: statePolicies(
        CN_NORTH_1,
        "tf-state-bucket-cn",
        "seclog",
        { "payments-prod": STATE_ROLES["payments-prod"] },
        true,
      ),
      security: securityPolicies({
        home: CN_NORTH_1,
        format: "events",
        destinations: {
          "cn-north-1": "Destination_cn-north-1_AccessPolicy_5FBBA7BA",
          "cn-northwest-1": "Destination_cn-northwest-1_AccessPolicy_80419FD7",
        },
        access: (region) => destinationAccess(CN_NORTH_1, region, { organization: "o-a1b2c3d4e5" }, false),
        sourceArns: ["arn:aws-cn:logs:cn-north-1:*:*", "arn:aws-cn:logs:cn-northwest-1:*:*"],
        accessLogs: true,
        alarms: true,
        queue: true,
      }),
      "payments-prod": {
        "aws_iam_role.SenderRole_5B8E7289.assume_role_policy": senderTrust("logs.amazonaws.com.cn"),
        "aws_iam_role_policy.SenderRole_RolePolicy_C226F21C.policy": senderPermissions([
          `arn:aws-cn:logs:cn-north-1:${PAY}:log-group:/var/log/messages:*`,
          `arn:aws-cn:logs:cn-northwest-1:${PAY}:log-group:/var/log/messages:*`,
        ]),
      },
    },
  },
};

/**
 * Resource types that grant or bind permissions. Each stack holds exactly the
 * ones its policies above live on: an `aws_iam_policy`, a managed-policy
 * attachment, a KMS grant or a Lambda permission would grant outside them.
 */
const PERMISSION_TYPE = /iam|policy|permission|grant/;

function permissionTypesOf(stack: StackJson): string[] {
  return Object.keys(stack.resource)
    .filter((type) => PERMISSION_TYPE.test(type))
    .sort();
}

function typesOf(policies: Record<string, Document>): string[] {
  const types = new Set(Object.keys(policies).map((key) => key.split(".")[0]));
  return [...types].filter((type) => PERMISSION_TYPE.test(type)).sort();
}

/** Synthesized on first use inside a test, so a run that stops at the first failure synthesizes only what it read. */
function once<T>(make: () => T): () => T {
  let value: T | undefined;
  return () => (value ??= make());
}

describe.each(Object.entries(SCENARIOS))("%s", (_name, scenario) => {
  const synthesized = once(() => synthStacks(scenario.config()));

  test("the stacks, and for each exactly the expected policy-bearing resources and permission types", () => {
    const stacks = synthesized();
    expect(Object.keys(stacks).sort()).toEqual(Object.keys(scenario.expected).sort());
    for (const [name, expected] of Object.entries(scenario.expected)) {
      expect([name, Object.keys(policiesOf(stacks[name])).sort()]).toEqual([
        name,
        Object.keys(expected).sort(),
      ]);
      expect([name, permissionTypesOf(stacks[name])]).toEqual([name, typesOf(expected)]);
    }
  });

  test.each(
    Object.entries(scenario.expected).flatMap(([name, expected]) =>
      Object.keys(expected).map((key): [string, string] => [name, key]),
    ),
  )("%s: %s, whole", (name, key) => {
    const actual = policiesOf(synthesized()[name])[key];
    expect(actual && sortedActions(actual)).toStrictEqual(sortedActions(scenario.expected[name][key]));
  });
});

describe("the survivors this file exists to kill", () => {
  test("one more action (s3:PutLifecycleConfiguration, which could expire the archive) is not the expected document", () => {
    const firehose = policiesOf(synthStacks(baseConfig()).security)[
      "aws_iam_role_policy.Delivery_RolePolicy_5F7A3933.policy"
    ];
    const widened = {
      ...firehose,
      Statement: firehose.Statement.map((s: Document) =>
        s.Sid === "LocateBucket" ? { ...s, Action: [...s.Action, "s3:PutLifecycleConfiguration"] } : s,
      ),
    };
    expect(sortedActions(widened)).not.toStrictEqual(
      sortedActions(firehosePermissions(US_EAST_1, { format: "events" })),
    );
    expect(sortedActions(firehose)).toStrictEqual(
      sortedActions(firehosePermissions(US_EAST_1, { format: "events" })),
    );
  });

  test("a TLS deny naming the bucket instead of its ARN is not the expected document", () => {
    const byName = iamDocument({
      ...denyInsecureTransport(ARCHIVE),
      Resource: [
        "${aws_s3_bucket.Archive_Bucket_DB32D495.bucket}",
        "${aws_s3_bucket.Archive_Bucket_DB32D495.bucket}/*",
      ],
    });
    expect(byName).not.toStrictEqual(iamDocument(denyInsecureTransport(ARCHIVE)));
  });

  test("a policy attribute that is not JSON cannot pass unread", () => {
    const unreadable: StackJson = {
      provider: { aws: [] },
      terraform: {},
      resource: { aws_iam_role_policy: { Broken: { policy: '${jsonencode({"Statement" = []})}' } } },
    };
    expect(() => policiesOf(unreadable)).toThrow(/aws_iam_role_policy\.Broken\.policy does not parse/);
    const nested: StackJson = {
      provider: { aws: [] },
      terraform: {},
      resource: { aws_x: { Y: { block: [{ inline: '{"Statement":[{"Effect":"Allow"}]}' }] } } },
    };
    expect(Object.keys(policiesOf(nested))).toEqual(["aws_x.Y.block[0].inline"]);
  });
});
