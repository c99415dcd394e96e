import { createHash } from "node:crypto";
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  realpathSync,
  rmSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  ALLOWABLE,
  allowedReplacements,
  lockedKeyRefusals,
  REPLACING_ARGUMENTS,
  Replacement,
  refusals,
  replacementsOf,
  StackResources,
} from "../lib/changes";
import { ChangeError } from "../lib/synth";
import { run } from "../main";
import { render, writeConfigFile } from "./support/config-files";
import { baseConfig, fullConfig } from "./support/fixtures";
import { synthStacks } from "./support/synth";

/**
 * The change guard (lib/changes.ts): which data-path resources a new synth
 * would make Terraform replace, which of those refuse the synth and with what
 * message, and what SECLOG_ALLOW_REPLACE / `--allow-replace` allow; then the
 * guard end to end through main.ts run(), against the cdktf.out a previous
 * synth left.
 */

const PROVIDER = "aws.us_east_1";
const FILTER = "aws_cloudwatch_log_subscription_filter";
const ACCOUNT_POLICY = "aws_cloudwatch_log_account_policy";

type Body = Record<string, unknown>;

/** A stack holding one resource, bound to PROVIDER. */
function single(type: string, name: string, body: Body): StackResources {
  return { resource: { [type]: { [name]: { provider: PROVIDER, ...body } } } };
}

/** Every (type, argument) entry of the table. */
const ENTRIES = Object.entries(REPLACING_ARGUMENTS).flatMap(([type, replacing]) =>
  replacing.map((argument) => [type, argument] as const),
);

/** Each type's replacing arguments, all set and left as they are. */
function kept(type: string): Body {
  return Object.fromEntries(REPLACING_ARGUMENTS[type].map((argument) => [argument, `kept-${argument}`]));
}

/** A change each type takes in place: [argument, before, after]. */
const IN_PLACE: Record<string, [string, unknown, unknown]> = {
  aws_s3_bucket: ["force_destroy", false, true],
  aws_s3_bucket_versioning: ["versioning_configuration", { status: "Enabled" }, { status: "Suspended" }],
  aws_s3_bucket_server_side_encryption_configuration: [
    "rule",
    [{ bucket_key_enabled: false }],
    [{ bucket_key_enabled: true }],
  ],
  aws_s3_bucket_public_access_block: ["block_public_acls", false, true],
  aws_s3_bucket_ownership_controls: [
    "rule",
    { object_ownership: "ObjectWriter" },
    { object_ownership: "BucketOwnerEnforced" },
  ],
  aws_s3_bucket_policy: ["policy", '{"Statement":[]}', '{"Statement":[{"Sid":"A"}]}'],
  aws_s3_bucket_lifecycle_configuration: ["rule", [{ id: "expire", status: "Enabled" }], [{ id: "expire" }]],
  aws_s3_bucket_object_lock_configuration: [
    "rule",
    { default_retention: { days: 1 } },
    { default_retention: { days: 2 } },
  ],
  aws_s3_bucket_logging: ["target_prefix", "a/", "b/"],
  aws_s3_bucket_notification: ["queue", [{ events: ["s3:ObjectCreated:*"] }], []],
  aws_s3_bucket_replication_configuration: [
    "rule",
    [{ id: "events", priority: 0 }],
    [{ id: "events", priority: 1 }],
  ],
  aws_kms_key: ["enable_key_rotation", false, true],
  aws_kinesis_stream: ["retention_period", 24, 48],
  aws_kinesis_firehose_delivery_stream: [
    "extended_s3_configuration",
    { buffering_size: 64, buffering_interval: 300 },
    { buffering_size: 128, buffering_interval: 60 },
  ],
  aws_cloudwatch_log_destination: ["target_arn", "arn:aws:kinesis:a", "arn:aws:kinesis:b"],
  aws_cloudwatch_log_destination_policy: ["access_policy", "{}", '{"Version":"2012-10-17"}'],
  aws_cloudwatch_log_subscription_filter: ["filter_pattern", "", "ERROR"],
  aws_cloudwatch_log_account_policy: ["policy_document", "{}", '{"Distribution":"Random"}'],
  aws_cloudwatch_log_group: ["retention_in_days", 90, 365],
  aws_lambda_function: ["memory_size", 128, 256],
  aws_iam_role: ["assume_role_policy", "{}", '{"Statement":[]}'],
  aws_iam_role_policy: ["policy", "{}", '{"Statement":[]}'],
};

function replacement(fields: Partial<Replacement> & Pick<Replacement, "address" | "changes">): Replacement {
  const type = fields.address.split(".")[0];
  return { stack: "security", type, overlapping: false, cause: "prefix", ...fields };
}

