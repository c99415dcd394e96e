import { baseConfig, fullConfig, PAYMENTS_ACCOUNT, SECURITY_ACCOUNT, WEB_ACCOUNT } from "./support/fixtures";
import { denyInsecureTransport } from "./support/policies";
import {
  onlyResource,
  policyOf,
  resourceUnder,
  resourcesOf,
  StackJson,
  statement,
  synthStacks,
} from "./support/synth";

/** The outputs of the default config (two regions, search on): every config has these. */
const DEFAULT_OUTPUTS = {
  archive_bucket: {
    description: "S3 bucket holding the log archive",
    value: "${aws_s3_bucket.Archive_Bucket_DB32D495.bucket}",
  },
  destination_arn_eu_west_1: {
    description: "CloudWatch Logs destination for log groups in eu-west-1",
    value: "${aws_cloudwatch_log_destination.Destination_eu-west-1_Destination_D6A86C2B.arn}",
  },
  destination_arn_us_east_1: {
    description: "CloudWatch Logs destination for log groups in us-east-1",
    value: "${aws_cloudwatch_log_destination.Destination_us-east-1_Destination_FAC68DA1.arn}",
  },
  search_workgroup: {
    description: "Athena workgroup of the saved hunts (npm run query)",
    value: "${aws_athena_workgroup.SearchWorkgroup_211BDC4A.name}",
  },
  stream_arn: {
    description: "Kinesis stream every destination writes to",
    value: "${aws_kinesis_stream.Stream_FBE79EEE.arn}",
  },
};

