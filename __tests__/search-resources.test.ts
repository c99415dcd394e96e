import { HUNTS } from "../lib/search";
import { terraformLiteral } from "../modules/search-catalog";
import { baseConfig, SECURITY_ACCOUNT } from "./support/fixtures";
import { onlyResource, resourcesOf, resourceUnder, StackJson, synthStacks } from "./support/synth";

/**
 * The search resources of the security stack, whole: the workgroup, the
 * results bucket's lifecycle, the Glue database and tables, the saved hunts. search-projection.test.ts proves the
 * projection against Firehose's prefix; this suite pins every other setting.
 */
const ARCHIVE = "${aws_s3_bucket.Archive_Bucket_DB32D495.bucket}";
const WORKGROUP_ID = "${aws_athena_workgroup.SearchWorkgroup_211BDC4A.id}";
const GIB = 1024 ** 3;

const tablesOf = (stack: StackJson) =>
  Object.fromEntries(resourcesOf(stack, "aws_glue_catalog_table").map(([, t]) => [t.name, t]));

describe("search resources", () => {
  const stack = synthStacks(baseConfig()).security;

  test("the workgroup: enforced, engine version 3, metrics, results SSE-KMS in their own bucket, 100 GiB per query by default", () => {
    expect(onlyResource(stack, "aws_athena_workgroup")).toEqual({
      provider: "aws.us_east_1",
      name: "secops-security-logs",
      description: "Incident search over the security log archive (seclog)",
      state: "ENABLED",
      configuration: {
        // Enforced: a query cannot pick its own output location, encryption or scan limit.
        enforce_workgroup_configuration: true,
        engine_version: { selected_engine_version: "Athena engine version 3" },
        publish_cloudwatch_metrics_enabled: true,
        bytes_scanned_cutoff_per_query: 100 * GIB,
        result_configuration: {
          output_location: "s3://${aws_s3_bucket.SearchResults_Bucket_69000AC3.bucket}/",
          encryption_configuration: {
            encryption_option: "SSE_KMS",
            kms_key_arn: "${aws_kms_key.SearchResultsKey_0005A591.arn}",
          },
        },
      },
    });
  });

  test("search.scanLimitGiB sets the per-query cutoff in bytes", () => {
    const config = baseConfig();
    config.search = { scanLimitGiB: 1 };
    const workgroup = onlyResource(synthStacks(config).security, "aws_athena_workgroup");
    expect(workgroup.configuration.bytes_scanned_cutoff_per_query).toBe(GIB);
  });

  test.each([
    ["by default", undefined, 30],
    ["with search.resultsExpireDays 7", { resultsExpireDays: 7 }, 7],
  ] as const)(
    "the results bucket's lifecycle %s: results expire after resultsExpireDays, replaced versions and unfinished uploads after 1 day",
    (_label, search, days) => {
      const config = baseConfig();
      if (search) config.search = search;
      const security = search ? synthStacks(config).security : stack;
      expect(resourceUnder(security, "aws_s3_bucket_lifecycle_configuration", "SearchResults_")).toEqual({
        provider: "aws.us_east_1",
        bucket: "${aws_s3_bucket.SearchResults_Bucket_69000AC3.id}",
        // A lifecycle with noncurrent-version rules on a bucket being versioned waits for its versioning.
        depends_on: ["aws_s3_bucket_versioning.SearchResults_Versioning_BA5941FD"],
        rule: [
          {
            id: "expire-query-results",
            status: "Enabled",
            // Every object of the bucket: it holds nothing but query results.
            filter: [{}],
            expiration: [{ days }],
            noncurrent_version_expiration: [{ noncurrent_days: 1 }],
            abort_incomplete_multipart_upload: [{ days_after_initiation: 1 }],
          },
        ],
      });
    },
  );

  // Unlike the archive it may be destroyed with the search: it holds nothing that is not in the archive.
  test("the results bucket is named from the prefix and the security account, and destroyed with its objects", () => {
    expect(resourceUnder(stack, "aws_s3_bucket", "SearchResults_")).toEqual({
      provider: "aws.us_east_1",
      bucket: `secops-athena-results-${SECURITY_ACCOUNT}`,
      force_destroy: true,
    });
  });

  test("the database is named from the prefix", () => {
    expect(onlyResource(stack, "aws_glue_catalog_database")).toEqual({
      provider: "aws.us_east_1",
      name: "secops_security_logs",
      description: "Security log events of the archive, for Athena (seclog)",
    });
  });

  test("the events table: one column per NDJSON field the processor writes, OpenX SerDe, gzip JSON under events/", () => {
    const { parameters, partition_keys, ...table } = tablesOf(stack).events;
    expect(table).toEqual({
      provider: "aws.us_east_1",
      database_name: "${aws_glue_catalog_database.SearchCatalog_Database_492D6B90.name}",
      name: "events",
      description: "every event; a query reads the delivery hours it names, of every account",
      table_type: "EXTERNAL_TABLE",
      storage_descriptor: {
        location: `s3://${ARCHIVE}/events/`,
        input_format: "org.apache.hadoop.mapred.TextInputFormat",
        output_format: "org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat",
        ser_de_info: {
          serialization_library: "org.openx.data.jsonserde.JsonSerDe",
          // logGroup and logStream are read into the lower-case columns; a malformed line fails the query.
          parameters: { "case.insensitive": "TRUE", "ignore.malformed.json": "FALSE" },
        },
        columns: [
          {
            name: "timestamp",
            type: "bigint",
            comment: "event time, milliseconds since 1970 UTC (CloudWatch Logs)",
          },
          { name: "message", type: "string", comment: "the log event's message, as sent" },
          { name: "account", type: "string", comment: "account that owns the log group" },
          { name: "region", type: "string", comment: "region of the log group" },
          { name: "loggroup", type: "string", comment: "log group name (JSON key logGroup)" },
          { name: "logstream", type: "string", comment: "log stream name (JSON key logStream)" },
          { name: "id", type: "string", comment: "CloudWatch Logs event id" },
        ],
      },
    });
    expect(partition_keys).toEqual([
      {
        name: "delivery_hour",
        type: "string",
        comment: "hour Firehose delivered the record, UTC, yyyy/MM/dd/HH",
      },
    ]);
    expect(parameters).toEqual({
      EXTERNAL: "TRUE",
      classification: "json",
      compressionType: "gzip",
      // Objects moved to Glacier and restored are read; the others are skipped, not an error.
      read_restored_glacier_objects: "true",
      "projection.enabled": "true",
      "projection.delivery_hour.type": "date",
      "projection.delivery_hour.format": "yyyy/MM/dd/HH",
      "projection.delivery_hour.interval": "1",
      "projection.delivery_hour.interval.unit": "HOURS",
      "projection.delivery_hour.range": "2026/01/01/00,NOW",
      // $${ is Terraform's escape for a literal ${: Glue receives ${delivery_hour}.
      "storage.location.template": `s3://${ARCHIVE}/events/$\${delivery_hour}/`,
    });
  });

  test("the by-account and by-log-group tables: the same columns over the same objects, with injected partitions", () => {
    const tables = tablesOf(stack);
    expect(Object.keys(tables).sort()).toEqual(["events", "events_by_account", "events_by_log_group"]);
    for (const name of ["events_by_account", "events_by_log_group"])
      expect([name, tables[name].storage_descriptor]).toEqual([name, tables.events.storage_descriptor]);
    const injected = (table: string) =>
      Object.fromEntries(Object.entries(tables[table].parameters).filter(([key]) => key.endsWith(".type")));
    expect(injected("events_by_account")).toEqual({
      "projection.delivery_hour.type": "date",
      "projection.account_id.type": "injected",
    });
    expect(injected("events_by_log_group")).toEqual({
      "projection.delivery_hour.type": "date",
      "projection.account_id.type": "injected",
      "projection.log_group_key.type": "injected",
    });
    expect(tables.events_by_log_group.parameters["storage.location.template"]).toBe(
      `s3://${ARCHIVE}/events/$\${delivery_hour}/account=$\${account_id}/logGroup=$\${log_group_key}/`,
    );
    expect(tables.events_by_log_group.partition_keys.map((k: { name: string }) => k.name)).toEqual([
      "delivery_hour",
      "account_id",
      "log_group_key",
    ]);
  });

  test("one saved query per hunt, in the workgroup and database, its SQL escaped for Terraform", () => {
    const queries = resourcesOf(stack, "aws_athena_named_query").map(([, q]) => q);
    expect(queries.map((q) => q.name).sort()).toEqual(
      ["account-events", "auth-failures", "events-per-hour", "log-group-events", "text-search"].sort(),
    );
    for (const hunt of HUNTS) {
      const query = queries.find((q) => q.name === hunt.name)!;
      expect(query).toEqual({
        provider: "aws.us_east_1",
        name: hunt.name,
        database: "secops_security_logs",
        workgroup: WORKGROUP_ID,
        description: `${hunt.description}; parameters: ${hunt.parameters.join(", ")}`,
        query: terraformLiteral(hunt.sql),
      });
    }
  });

  test("terraformLiteral: ${ and %{ are escaped, nothing else changes", () => {
    expect(terraformLiteral("s3://b/events/${delivery_hour}/")).toBe("s3://b/events/$${delivery_hour}/");
    expect(terraformLiteral("%{if x}")).toBe("%%{if x}");
    expect(terraformLiteral("a $ b % c { d } ${x}${y}")).toBe("a $ b % c { d } $${x}$${y}");
    expect(terraformLiteral("SELECT 1")).toBe("SELECT 1");
  });
});