describe("replacementsOf: what Terraform would replace", () => {
  test("the table: every argument that forces a new resource, per data-path type", () => {
    expect(REPLACING_ARGUMENTS).toEqual({
      aws_s3_bucket: ["bucket", "bucket_prefix", "object_lock_enabled"],
      aws_s3_bucket_versioning: ["bucket"],
      aws_s3_bucket_server_side_encryption_configuration: ["bucket"],
      aws_s3_bucket_public_access_block: ["bucket"],
      aws_s3_bucket_ownership_controls: ["bucket"],
      aws_s3_bucket_policy: ["bucket"],
      aws_s3_bucket_lifecycle_configuration: ["bucket"],
      aws_s3_bucket_object_lock_configuration: ["bucket"],
      aws_s3_bucket_logging: ["bucket"],
      aws_s3_bucket_notification: ["bucket"],
      // The provider's schema: "bucket" ForceNew; role, rule and token update in place (PutBucketReplication).
      aws_s3_bucket_replication_configuration: ["bucket"],
      aws_kms_key: ["customer_master_key_spec", "key_usage", "multi_region"],
      aws_kinesis_stream: ["name"],
      aws_kinesis_firehose_delivery_stream: ["name", "destination"],
      aws_cloudwatch_log_destination: ["name"],
      aws_cloudwatch_log_destination_policy: ["destination_name"],
      aws_cloudwatch_log_subscription_filter: ["name", "log_group_name"],
      aws_cloudwatch_log_account_policy: ["policy_name", "policy_type", "scope", "selection_criteria"],
      aws_cloudwatch_log_group: ["name", "name_prefix"],
      aws_lambda_function: ["function_name"],
      aws_iam_role: ["name", "name_prefix"],
      aws_iam_role_policy: ["name", "role"],
    });
    expect(Object.keys(IN_PLACE).sort()).toEqual(Object.keys(REPLACING_ARGUMENTS).sort());
  });

  test.each(ENTRIES)("%s: %s changes: one replacement, that argument only", (type, argument) => {
    const previous = single(type, "Thing_1A2B3C4D", { ...kept(type), tags: { owner: "security" } });
    const next = single(type, "Thing_1A2B3C4D", {
      ...kept(type),
      [argument]: `new-${argument}`,
      tags: { owner: "security" },
    });
    expect(replacementsOf("security", previous, next)).toEqual([
      {
        stack: "security",
        address: `${type}.Thing_1A2B3C4D`,
        type,
        changes: [{ argument, from: `kept-${argument}`, to: `new-${argument}` }],
        overlapping: false,
        cause: type === ACCOUNT_POLICY && argument === "selection_criteria" ? "allLogGroups" : "prefix",
      },
    ]);
  });

  test.each(Object.keys(REPLACING_ARGUMENTS))(
    "%s: only tags and an in-place argument change: no replacement",
    (type) => {
      const [argument, before, after] = IN_PLACE[type];
      expect(REPLACING_ARGUMENTS[type]).not.toContain(argument);
      const previous = single(type, "Thing_1A2B3C4D", {
        ...kept(type),
        [argument]: before,
        tags: { owner: "security" },
      });
      const next = single(type, "Thing_1A2B3C4D", {
        ...kept(type),
        [argument]: after,
        tags: { owner: "platform", team: "secops" },
      });
      expect(replacementsOf("security", previous, next)).toEqual([]);
    },
  );

  test("several replacing arguments of one resource: all of them, in the table's order", () => {
    const previous = single("aws_iam_role", "Role_1", { name_prefix: "a-", name: "a" });
    const next = single("aws_iam_role", "Role_1", { name_prefix: "b-", name: "b" });
    expect(replacementsOf("payments-prod", previous, next)).toEqual([
      replacement({
        stack: "payments-prod",
        address: "aws_iam_role.Role_1",
        changes: [
          { argument: "name", from: "a", to: "b" },
          { argument: "name_prefix", from: "a-", to: "b-" },
        ],
      }),
    ]);
  });

  test("an argument set or unset is a change; absent and null are the same; values compare by content", () => {
    expect(
      replacementsOf(
        "security",
        single("aws_s3_bucket", "Bucket_1", { bucket: "b" }),
        single("aws_s3_bucket", "Bucket_1", { bucket: "b", object_lock_enabled: true }),
      ),
    ).toEqual([
      replacement({
        address: "aws_s3_bucket.Bucket_1",
        changes: [{ argument: "object_lock_enabled", from: undefined, to: true }],
      }),
    ]);
    expect(
      replacementsOf(
        "security",
        single("aws_kinesis_stream", "Stream_1", { name: "s" }),
        single("aws_kinesis_stream", "Stream_1", {}),
      ),
    ).toEqual([
      replacement({
        address: "aws_kinesis_stream.Stream_1",
        changes: [{ argument: "name", from: "s", to: undefined }],
      }),
    ]);
    expect(
      replacementsOf(
        "security",
        single("aws_kms_key", "Key_1", { multi_region: null }),
        single("aws_kms_key", "Key_1", {}),
      ),
    ).toEqual([]);
    expect(
      replacementsOf(
        "security",
        single("aws_kms_key", "Key_1", { multi_region: false }),
        single("aws_kms_key", "Key_1", { multi_region: "false" }),
      ),
    ).toEqual([
      replacement({
        address: "aws_kms_key.Key_1",
        changes: [{ argument: "multi_region", from: false, to: "false" }],
      }),
    ]);
  });

  test("a resource only in the new synth, or only in the previous one with no successor, is no replacement", () => {
    const stream = single("aws_kinesis_stream", "Stream_1", { name: "secops-security-logs" });
    expect(replacementsOf("security", {}, stream)).toEqual([]);
    expect(replacementsOf("security", { resource: {} }, stream)).toEqual([]);
    expect(replacementsOf("security", stream, {})).toEqual([]);
    expect(
      replacementsOf(
        "security",
        stream,
        single("aws_kinesis_stream", "Stream_1", stream.resource!.aws_kinesis_stream.Stream_1),
      ),
    ).toEqual([]);
    // Removed, and the one added is of another type.
    expect(
      replacementsOf(
        "security",
        stream,
        single("aws_cloudwatch_log_destination", "Destination_1", { name: "x" }),
      ),
    ).toEqual([]);
  });

  test("types off the data path are not compared", () => {
    expect(
      replacementsOf(
        "security",
        {
          resource: {
            aws_kms_alias: { Alias_1: { name: "alias/a" } },
            aws_sns_topic: { Topic_1: { name: "a" } },
          },
        },
        {
          resource: {
            aws_kms_alias: { Alias_1: { name: "alias/b" } },
            aws_sns_topic: { Topic_1: { name: "b" } },
          },
        },
      ),
    ).toEqual([]);
  });

  test("create_before_destroy on the new resource, and only true, makes it overlapping", () => {
    const firehose = (name: string, lifecycle?: Body) =>
      single("aws_kinesis_firehose_delivery_stream", "Delivery_DeliveryStream_1", {
        name,
        destination: "extended_s3",
        ...(lifecycle ? { lifecycle } : {}),
      });
    const overlapping = (previous: StackResources, next: StackResources) =>
      replacementsOf("security", previous, next).map((r) => r.overlapping);
    const cbd = { create_before_destroy: true };
    expect(replacementsOf("security", firehose("p", cbd), firehose("p-raw", cbd))).toEqual([
      replacement({
        address: "aws_kinesis_firehose_delivery_stream.Delivery_DeliveryStream_1",
        changes: [{ argument: "name", from: "p", to: "p-raw" }],
        overlapping: true,
      }),
    ]);
    expect(overlapping(firehose("p"), firehose("p-raw", cbd))).toEqual([true]);
    expect(overlapping(firehose("p", cbd), firehose("p-raw"))).toEqual([false]);
    expect(overlapping(firehose("p"), firehose("p-raw", { create_before_destroy: false }))).toEqual([false]);
    expect(overlapping(firehose("p"), firehose("p-raw", { prevent_destroy: true }))).toEqual([false]);
  });

  test("in-place replacements come in the table's type order, then the renamed ones", () => {
    const previous: StackResources = {
      resource: {
        [FILTER]: { Filter_old: { name: "a-us-east-1", log_group_name: "/g", provider: PROVIDER } },
        aws_iam_role: { Role_1: { name: "a-role", provider: PROVIDER } },
        aws_s3_bucket: { Bucket_1: { bucket: "a-bucket", provider: PROVIDER } },
      },
    };
    const next: StackResources = {
      resource: {
        [FILTER]: { Filter_new: { name: "b-us-east-1", log_group_name: "/g", provider: PROVIDER } },
        aws_iam_role: { Role_1: { name: "b-role", provider: PROVIDER } },
        aws_s3_bucket: { Bucket_1: { bucket: "b-bucket", provider: PROVIDER } },
      },
    };
    expect(replacementsOf("web-prod", previous, next).map((r) => r.address)).toEqual([
      "aws_s3_bucket.Bucket_1",
      "aws_iam_role.Role_1",
      `${FILTER}.Filter_old -> ${FILTER}.Filter_new`,
    ]);
  });

  describe("the cause: the config field a replacement comes from", () => {
    const S3_TYPES = Object.keys(REPLACING_ARGUMENTS).filter((type) => type.startsWith("aws_s3_bucket"));

    test("eleven S3 types", () => expect(S3_TYPES).toHaveLength(11));

    test.each(S3_TYPES)("%s of the archive bucket (logical id Archive_...): archive.bucketName", (type) => {
      const [argument] = REPLACING_ARGUMENTS[type];
      const found = replacementsOf(
        "security",
        single(type, "Archive_Bucket_DB32D495", { [argument]: "secops-security-logs-111111111111" }),
        single(type, "Archive_Bucket_DB32D495", { [argument]: "other-security-logs-111111111111" }),
      );
      expect(found.map((r) => r.cause)).toEqual(["archive.bucketName"]);
    });

    test.each(
      S3_TYPES.filter((type) => type !== "aws_s3_bucket").flatMap((type) => [
        [type, "id"],
        [type, "bucket"],
      ]),
    )(
      "%s configuring the archive from elsewhere (its bucket `${aws_s3_bucket.Archive_....%s}`): archive.bucketName",
      (type, attribute) => {
        const stack = (archive: string): StackResources => ({
          resource: {
            aws_s3_bucket: { Archive_Bucket_DB32D495: { bucket: archive, provider: PROVIDER } },
            [type]: {
              AccessLogs_SourceLogging_1AE7903E: {
                bucket: `\${aws_s3_bucket.Archive_Bucket_DB32D495.${attribute}}`,
                provider: PROVIDER,
              },
            },
          },
        });
        expect(
          replacementsOf("security", stack("secops-archive"), stack("other-archive")).map((r) => [
            r.address,
            r.changes,
            r.cause,
          ]),
        ).toEqual([
          [
            "aws_s3_bucket.Archive_Bucket_DB32D495",
            [{ argument: "bucket", from: "secops-archive", to: "other-archive" }],
            "archive.bucketName",
          ],
          [
            `${type}.AccessLogs_SourceLogging_1AE7903E`,
            [{ argument: "bucket", from: "secops-archive", to: "other-archive" }],
            "archive.bucketName",
          ],
        ]);
      },
    );

    test.each([
      ["another bucket's reference", "${aws_s3_bucket.AccessLogs_Bucket_FB91B785.id}"],
      ["a bucket whose id only starts like the archive's", "${aws_s3_bucket.ArchiveCopy_Bucket_1.id}"],
      ["another type's reference", "${aws_other_bucket.Archive_Bucket_1.id}"],
      ["the reference inside a longer value", "x${aws_s3_bucket.Archive_Bucket_DB32D495.id}"],
      ["a literal name", "secops-security-logs-111111111111"],
    ])("an S3 resource's bucket argument as %s, not the archive's: prefix", (_what, bucket) => {
      const found = replacementsOf(
        "security",
        single("aws_s3_bucket_logging", "AccessLogs_SourceLogging_1AE7903E", { bucket: "old-bucket" }),
        single("aws_s3_bucket_logging", "AccessLogs_SourceLogging_1AE7903E", { bucket }),
      );
      expect(found.map((r) => [r.changes, r.cause])).toEqual([
        [[{ argument: "bucket", from: "old-bucket", to: bucket }], "prefix"],
      ]);
    });

    test.each([
      ["aws_s3_bucket", "AccessLogs_Bucket_FB91B785", "bucket"],
      ["aws_s3_bucket", "MyArchive_Bucket_1", "bucket"],
      ["aws_s3_bucket", "archive_Bucket_1", "bucket"],
      ["aws_s3_bucket", "Archive", "bucket"],
      ["aws_s3_bucket_policy", "AccessLogs_Policy_1", "bucket"],
      ["aws_kms_key", "Archive_Key_1", "multi_region"],
      ["aws_kinesis_stream", "Stream_FBE79EEE", "name"],
      ["aws_iam_role", "Delivery_Role_DD34AE81", "name"],
    ])("%s %s: prefix", (type, name, argument) => {
      const found = replacementsOf(
        "security",
        single(type, name, { [argument]: "a" }),
        single(type, name, { [argument]: "b" }),
      );
      expect(found.map((r) => r.cause)).toEqual(["prefix"]);
    });

    test.each([
      ["selection_criteria only", { selection_criteria: "x" }, "allLogGroups"],
      ["policy_name only", { policy_name: "other-security-logs-us-east-1" }, "prefix"],
      [
        "policy_name and selection_criteria",
        { policy_name: "other-security-logs-us-east-1", selection_criteria: "x" },
        "prefix",
      ],
      ["scope only", { scope: "NONE" }, "prefix"],
      ["policy_type only", { policy_type: "DATA_PROTECTION_POLICY" }, "prefix"],
    ])("account policy, %s: %s", (_what, change, cause) => {
      const body = {
        policy_name: "secops-security-logs-us-east-1",
        policy_type: "SUBSCRIPTION_FILTER_POLICY",
        scope: "ALL",
        selection_criteria: 'LogGroupName NOT IN ["/aws/lambda/noisy"]',
      };
      const found = replacementsOf(
        "web-prod",
        single(ACCOUNT_POLICY, "Subscriptions_us-east-1_AccountPolicy_6D5F27B5", body),
        single(ACCOUNT_POLICY, "Subscriptions_us-east-1_AccountPolicy_6D5F27B5", { ...body, ...change }),
      );
      expect(found.map((r) => [r.changes.map((c) => c.argument), r.cause])).toEqual([
        [Object.keys(change), cause],
      ]);
    });
  });

  describe("renamed: a subscription filter removed plus one added on the same log group", () => {
    const filter = (name: string, logGroup: string, provider = PROVIDER): Body => ({
      name,
      log_group_name: logGroup,
      filter_pattern: "",
      provider,
    });
    const GROUP = "aws_cloudwatch_log_group";
    /** A stack with these filters and, by logical id, these log groups' names. */
    const stack = (filters: Record<string, Body>, groups: Record<string, unknown> = {}): StackResources => ({
      resource: {
        [FILTER]: filters,
        [GROUP]: Object.fromEntries(
          Object.entries(groups).map(([id, name]) => [id, { name, provider: PROVIDER }]),
        ),
      },
    });
    const renamed = (from: string, to: string, changes: Replacement["changes"], stack_ = "payments-prod") =>
      replacement({ stack: stack_, address: `${FILTER}.${from} -> ${FILTER}.${to}`, changes });

    test("a filter removed and one added on the same provider and log group: one replacement, old -> new", () => {
      const previous = {
        resource: { [FILTER]: { Filter_secops_1: filter("secops-security-logs-us-east-1", "/g") } },
      };
      const next = {
        resource: { [FILTER]: { Filter_other_2: filter("other-security-logs-us-east-1", "/g") } },
      };
      expect(replacementsOf("payments-prod", previous, next)).toEqual([
        {
          stack: "payments-prod",
          address: `${FILTER}.Filter_secops_1 -> ${FILTER}.Filter_other_2`,
          type: FILTER,
          changes: [
            { argument: "name", from: "secops-security-logs-us-east-1", to: "other-security-logs-us-east-1" },
          ],
          overlapping: false,
          cause: "prefix",
        },
      ]);
    });

    test("the same name under another logical id: a replacement with no changed argument", () => {
      expect(
        replacementsOf(
          "payments-prod",
          stack({ Filter_1: filter("p-us-east-1", "/g") }),
          stack({ Filter_2: filter("p-us-east-1", "/g") }),
        ),
      ).toEqual([renamed("Filter_1", "Filter_2", [])]);
    });

    test("another log group: no replacement", () => {
      const previous = { resource: { [FILTER]: { Filter_1: filter("p-us-east-1", "/a") } } };
      const next = { resource: { [FILTER]: { Filter_2: filter("p-us-east-1", "/b") } } };
      expect(replacementsOf("payments-prod", previous, next)).toEqual([]);
    });

    test("another provider: no replacement", () => {
      const previous = { resource: { [FILTER]: { Filter_1: filter("p-us-east-1", "/g") } } };
      const next = { resource: { [FILTER]: { Filter_2: filter("p-eu-west-1", "/g", "aws.eu_west_1") } } };
      expect(replacementsOf("payments-prod", previous, next)).toEqual([]);
    });

    test("an added filter with no removal, and a removed one with no addition: no replacement", () => {
      const one = { resource: { [FILTER]: { Filter_1: filter("p-us-east-1", "/g") } } };
      const two = {
        resource: {
          [FILTER]: { Filter_1: filter("p-us-east-1", "/g"), Filter_2: filter("p-us-east-1-2", "/g") },
        },
      };
      expect(replacementsOf("payments-prod", one, two)).toEqual([]);
      expect(replacementsOf("payments-prod", two, one)).toEqual([]);
    });

    test("filters of two log groups, each renamed: each paired with the one on its own log group", () => {
      const previous = {
        resource: { [FILTER]: { Old_a: filter("p-us-east-1", "/a"), Old_b: filter("p-us-east-1", "/b") } },
      };
      const next = {
        resource: { [FILTER]: { New_b: filter("q-us-east-1", "/b"), New_a: filter("q-us-east-1", "/a") } },
      };
      expect(replacementsOf("payments-prod", previous, next).map((r) => r.address)).toEqual([
        `${FILTER}.Old_a -> ${FILTER}.New_a`,
        `${FILTER}.Old_b -> ${FILTER}.New_b`,
      ]);
    });

    test("two filters on one log group, both renamed: A, B -> A', B' pairs A -> A' and B -> B', each added filter once", () => {
      const previous = stack({ A: filter("p-us-east-1", "/g"), B: filter("p-us-east-1-2", "/g") });
      const next = stack({ A2: filter("q-us-east-1", "/g"), B2: filter("q-us-east-1-2", "/g") });
      expect(replacementsOf("payments-prod", previous, next)).toEqual([
        renamed("A", "A2", [{ argument: "name", from: "p-us-east-1", to: "q-us-east-1" }]),
        renamed("B", "B2", [{ argument: "name", from: "p-us-east-1-2", to: "q-us-east-1-2" }]),
      ]);
    });

    test("on one log group, each removed filter takes the added one in its own slot (-2 or not), whatever the new synth's order", () => {
      const previous = stack({ A: filter("p-us-east-1", "/g"), B: filter("p-us-east-1-2", "/g") });
      const next = stack({ B2: filter("q-us-east-1-2", "/g"), A2: filter("q-us-east-1", "/g") });
      expect(replacementsOf("payments-prod", previous, next)).toEqual([
        renamed("A", "A2", [{ argument: "name", from: "p-us-east-1", to: "q-us-east-1" }]),
        renamed("B", "B2", [{ argument: "name", from: "p-us-east-1-2", to: "q-us-east-1-2" }]),
      ]);
    });

    test("on one log group, with no added filter in its slot, a removed filter takes the first one not yet taken", () => {
      expect(
        replacementsOf(
          "payments-prod",
          stack({ B: filter("p-us-east-1-2", "/g") }),
          stack({ C: filter("q-us-east-1", "/g"), D: filter("q-us-east-1", "/g") }),
        ),
      ).toEqual([renamed("B", "C", [{ argument: "name", from: "p-us-east-1-2", to: "q-us-east-1" }])]);
      expect(
        replacementsOf(
          "payments-prod",
          stack({ A: filter("p-us-east-1", "/g"), B: filter("p-us-east-1", "/g") }),
          stack({ C: filter("q-us-east-1-2", "/g"), D: filter("q-us-east-1-2", "/g") }),
        ),
      ).toEqual([
        renamed("A", "C", [{ argument: "name", from: "p-us-east-1", to: "q-us-east-1-2" }]),
        renamed("B", "D", [{ argument: "name", from: "p-us-east-1", to: "q-us-east-1-2" }]),
      ]);
    });

    // Reported bug: the slot is read from the name's `-2` suffix, and a first filter in a region whose
    // name ends in -2 (us-east-2, us-west-2, eu-west-2, ap-southeast-2, ...) ends in -2 too: both filters
    // count as second ones and the pairing falls back to the new synth's order.
    test("in a region ending in -2, the first filter is no second one: A, B -> A', B' pairs A -> A' and B -> B'", () => {
      const previous = stack({ A: filter("p-us-east-2", "/g"), B: filter("p-us-east-2-2", "/g") });
      const next = stack({ B2: filter("q-us-east-2-2", "/g"), A2: filter("q-us-east-2", "/g") });
      expect(replacementsOf("payments-prod", previous, next)).toEqual([
        renamed("A", "A2", [{ argument: "name", from: "p-us-east-2", to: "q-us-east-2" }]),
        renamed("B", "B2", [{ argument: "name", from: "p-us-east-2-2", to: "q-us-east-2-2" }]),
      ]);
    });

    test("two removed, one added on the log group: one replacement, the first removed; one removed, two added: one", () => {
      const two = stack({ A: filter("p-us-east-1", "/g"), B: filter("p-us-east-1-2", "/g") });
      const one = stack({ C: filter("q-us-east-1", "/g") });
      expect(replacementsOf("payments-prod", two, one)).toEqual([
        renamed("A", "C", [{ argument: "name", from: "p-us-east-1", to: "q-us-east-1" }]),
      ]);
      expect(replacementsOf("payments-prod", one, two)).toEqual([
        renamed("C", "A", [{ argument: "name", from: "q-us-east-1", to: "p-us-east-1" }]),
      ]);
    });

    test("a filter kept under its id is not paired, and its log group's added filter is not a rename", () => {
      const previous = stack({ A: filter("p-us-east-1", "/g"), B: filter("p-us-east-1-2", "/g") });
      const next = stack({ A: filter("p-us-east-1", "/g"), C: filter("q-us-east-1-2", "/g") });
      expect(replacementsOf("payments-prod", previous, next)).toEqual([
        renamed("B", "C", [{ argument: "name", from: "p-us-east-1-2", to: "q-us-east-1-2" }]),
      ]);
    });

    test("log groups compare by name: a reference to a log group in the same stack JSON is its literal name", () => {
      const ref = "${aws_cloudwatch_log_group.LogGroup_messages.name}";
      const created = stack({ Old: filter("p-us-east-1", ref) }, { LogGroup_messages: "/var/log/messages" });
      const existing = stack({ New: filter("q-us-east-1", "/var/log/messages") });
      // Only the name changes: the reference and the literal are the same log group.
      expect(replacementsOf("payments-prod", created, existing)).toEqual([
        renamed("Old", "New", [{ argument: "name", from: "p-us-east-1", to: "q-us-east-1" }]),
      ]);
      expect(replacementsOf("payments-prod", existing, created)).toEqual([
        renamed("New", "Old", [{ argument: "name", from: "q-us-east-1", to: "p-us-east-1" }]),
      ]);
      // Each side resolves in its own stack JSON: the same reference naming another group is another
      // group, so the filters are not paired (the group itself, renamed under its id, is replaced).
      expect(
        replacementsOf(
          "payments-prod",
          created,
          stack({ New: filter("q-us-east-1", ref) }, { LogGroup_messages: "/var/log/secure" }),
        ),
      ).toEqual([
        replacement({
          stack: "payments-prod",
          address: `${GROUP}.LogGroup_messages`,
          changes: [{ argument: "name", from: "/var/log/messages", to: "/var/log/secure" }],
        }),
      ]);
    });

    test("a reference that does not resolve compares as written", () => {
      const groups = { LogGroup_g: "/g", LogGroup_ref: "${var.group}" };
      const resolvedNot = (previous: string, next: string) =>
        replacementsOf(
          "payments-prod",
          stack({ Old: filter("p-us-east-1", previous) }, groups),
          stack({ New: filter("q-us-east-1", next) }, groups),
        ).map((r) => r.address);
      const paired = [`${FILTER}.Old -> ${FILTER}.New`];
      expect(resolvedNot("${aws_cloudwatch_log_group.LogGroup_g.name}", "/g")).toEqual(paired);
      // A log group's id is its name.
      expect(resolvedNot("${aws_cloudwatch_log_group.LogGroup_g.id}", "/g")).toEqual(paired);
      // Another attribute than name, bucket, arn or id; a resource not in the stack; a name that is itself a reference; not the whole value.
      expect(resolvedNot("${aws_cloudwatch_log_group.LogGroup_g.kms_key_id}", "/g")).toEqual([]);
      expect(resolvedNot("${aws_cloudwatch_log_group.LogGroup_missing.id}", "/g")).toEqual([]);
      expect(resolvedNot("${aws_cloudwatch_log_group.LogGroup_missing.name}", "/g")).toEqual([]);
      expect(resolvedNot("${aws_cloudwatch_log_group.LogGroup_ref.name}", "${var.group}")).toEqual([]);
      expect(resolvedNot("${aws_cloudwatch_log_group.LogGroup_g.name}-x", "/g-x")).toEqual([]);
      // Unresolved, the same text is the same log group.
      expect(
        resolvedNot(
          "${aws_cloudwatch_log_group.LogGroup_missing.name}",
          "${aws_cloudwatch_log_group.LogGroup_missing.name}",
        ),
      ).toEqual(paired);
    });

    test("a renamed filter is never overlapping: the old one goes while the new one is created", () => {
      const previous = { resource: { [FILTER]: { Filter_1: filter("p-us-east-1", "/g") } } };
      const next = {
        resource: {
          [FILTER]: {
            Filter_2: { ...filter("q-us-east-1", "/g"), lifecycle: { create_before_destroy: true } },
          },
        },
      };
      expect(replacementsOf("payments-prod", previous, next).map((r) => r.overlapping)).toEqual([false]);
    });

    test("a renamed filter is always the prefix's, whatever its logical id", () => {
      expect(
        replacementsOf(
          "security",
          stack({ Archive_Filter_1: filter("p-us-east-1", "/g") }),
          stack({ Archive_Filter_2: filter("q-us-east-1", "/g") }),
        ),
      ).toEqual([
        renamed(
          "Archive_Filter_1",
          "Archive_Filter_2",
          [{ argument: "name", from: "p-us-east-1", to: "q-us-east-1" }],
          "security",
        ),
      ]);
    });

    test.each(Object.keys(REPLACING_ARGUMENTS).filter((type) => type !== FILTER))(
      "%s removed and one added with the same arguments on the same provider: another resource, no replacement",
      (type) => {
        expect(
          replacementsOf(
            "security",
            single(type, "Archive_Thing_A", kept(type)),
            single(type, "Archive_Thing_B", kept(type)),
          ),
        ).toEqual([]);
      },
    );

    test("a removed log group, role or archive bucket plus an added one with another name: no replacement", () => {
      expect(
        replacementsOf(
          "payments-prod",
          single("aws_cloudwatch_log_group", "LogGroup_var_log_messages_1", { name: "/var/log/messages" }),
          single("aws_cloudwatch_log_group", "LogGroup_var_log_secure_2", { name: "/var/log/secure" }),
        ),
      ).toEqual([]);
      expect(
        replacementsOf(
          "security",
          single("aws_iam_role", "Role_A", { name: "a-role" }),
          single("aws_iam_role", "Role_B", { name: "b-role" }),
        ),
      ).toEqual([]);
      expect(
        replacementsOf(
          "security",
          single("aws_s3_bucket", "Archive_Bucket_A", { bucket: "a-archive" }),
          single("aws_s3_bucket", "Archive_Bucket_B", { bucket: "b-archive" }),
        ),
      ).toEqual([]);
    });
  });

  describe("references: `${type.id.name|bucket|arn}`, and `.id` where the id is an argument, compared and shown as the referenced resource's literal value", () => {
    const GROUP = "aws_cloudwatch_log_group";
    const REF = "${aws_cloudwatch_log_group.LogGroup_messages.name}";
    const withGroup = (logGroupName: unknown, groupName?: unknown): StackResources => ({
      resource: {
        [FILTER]: { Filter_1: { name: "p-us-east-1", log_group_name: logGroupName, provider: PROVIDER } },
        ...(groupName === undefined
          ? {}
          : { [GROUP]: { LogGroup_messages: { name: groupName, provider: PROVIDER } } }),
      },
    });

    test("a filter from a created log group's reference to the same name as a literal (create: true -> false), and back: no replacement", () => {
      expect(
        replacementsOf("payments-prod", withGroup(REF, "/var/log/messages"), withGroup("/var/log/messages")),
      ).toEqual([]);
      expect(
        replacementsOf("payments-prod", withGroup("/var/log/messages"), withGroup(REF, "/var/log/messages")),
      ).toEqual([]);
    });

    test("to another name: a replacement, the reference shown as the name it resolves to", () => {
      expect(
        replacementsOf("payments-prod", withGroup(REF, "/var/log/messages"), withGroup("/var/log/secure")),
      ).toEqual([
        replacement({
          stack: "payments-prod",
          address: `${FILTER}.Filter_1`,
          changes: [{ argument: "log_group_name", from: "/var/log/messages", to: "/var/log/secure" }],
        }),
      ]);
    });

    test("the same reference, its target renamed under its id: both replaced, the filter's from and to the names the reference resolves to in each synth", () => {
      expect(
        replacementsOf(
          "payments-prod",
          withGroup(REF, "/var/log/messages"),
          withGroup(REF, "/var/log/secure"),
        ),
      ).toEqual([
        replacement({
          stack: "payments-prod",
          address: `${FILTER}.Filter_1`,
          changes: [{ argument: "log_group_name", from: "/var/log/messages", to: "/var/log/secure" }],
        }),
        replacement({
          stack: "payments-prod",
          address: `${GROUP}.LogGroup_messages`,
          changes: [{ argument: "name", from: "/var/log/messages", to: "/var/log/secure" }],
        }),
      ]);
    });

    test.each<[string, StackResources, StackResources]>([
      ["the referenced resource missing", withGroup(REF), withGroup("/var/log/messages")],
      ["its attribute not a string", withGroup(REF, ["/var/log/messages"]), withGroup("/var/log/messages")],
      ["its attribute itself a reference", withGroup(REF, "${var.name}"), withGroup("${var.name}")],
      [
        "an attribute other than name, bucket, arn and id",
        withGroup("${aws_cloudwatch_log_group.LogGroup_messages.kms_key_id}", "/var/log/messages"),
        withGroup("/var/log/messages"),
      ],
      [
        "the id of a type whose id is no argument (a stream's is its ARN)",
        {
          resource: {
            ...withGroup("${aws_kinesis_stream.Stream_1.id}").resource,
            aws_kinesis_stream: { Stream_1: { name: "/var/log/messages", provider: PROVIDER } },
          },
        },
        withGroup("/var/log/messages"),
      ],
      [
        "a reference inside a longer value",
        withGroup(`${REF}-x`, "/var/log/messages"),
        withGroup("/var/log/messages-x"),
      ],
    ])("unresolved when %s: compared and shown as written, a replacement", (_what, previous, next) => {
      const written = (stack: StackResources) => stack.resource![FILTER].Filter_1.log_group_name;
      expect(replacementsOf("payments-prod", previous, next)).toEqual([
        replacement({
          stack: "payments-prod",
          address: `${FILTER}.Filter_1`,
          changes: [{ argument: "log_group_name", from: written(previous), to: written(next) }],
        }),
      ]);
    });

    test("bucket and arn attributes resolve too, for any type in the stack", () => {
      const policy = (bucket: string, extra: Record<string, Record<string, Body>> = {}): StackResources => ({
        resource: { aws_s3_bucket_policy: { Archive_Policy_1: { bucket, provider: PROVIDER } }, ...extra },
      });
      expect(
        replacementsOf(
          "security",
          policy("${aws_s3_bucket.Archive_Bucket_1.bucket}", {
            aws_s3_bucket: { Archive_Bucket_1: { bucket: "secops-archive" } },
          }),
          policy("secops-archive"),
        ),
      ).toEqual([]);
      expect(
        replacementsOf(
          "security",
          policy("${some_type.Thing_1.arn}", { some_type: { Thing_1: { arn: "arn:x" } } }),
          policy("arn:x"),
        ),
      ).toEqual([]);
    });

    /** [the referenced type, the argument its id is, a type referencing it, that type's argument]. */
    const ID_REFERENCES: [string, string, string, string][] = [
      ["aws_s3_bucket", "bucket", "aws_s3_bucket_versioning", "bucket"],
      ["aws_iam_role", "name", "aws_iam_role_policy", "role"],
      ["aws_cloudwatch_log_group", "name", FILTER, "log_group_name"],
    ];
    /** A stack holding Target_1 of `type`, named `name`, and Dependent_1 of `dependentType` whose `argument` is `value`. */
    const referencing = (
      [type, idArgument, dependentType, argument]: [string, string, string, string],
      name: string,
      value: string,
    ): StackResources => ({
      resource: {
        [type]: { Target_1: { [idArgument]: name, provider: PROVIDER } },
        [dependentType]: { Dependent_1: { [argument]: value, provider: PROVIDER } },
      },
    });

    test.each(ID_REFERENCES)(
      "`${%s.X.id}` is its %s: the same name as a literal, no replacement; the target renamed under its id, both replaced, shown resolved",
      (type, idArgument, dependentType, argument) => {
        const entry: [string, string, string, string] = [type, idArgument, dependentType, argument];
        const ref = `\${${type}.Target_1.id}`;
        expect(
          replacementsOf("security", referencing(entry, "a", ref), referencing(entry, "a", "a")),
        ).toEqual([]);
        expect(
          replacementsOf("security", referencing(entry, "a", "a"), referencing(entry, "a", ref)),
        ).toEqual([]);
        const found = replacementsOf("security", referencing(entry, "a", ref), referencing(entry, "b", ref));
        const target = replacement({
          address: `${type}.Target_1`,
          changes: [{ argument: idArgument, from: "a", to: "b" }],
        });
        const dependent = replacement({
          address: `${dependentType}.Dependent_1`,
          changes: [{ argument, from: "a", to: "b" }],
        });
        // In the table's type order: the filter type comes before the log group type.
        expect(found).toEqual(dependentType === FILTER ? [dependent, target] : [target, dependent]);
      },
    );

    test("`${type.X.id}` of the archive bucket renamed: the sub-resource replaced with it, archive.bucketName; of the access-log bucket, prefix", () => {
      const stack = (archive: string, accessLogs: string): StackResources => ({
        resource: {
          aws_s3_bucket: {
            AccessLogs_Bucket_FB91B785: { bucket: accessLogs, provider: PROVIDER },
            Archive_Bucket_DB32D495: { bucket: archive, provider: PROVIDER },
          },
          aws_s3_bucket_policy: {
            AccessLogs_Policy_3C1D984A: {
              bucket: "${aws_s3_bucket.AccessLogs_Bucket_FB91B785.id}",
              provider: PROVIDER,
            },
            Archive_Policy_A09DB26D: {
              bucket: "${aws_s3_bucket.Archive_Bucket_DB32D495.id}",
              provider: PROVIDER,
            },
          },
        },
      });
      expect(
        replacementsOf(
          "security",
          stack("secops-security-logs-111111111111", "secops-access-logs-111111111111"),
          stack("other-security-logs-111111111111", "other-access-logs-111111111111"),
        ),
      ).toEqual([
        replacement({
          address: "aws_s3_bucket.AccessLogs_Bucket_FB91B785",
          changes: [
            {
              argument: "bucket",
              from: "secops-access-logs-111111111111",
              to: "other-access-logs-111111111111",
            },
          ],
        }),
        replacement({
          address: "aws_s3_bucket.Archive_Bucket_DB32D495",
          changes: [
            {
              argument: "bucket",
              from: "secops-security-logs-111111111111",
              to: "other-security-logs-111111111111",
            },
          ],
          cause: "archive.bucketName",
        }),
        replacement({
          address: "aws_s3_bucket_policy.AccessLogs_Policy_3C1D984A",
          changes: [
            {
              argument: "bucket",
              from: "secops-access-logs-111111111111",
              to: "other-access-logs-111111111111",
            },
          ],
        }),
        replacement({
          address: "aws_s3_bucket_policy.Archive_Policy_A09DB26D",
          changes: [
            {
              argument: "bucket",
              from: "secops-security-logs-111111111111",
              to: "other-security-logs-111111111111",
            },
          ],
          cause: "archive.bucketName",
        }),
      ]);
    });
  });
});