describe("security stack, default options", () => {
  const stack = synthStacks(baseConfig()).security;

  test("one aliased provider per destination region, pinned to the security account", () => {
    const providers = stack.provider.aws;
    expect(providers.map((p) => p.region).sort()).toEqual(["eu-west-1", "us-east-1"]);
    for (const provider of providers) {
      expect(provider.alias).toBe(provider.region.replace(/-/g, "_"));
      expect(provider.allowed_account_ids).toEqual([SECURITY_ACCOUNT]);
      expect(provider.assume_role).toBeUndefined();
      expect(provider.default_tags).toEqual([{ tags: { owner: "security" } }]);
    }
  });

  test("every resource is bound to an aliased provider (no implicit default provider)", () => {
    for (const [type, instances] of Object.entries(stack.resource)) {
      for (const [id, body] of Object.entries(instances)) {
        expect({ resource: `${type}.${id}`, provider: body.provider }).toEqual({
          resource: `${type}.${id}`,
          provider: expect.stringMatching(/^aws\.[a-z0-9_]+$/),
        });
      }
    }
  });

  test("KMS keys rotate, wait 30 days before deletion, only root holds kms:*, and the keys of stored data cannot be destroyed", () => {
    const keys = resourcesOf(stack, "aws_kms_key");
    // The search results key encrypts only expiring copies of archive rows: it goes when search is turned off.
    expect(Object.fromEntries(keys.map(([id, key]) => [id, key.lifecycle]))).toEqual({
      ArchiveKey_5C51534B: { prevent_destroy: true },
      StreamKey_053B4889: { prevent_destroy: true },
      SearchResultsKey_0005A591: { prevent_destroy: false },
    });
    for (const [, key] of keys) {
      expect(key.enable_key_rotation).toBe(true);
      expect(key.deletion_window_in_days).toBe(30);
      const wildcard = policyOf(key.policy).Statement.filter((s) =>
        [s.Action].flat().some((a: string) => a === "kms:*" || a === "*"),
      );
      // Whole statements (each key's full policy: policies-exact.test.ts).
      expect(wildcard).toStrictEqual([
        {
          Sid: "AccountRootAdministersKey",
          Effect: "Allow",
          Principal: { AWS: `arn:aws:iam::${SECURITY_ACCOUNT}:root` },
          Action: "kms:*",
          Resource: "*",
        },
      ]);
    }
    const aliases = resourcesOf(stack, "aws_kms_alias")
      .map(([, a]) => a.name)
      .sort();
    expect(aliases).toEqual(["alias/secops-archive", "alias/secops-search-results", "alias/secops-stream"]);
  });

  test("archive bucket: private, owner-enforced, versioned, SSE-KMS with bucket key, undeletable", () => {
    const bucket = resourceUnder(stack, "aws_s3_bucket", "Archive_");
    expect(bucket.bucket).toBe(`secops-security-logs-${SECURITY_ACCOUNT}`);
    expect(bucket.lifecycle).toEqual({ prevent_destroy: true });
    expect(bucket.force_destroy).toBe(false);
    expect(bucket.object_lock_enabled).toBeUndefined();
    const pab = resourceUnder(stack, "aws_s3_bucket_public_access_block", "Archive_");
    expect([
      pab.block_public_acls,
      pab.block_public_policy,
      pab.ignore_public_acls,
      pab.restrict_public_buckets,
    ]).toEqual([true, true, true, true]);
    expect(resourceUnder(stack, "aws_s3_bucket_ownership_controls", "Archive_").rule).toEqual({
      object_ownership: "BucketOwnerEnforced",
    });
    expect(resourceUnder(stack, "aws_s3_bucket_versioning", "Archive_").versioning_configuration.status).toBe(
      "Enabled",
    );
    const [rule] = resourceUnder(
      stack,
      "aws_s3_bucket_server_side_encryption_configuration",
      "Archive_",
    ).rule;
    expect(rule.apply_server_side_encryption_by_default.sse_algorithm).toBe("aws:kms");
    expect(rule.apply_server_side_encryption_by_default.kms_master_key_id).toMatch(
      /^\$\{aws_kms_key\.ArchiveKey_[0-9A-F]+\.arn\}$/,
    );
    expect(rule.bucket_key_enabled).toBe(true);
    expect(resourcesOf(stack, "aws_s3_bucket_object_lock_configuration")).toHaveLength(0);
  });

  test("bucket policy denies any request without TLS, on the bucket and its objects", () => {
    const policy = policyOf(resourceUnder(stack, "aws_s3_bucket_policy", "Archive_").policy);
    expect(statement(policy, "DenyInsecureTransport")).toEqual(
      denyInsecureTransport("${aws_s3_bucket.Archive_Bucket_DB32D495.arn}"),
    );
    expect(resourceUnder(stack, "aws_s3_bucket_policy", "Archive_").depends_on).toEqual([
      expect.stringMatching(/^aws_s3_bucket_public_access_block\./),
    ]);
  });

  test("lifecycle: Glacier after 90 days for current and noncurrent versions, objects under 128 KB stay in Standard, no expiry by default", () => {
    expect(lifecycleBodies(stack)).toEqual(expectedLifecycles({ glacierAfterDays: 90 }));
  });

  test("Kinesis stream: KMS-encrypted with the stream key, on-demand without shards, 168 h retention", () => {
    const stream = onlyResource(stack, "aws_kinesis_stream");
    expect(stream.name).toBe("secops-security-logs");
    expect(stream.encryption_type).toBe("KMS");
    expect(stream.kms_key_id).toMatch(/^\$\{aws_kms_key\.StreamKey_[0-9A-F]+\.arn\}$/);
    expect(stream.stream_mode_details).toEqual({ stream_mode: "ON_DEMAND" });
    expect(stream.shard_count).toBeUndefined();
    expect(stream.retention_period).toBe(168);
  });

  test("Firehose reads the stream, has no SSE of its own, and logs errors to an encrypted log group", () => {
    const firehose = onlyResource(stack, "aws_kinesis_firehose_delivery_stream");
    expect(firehose.destination).toBe("extended_s3");
    // A replacement overlaps the old stream, which drains its buffer before it goes (modules/delivery.ts).
    expect(firehose.lifecycle).toEqual({ create_before_destroy: true });
    expect(firehose.provisioner).toEqual([
      {
        "local-exec": {
          when: "destroy",
          command: "sleep $(( ${self.extended_s3_configuration[0].buffering_interval} + 120 ))",
        },
      },
    ]);
    // Without keepSource, only the delivery's own error log stream.
    expect(resourcesOf(stack, "aws_cloudwatch_log_stream").map(([, s]) => s.name)).toEqual([
      "DestinationDelivery",
    ]);
    expect(firehose.server_side_encryption).toBeUndefined();
    expect(firehose.kinesis_source_configuration.kinesis_stream_arn).toMatch(/aws_kinesis_stream\.Stream_/);
    const s3 = firehose.extended_s3_configuration;
    expect(s3.kms_key_arn).toMatch(/aws_kms_key\.ArchiveKey_/);
    expect(s3.error_output_prefix).toBe(
      "errors/!{firehose:error-output-type}/!{timestamp:yyyy}/!{timestamp:MM}/!{timestamp:dd}/!{timestamp:HH}/",
    );
    expect([s3.buffering_interval, s3.buffering_size]).toEqual([300, 64]);
    expect(s3.cloudwatch_logging_options.enabled).toBe(true);
    expect(firehose.depends_on).toEqual([expect.stringMatching(/^aws_iam_role_policy\.Delivery_RolePolicy/)]);
    const logGroup = resourcesOf(stack, "aws_cloudwatch_log_group")
      .map(([, g]) => g)
      .find((g) => g.name === "/aws/kinesisfirehose/secops-security-logs")!;
    expect(logGroup).toEqual({
      provider: "aws.us_east_1",
      name: "/aws/kinesisfirehose/secops-security-logs",
      kms_key_id: expect.stringMatching(/^\$\{aws_kms_key\.ArchiveKey_[0-9A-F]+\.arn\}$/),
      // Delivery's errorLogRetentionDays default: a year of Firehose's own errors.
      retention_in_days: 365,
    });
  });

  test("events format (default): the processor Lambda unpacks records and gzips each, Firehose partitions by delivery hour, account and log group (the layout the search tables project) and writes the members uncompressed", () => {
    const s3 = onlyResource(stack, "aws_kinesis_firehose_delivery_stream").extended_s3_configuration;
    expect(s3.prefix).toBe(
      "events/!{timestamp:yyyy}/!{timestamp:MM}/!{timestamp:dd}/!{timestamp:HH}/account=!{partitionKeyFromLambda:account}/logGroup=!{partitionKeyFromLambda:logGroup}/",
    );
    // The processor's records are gzip members already: compressing again would make .gz of .gz.
    expect(s3.compression_format).toBe("UNCOMPRESSED");
    expect(s3.file_extension).toBe(".ndjson.gz");
    expect(s3.dynamic_partitioning_configuration).toEqual({ enabled: true });
    expect(s3.buffering_size).toBeGreaterThanOrEqual(64);
    const [processor] = s3.processing_configuration.processors;
    expect(s3.processing_configuration.enabled).toBe(true);
    expect(processor.type).toBe("Lambda");
    expect(
      Object.fromEntries(processor.parameters.map((p: any) => [p.parameter_name, p.parameter_value])),
    ).toEqual({
      LambdaArn: expect.stringMatching(
        /^\$\{aws_lambda_function\.Processor_Function_[0-9A-F]+\.arn\}:\$LATEST$/,
      ),
      BufferSizeInMBs: "0.2",
    });
  });

  test("processor Lambda: bundled code, no VPC, no reserved concurrency unless configured, its own log group with retention first", () => {
    // The whole function: no vpc_config, and no reserved_concurrent_executions (Lambda refuses a
    // reservation that leaves the account fewer than 100 unreserved). Graviton (arm64) is cheaper per
    // GB-second for the same Node.js code; 60 s is well under Firehose's 5-minute invocation limit.
    expect(onlyResource(stack, "aws_lambda_function")).toEqual({
      provider: "aws.us_east_1",
      function_name: "secops-logs-processor",
      description: "Unpacks CloudWatch Logs records into NDJSON for Firehose",
      role: "${aws_iam_role.Processor_Role_59F44976.arn}",
      runtime: "nodejs22.x",
      architectures: ["arm64"],
      handler: "index.handler",
      filename: expect.stringMatching(/^assets\/Processor_Code_[0-9A-F]+\/[0-9A-F]+\/[0-9a-f]{64}\.zip$/),
      source_code_hash: expect.stringMatching(/^[A-Za-z0-9+/]{43}=$/),
      memory_size: 512,
      timeout: 60,
      environment: { variables: { METRIC_NAMESPACE: "SecLog/secops" } },
      depends_on: [
        "aws_cloudwatch_log_group.Processor_LogGroup_B3034378",
        "aws_iam_role_policy.Processor_RolePolicy_A4F05023",
      ],
    });
    const logGroup = resourcesOf(stack, "aws_cloudwatch_log_group")
      .map(([, g]) => g)
      .find((g) => g.name === "/aws/lambda/secops-logs-processor")!;
    expect(logGroup.retention_in_days).toBe(365);
    expect(logGroup.kms_key_id).toMatch(/aws_kms_key\.ArchiveKey_/);
    const role = roleNamed(stack, "secops-logs-processor");
    expect(policyOf(role.assume_role_policy).Statement[0].Principal).toEqual({
      Service: "lambda.amazonaws.com",
    });
    expect(policyOf(rolePolicyFor(stack, "Processor_Role").policy).Statement).toEqual([
      {
        Sid: "WriteOwnLogs",
        Effect: "Allow",
        Action: ["logs:CreateLogStream", "logs:PutLogEvents"],
        Resource: expect.stringMatching(
          /^\$\{aws_cloudwatch_log_group\.Processor_LogGroup_[0-9A-F]+\.arn\}:\*$/,
        ),
      },
    ]);
  });

  test("delivery.processorConcurrency reserves exactly that concurrency for the processor", () => {
    const config = baseConfig();
    config.delivery = { processorConcurrency: 25 };
    const fn = onlyResource(synthStacks(config).security, "aws_lambda_function");
    expect(fn.reserved_concurrent_executions).toBe(25);
  });

  test("the archive key lets CloudWatch Logs encrypt exactly the Firehose and processor log groups", () => {
    const key = resourcesOf(stack, "aws_kms_key").find(([id]) => id.startsWith("ArchiveKey"))![1];
    expect(statement(policyOf(key.policy), "CloudWatchLogsEncryptsLogGroup").Condition).toEqual({
      ArnEquals: {
        "kms:EncryptionContext:aws:logs:arn": [
          `arn:aws:logs:us-east-1:${SECURITY_ACCOUNT}:log-group:/aws/kinesisfirehose/secops-security-logs`,
          `arn:aws:logs:us-east-1:${SECURITY_ACCOUNT}:log-group:/aws/lambda/secops-logs-processor`,
        ],
      },
    });
  });

  test("raw format: valid .gz objects without double compression, no processor", () => {
    const config = baseConfig();
    config.delivery = { format: "raw" };
    const raw = synthStacks(config).security;
    const s3 = onlyResource(raw, "aws_kinesis_firehose_delivery_stream").extended_s3_configuration;
    expect(s3.prefix).toBe("raw/!{timestamp:yyyy}/!{timestamp:MM}/!{timestamp:dd}/!{timestamp:HH}/");
    expect(s3.compression_format).toBe("UNCOMPRESSED");
    expect(s3.file_extension).toBe(".gz");
    expect(s3.processing_configuration).toBeUndefined();
    expect(s3.dynamic_partitioning_configuration).toBeUndefined();
    expect(resourcesOf(raw, "aws_lambda_function")).toHaveLength(0);
    const permissions = policyOf(rolePolicyFor(raw, "Delivery_Role").policy);
    expect(statement(permissions, "WriteArchiveObjects").Resource).toEqual([
      expect.stringMatching(/\.arn\}\/raw\/\*$/),
      expect.stringMatching(/\.arn\}\/errors\/\*$/),
    ]);
    expect(permissions.Statement.map((s) => s.Sid)).not.toContain("InvokeProcessor");
  });

  test("Firehose role: trusted by firehose.amazonaws.com for this account's external id only, never deletes", () => {
    const role = roleNamed(stack, "secops-logs-firehose");
    expect(policyOf(role.assume_role_policy).Statement).toEqual([
      {
        Effect: "Allow",
        Principal: { Service: "firehose.amazonaws.com" },
        Action: "sts:AssumeRole",
        Condition: { StringEquals: { "sts:ExternalId": SECURITY_ACCOUNT } },
      },
    ]);
    const permissions = policyOf(rolePolicyFor(stack, "Delivery_Role").policy);
    // The exact allow-list per statement: a new action (s3:PutLifecycleConfiguration could expire the
    // archive) fails here, not only one with a wildcard or Delete in it.
    expect(
      Object.fromEntries(permissions.Statement.map((s) => [s.Sid, [s.Action].flat().sort()])),
    ).toStrictEqual({
      ReadSourceStream: [
        "kinesis:DescribeStream",
        "kinesis:GetRecords",
        "kinesis:GetShardIterator",
        "kinesis:ListShards",
      ],
      DecryptSourceStream: ["kms:Decrypt"],
      LocateBucket: ["s3:GetBucketLocation", "s3:ListBucket", "s3:ListBucketMultipartUploads"],
      WriteArchiveObjects: ["s3:AbortMultipartUpload", "s3:GetObject", "s3:PutObject"],
      EncryptArchiveObjects: ["kms:Decrypt", "kms:GenerateDataKey"],
      LogDeliveryErrors: ["logs:PutLogEvents"],
      InvokeProcessor: ["lambda:GetFunctionConfiguration", "lambda:InvokeFunction"],
    });
    expect(statement(permissions, "WriteArchiveObjects").Resource).toEqual([
      expect.stringMatching(/\.arn\}\/events\/\*$/),
      expect.stringMatching(/\.arn\}\/errors\/\*$/),
    ]);
    expect(statement(permissions, "InvokeProcessor")).toEqual({
      Sid: "InvokeProcessor",
      Effect: "Allow",
      Action: ["lambda:InvokeFunction", "lambda:GetFunctionConfiguration"],
      Resource: [
        expect.stringMatching(/^\$\{aws_lambda_function\.Processor_Function_[0-9A-F]+\.arn\}$/),
        expect.stringMatching(/^\$\{aws_lambda_function\.Processor_Function_[0-9A-F]+\.arn\}:\*$/),
      ],
    });
    expect(statement(permissions, "EncryptArchiveObjects").Condition.StringEquals).toEqual({
      "kms:ViaService": "s3.us-east-1.amazonaws.com",
    });
    expect(statement(permissions, "DecryptSourceStream").Condition.StringEquals).toEqual({
      "kms:ViaService": "kinesis.us-east-1.amazonaws.com",
    });
    for (const s of permissions.Statement) expect(s.Resource).not.toBe("*");
  });

  describe("delivery.keepSource: Firehose's source record backup", () => {
    const BUCKET = "${aws_s3_bucket.Archive_Bucket_DB32D495.arn}";
    const LOG_GROUP = "${aws_cloudwatch_log_group.Delivery_ErrorLogGroup_72A528FB";
    const PROCESSOR = "${aws_lambda_function.Processor_Function_BE9FBF91.arn}";
    const DATE_PATH = "!{timestamp:yyyy}/!{timestamp:MM}/!{timestamp:dd}/!{timestamp:HH}/";
    /** The Firehose role's statements; `extra` are the object ARNs beyond events/ and errors/. */
    const firehoseStatements = (extra: string[]) => [
      {
        Sid: "ReadSourceStream",
        Effect: "Allow",
        Action: [
          "kinesis:DescribeStream",
          "kinesis:GetShardIterator",
          "kinesis:GetRecords",
          "kinesis:ListShards",
        ],
        Resource: "${aws_kinesis_stream.Stream_FBE79EEE.arn}",
      },
      {
        Sid: "DecryptSourceStream",
        Effect: "Allow",
        Action: "kms:Decrypt",
        Resource: "${aws_kms_key.StreamKey_053B4889.arn}",
        Condition: {
          StringEquals: { "kms:ViaService": "kinesis.us-east-1.amazonaws.com" },
          StringLike: {
            "kms:EncryptionContext:aws:kinesis:arn": "${aws_kinesis_stream.Stream_FBE79EEE.arn}",
          },
        },
      },
      {
        Sid: "LocateBucket",
        Effect: "Allow",
        Action: ["s3:GetBucketLocation", "s3:ListBucket", "s3:ListBucketMultipartUploads"],
        Resource: BUCKET,
      },
      {
        Sid: "WriteArchiveObjects",
        Effect: "Allow",
        Action: ["s3:PutObject", "s3:GetObject", "s3:AbortMultipartUpload"],
        Resource: [`${BUCKET}/events/*`, `${BUCKET}/errors/*`, ...extra],
      },
      {
        Sid: "EncryptArchiveObjects",
        Effect: "Allow",
        Action: ["kms:GenerateDataKey", "kms:Decrypt"],
        Resource: "${aws_kms_key.ArchiveKey_5C51534B.arn}",
        Condition: {
          StringEquals: { "kms:ViaService": "s3.us-east-1.amazonaws.com" },
          StringLike: { "kms:EncryptionContext:aws:s3:arn": [BUCKET, `${BUCKET}/*`] },
        },
      },
      {
        Sid: "LogDeliveryErrors",
        Effect: "Allow",
        Action: "logs:PutLogEvents",
        Resource: `${LOG_GROUP}.arn}:log-stream:*`,
      },
      {
        Sid: "InvokeProcessor",
        Effect: "Allow",
        Action: ["lambda:InvokeFunction", "lambda:GetFunctionConfiguration"],
        Resource: [PROCESSOR, `${PROCESSOR}:*`],
      },
    ];
    const keeping = (() => {
      const config = baseConfig();
      config.delivery = { keepSource: true };
      return synthStacks(config).security;
    })();

    test("off by default: no backup, and the Firehose role writes only events/ and errors/", () => {
      const s3 = onlyResource(stack, "aws_kinesis_firehose_delivery_stream").extended_s3_configuration;
      expect([s3.s3_backup_mode, s3.s3_backup_configuration]).toEqual([undefined, undefined]);
      expect(policyOf(rolePolicyFor(stack, "Delivery_Role").policy).Statement).toEqual(
        firehoseStatements([]),
      );
      expect(resourcesOf(stack, "aws_cloudwatch_log_stream").map(([, s]) => s.name)).toEqual([
        "DestinationDelivery",
      ]);
    });

    test("on: every source record, as CloudWatch Logs sent it, to source/<date path> of the archive bucket with the archive key", () => {
      const s3 = onlyResource(keeping, "aws_kinesis_firehose_delivery_stream").extended_s3_configuration;
      expect(s3.s3_backup_mode).toBe("Enabled");
      expect(s3.s3_backup_configuration).toEqual({
        role_arn: "${aws_iam_role.Delivery_Role_DD34AE81.arn}",
        bucket_arn: BUCKET,
        kms_key_arn: "${aws_kms_key.ArchiveKey_5C51534B.arn}",
        prefix: `source/${DATE_PATH}`,
        error_output_prefix: `errors/source-backup/!{firehose:error-output-type}/${DATE_PATH}`,
        buffering_interval: 300,
        buffering_size: 64,
        compression_format: "UNCOMPRESSED",
        cloudwatch_logging_options: {
          enabled: true,
          log_group_name: `${LOG_GROUP}.name}`,
          log_stream_name: "BackupDelivery",
        },
      });
      // The events destination itself is unchanged.
      expect(s3.prefix).toBe(
        onlyResource(stack, "aws_kinesis_firehose_delivery_stream").extended_s3_configuration.prefix,
      );
      expect(
        resourcesOf(keeping, "aws_cloudwatch_log_stream")
          .map(([, s]) => s.name)
          .sort(),
      ).toEqual(["BackupDelivery", "DestinationDelivery"]);
    });

    test("on: the Firehose role may also write source/*, and nothing more", () => {
      expect(policyOf(rolePolicyFor(keeping, "Delivery_Role").policy).Statement).toEqual(
        firehoseStatements([`${BUCKET}/source/*`]),
      );
    });
  });

  test("one destination per region, all targeting the stream, created only after the role can write", () => {
    const destinations = resourcesOf(stack, "aws_cloudwatch_log_destination").map(([, d]) => d);
    expect(destinations.map((d) => d.provider).sort()).toEqual(["aws.eu_west_1", "aws.us_east_1"]);
    for (const destination of destinations) {
      expect(destination.name).toBe("secops-security-logs");
      expect(destination.target_arn).toMatch(/^\$\{aws_kinesis_stream\.Stream_[0-9A-F]+\.arn\}$/);
      expect(destination.role_arn).toMatch(/aws_iam_role\.DestinationRole_/);
      expect(destination.depends_on).toEqual([
        expect.stringMatching(/^aws_iam_role_policy\.DestinationRole_RolePolicy/),
      ]);
    }
  });

  test("destination role: logs.amazonaws.com for the senders' and the recipient's source ARNs; PutRecord and GenerateDataKey only", () => {
    const role = roleNamed(stack, "secops-logs-destination");
    const [trust] = policyOf(role.assume_role_policy).Statement;
    expect(trust.Principal).toEqual({ Service: "logs.amazonaws.com" });
    expect(trust.Condition.StringLike["aws:SourceArn"]).toEqual([
      `arn:aws:logs:eu-west-1:${SECURITY_ACCOUNT}:*`,
      `arn:aws:logs:eu-west-1:${PAYMENTS_ACCOUNT}:*`,
      `arn:aws:logs:us-east-1:${SECURITY_ACCOUNT}:*`,
      `arn:aws:logs:us-east-1:${PAYMENTS_ACCOUNT}:*`,
      `arn:aws:logs:us-east-1:${WEB_ACCOUNT}:*`,
    ]);
    const permissions = policyOf(rolePolicyFor(stack, "DestinationRole").policy).Statement;
    expect(permissions.map((s) => [s.Action, s.Resource])).toEqual([
      ["kinesis:PutRecord", expect.stringMatching(/aws_kinesis_stream\.Stream_.*\.arn/)],
      ["kms:GenerateDataKey", expect.stringMatching(/aws_kms_key\.StreamKey_.*\.arn/)],
    ]);
  });

  test("destination policies admit exactly the accounts of their region, on their own ARN", () => {
    const policies = Object.fromEntries(
      resourcesOf(stack, "aws_cloudwatch_log_destination_policy").map(([, p]) => [
        p.provider,
        policyOf(p.access_policy).Statement,
      ]),
    );
    expect(policies["aws.us_east_1"]).toEqual([
      {
        Sid: "AllowSubscribers",
        Effect: "Allow",
        Principal: { AWS: [PAYMENTS_ACCOUNT, WEB_ACCOUNT] },
        Action: ["logs:PutSubscriptionFilter", "logs:PutAccountPolicy"],
        Resource: `arn:aws:logs:us-east-1:${SECURITY_ACCOUNT}:destination:secops-security-logs`,
      },
    ]);
    // force_update is for replacing an account list with the organization (PutDestinationPolicy
    // forceUpdate); with an account list it stays off.
    for (const [, p] of resourcesOf(stack, "aws_cloudwatch_log_destination_policy"))
      expect(p.force_update).toBe(false);
    expect(policies["aws.eu_west_1"][0].Principal).toEqual({ AWS: [PAYMENTS_ACCOUNT] });
    expect(policies["aws.eu_west_1"][0].Resource).toBe(
      `arn:aws:logs:eu-west-1:${SECURITY_ACCOUNT}:destination:secops-security-logs`,
    );
  });

  test("PutAccountPolicy is granted only when some account uses allLogGroups", () => {
    const config = baseConfig();
    delete config.accounts[1].allLogGroups;
    const security = synthStacks(config).security;
    for (const [, p] of resourcesOf(security, "aws_cloudwatch_log_destination_policy")) {
      expect(policyOf(p.access_policy).Statement[0].Action).toEqual(["logs:PutSubscriptionFilter"]);
    }
  });

  test("outputs: bucket name, stream ARN, one destination ARN per region, the search workgroup", () => {
    expect(stack.output).toEqual(DEFAULT_OUTPUTS);
  });

  test("logical ids of stored-data resources are a contract: changing them would replace the bucket or keys", () => {
    // Renaming a construct changes these ids; Terraform would then plan a
    // destroy/create of the archive. Update only with a `moved` block.
    expect(Object.keys(stack.resource.aws_s3_bucket).filter((id) => id.startsWith("Archive_"))).toEqual([
      "Archive_Bucket_DB32D495",
    ]);
    expect(Object.keys(stack.resource.aws_kms_key).sort()).toEqual([
      "ArchiveKey_5C51534B",
      "SearchResultsKey_0005A591",
      "StreamKey_053B4889",
    ]);
    expect(Object.keys(stack.resource.aws_kinesis_stream)).toEqual(["Stream_FBE79EEE"]);
  });
});