describe("refusals: one message per stack and cause", () => {
  const stream = (stack: string, from = "secops-security-logs", to = "other-security-logs"): Replacement =>
    replacement({
      stack,
      address: "aws_kinesis_stream.Stream_FBE79EEE",
      changes: [{ argument: "name", from, to }],
    });
  const archive = (stack: string): Replacement =>
    replacement({
      stack,
      address: "aws_s3_bucket.Archive_Bucket_DB32D495",
      changes: [{ argument: "bucket", from: "secops-archive", to: "other-archive" }],
      cause: "archive.bucketName",
    });
  const policy = (stack: string): Replacement =>
    replacement({
      stack,
      address: `${ACCOUNT_POLICY}.Subscriptions_us-east-1_AccountPolicy_6D5F27B5`,
      changes: [
        {
          argument: "selection_criteria",
          from: 'LogGroupName NOT IN ["/a"]',
          to: 'LogGroupName NOT IN ["/b"]',
        },
      ],
      cause: "allLogGroups",
    });
  const none = new Set<string>();
  /** A message up to the end of its list of resources. */
  const head = (message: string) => message.slice(0, message.indexOf(". "));

  test("nothing to refuse: no message", () => {
    expect(refusals([], none)).toEqual([]);
  });

  test("prefix: the whole message", () => {
    expect(refusals([stream("security")], none)).toEqual([
      'stack security: prefix: 1 resource(s) on the data path would be renamed, and so destroyed before their replacements exist: aws_kinesis_stream.Stream_FBE79EEE (name "secops-security-logs" -> "other-security-logs"). Events sent meanwhile are lost. Safe procedure: keep the prefix as deployed; for a second pipeline under a new prefix, deploy it from its own project. To replace on purpose, synthesize again with SECLOG_ALLOW_REPLACE=prefix (or `--allow-replace prefix`).',
    ]);
  });

  test("archive.bucketName: the whole message", () => {
    expect(refusals([archive("security")], none)).toEqual([
      'stack security: archive.bucketName: the archive bucket would be replaced: aws_s3_bucket.Archive_Bucket_DB32D495 (bucket "secops-archive" -> "other-archive"). S3 cannot rename a bucket and the archive is protected from destroy, so the plan would fail or a new, empty archive would take the writes. Safe procedure: keep archive.bucketName as deployed; to move the archive, copy it with S3 Batch Operations to a bucket created outside this pipeline. To replace on purpose, synthesize again with SECLOG_ALLOW_REPLACE=archive.bucketName (or `--allow-replace archive.bucketName`).',
    ]);
  });

  test("allLogGroups: the whole message", () => {
    expect(refusals([policy("web-prod")], none)).toEqual([
      String.raw`stack web-prod: accounts[web-prod].allLogGroups: the account policy's selection criteria change (allLogGroups.exclude, or a log group added to or removed from logGroups): aws_cloudwatch_log_account_policy.Subscriptions_us-east-1_AccountPolicy_6D5F27B5 (selection_criteria "LogGroupName NOT IN [\"/a\"]" -> "LogGroupName NOT IN [\"/b\"]"). Terraform replaces the policy (DeleteAccountPolicy, then PutAccountPolicy) and no log group of the account ships in between. Safe procedure: PutAccountPolicy with the same name updates the policy in place, so run ` +
        "`aws logs put-account-policy` with the new selection criteria (policy name, document and criteria are in cdktf.out/stacks/web-prod/cdk.tf.json after a synth with the flag), then `terraform apply -refresh-only` in the stack: the plan then shows no replacement. To replace on purpose, synthesize again with SECLOG_ALLOW_REPLACE=allLogGroups (or `--allow-replace allLogGroups`).",
    ]);
  });

  test("overlapping replacements are not refused", () => {
    expect(refusals([{ ...stream("security"), overlapping: true }], none)).toEqual([]);
    expect(
      refusals([{ ...stream("security"), overlapping: true }, stream("web-prod")], none).map(head),
    ).toEqual([
      'stack web-prod: prefix: 1 resource(s) on the data path would be renamed, and so destroyed before their replacements exist: aws_kinesis_stream.Stream_FBE79EEE (name "secops-security-logs" -> "other-security-logs")',
    ]);
  });

  test("allowed causes are not refused; each allowed name covers its own cause only", () => {
    const all = [stream("security"), archive("security"), policy("web-prod")];
    expect(refusals(all, new Set(["prefix", "archive.bucketName", "allLogGroups"]))).toEqual([]);
    const heads = (allowed: string[]) =>
      refusals(all, new Set(allowed)).map((m) => m.slice(0, m.indexOf(": ", m.indexOf(": ") + 2)));
    expect(heads(["prefix"])).toEqual([
      "stack security: archive.bucketName",
      "stack web-prod: accounts[web-prod].allLogGroups",
    ]);
    expect(heads(["archive.bucketName"])).toEqual([
      "stack security: prefix",
      "stack web-prod: accounts[web-prod].allLogGroups",
    ]);
    expect(heads(["allLogGroups"])).toEqual(["stack security: prefix", "stack security: archive.bucketName"]);
    expect(heads([])).toEqual([
      "stack security: prefix",
      "stack security: archive.bucketName",
      "stack web-prod: accounts[web-prod].allLogGroups",
    ]);
  });

  test("grouped by stack and cause, in the order first found; each group lists its own resources", () => {
    const messages = refusals(
      [
        stream("security", "a", "b"),
        stream("web-prod", "c", "d"),
        archive("security"),
        stream("security", "e", "f"),
        policy("web-prod"),
        { ...stream("security", "g", "h"), overlapping: true },
      ],
      none,
    );
    expect(messages.map(head)).toEqual([
      'stack security: prefix: 2 resource(s) on the data path would be renamed, and so destroyed before their replacements exist: aws_kinesis_stream.Stream_FBE79EEE (name "a" -> "b"); aws_kinesis_stream.Stream_FBE79EEE (name "e" -> "f")',
      'stack web-prod: prefix: 1 resource(s) on the data path would be renamed, and so destroyed before their replacements exist: aws_kinesis_stream.Stream_FBE79EEE (name "c" -> "d")',
      'stack security: archive.bucketName: the archive bucket would be replaced: aws_s3_bucket.Archive_Bucket_DB32D495 (bucket "secops-archive" -> "other-archive")',
      String.raw`stack web-prod: accounts[web-prod].allLogGroups: the account policy's selection criteria change (allLogGroups.exclude, or a log group added to or removed from logGroups): aws_cloudwatch_log_account_policy.Subscriptions_us-east-1_AccountPolicy_6D5F27B5 (selection_criteria "LogGroupName NOT IN [\"/a\"]" -> "LogGroupName NOT IN [\"/b\"]")`,
    ]);
  });

  test.each([
    [4, ""],
    [5, " and 1 more"],
    [6, " and 2 more"],
  ])("%i resources: the first four listed, then%s", (count, more) => {
    const group = Array.from({ length: count }, (_, i) =>
      replacement({
        address: `aws_iam_role.Role_${i}`,
        changes: [{ argument: "name", from: `a${i}`, to: `b${i}` }],
      }),
    );
    expect(refusals(group, none).map(head)).toEqual([
      `stack security: prefix: ${count} resource(s) on the data path would be renamed, and so destroyed before their replacements exist: aws_iam_role.Role_0 (name "a0" -> "b0"); aws_iam_role.Role_1 (name "a1" -> "b1"); aws_iam_role.Role_2 (name "a2" -> "b2"); aws_iam_role.Role_3 (name "a3" -> "b3")${more}`,
    ]);
  });

  test("more than four archive resources: and N more there too", () => {
    const group = Array.from({ length: 5 }, (_, i) =>
      replacement({
        address: `aws_s3_bucket_policy.Archive_Policy_${i}`,
        changes: [{ argument: "bucket", from: "a", to: "b" }],
        cause: "archive.bucketName",
      }),
    );
    expect(refusals(group, none).map(head)).toEqual([
      'stack security: archive.bucketName: the archive bucket would be replaced: aws_s3_bucket_policy.Archive_Policy_0 (bucket "a" -> "b"); aws_s3_bucket_policy.Archive_Policy_1 (bucket "a" -> "b"); aws_s3_bucket_policy.Archive_Policy_2 (bucket "a" -> "b"); aws_s3_bucket_policy.Archive_Policy_3 (bucket "a" -> "b") and 1 more',
    ]);
  });

  test("values: strings as they are, others as JSON, absent as null, each quoted; over 80 characters cut to 77 and ...", () => {
    const eighty = "x".repeat(80);
    const eightyOne = `${"y".repeat(77)}zzzz`;
    const [message] = refusals(
      [
        replacement({
          address: "aws_s3_bucket.Bucket_1",
          changes: [
            { argument: "bucket", from: eighty, to: eightyOne },
            { argument: "bucket_prefix", from: 'a"b', to: undefined },
            { argument: "object_lock_enabled", from: false, to: true },
          ],
        }),
        replacement({
          address: "aws_kms_key.Key_1",
          changes: [{ argument: "multi_region", from: { a: 1 }, to: null }],
        }),
      ],
      none,
    );
    expect(head(message)).toBe(
      `stack security: prefix: 2 resource(s) on the data path would be renamed, and so destroyed before their replacements exist: aws_s3_bucket.Bucket_1 (bucket "${eighty}" -> "${"y".repeat(77)}...", bucket_prefix "a\\"b" -> "null", object_lock_enabled "false" -> "true"); aws_kms_key.Key_1 (multi_region "{\\"a\\":1}" -> "null")`,
    );
  });
});

describe("ChangeError: what synth prints for the refusals", () => {
  test("the header counts the paragraphs; each paragraph on its own line, indented by two spaces", () => {
    const error = new ChangeError(["stack a: prefix: one", "stack b: allLogGroups: two"]);
    expect([error instanceof Error, error.name, error.message, error.problems]).toEqual([
      true,
      "ChangeError",
      "synth refused: 2 problem(s): the change would replace the data path or cannot be applied:\n  stack a: prefix: one\n  stack b: allLogGroups: two",
      ["stack a: prefix: one", "stack b: allLogGroups: two"],
    ]);
    expect(new ChangeError(["only"]).message).toBe(
      "synth refused: 1 problem(s): the change would replace the data path or cannot be applied:\n  only",
    );
  });
});

describe("allowedReplacements: SECLOG_ALLOW_REPLACE and --allow-replace", () => {
  const USE = "use one of prefix, archive.bucketName, allLogGroups";

  test("the names a user may allow", () => {
    expect(Object.keys(ALLOWABLE)).toEqual(["prefix", "archive.bucketName", "allLogGroups"]);
  });

  test.each<[string, NodeJS.ProcessEnv, string[], string[]]>([
    ["nothing", {}, [], []],
    ["an empty variable", { SECLOG_ALLOW_REPLACE: "" }, [], []],
    ["only commas and spaces", { SECLOG_ALLOW_REPLACE: " , ,, " }, [], []],
    [
      "a list, spaces trimmed",
      { SECLOG_ALLOW_REPLACE: "prefix, allLogGroups" },
      [],
      ["prefix", "allLogGroups"],
    ],
    [
      "a list with empty items",
      { SECLOG_ALLOW_REPLACE: ",archive.bucketName,, prefix ," },
      [],
      ["archive.bucketName", "prefix"],
    ],
    ["a repeated name, once", { SECLOG_ALLOW_REPLACE: "prefix,prefix" }, [], ["prefix"]],
    ["--allow-replace NAME", {}, ["--allow-replace", "archive.bucketName"], ["archive.bucketName"]],
    ["--allow-replace=NAME", {}, ["--allow-replace=prefix"], ["prefix"]],
    [
      "repeated flags, with the variable",
      { SECLOG_ALLOW_REPLACE: "prefix" },
      ["--allow-replace", "allLogGroups", "--allow-replace=archive.bucketName"],
      ["prefix", "allLogGroups", "archive.bucketName"],
    ],
    ["other arguments are not names", {}, ["synth", "prefix", "--allow", "--allow-replacement=x"], []],
  ])("%s", (_what, env, argv, allowed) => {
    expect(allowedReplacements(env, argv)).toEqual({ allowed: new Set(allowed) });
  });

  test.each<[string, NodeJS.ProcessEnv, string[], string]>([
    ["an unknown name in the variable", { SECLOG_ALLOW_REPLACE: "prefix,bucketName" }, [], '"bucketName"'],
    ["a name in another case", { SECLOG_ALLOW_REPLACE: "Prefix" }, [], '"Prefix"'],
    ["an unknown name after --allow-replace", {}, ["--allow-replace", "archive"], '"archive"'],
    ["an unknown name after --allow-replace=", {}, ["--allow-replace=all"], '"all"'],
    [
      "unknown in both: the variable's first",
      { SECLOG_ALLOW_REPLACE: "x, prefix" },
      ["--allow-replace=y", "--allow-replace", "allLogGroups"],
      '"x", "y"',
    ],
    ["--allow-replace last, without a value", {}, ["--allow-replace=prefix", "--allow-replace"], '""'],
    ["--allow-replace= with an empty value", {}, ["--allow-replace="], '""'],
    [
      "a flag where the value goes",
      {},
      ["--allow-replace", "--allow-replace=prefix"],
      '"--allow-replace=prefix"',
    ],
  ])("%s: the usage error", (_what, env, argv, unknown) => {
    expect(allowedReplacements(env, argv)).toEqual({
      error: `SECLOG_ALLOW_REPLACE / --allow-replace: unknown ${unknown}; ${USE}`,
    });
  });

  const INHERITED = ["toString", "constructor", "__proto__", "hasOwnProperty", "valueOf", "isPrototypeOf"];

  test.each(INHERITED)("%s, inherited by every object, is no name of its own: the usage error", (name) => {
    const error = `SECLOG_ALLOW_REPLACE / --allow-replace: unknown ${JSON.stringify(name)}; ${USE}`;
    expect(allowedReplacements({ SECLOG_ALLOW_REPLACE: name }, [])).toEqual({ error });
    expect(allowedReplacements({}, ["--allow-replace", name])).toEqual({ error });
    expect(allowedReplacements({}, [`--allow-replace=${name}`])).toEqual({ error });
    expect(
      allowedReplacements({ SECLOG_ALLOW_REPLACE: `prefix,${name}` }, ["--allow-replace=allLogGroups"]),
    ).toEqual({
      error,
    });
  });

  test("all of them at once: each named, in order", () => {
    expect(allowedReplacements({ SECLOG_ALLOW_REPLACE: INHERITED.join(",") }, [])).toEqual({
      error: `SECLOG_ALLOW_REPLACE / --allow-replace: unknown "toString", "constructor", "__proto__", "hasOwnProperty", "valueOf", "isPrototypeOf"; ${USE}`,
    });
  });
});