describe("security stack, every option", () => {
  const stack = synthStacks(fullConfig()).security;

  test("outputs: with alarms and SQS notifications, the topic and the queue too; a destination per region", () => {
    expect(stack.output).toEqual({
      ...DEFAULT_OUTPUTS,
      alarm_topic_arn: {
        description: "SNS topic of the pipeline's health alarms",
        value: "${aws_sns_topic.AlarmTopic_AD6681D3.arn}",
      },
      destination_arn_ap_southeast_2: {
        description: "CloudWatch Logs destination for log groups in ap-southeast-2",
        value: "${aws_cloudwatch_log_destination.Destination_ap-southeast-2_Destination_3285CA06.arn}",
      },
      object_queue_arn: {
        description: "SQS queue announcing new archive objects",
        value: "${aws_sqs_queue.ObjectNotifications_Queue_7E3680D3.arn}",
      },
      object_queue_url: {
        description: "SQS queue announcing new archive objects",
        value: "${aws_sqs_queue.ObjectNotifications_Queue_7E3680D3.url}",
      },
    });
  });

  test("assume_role on every provider when security.roleArn is set", () => {
    for (const provider of stack.provider.aws) {
      expect(provider.assume_role).toEqual([
        {
          role_arn: `arn:aws:iam::${SECURITY_ACCOUNT}:role/OrganizationAccountAccessRole`,
          session_name: "secops-seclog",
        },
      ]);
    }
    expect(stack.provider.aws.map((p) => p.region).sort()).toEqual([
      "ap-southeast-2",
      "eu-west-1",
      "us-east-1",
    ]);
  });

  test("Object Lock default retention is configured without forcing a new bucket", () => {
    const lock = resourceUnder(stack, "aws_s3_bucket_object_lock_configuration", "Archive_");
    expect(lock.object_lock_enabled).toBe("Enabled");
    expect(lock.rule).toEqual({ default_retention: { mode: "COMPLIANCE", days: 365 } });
    // S3 accepts an Object Lock configuration on a versioned bucket only.
    expect(lock.depends_on).toEqual([
      expect.stringMatching(/^aws_s3_bucket_versioning\.Archive_Versioning_[0-9A-F]+$/),
    ]);
    expect(resourceUnder(stack, "aws_s3_bucket", "Archive_").object_lock_enabled).toBeUndefined();
  });

  test("expiry applies to current and noncurrent versions, in both buckets", () => {
    expect(lifecycleBodies(stack)).toEqual(
      expectedLifecycles({ glacierAfterDays: 30, expireAfterDays: 2555 }),
    );
  });

  test("provisioned stream carries its shard count and retention", () => {
    const stream = onlyResource(stack, "aws_kinesis_stream");
    expect(stream.stream_mode_details).toEqual({ stream_mode: "PROVISIONED" });
    expect(stream.shard_count).toBe(2);
    expect(stream.retention_period).toBe(48);
  });

  test("organization mode: any principal of the organization, force_update for switching from an account list", () => {
    const policies = resourcesOf(stack, "aws_cloudwatch_log_destination_policy").map(([, p]) => p);
    expect(policies).toHaveLength(3);
    for (const policy of policies) {
      expect(policy.force_update).toBe(true);
      const [s] = policyOf(policy.access_policy).Statement;
      expect(s.Principal).toBe("*");
      expect(s.Condition).toEqual({ StringEquals: { "aws:PrincipalOrgID": "o-a1b2c3d4e5" } });
      expect(s.Resource).toMatch(/^arn:aws:logs:[a-z0-9-]+:111111111111:destination:secops-security-logs$/);
    }
  });

  test("organization mode: the destination role trusts CloudWatch Logs only from destination regions", () => {
    const [trust] = policyOf(roleNamed(stack, "secops-logs-destination").assume_role_policy).Statement;
    expect(trust.Condition.StringLike["aws:SourceArn"]).toEqual([
      "arn:aws:logs:ap-southeast-2:*:*",
      "arn:aws:logs:eu-west-1:*:*",
      "arn:aws:logs:us-east-1:*:*",
    ]);
  });
});