describe("the guard through main.ts run(), against the previous cdktf.out", () => {
  const work = realpathSync(mkdtempSync(join(tmpdir(), "seclog-guard-")));
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  interface Run {
    readonly status: number;
    readonly stdout: string;
    readonly stderr: string;
  }

  let configs = 0;
  /** run() with the config written as YAML to a file of its own, output to `out`. */
  function synth(
    out: string,
    config: Record<string, any>,
    env: NodeJS.ProcessEnv = {},
    argv: string[] = [],
  ): Run {
    const file = writeConfigFile(work, `config-${++configs}`, "yaml", render(config, "yaml"));
    let stdout = "";
    let stderr = "";
    const status = run(
      { SECLOG_CONFIG: file, CDKTF_OUTDIR: out, ...env },
      { write: (text: string) => ((stderr += text), true) },
      { write: (text: string) => ((stdout += text), true) },
      argv,
    );
    return { status, stdout, stderr };
  }

  /** Every file under `dir`, relative path -> the SHA-256 of its bytes. */
  function contents(dir: string): Record<string, string> {
    return Object.fromEntries(
      readdirSync(dir, { recursive: true, withFileTypes: true })
        .filter((entry) => entry.isFile())
        .map((entry) => {
          const path = join(entry.parentPath, entry.name);
          return [path.slice(dir.length + 1), createHash("sha256").update(readFileSync(path)).digest("hex")];
        })
        .sort(([a], [b]) => a.localeCompare(b)),
    );
  }

  function stackJson(out: string, stack: string): Record<string, any> {
    return JSON.parse(readFileSync(join(out, "stacks", stack, "cdk.tf.json"), "utf8"));
  }

  const STACK_TRACE = /^\s+at .+:\d+:\d+\)?$/m;
  const OK: Run = { status: 0, stdout: "", stderr: "" };
  const STACKS = ["payments-prod", "security", "web-prod"];
  const BASE_STACK_FILES = [
    "stacks/payments-prod/cdk.tf.json",
    "stacks/security/cdk.tf.json",
    "stacks/web-prod/cdk.tf.json",
  ];

  /** baseConfig()'s first synth, copied into each test's project (a copy takes a few ms, a synth ~1 s). */
  let template = "";
  beforeAll(() => {
    template = join(work, "template", "cdktf.out");
    expect(synth(template, baseConfig())).toEqual(OK);
  });

  /** A project directory whose cdktf.out is what baseConfig()'s synth left. */
  function previous(): { dir: string; out: string; before: Record<string, string> } {
    const dir = mkdtempSync(join(work, "project-"));
    const out = join(dir, "cdktf.out");
    cpSync(template, out, { recursive: true });
    return { dir, out, before: contents(out) };
  }

  function withPrefix(prefix: string): Record<string, any> {
    const config = baseConfig();
    config.prefix = prefix;
    return config;
  }

  /** The refused run left the previous output exactly as it was, every stack's cdk.tf.json included, and no staging directory. */
  function expectUntouched(dir: string, out: string, before: Record<string, string>): void {
    expect(Object.keys(before).filter((file) => file.endsWith("cdk.tf.json"))).toEqual(BASE_STACK_FILES);
    expect(contents(out)).toEqual(before);
    expect(readdirSync(dir)).toEqual(["cdktf.out"]);
  }

  /**
   * What a new archive bucket name replaces in the security stack, in the table's type order: the
   * bucket, its configuration (bucket `${aws_s3_bucket.Archive_....id}`), and its access logging,
   * configured from the access-log bucket (bucket `${aws_s3_bucket.Archive_....bucket}`).
   */
  const ARCHIVE_RESOURCES = [
    "aws_s3_bucket.Archive_Bucket_DB32D495",
    "aws_s3_bucket_versioning.Archive_Versioning_3F40146F",
    "aws_s3_bucket_server_side_encryption_configuration.Archive_Encryption_C8C782D8",
    "aws_s3_bucket_public_access_block.Archive_PublicAccessBlock_4512B47D",
    "aws_s3_bucket_ownership_controls.Archive_Ownership_EFA204FD",
    "aws_s3_bucket_policy.Archive_Policy_A09DB26D",
    "aws_s3_bucket_lifecycle_configuration.Archive_Lifecycle_D9C9FE98",
    "aws_s3_bucket_logging.AccessLogs_SourceLogging_1AE7903E",
  ];

  /** The refusal of ARCHIVE_RESOURCES' replacement, baseConfig()'s archive renamed to `to`: the first four listed. */
  function archiveLine(to = "other-security-logs-111111111111"): string {
    const listed = ARCHIVE_RESOURCES.slice(0, 4)
      .map((address) => `${address} (bucket "secops-security-logs-111111111111" -> "${to}")`)
      .join("; ");
    return `  stack security: archive.bucketName: the archive bucket would be replaced: ${listed} and 4 more. S3 cannot rename a bucket and the archive is protected from destroy, so the plan would fail or a new, empty archive would take the writes. Safe procedure: keep archive.bucketName as deployed; to move the archive, copy it with S3 Batch Operations to a bucket created outside this pipeline. To replace on purpose, synthesize again with SECLOG_ALLOW_REPLACE=archive.bucketName (or \`--allow-replace archive.bucketName\`).`;
  }

  function archiveId(out: string): string {
    const ids = Object.keys(stackJson(out, "security").resource.aws_s3_bucket).filter((id) =>
      id.startsWith("Archive_"),
    );
    expect(ids).toHaveLength(1);
    return ids[0];
  }

  test("a new prefix: exit 1, one paragraph per stack and cause, no stack trace, cdktf.out byte-identical", () => {
    const { dir, out, before } = previous();
    const result = synth(out, withPrefix("other"));
    expect({ status: result.status, stdout: result.stdout }).toEqual({ status: 1, stdout: "" });
    expect(result.stderr.startsWith("synth refused: ")).toBe(true);
    expect(result.stderr).not.toMatch(STACK_TRACE);
    const lines = result.stderr.split("\n");
    expect(
      lines.map(
        (line) =>
          /^(synth refused: .*:$| {2}stack [^:]+: [^:]+: (\d+ resource\(s\))?)/.exec(line)?.[0] ?? line,
      ),
    ).toEqual([
      "synth refused: 4 problem(s): the change would replace the data path or cannot be applied:",
      "  stack payments-prod: prefix: 4 resource(s)",
      "  stack security: prefix: 27 resource(s)",
      "  stack security: archive.bucketName: ",
      "  stack web-prod: prefix: 2 resource(s)",
      "",
    ]);
    expect(lines[3]).toBe(archiveLine());
    // The first four in the table's type order: the two buckets named from the prefix (access logs, search
    // results), then their versioning (only the results bucket has it) and encryption sub-resources.
    const accessLogs = '(bucket "secops-access-logs-111111111111" -> "other-access-logs-111111111111")';
    const results = '(bucket "secops-athena-results-111111111111" -> "other-athena-results-111111111111")';
    expect(lines[2]).toBe(
      `  stack security: prefix: 27 resource(s) on the data path would be renamed, and so destroyed before their replacements exist: aws_s3_bucket.AccessLogs_Bucket_FB91B785 ${accessLogs}; aws_s3_bucket.SearchResults_Bucket_69000AC3 ${results}; aws_s3_bucket_versioning.SearchResults_Versioning_BA5941FD ${results}; aws_s3_bucket_server_side_encryption_configuration.AccessLogs_Encryption_069A4CD5 ${accessLogs} and 23 more. Events sent meanwhile are lost. Safe procedure: keep the prefix as deployed; for a second pipeline under a new prefix, deploy it from its own project. To replace on purpose, synthesize again with SECLOG_ALLOW_REPLACE=prefix (or \`--allow-replace prefix\`).`,
    );
    expect(lines[4]).toContain(
      '(policy_name "secops-security-logs-us-east-1" -> "other-security-logs-us-east-1")',
    );
    expectUntouched(dir, out, before);
  });

  test("a new prefix with prefix allowed alone: refused for the archive bucket only", () => {
    const { dir, out, before } = previous();
    const result = synth(out, withPrefix("other"), { SECLOG_ALLOW_REPLACE: "prefix" });
    expect(result).toEqual({
      status: 1,
      stdout: "",
      stderr: `synth refused: 1 problem(s): the change would replace the data path or cannot be applied:\n${archiveLine()}\n`,
    });
    expectUntouched(dir, out, before);
  });

  test("a new archive.bucketName alone: exit 1 for archive.bucketName only, the access logging of the archive included; with archive.bucketName allowed, exit 0", () => {
    const { dir, out, before } = previous();
    const previousSecurity = stackJson(out, "security");
    const config = baseConfig();
    config.archive = { bucketName: "other-archive-bucket" };
    expect(synth(out, config)).toEqual({
      status: 1,
      stdout: "",
      stderr: `synth refused: 1 problem(s): the change would replace the data path or cannot be applied:\n${archiveLine("other-archive-bucket")}\n`,
    });
    expectUntouched(dir, out, before);
    expect(synth(out, config, { SECLOG_ALLOW_REPLACE: "archive.bucketName" })).toEqual(OK);
    expect(
      STACKS.filter((stack) => stack !== "security").map((stack) => contents(join(out, "stacks", stack))),
    ).toEqual(
      STACKS.filter((stack) => stack !== "security").map((stack) =>
        Object.fromEntries(
          Object.entries(before)
            .filter(([file]) => file.startsWith(`stacks/${stack}/`))
            .map(([file, hash]) => [file.slice(`stacks/${stack}/`.length), hash]),
        ),
      ),
    );
    expect(replacementsOf("security", previousSecurity, stackJson(out, "security"))).toEqual(
      ARCHIVE_RESOURCES.map((address) =>
        replacement({
          address,
          changes: [
            { argument: "bucket", from: "secops-security-logs-111111111111", to: "other-archive-bucket" },
          ],
          cause: "archive.bucketName",
        }),
      ),
    );
  });

  test.each<[string, NodeJS.ProcessEnv, string[]]>([
    [
      "SECLOG_ALLOW_REPLACE=prefix,archive.bucketName",
      { SECLOG_ALLOW_REPLACE: "prefix,archive.bucketName" },
      [],
    ],
    [
      "--allow-replace prefix --allow-replace=archive.bucketName",
      {},
      ["--allow-replace", "prefix", "--allow-replace=archive.bucketName"],
    ],
  ])("a new prefix with %s: exit 0, the new names written", (_what, env, argv) => {
    const { out } = previous();
    expect(synth(out, withPrefix("other"), env, argv)).toEqual(OK);
    const security = stackJson(out, "security");
    expect(Object.values(security.resource.aws_kinesis_stream).map((s: any) => s.name)).toEqual([
      "other-security-logs",
    ]);
    expect(security.resource.aws_s3_bucket[archiveId(out)].bucket).toBe("other-security-logs-111111111111");
  });

  test("a new prefix and new exclusions at once: the renamed account policy is the prefix's, no allLogGroups needed", () => {
    const { out } = previous();
    const config = withPrefix("other");
    config.accounts[1].allLogGroups.exclude = ["/aws/lambda/loud"];
    expect(synth(out, config, { SECLOG_ALLOW_REPLACE: "prefix,archive.bucketName" })).toEqual(OK);
    expect(
      Object.values(stackJson(out, "web-prod").resource[ACCOUNT_POLICY]).map((p: any) => [
        p.policy_name,
        p.selection_criteria,
      ]),
    ).toEqual([
      [
        "other-security-logs-us-east-1",
        'LogGroupName NOT IN ["/aws/lambda/loud","/var/log/nginx/access.log"]',
      ],
    ]);
  });

  test("events -> raw -> events: exit 0, the Firehose replaced overlapping (create_before_destroy, new name, drained on destroy)", () => {
    const { out } = previous();
    const before = stackJson(out, "security");
    const [id] = Object.keys(before.resource.aws_kinesis_firehose_delivery_stream);
    const raw = baseConfig();
    raw.delivery = { format: "raw", bufferMiB: 64 };
    expect(synth(out, raw)).toEqual(OK);
    const after = stackJson(out, "security");
    expect(Object.keys(after.resource.aws_kinesis_firehose_delivery_stream)).toEqual([id]);
    const firehose = after.resource.aws_kinesis_firehose_delivery_stream[id];
    expect({
      name: firehose.name,
      lifecycle: firehose.lifecycle,
      provisioner: firehose.provisioner,
      prefix: firehose.extended_s3_configuration.prefix,
    }).toEqual({
      name: "secops-security-logs-raw",
      lifecycle: { create_before_destroy: true },
      provisioner: [
        {
          "local-exec": {
            command: "sleep $(( ${self.extended_s3_configuration[0].buffering_interval} + 120 ))",
            when: "destroy",
          },
        },
      ],
      prefix: "raw/!{timestamp:yyyy}/!{timestamp:MM}/!{timestamp:dd}/!{timestamp:HH}/",
    });
    // The guard saw the replacement and let it through because it overlaps.
    expect(replacementsOf("security", before, after)).toEqual([
      replacement({
        address: `aws_kinesis_firehose_delivery_stream.${id}`,
        changes: [{ argument: "name", from: "secops-security-logs", to: "secops-security-logs-raw" }],
        overlapping: true,
      }),
    ]);

    const events = baseConfig();
    events.delivery = { format: "events", bufferMiB: 64 };
    expect(synth(out, events)).toEqual(OK);
    expect(stackJson(out, "security").resource.aws_kinesis_firehose_delivery_stream[id]).toMatchObject({
      name: "secops-security-logs",
      lifecycle: { create_before_destroy: true },
    });
  });

  test("a second filter for a log group: exit 0; the first filter keeps its logical id and name, the second is <pipeline>-<region>-2", () => {
    const { out } = previous();
    const filtersOf = () =>
      Object.entries<Record<string, any>>(stackJson(out, "payments-prod").resource[FILTER]).filter(
        ([, filter]) => filter.log_group_name.includes("LogGroup_var_log_messages"),
      );
    const first = Object.fromEntries(filtersOf());
    expect(
      Object.values(first)
        .map((f) => f.name)
        .sort(),
    ).toEqual(["secops-security-logs-eu-west-1", "secops-security-logs-us-east-1"]);
    const config = baseConfig();
    config.accounts[0].logGroups.push({ name: "/var/log/messages", filterPattern: "ERROR" });
    expect(synth(out, config)).toEqual(OK);
    const after = Object.fromEntries(filtersOf());
    const added = Object.keys(after).filter((id) => !(id in first));
    expect(Object.fromEntries(Object.keys(first).map((id) => [id, after[id]]))).toEqual(first);
    expect(added.map((id) => [after[id].name, after[id].filter_pattern]).sort()).toEqual([
      ["secops-security-logs-eu-west-1-2", "ERROR"],
      ["secops-security-logs-us-east-1-2", "ERROR"],
    ]);
  });

  test("new allLogGroups exclusions: exit 1 naming accounts[web-prod].allLogGroups; with allLogGroups allowed, exit 0", () => {
    const { dir, out, before } = previous();
    const [policyId] = Object.keys(stackJson(out, "web-prod").resource[ACCOUNT_POLICY]);
    const config = baseConfig();
    config.accounts[1].allLogGroups.exclude = ["/aws/lambda/loud"];
    expect(synth(out, config)).toEqual({
      status: 1,
      stdout: "",
      stderr:
        "synth refused: 1 problem(s): the change would replace the data path or cannot be applied:\n" +
        String.raw`  stack web-prod: accounts[web-prod].allLogGroups: the account policy's selection criteria change (allLogGroups.exclude, or a log group added to or removed from logGroups): aws_cloudwatch_log_account_policy.` +
        policyId +
        String.raw` (selection_criteria "LogGroupName NOT IN [\"/aws/lambda/noisy\",\"/var/log/nginx/access.log\"]" -> "LogGroupName NOT IN [\"/aws/lambda/loud\",\"/var/log/nginx/access.log\"]"). Terraform replaces the policy (DeleteAccountPolicy, then PutAccountPolicy) and no log group of the account ships in between. Safe procedure: PutAccountPolicy with the same name updates the policy in place, so run ` +
        "`aws logs put-account-policy` with the new selection criteria (policy name, document and criteria are in cdktf.out/stacks/web-prod/cdk.tf.json after a synth with the flag), then `terraform apply -refresh-only` in the stack: the plan then shows no replacement. To replace on purpose, synthesize again with SECLOG_ALLOW_REPLACE=allLogGroups (or `--allow-replace allLogGroups`).\n",
    });
    expectUntouched(dir, out, before);
    expect(synth(out, config, {}, ["--allow-replace", "allLogGroups"])).toEqual(OK);
    expect(stackJson(out, "web-prod").resource[ACCOUNT_POLICY][policyId].selection_criteria).toBe(
      'LogGroupName NOT IN ["/aws/lambda/loud","/var/log/nginx/access.log"]',
    );
  });

  test("a log group added to an allLogGroups account's logGroups: its policy's criteria change, exit 1", () => {
    const { dir, out, before } = previous();
    const config = baseConfig();
    config.accounts[1].logGroups.push({ name: "/app/web/audit" });
    const result = synth(out, config);
    expect({ status: result.status, stdout: result.stdout }).toEqual({ status: 1, stdout: "" });
    const lines = result.stderr.split("\n");
    expect(lines.map((line) => line.slice(0, 52))).toEqual([
      "synth refused: 1 problem(s): the change would replac",
      "  stack web-prod: accounts[web-prod].allLogGroups: t",
      "",
    ]);
    expect(lines[1]).toContain(
      String.raw`-> "LogGroupName NOT IN [\"/app/web/audit\",\"/aws/lambda/noisy\",\"/var/log/nginx/acc..."`,
    );
    expectUntouched(dir, out, before);
  });

  test.each<[string, NodeJS.ProcessEnv, string[], string]>([
    ["SECLOG_ALLOW_REPLACE", { SECLOG_ALLOW_REPLACE: "prefixes" }, [], '"prefixes"'],
    ["--allow-replace", {}, ["--allow-replace", "all"], '"all"'],
    ["--allow-replace without a value", {}, ["--allow-replace"], '""'],
  ])("an unknown name in %s: exit 2, the usage error, nothing synthesized", (_what, env, argv, unknown) => {
    const { dir, out, before } = previous();
    expect(synth(out, withPrefix("other"), env, argv)).toEqual({
      status: 2,
      stdout: "",
      stderr: `SECLOG_ALLOW_REPLACE / --allow-replace: unknown ${unknown}; use one of prefix, archive.bucketName, allLogGroups\n`,
    });
    expectUntouched(dir, out, before);
    const fresh = join(mkdtempSync(join(work, "project-")), "cdktf.out");
    expect(synth(fresh, baseConfig(), env, argv).status).toBe(2);
    expect(existsSync(fresh)).toBe(false);
  });

  test("a new prefix: every replacement the guard finds, by stack, references to renamed resources included", () => {
    const { out } = previous();
    const before = Object.fromEntries(STACKS.map((stack) => [stack, stackJson(out, stack)]));
    expect(synth(out, withPrefix("other"), { SECLOG_ALLOW_REPLACE: "prefix,archive.bucketName" })).toEqual(
      OK,
    );
    const found = STACKS.map((stack) =>
      replacementsOf(stack, before[stack], stackJson(out, stack)).map((r) =>
        [
          r.address.replace(/_[0-9A-F]{8}\b/g, "_*").replace(/_[0-9a-f]{8}_/g, "_*_"),
          r.cause,
          r.overlapping,
        ].join(" "),
      ),
    );
    expect(found).toEqual([
      [
        `${FILTER}.Subscriptions_eu-west-1_Filter_app_payments_security_secops_security_logs_eu_west_1_*_* -> ${FILTER}.Subscriptions_eu-west-1_Filter_app_payments_security_other_security_logs_eu_west_1_*_* prefix false`,
        `${FILTER}.Subscriptions_eu-west-1_Filter_var_log_messages_secops_security_logs_eu_west_1_*_* -> ${FILTER}.Subscriptions_eu-west-1_Filter_var_log_messages_other_security_logs_eu_west_1_*_* prefix false`,
        `${FILTER}.Subscriptions_us-east-1_Filter_app_payments_security_secops_security_logs_us_east_1_*_* -> ${FILTER}.Subscriptions_us-east-1_Filter_app_payments_security_other_security_logs_us_east_1_*_* prefix false`,
        `${FILTER}.Subscriptions_us-east-1_Filter_var_log_messages_secops_security_logs_us_east_1_*_* -> ${FILTER}.Subscriptions_us-east-1_Filter_var_log_messages_other_security_logs_us_east_1_*_* prefix false`,
      ],
      [
        "aws_s3_bucket.AccessLogs_Bucket_* prefix false",
        "aws_s3_bucket.Archive_Bucket_* archive.bucketName false",
        "aws_s3_bucket.SearchResults_Bucket_* prefix false",
        "aws_s3_bucket_versioning.Archive_Versioning_* archive.bucketName false",
        "aws_s3_bucket_versioning.SearchResults_Versioning_* prefix false",
        "aws_s3_bucket_server_side_encryption_configuration.AccessLogs_Encryption_* prefix false",
        "aws_s3_bucket_server_side_encryption_configuration.Archive_Encryption_* archive.bucketName false",
        "aws_s3_bucket_server_side_encryption_configuration.SearchResults_Encryption_* prefix false",
        "aws_s3_bucket_public_access_block.AccessLogs_PublicAccessBlock_* prefix false",
        "aws_s3_bucket_public_access_block.Archive_PublicAccessBlock_* archive.bucketName false",
        "aws_s3_bucket_public_access_block.SearchResults_PublicAccessBlock_* prefix false",
        "aws_s3_bucket_ownership_controls.AccessLogs_Ownership_* prefix false",
        "aws_s3_bucket_ownership_controls.Archive_Ownership_* archive.bucketName false",
        "aws_s3_bucket_ownership_controls.SearchResults_Ownership_* prefix false",
        "aws_s3_bucket_policy.AccessLogs_Policy_* prefix false",
        "aws_s3_bucket_policy.Archive_Policy_* archive.bucketName false",
        "aws_s3_bucket_policy.SearchResults_Policy_* prefix false",
        "aws_s3_bucket_lifecycle_configuration.AccessLogs_Lifecycle_* prefix false",
        "aws_s3_bucket_lifecycle_configuration.Archive_Lifecycle_* archive.bucketName false",
        "aws_s3_bucket_lifecycle_configuration.SearchResults_Lifecycle_* prefix false",
        // The archive's access logging, configured from the access-log bucket: the archive's.
        "aws_s3_bucket_logging.AccessLogs_SourceLogging_* archive.bucketName false",
        "aws_kinesis_stream.Stream_* prefix false",
        "aws_kinesis_firehose_delivery_stream.Delivery_DeliveryStream_* prefix true",
        "aws_cloudwatch_log_destination.Destination_eu-west-1_Destination_* prefix false",
        "aws_cloudwatch_log_destination.Destination_us-east-1_Destination_* prefix false",
        "aws_cloudwatch_log_destination_policy.Destination_eu-west-1_AccessPolicy_* prefix false",
        "aws_cloudwatch_log_destination_policy.Destination_us-east-1_AccessPolicy_* prefix false",
        "aws_cloudwatch_log_group.Delivery_ErrorLogGroup_* prefix false",
        "aws_cloudwatch_log_group.Processor_LogGroup_* prefix false",
        "aws_lambda_function.Processor_Function_* prefix false",
        "aws_iam_role.Delivery_Role_* prefix false",
        "aws_iam_role.DestinationRole_* prefix false",
        "aws_iam_role.Processor_Role_* prefix false",
        // role `${aws_iam_role.X.id}`: the role's name.
        "aws_iam_role_policy.Delivery_RolePolicy_* prefix false",
        "aws_iam_role_policy.DestinationRole_RolePolicy_* prefix false",
        "aws_iam_role_policy.Processor_RolePolicy_* prefix false",
      ],
      [
        `${ACCOUNT_POLICY}.Subscriptions_us-east-1_AccountPolicy_* prefix false`,
        `${FILTER}.Subscriptions_us-east-1_Filter_var_log_nginx_access_log_secops_security_logs_us_east_1_*_* -> ${FILTER}.Subscriptions_us-east-1_Filter_var_log_nginx_access_log_other_security_logs_us_east_1_*_* prefix false`,
      ],
    ]);
  });

  test.each(["toString", "constructor", "__proto__", "hasOwnProperty"])(
    "%s, inherited by every object, in SECLOG_ALLOW_REPLACE or --allow-replace: exit 2, the usage error, nothing synthesized",
    (name) => {
      const { dir, out, before } = previous();
      const expected: Run = {
        status: 2,
        stdout: "",
        stderr: `SECLOG_ALLOW_REPLACE / --allow-replace: unknown ${JSON.stringify(name)}; use one of prefix, archive.bucketName, allLogGroups\n`,
      };
      expect(synth(out, withPrefix("other"), { SECLOG_ALLOW_REPLACE: name })).toEqual(expected);
      expect(synth(out, withPrefix("other"), {}, ["--allow-replace", name])).toEqual(expected);
      expect(synth(out, withPrefix("other"), {}, [`--allow-replace=${name}`])).toEqual(expected);
      expectUntouched(dir, out, before);
    },
  );

  /** A stack's subscription filters: logical id -> [name, log_group_name, filter_pattern, provider]. */
  function filtersOf(out: string, stack: string): Record<string, [string, string, string, string]> {
    return Object.fromEntries(
      Object.entries<Record<string, any>>(stackJson(out, stack).resource[FILTER]).map(([id, f]) => [
        id,
        [f.name, f.log_group_name, f.filter_pattern, f.provider],
      ]),
    );
  }

  /** A stack's log groups: logical id -> name. */
  function logGroupsOf(out: string, stack: string): Record<string, string> {
    return Object.fromEntries(
      Object.entries<Record<string, any>>(stackJson(out, stack).resource.aws_cloudwatch_log_group ?? {}).map(
        ([id, group]) => [id, group.name],
      ),
    );
  }

  test("a created log group entry renamed into another, create: true: exit 0, old group and filters gone, new ones on the new group", () => {
    const { out } = previous();
    const oldFilters = filtersOf(out, "payments-prod");
    const config = baseConfig();
    config.accounts[0].logGroups[0].name = "/var/log/secure";
    expect(synth(out, config)).toEqual(OK);
    const groups = logGroupsOf(out, "payments-prod");
    expect(Object.values(groups)).toEqual(["/var/log/secure", "/var/log/secure"]);
    const filters = filtersOf(out, "payments-prod");
    expect(Object.keys(filters)).toHaveLength(4);
    const kept = Object.keys(filters).filter((id) => id in oldFilters);
    expect(kept.map((id) => filters[id][1])).toEqual(["/app/payments/security", "/app/payments/security"]);
    const added = Object.keys(filters).filter((id) => !(id in oldFilters));
    expect(added.map((id) => [filters[id][0], filters[id][1]])).toEqual(
      Object.keys(groups).map((id) => [
        `secops-security-logs-${id.includes("eu-west-1") ? "eu-west-1" : "us-east-1"}`,
        `\${aws_cloudwatch_log_group.${id}.name}`,
      ]),
    );
  });

  test("create: true -> false on a log group entry: exit 0, the filters keep their ids and name the group literally; and back: exit 0", () => {
    const { out } = previous();
    const created = filtersOf(out, "payments-prod");
    const groups = logGroupsOf(out, "payments-prod");
    expect(Object.values(groups)).toEqual(["/var/log/messages", "/var/log/messages"]);
    const existing = baseConfig();
    existing.accounts[0].logGroups[0] = { name: "/var/log/messages" };
    expect(synth(out, existing)).toEqual(OK);
    expect(logGroupsOf(out, "payments-prod")).toEqual({});
    const literal = filtersOf(out, "payments-prod");
    expect(Object.keys(literal)).toEqual(Object.keys(created));
    expect([created, literal].map((filters) => Object.values(filters).map((f) => f[1]))).toEqual([
      [
        "/app/payments/security",
        `\${aws_cloudwatch_log_group.${Object.keys(groups)[0]}.name}`,
        "/app/payments/security",
        `\${aws_cloudwatch_log_group.${Object.keys(groups)[1]}.name}`,
      ],
      ["/app/payments/security", "/var/log/messages", "/app/payments/security", "/var/log/messages"],
    ]);
    expect(
      Object.fromEntries(
        Object.entries(created).map(([id, [name, logGroup, pattern, provider]]) => [
          id,
          [
            name,
            logGroup.replace(/^\$\{aws_cloudwatch_log_group\.(.+)\.name\}$/, (_, group) => groups[group]),
            pattern,
            provider,
          ],
        ]),
      ),
    ).toEqual(literal);
    expect(synth(out, baseConfig())).toEqual(OK);
    expect(filtersOf(out, "payments-prod")).toEqual(created);
    expect(logGroupsOf(out, "payments-prod")).toEqual(groups);
  });

  test("create: true -> false with a new prefix: each renamed filter paired across the reference and the literal", () => {
    const { out } = previous();
    const created = filtersOf(out, "payments-prod");
    const config = withPrefix("other");
    config.accounts[0].logGroups[0] = { name: "/var/log/messages" };
    const result = synth(out, config, { SECLOG_ALLOW_REPLACE: "archive.bucketName" });
    expect(
      result.stderr
        .split("\n")
        .map(
          (line) =>
            /^(synth refused: .*:$| {2}stack [^:]+: [^:]+: \d+ resource\(s\))/.exec(line)?.[0] ?? line,
        ),
    ).toEqual([
      "synth refused: 3 problem(s): the change would replace the data path or cannot be applied:",
      "  stack payments-prod: prefix: 4 resource(s)",
      "  stack security: prefix: 27 resource(s)",
      "  stack web-prod: prefix: 2 resource(s)",
      "",
    ]);
    expect({ status: result.status, stdout: result.stdout }).toEqual({ status: 1, stdout: "" });
    const payments = result.stderr.split("\n")[1];
    for (const id of Object.keys(created)) expect(payments).toContain(`${FILTER}.${id} -> `);
    // The reference and the literal name the same group: only the filter's name changes.
    expect(
      payments.match(/ \((name "secops-security-logs-[a-z0-9-]+" -> "other-security-logs-[a-z0-9-]+")\)/g),
    ).toHaveLength(4);
    expect(payments).not.toContain("log_group_name");
  });

  /** Two filters on /var/log/messages in each region of payments-prod: the second with filterPattern ERROR. */
  function twoFilters(): Record<string, any> {
    const config = baseConfig();
    config.accounts[0].logGroups.push({ name: "/var/log/messages", filterPattern: "ERROR" });
    return config;
  }

  let renamedTwice: ReturnType<typeof renameTwoFilters> | undefined;
  const twoFiltersRenamed = () => (renamedTwice ??= renameTwoFilters());
  /** twoFilters() synthesized under prefix secops, then refused and allowed under prefix other: payments-prod's renamed filters. */
  function renameTwoFilters() {
    const out = join(mkdtempSync(join(work, "project-")), "cdktf.out");
    expect(synth(out, twoFilters())).toEqual(OK);
    const before = stackJson(out, "payments-prod");
    const oldFilters = filtersOf(out, "payments-prod");
    const config = twoFilters();
    config.prefix = "other";
    const refused = synth(out, config);
    expect(synth(out, config, { SECLOG_ALLOW_REPLACE: "prefix,archive.bucketName" })).toEqual(OK);
    const newFilters = filtersOf(out, "payments-prod");
    const pairs = replacementsOf("payments-prod", before, stackJson(out, "payments-prod")).map((r) => {
      expect(r).toMatchObject({ type: FILTER, overlapping: false, cause: "prefix" });
      const [from, to] = r.address.split(" -> ").map((address) => address.slice(FILTER.length + 1));
      return { from, to, changes: r.changes };
    });
    return { out, refused, oldFilters, newFilters, pairs };
  }

  test("two filters on one log group and a new prefix: exit 1; six renames, each removed and each added filter paired once, on its own log group and provider", () => {
    const { refused, oldFilters, newFilters, pairs } = twoFiltersRenamed();
    expect({ status: refused.status, stdout: refused.stdout }).toEqual({ status: 1, stdout: "" });
    expect(
      refused.stderr
        .split("\n")
        .map(
          (line) =>
            /^(synth refused: .*:$| {2}stack [^:]+: [^:]+: \d+ resource\(s\))/.exec(line)?.[0] ?? line,
        ),
    ).toEqual([
      "synth refused: 4 problem(s): the change would replace the data path or cannot be applied:",
      "  stack payments-prod: prefix: 6 resource(s)",
      "  stack security: prefix: 27 resource(s)",
      archiveLine(),
      "  stack web-prod: prefix: 2 resource(s)",
      "",
    ]);
    expect(refused.stderr.split("\n")[1]).toContain(" and 2 more. ");
    expect(Object.keys(oldFilters)).toHaveLength(6);
    expect(pairs.map((p) => p.from)).toEqual(Object.keys(oldFilters));
    expect(pairs.map((p) => p.to).sort()).toEqual(Object.keys(newFilters).sort());
    for (const { from, to, changes } of pairs) {
      const [oldName, oldGroup, , oldProvider] = oldFilters[from];
      const [newName, newGroup, , newProvider] = newFilters[to];
      expect([newGroup, newProvider]).toEqual([oldGroup, oldProvider]);
      expect(changes).toEqual([{ argument: "name", from: oldName, to: newName }]);
    }
  });

  // Reported bug: on one log group the pairing takes the first added filter in the new JSON's
  // order, and cdktf orders the ids so that secops..._2 -> other... and secops... -> other..._2.
  test("two filters on one log group and a new prefix: A, B -> A', B' pairs A -> A' and B -> B' (same filter pattern, same -2 suffix)", () => {
    const { oldFilters, newFilters, pairs } = twoFiltersRenamed();
    expect(
      pairs.map(({ from }) => [oldFilters[from][0].replace(/^secops-/, "other-"), oldFilters[from][2]]),
    ).toEqual(pairs.map(({ to }) => [newFilters[to][0], newFilters[to][2]]));
  });

  test("the first synth, with no previous output or an empty one, is never refused", () => {
    const none = join(mkdtempSync(join(work, "project-")), "cdktf.out");
    expect(synth(none, withPrefix("other"))).toEqual(OK);
    expect(stackJson(none, "security").resource.aws_s3_bucket[archiveId(none)].bucket).toBe(
      "other-security-logs-111111111111",
    );
    const empty = join(mkdtempSync(join(work, "project-")), "cdktf.out");
    mkdirSync(empty);
    expect(synth(empty, withPrefix("other"))).toEqual(OK);
    expect(readdirSync(join(empty, "stacks")).sort()).toEqual(["payments-prod", "security", "web-prod"]);
  });

  test("the state stack is never guarded: a new state bucket name replaces its bucket, and synth goes ahead", () => {
    const out = join(mkdtempSync(join(work, "project-")), "cdktf.out");
    const config = fullConfig(); // S3 state, bootstrapped: the state stack
    const warnings = synth(out, config);
    expect({ status: warnings.status, stdout: warnings.stdout }).toEqual({ status: 0, stdout: "" });
    const before = stackJson(out, "state");
    config.state.s3.bucket = "tf-state-other";
    expect(synth(out, config)).toEqual(warnings);
    const after = stackJson(out, "state");
    const [bucketId] = Object.keys(before.resource.aws_s3_bucket);
    // Guarded, this would have refused the synth: the bucket, and its configuration through
    // `${aws_s3_bucket.StateBucket_....id}`, the bucket's name.
    expect(
      Object.fromEntries(
        Object.entries<Record<string, any>>(before.resource)
          .filter(([type]) => type.startsWith("aws_s3_bucket_"))
          .map(([type, resources]) => [type, Object.values(resources).map((r) => r.bucket)]),
      ),
    ).toEqual({
      aws_s3_bucket_versioning: [`\${aws_s3_bucket.${bucketId}.id}`],
      aws_s3_bucket_server_side_encryption_configuration: [`\${aws_s3_bucket.${bucketId}.id}`],
      aws_s3_bucket_public_access_block: [`\${aws_s3_bucket.${bucketId}.id}`],
      aws_s3_bucket_ownership_controls: [`\${aws_s3_bucket.${bucketId}.id}`],
      aws_s3_bucket_policy: [`\${aws_s3_bucket.${bucketId}.id}`],
    });
    const renamed = [{ argument: "bucket", from: "tf-state-bucket", to: "tf-state-other" }];
    expect(replacementsOf("state", before, after).map((r) => [r.address, r.changes, r.overlapping])).toEqual([
      [`aws_s3_bucket.${bucketId}`, renamed, false],
      ["aws_s3_bucket_versioning.StateBucket_Versioning_8A5D7B89", renamed, false],
      ["aws_s3_bucket_server_side_encryption_configuration.StateBucket_Encryption_CC69B780", renamed, false],
      ["aws_s3_bucket_public_access_block.StateBucket_PublicAccessBlock_6DFB41B0", renamed, false],
      ["aws_s3_bucket_ownership_controls.StateBucket_Ownership_DE518693", renamed, false],
      ["aws_s3_bucket_policy.StateBucket_Policy_AE4F6A9E", renamed, false],
    ]);
    expect(after.resource.aws_s3_bucket[bucketId].bucket).toBe("tf-state-other");
  });
});