/**
 * Lifecycle boundaries, the accepted side (the rejected side is in
 * config.test.ts's bad-config table): [what, archive config, the days the
 * lifecycle of both buckets must carry].
 */
const ACCEPTED_LIFECYCLES: Array<[string, Record<string, any>, LifecycleDays]> = [
  [
    "Glacier at the first midnight (minimum 0), kept forever",
    { glacierAfterDays: 0 },
    { glacierAfterDays: 0 },
  ],
  ["Glacier after 1 day, kept forever", { glacierAfterDays: 1 }, { glacierAfterDays: 1 }],
  ["Glacier after 100 years (maximum 36500)", { glacierAfterDays: 36500 }, { glacierAfterDays: 36500 }],
  [
    "expiry after 1 day (minimum), one more than an immediate transition",
    { glacierAfterDays: 0, expireAfterDays: 1 },
    { glacierAfterDays: 0, expireAfterDays: 1 },
  ],
  [
    "expiry one day after the transition",
    { glacierAfterDays: 90, expireAfterDays: 91 },
    { glacierAfterDays: 90, expireAfterDays: 91 },
  ],
  [
    "expiry after 100 years (maximum 36500)",
    { glacierAfterDays: 36499, expireAfterDays: 36500 },
    { glacierAfterDays: 36499, expireAfterDays: 36500 },
  ],
  [
    "expiry on the day Object Lock ends",
    { glacierAfterDays: 1, expireAfterDays: 365, objectLock: { mode: "COMPLIANCE", days: 365 } },
    { glacierAfterDays: 1, expireAfterDays: 365 },
  ],
  [
    "expiry one day after Object Lock ends",
    { glacierAfterDays: 1, expireAfterDays: 366, objectLock: { mode: "COMPLIANCE", days: 365 } },
    { glacierAfterDays: 1, expireAfterDays: 366 },
  ],
  [
    "Object Lock of 1 day (minimum) and expiry after 1 day",
    { glacierAfterDays: 0, expireAfterDays: 1, objectLock: { mode: "GOVERNANCE", days: 1 } },
    { glacierAfterDays: 0, expireAfterDays: 1 },
  ],
  [
    "Object Lock of 100 years (maximum 36500), kept forever",
    { objectLock: { mode: "GOVERNANCE", days: 36500 } },
    { glacierAfterDays: 90 },
  ],
];

describe("lifecycle boundaries the config accepts", () => {
  test.each(ACCEPTED_LIFECYCLES)("%s", (_what, archive, days) => {
    const config = baseConfig();
    config.archive = archive;
    const stack = synthStacks(config).security;
    expect(lifecycleBodies(stack)).toEqual(expectedLifecycles(days));
    const lock = resourcesOf(stack, "aws_s3_bucket_object_lock_configuration").map(([, l]) => l.rule);
    expect(lock).toEqual(
      archive.objectLock
        ? [{ default_retention: { mode: archive.objectLock.mode, days: archive.objectLock.days } }]
        : [],
    );
  });
});

interface LifecycleDays {
  readonly glacierAfterDays: number;
  readonly expireAfterDays?: number;
}

/** The synthesized lifecycle configurations of the archive and its access-log bucket. */
function lifecycleBodies(stack: StackJson): Record<string, Record<string, any>> {
  return {
    archive: resourceUnder(stack, "aws_s3_bucket_lifecycle_configuration", "Archive_"),
    accessLogs: resourceUnder(stack, "aws_s3_bucket_lifecycle_configuration", "AccessLogs_"),
  };
}

/** Both buckets' whole lifecycle bodies: one rule, objects under 128 KB kept in S3 Standard. */
function expectedLifecycles(days: LifecycleDays): Record<string, Record<string, any>> {
  const rule = {
    id: "archive",
    status: "Enabled",
    filter: [{}],
    transition: [{ days: days.glacierAfterDays, storage_class: "GLACIER" }],
    noncurrent_version_transition: [{ noncurrent_days: days.glacierAfterDays, storage_class: "GLACIER" }],
    ...(days.expireAfterDays === undefined
      ? {}
      : {
          expiration: [{ days: days.expireAfterDays }],
          noncurrent_version_expiration: [{ noncurrent_days: days.expireAfterDays }],
        }),
    abort_incomplete_multipart_upload: [{ days_after_initiation: 7 }],
  };
  return {
    archive: {
      provider: "aws.us_east_1",
      bucket: "${aws_s3_bucket.Archive_Bucket_DB32D495.id}",
      transition_default_minimum_object_size: "all_storage_classes_128K",
      rule: [rule],
      depends_on: ["aws_s3_bucket_versioning.Archive_Versioning_3F40146F"],
    },
    accessLogs: {
      provider: "aws.us_east_1",
      bucket: "${aws_s3_bucket.AccessLogs_Bucket_FB91B785.id}",
      transition_default_minimum_object_size: "all_storage_classes_128K",
      rule: [rule],
    },
  };
}

function roleNamed(stack: StackJson, name: string): Record<string, any> {
  const found = resourcesOf(stack, "aws_iam_role").find(([, r]) => r.name === name);
  if (!found) throw new Error(`no role ${name}`);
  return found[1];
}

function rolePolicyFor(stack: StackJson, rolePrefix: string): Record<string, any> {
  const found = resourcesOf(stack, "aws_iam_role_policy").find(([, p]) =>
    p.role.startsWith(`\${aws_iam_role.${rolePrefix}_`),
  );
  if (!found) throw new Error(`no policy for ${rolePrefix}`);
  return found[1];
}