describe("a locked key policy (COMPLIANCE mode) never changes", () => {
  const LOCK = {
    Sid: "NobodyDisablesDeletesOrUnlocksTheKey",
    Effect: "Deny",
    Principal: { AWS: "*" },
    Action: ["kms:DisableKey", "kms:PutKeyPolicy", "kms:ScheduleKeyDeletion"],
    Resource: "*",
  };
  const ROOT = {
    Sid: "AccountRootAdministersKey",
    Effect: "Allow",
    Principal: { AWS: "arn:aws:iam::111111111111:root" },
    Action: "kms:*",
    Resource: "*",
  };
  const key = (...statements: object[]): StackResources => ({
    resource: {
      aws_kms_key: {
        ArchiveKey_5C51534B: { policy: JSON.stringify({ Version: "2012-10-17", Statement: statements }) },
      },
    },
  });
  const other = { ...ROOT, Principal: { AWS: "arn:aws:iam::999999999999:root" } };
  const refusal = (what: string) =>
    `stack security: aws_kms_key.ArchiveKey_5C51534B: the key policy is locked (Object Lock COMPLIANCE: it denies kms:PutKeyPolicy to every principal, the account root included), ` +
    `so this change cannot be applied: ${what}. ` +
    "Keep archive.objectLock (or archive.replica.objectLock) in COMPLIANCE mode and the prefix, accounts and regions the policy names as deployed; a locked key policy is permanent.";

  test("the same locked policy: nothing to refuse", () => {
    expect(lockedKeyRefusals("security", key(ROOT, LOCK), key(ROOT, LOCK))).toEqual([]);
  });

  test("a statement of a locked policy changes: refused", () => {
    expect(lockedKeyRefusals("security", key(ROOT, LOCK), key(other, LOCK))).toEqual([
      refusal("its statements change"),
    ]);
  });

  test("the lock removed (COMPLIANCE to GOVERNANCE): refused", () => {
    expect(lockedKeyRefusals("security", key(ROOT, LOCK), key(ROOT))).toEqual([
      refusal("the lock would be removed"),
    ]);
  });

  test("an unlocked policy may change, and may become locked", () => {
    expect(lockedKeyRefusals("security", key(ROOT), key(other))).toEqual([]);
    expect(lockedKeyRefusals("security", key(ROOT), key(ROOT, LOCK))).toEqual([]);
  });

  test("a key that the new synth no longer has is not this guard's (prevent_destroy refuses its destroy)", () => {
    expect(lockedKeyRefusals("security", key(ROOT, LOCK), { resource: {} })).toEqual([]);
  });

  test("a policy that is not JSON (a Terraform expression) is not taken for a lock", () => {
    const expression: StackResources = {
      resource: { aws_kms_key: { ArchiveKey_5C51534B: { policy: "${data.x.json}" } } },
    };
    expect(lockedKeyRefusals("security", expression, key(ROOT))).toEqual([]);
  });

  test("through run(): a COMPLIANCE archive synthesized, then GOVERNANCE: exit 1, the previous output kept", () => {
    const work = realpathSync(mkdtempSync(join(tmpdir(), "seclog-lock-")));
    try {
      const out = join(work, "cdktf.out");
      const synthWith = (mode: string) => {
        const config = baseConfig();
        config.archive = { objectLock: { mode, days: 30 } };
        const file = writeConfigFile(work, `config-${mode}`, "yaml", render(config, "yaml"));
        let stderr = "";
        const status = run(
          { SECLOG_CONFIG: file, CDKTF_OUTDIR: out },
          { write: (text: string) => ((stderr += text), true) },
          { write: () => true },
          [],
        );
        return { status, stderr };
      };
      // Object Lock on the archive always warns (synth warnings, README "Object Lock and Firehose").
      const first = synthWith("COMPLIANCE");
      expect(first.status).toBe(0);
      expect(first.stderr).toMatch(/^warning: archive\.objectLock: [^\n]+\n$/);
      const before = readFileSync(join(out, "stacks", "security", "cdk.tf.json"), "utf8");
      expect(synthWith("GOVERNANCE")).toEqual({
        status: 1,
        // Refused before the warnings are printed: only the refusal.
        stderr: `synth refused: 1 problem(s): the change would replace the data path or cannot be applied:\n  ${refusal("the lock would be removed")}\n`,
      });
      expect(readFileSync(join(out, "stacks", "security", "cdk.tf.json"), "utf8")).toBe(before);
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
  });
});

describe("the vault added to a deployed pipeline", () => {
  const byStack = (config: Record<string, any>) => synthStacks(config);
  const withReplica = (config: Record<string, any>, mode: string) => {
    config.archive = {
      ...config.archive,
      replica: { accountId: "444444444444", region: "us-west-2", objectLock: { mode, days: 365 } },
    };
    return config;
  };

  // What is deployed before the replica is added: synthesized once for both modes.
  const deployedBase = byStack(baseConfig());
  const deployedFull = byStack(fullConfig());

  test.each(["GOVERNANCE", "COMPLIANCE"])(
    "adding archive.replica (%s) replaces nothing in any existing stack",
    (mode) => {
      for (const [base, before] of [
        [baseConfig, deployedBase],
        [fullConfig, deployedFull],
      ] as const) {
        const after = byStack(withReplica(base(), mode));
        expect(Object.keys(after).filter((stack) => !before[stack])).toEqual(["vault"]);
        for (const stack of Object.keys(before))
          expect([stack, replacementsOf(stack, before[stack], after[stack])]).toEqual([stack, []]);
      }
    },
  );

  test("archive.objectLock none -> COMPLIANCE locks the archive key in place: no replacement, no refusal", () => {
    const before = deployedBase;
    const config = baseConfig();
    config.archive = { objectLock: { mode: "COMPLIANCE", days: 30 } };
    const after = byStack(config);
    expect(replacementsOf("security", before.security, after.security)).toEqual([]);
    expect(lockedKeyRefusals("security", before.security, after.security)).toEqual([]);
  });
});
