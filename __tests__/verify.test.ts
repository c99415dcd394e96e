import { parseConfig } from "../lib/config/load";
import {
  CheckRow,
  deliveryDue,
  deliveryHours,
  exitCodeOf,
  partitionPrefix,
  verifyRows,
} from "../lib/verify/checks";
import { expectedState, narrowed } from "../lib/verify/expected";
import { Observed } from "../lib/verify/observed";
import { canonicalPolicy, statementIn } from "../lib/verify/policy-compare";
import { buildReport, markdownReport, textReport } from "../lib/verify/report";
import { baseConfig, fullConfig } from "./support/fixtures";
import { policyOf, resourcesOf, synthStacks } from "./support/synth";
import { accessPolicy, ARCHIVE_KEY, AT, healthy, STREAM_KEY } from "./support/verify-responses";

const config = parseConfig(baseConfig(), "base.json");
const expected = expectedState(config);
const OPTIONS = { securityStack: "security", windowHours: 24, flowMarginSeconds: 600 };

type Mutable<T> = { -readonly [K in keyof T]: T[K] extends object ? Mutable<T[K]> : T[K] };
type Observation = Mutable<Observed> & { security: any; accounts: any };

function rowsOf(edit: (observed: Observation) => void = () => {}, cfg = expected): CheckRow[] {
  const observed = healthy() as Observation;
  edit(observed);
  return verifyRows(cfg, observed as Observed, OPTIONS);
}

/** Every row that is not ok: [status, account, region, check, found]. */
function problems(edit: (observed: Observation) => void): string[][] {
  return rowsOf(edit)
    .filter((r) => r.status !== "ok")
    .map((r) => [r.status, r.account, r.region, r.check, r.found]);
}

describe("what verify expects is what the stacks synthesize", () => {
  const stacks = synthStacks(baseConfig());

  test("each destination's access policy is the synthesized aws_cloudwatch_log_destination_policy", () => {
    const synthesized = resourcesOf(stacks.security, "aws_cloudwatch_log_destination_policy").map(([, r]) =>
      canonicalPolicy(policyOf(r.access_policy)),
    );
    expect(synthesized.sort()).toEqual(
      expected.security.destinations.map((d) => canonicalPolicy(d.accessPolicy!)).sort(),
    );
  });

  test("every filter (name, log group, pattern, destination) is a synthesized aws_cloudwatch_log_subscription_filter", () => {
    const synthesized = ["payments-prod", "web-prod"].flatMap((stack) =>
      resourcesOf(stacks[stack], "aws_cloudwatch_log_subscription_filter").map(([, r]) =>
        [
          stack,
          r.name,
          r.log_group_name.replace(/^\$\{.*\}$/, "(created)"),
          r.filter_pattern,
          r.destination_arn,
        ].join(" | "),
      ),
    );
    const created = new Set(
      config.accounts.flatMap((a) => a.logGroups.filter((g) => g.create).map((g) => g.name)),
    );
    const fromExpected = expected.accounts.flatMap((a) =>
      a.regions.flatMap((r) =>
        r.logGroups.flatMap((g) =>
          g.filters.map((f) =>
            [
              a.name,
              f.name,
              created.has(g.name) ? "(created)" : g.name,
              f.filterPattern,
              f.destinationArn,
            ].join(" | "),
          ),
        ),
      ),
    );
    expect(synthesized.sort()).toEqual(fromExpected.sort());
    expect(synthesized).toHaveLength(5);
  });

  test("the account policy (name, criteria, document) is the synthesized aws_cloudwatch_log_account_policy", () => {
    const [[, policy]] = resourcesOf(stacks["web-prod"], "aws_cloudwatch_log_account_policy");
    const wanted = expected.accounts[1].regions[0].accountPolicy!;
    expect([policy.policy_name, policy.selection_criteria, JSON.parse(policy.policy_document)]).toEqual([
      wanted.name,
      wanted.selectionCriteria,
      wanted.document,
    ]);
  });

  test("the delivery stream's prefixes are the synthesized Firehose prefixes", () => {
    const [[, firehose]] = resourcesOf(stacks.security, "aws_kinesis_firehose_delivery_stream");
    const s3 = firehose.extended_s3_configuration;
    expect([firehose.name, s3.prefix, s3.error_output_prefix]).toEqual([
      expected.security.delivery.name,
      expected.security.delivery.prefix,
      expected.security.delivery.errorOutputPrefix,
    ]);
  });

  test("the key aliases are the synthesized aws_kms_alias names", () => {
    const aliases = resourcesOf(stacks.security, "aws_kms_alias").map(([, r]) => r.name);
    expect(aliases.sort()).toEqual([...expected.security.keyAliases].sort());
  });

  test("organization mode: filters and the account policy carry the sender role", () => {
    const org = expectedState(parseConfig(fullConfig(), "full.json"));
    const payments = org.accounts.find((a) => a.name === "payments-prod")!;
    expect(payments.regions[0].logGroups[0].filters[0].roleArn).toBe(
      "arn:aws:iam::222222222222:role/secops-logs-subscription",
    );
    const web = org.accounts.find((a) => a.name === "web-prod")!;
    expect(web.regions[0].accountPolicy!.document).toEqual({
      DestinationArn: web.regions[0].destinationArn,
      RoleArn: "arn:aws:iam::333333333333:role/secops-logs-subscription",
      FilterPattern: "",
      Distribution: "Random",
    });
    expect(org.security.destinations.map((d) => d.accessPolicy!.Statement[0].Condition)).toEqual(
      org.security.destinations.map(() => ({ StringEquals: { "aws:PrincipalOrgID": "o-a1b2c3d4e5" } })),
    );
  });
});

describe("a healthy deployment (recorded responses)", () => {
  test("every check is ok, exit 0, and these are the checks", () => {
    const rows = rowsOf();
    expect(rows.filter((r) => r.status !== "ok")).toEqual([]);
    expect(exitCodeOf(rows)).toBe(0);
    expect(rows.map((r) => `${r.account} ${r.region}: ${r.check}`)).toEqual([
      "security us-east-1: identity",
      "security eu-west-1: destination",
      "security us-east-1: destination",
      "security us-east-1: stream",
      "security us-east-1: delivery stream",
      "security us-east-1: archive versioning",
      "security us-east-1: archive public access",
      "security us-east-1: archive encryption",
      "security us-east-1: archive TLS-only policy",
      "security us-east-1: archive ownership",
      "security us-east-1: archive lifecycle",
      "security us-east-1: archive Object Lock",
      "security us-east-1: key alias/secops-archive",
      "security us-east-1: key alias/secops-stream",
      "security us-east-1: key alias/secops-search-results",
      "security us-east-1: delivery errors",
      "payments-prod us-east-1: identity",
      "payments-prod us-east-1: log group /var/log/messages",
      "payments-prod us-east-1: flow /var/log/messages",
      "payments-prod us-east-1: log group /app/payments/security",
      "payments-prod us-east-1: flow /app/payments/security",
      "payments-prod us-east-1: coverage",
      "payments-prod eu-west-1: log group /var/log/messages",
      "payments-prod eu-west-1: flow /var/log/messages",
      "payments-prod eu-west-1: log group /app/payments/security",
      "payments-prod eu-west-1: flow /app/payments/security",
      "payments-prod eu-west-1: coverage",
      "web-prod us-east-1: identity",
      "web-prod us-east-1: log group /var/log/nginx/access.log",
      "web-prod us-east-1: flow /var/log/nginx/access.log",
      "web-prod us-east-1: account policy secops-security-logs-us-east-1",
      "web-prod us-east-1: coverage",
    ]);
  });

  test("flow rows say why they are ok: delivered, not due yet, nothing ingested, or quiet for the window", () => {
    const flow = rowsOf().filter((r) => r.check.startsWith("flow "));
    expect(flow.map((r) => [r.account, r.region, r.check, r.found])).toEqual([
      [
        "payments-prod",
        "us-east-1",
        "flow /var/log/messages",
        "last event 2026-12-01T11:30:00.000Z, newest object events/2026/12/01/11/account=222222222222/logGroup=!var!log!messages/secops-security-logs-1-2026-12-01-11-34-00-abc.ndjson.gz at 2026-12-01T11:34:00.000Z",
      ],
      [
        "payments-prod",
        "us-east-1",
        "flow /app/payments/security",
        "last event 2026-12-01T11:55:00.000Z: delivery not due yet",
      ],
      ["payments-prod", "eu-west-1", "flow /var/log/messages", "no events ingested"],
      ["payments-prod", "eu-west-1", "flow /app/payments/security", "no events ingested"],
      ["web-prod", "us-east-1", "flow /var/log/nginx/access.log", "no events in the last 24 hours"],
    ]);
  });
});

describe("security account drift, one fault at a time (recorded responses)", () => {
  test("a destination missing in a region", () => {
    expect(problems((o) => (o.security.destinations["eu-west-1"] = undefined))).toEqual([
      ["drift", "security", "eu-west-1", "destination", "no destination secops-security-logs in eu-west-1"],
    ]);
  });

  test("a destination policy narrowed to one account", () => {
    const narrowedPolicy = accessPolicy("us-east-1", ["222222222222"]);
    expect(problems((o) => (o.security.destinations["us-east-1"].accessPolicy = narrowedPolicy))).toEqual([
      ["drift", "security", "us-east-1", "destination", `access policy ${narrowedPolicy}`],
    ]);
  });

  test("a destination policy widened to a third account", () => {
    const wider = accessPolicy("eu-west-1", ["222222222222", "999999999999"]);
    expect(problems((o) => (o.security.destinations["eu-west-1"].accessPolicy = wider))).toEqual([
      ["drift", "security", "eu-west-1", "destination", `access policy ${wider}`],
    ]);
  });

  test("the same policy with account root ARNs, another key order and a one-element list as a string is no drift", () => {
    const same = JSON.stringify({
      Statement: [
        {
          Principal: { AWS: "arn:aws:iam::222222222222:root" },
          Resource: "arn:aws:logs:eu-west-1:111111111111:destination:secops-security-logs",
          Action: ["logs:PutAccountPolicy", "logs:PutSubscriptionFilter"],
          Effect: "Allow",
          Sid: "AllowSubscribers",
        },
      ],
      Version: "2012-10-17",
    });
    expect(problems((o) => (o.security.destinations["eu-west-1"].accessPolicy = same))).toEqual([]);
  });

  test("a destination aimed at another stream, or with another role", () => {
    expect(
      problems((o) => {
        o.security.destinations["us-east-1"].targetArn =
          "arn:aws:kinesis:us-east-1:111111111111:stream/other";
        o.security.destinations["eu-west-1"].roleArn = "arn:aws:iam::111111111111:role/other";
      }),
    ).toEqual([
      ["drift", "security", "eu-west-1", "destination", "role arn:aws:iam::111111111111:role/other"],
      [
        "drift",
        "security",
        "us-east-1",
        "destination",
        "target arn:aws:kinesis:us-east-1:111111111111:stream/other",
      ],
    ]);
  });

  test("the stream unencrypted, encrypted with another key, or not ACTIVE", () => {
    expect(
      problems(
        (o) => (o.security.stream = { ...o.security.stream, EncryptionType: "NONE", KeyId: undefined }),
      ),
    ).toEqual([["drift", "security", "us-east-1", "stream", "encryption NONE"]]);
    expect(problems((o) => (o.security.stream.KeyId = ARCHIVE_KEY))).toEqual([
      ["drift", "security", "us-east-1", "stream", `encrypted with ${ARCHIVE_KEY}`],
    ]);
    expect(problems((o) => (o.security.stream.StreamStatus = "DELETING"))).toEqual([
      ["drift", "security", "us-east-1", "stream", "status DELETING"],
    ]);
    // The alias, its ARN and the bare key id all name the stream key.
    for (const id of [
      "alias/secops-stream",
      "arn:aws:kms:us-east-1:111111111111:alias/secops-stream",
      STREAM_KEY.split("/")[1],
    ])
      expect(problems((o) => (o.security.stream.KeyId = id))).toEqual([]);
  });

  test("the delivery stream's prefix changed, processor off, another bucket, backup on", () => {
    const s3 = (o: Observation) => o.security.delivery.Destinations[0].ExtendedS3DestinationDescription;
    expect(problems((o) => (s3(o).Prefix = "events/"))).toEqual([
      ["drift", "security", "us-east-1", "delivery stream", "prefix events/"],
    ]);
    expect(problems((o) => (s3(o).ProcessingConfiguration.Enabled = false))).toEqual([
      ["drift", "security", "us-east-1", "delivery stream", "processor off"],
    ]);
    expect(
      problems((o) => {
        s3(o).BucketARN = "arn:aws:s3:::elsewhere";
        s3(o).S3BackupMode = "Enabled";
        s3(o).S3BackupDescription = { Prefix: "source/" };
      }),
    ).toEqual([
      [
        "drift",
        "security",
        "us-east-1",
        "delivery stream",
        "bucket arn:aws:s3:::elsewhere; source backup source/",
      ],
    ]);
    expect(problems((o) => (o.security.delivery = undefined))).toEqual([
      ["drift", "security", "us-east-1", "delivery stream", "no delivery stream secops-security-logs"],
    ]);
  });

  test("versioning suspended, or never enabled", () => {
    expect(problems((o) => (o.security.bucket.versioning = { Status: "Suspended" }))).toEqual([
      ["drift", "security", "us-east-1", "archive versioning", "versioning Suspended"],
    ]);
    expect(problems((o) => (o.security.bucket.versioning = {}))).toEqual([
      ["drift", "security", "us-east-1", "archive versioning", "versioning never enabled"],
    ]);
  });

  test("one public-access block off, or none configured", () => {
    expect(problems((o) => (o.security.bucket.publicAccessBlock.RestrictPublicBuckets = false))).toEqual([
      ["drift", "security", "us-east-1", "archive public access", "off: RestrictPublicBuckets"],
    ]);
    expect(problems((o) => (o.security.bucket.publicAccessBlock = undefined))).toEqual([
      [
        "drift",
        "security",
        "us-east-1",
        "archive public access",
        "off: BlockPublicAcls, IgnorePublicAcls, BlockPublicPolicy, RestrictPublicBuckets",
      ],
    ]);
  });

  test("default encryption with another key, or SSE-S3", () => {
    expect(
      problems(
        (o) =>
          (o.security.bucket.encryption[0].ApplyServerSideEncryptionByDefault.KMSMasterKeyID = STREAM_KEY),
      ),
    ).toEqual([["drift", "security", "us-east-1", "archive encryption", `aws:kms ${STREAM_KEY}`]]);
    expect(
      problems(
        (o) =>
          (o.security.bucket.encryption = [
            { ApplyServerSideEncryptionByDefault: { SSEAlgorithm: "AES256" } },
          ]),
      ),
    ).toEqual([["drift", "security", "us-east-1", "archive encryption", "AES256"]]);
  });

  test("the TLS-only deny removed, or covering only the objects", () => {
    const policy = (statements: unknown[]) =>
      JSON.stringify({ Version: "2012-10-17", Statement: statements });
    const deny = {
      Effect: "Deny",
      Principal: "*",
      Action: "s3:*",
      Resource: "arn:aws:s3:::secops-security-logs-111111111111/*",
      Condition: { Bool: { "aws:SecureTransport": false } },
    };
    expect(problems((o) => (o.security.bucket.policy = policy([deny])))).toEqual([
      [
        "drift",
        "security",
        "us-east-1",
        "archive TLS-only policy",
        "the policy has no TLS-only deny for the bucket and its objects",
      ],
    ]);
    expect(problems((o) => (o.security.bucket.policy = undefined))).toEqual([
      ["drift", "security", "us-east-1", "archive TLS-only policy", "no bucket policy"],
    ]);
    // A boolean false and the string "false" are one condition value to IAM.
    const whole = { ...deny, Resource: ["arn:aws:s3:::secops-security-logs-111111111111", deny.Resource] };
    expect(problems((o) => (o.security.bucket.policy = policy([whole])))).toEqual([]);
  });

  test("ownership back to ACLs", () => {
    expect(problems((o) => (o.security.bucket.ownership = [{ ObjectOwnership: "ObjectWriter" }]))).toEqual([
      ["drift", "security", "us-east-1", "archive ownership", "ObjectWriter"],
    ]);
  });

  test("lifecycle: an expiry added to an archive the config keeps forever, a transition moved, the rule disabled", () => {
    const rule = (o: Observation) => o.security.bucket.lifecycle[0];
    expect(problems((o) => (rule(o).Expiration = { Days: 30 }))).toEqual([
      ["drift", "security", "us-east-1", "archive lifecycle", "a rule expires objects after 30 days"],
    ]);
    expect(problems((o) => (rule(o).Transitions = [{ Days: 91, StorageClass: "GLACIER" }]))).toEqual([
      [
        "drift",
        "security",
        "us-east-1",
        "archive lifecycle",
        "no rule moves objects to GLACIER after 90 days",
      ],
    ]);
    expect(problems((o) => (rule(o).Status = "Disabled"))).toEqual([
      [
        "drift",
        "security",
        "us-east-1",
        "archive lifecycle",
        "no rule moves objects to GLACIER after 90 days; no rule moves noncurrent versions to GLACIER after 90 days",
      ],
    ]);
    // A second rule for one prefix only does not stand in for the whole-bucket rule.
    expect(
      problems((o) => {
        rule(o).Filter = { Prefix: "errors/" };
      }),
    ).toEqual([
      [
        "drift",
        "security",
        "us-east-1",
        "archive lifecycle",
        "no rule moves objects to GLACIER after 90 days; no rule moves noncurrent versions to GLACIER after 90 days",
      ],
    ]);
  });

  test("lifecycle with a configured expiry: equal is ok, one day sooner is drift, later is drift", () => {
    const raw = baseConfig();
    raw.archive = { glacierAfterDays: 90, expireAfterDays: 400 };
    const withExpiry = expectedState(parseConfig(raw, "expiry.json"));
    const lifecycle = (days: number) => (o: Observation) => {
      o.security.bucket.lifecycle[0].Expiration = { Days: days };
      o.security.bucket.lifecycle[0].NoncurrentVersionExpiration = { NoncurrentDays: 400 };
    };
    const bad = (days: number) =>
      rowsOf(lifecycle(days), withExpiry)
        .filter((r) => r.status !== "ok")
        .map((r) => r.found);
    expect(bad(400)).toEqual([]);
    expect(bad(399)).toEqual([
      "a rule expires objects after 399 days; no rule expires objects after 400 days",
    ]);
    expect(bad(401)).toEqual(["no rule expires objects after 400 days"]);
  });

  test("Object Lock: required mode and days, one day less, the other mode, not enabled", () => {
    const raw = baseConfig();
    raw.archive = { objectLock: { mode: "COMPLIANCE", days: 365 } };
    const locked = expectedState(parseConfig(raw, "lock.json"));
    const lock = (value: unknown) => (o: Observation) => (o.security.bucket.objectLock = value);
    const found = (value: unknown) =>
      rowsOf(lock(value), locked)
        .filter((r) => r.check === "archive Object Lock")
        .map((r) => [r.status, r.found]);
    const enabled = (Mode: string, Days: number) => ({
      ObjectLockEnabled: "Enabled",
      Rule: { DefaultRetention: { Mode, Days } },
    });
    expect(found(enabled("COMPLIANCE", 365))).toEqual([
      ["ok", "Object Lock enabled, default retention COMPLIANCE 365 days"],
    ]);
    expect(found(enabled("COMPLIANCE", 364))).toEqual([
      ["drift", "Object Lock enabled, default retention COMPLIANCE 364 days"],
    ]);
    expect(found(enabled("GOVERNANCE", 365))).toEqual([
      ["drift", "Object Lock enabled, default retention GOVERNANCE 365 days"],
    ]);
    expect(found(undefined)).toEqual([["drift", "Object Lock not enabled"]]);
    // Without objectLock in the config, whatever the bucket has is reported and ok.
    expect(problems(lock(enabled("GOVERNANCE", 1)))).toEqual([]);
  });

  test("a key scheduled for deletion: drift with the cancel command; disabled; rotation off; alias gone", () => {
    const archiveKey = (o: Observation) => o.security.keys["alias/secops-archive"];
    const scheduled = rowsOf((o) => {
      archiveKey(o).KeyMetadata = {
        ...archiveKey(o).KeyMetadata,
        Enabled: false,
        KeyState: "PendingDeletion",
        DeletionDate: new Date("2026-12-31T00:00:00Z"),
      };
    }).filter((r) => r.status !== "ok");
    expect(scheduled).toEqual([
      {
        account: "security",
        region: "us-east-1",
        check: "key alias/secops-archive",
        status: "drift",
        expected: "enabled, rotating, not pending deletion",
        found: "pending deletion on 2026-12-31T00:00:00.000Z",
        fix: "aws kms cancel-key-deletion --key-id 0a1b2c3d-0000-4000-8000-000000000001, then aws kms enable-key --key-id 0a1b2c3d-0000-4000-8000-000000000001, before that date",
      },
    ]);
    expect(
      problems(
        (o) =>
          (archiveKey(o).KeyMetadata = {
            ...archiveKey(o).KeyMetadata,
            Enabled: false,
            KeyState: "Disabled",
          }),
      ),
    ).toEqual([["drift", "security", "us-east-1", "key alias/secops-archive", "state Disabled"]]);
    expect(problems((o) => (o.security.keys["alias/secops-stream"].rotationEnabled = false))).toEqual([
      ["drift", "security", "us-east-1", "key alias/secops-stream", "rotation off"],
    ]);
    expect(problems((o) => (o.security.keys["alias/secops-search-results"] = undefined))).toEqual([
      [
        "drift",
        "security",
        "us-east-1",
        "key alias/secops-search-results",
        "no key has the alias alias/secops-search-results",
      ],
    ]);
  });

  test("objects under errors/ in the window", () => {
    const rows = rowsOf(
      (o) =>
        (o.security.errors = {
          count: 3,
          newest: { key: "errors/processing-failed/2026/12/01/11/x.gz", lastModified: AT },
        }),
    );
    expect(rows.filter((r) => r.status !== "ok")).toEqual([
      {
        account: "security",
        region: "us-east-1",
        check: "delivery errors",
        status: "drift",
        expected: "no objects under s3://secops-security-logs-111111111111/errors/ in the last 24 hours",
        found: "3 objects under errors/, newest errors/processing-failed/2026/12/01/11/x.gz",
        fix: "read the objects (Firehose's error records), fix the cause, then `npm run replay` for processing failures",
      },
    ]);
    expect(exitCodeOf(rows)).toBe(3);
  });

  test("credentials of another account", () => {
    expect(
      problems((o) => (o.security.identity = "arn:aws:sts::999999999999:assumed-role/Admin/me")),
    ).toEqual([
      [
        "drift",
        "security",
        "us-east-1",
        "identity",
        "credentials of account 999999999999 (arn:aws:sts::999999999999:assumed-role/Admin/me)",
      ],
    ]);
  });
});

describe("application accounts, one fault at a time (recorded responses: moto has no cross-account filters or account policies)", () => {
  const region = (o: Observation, account: string, name: string) => o.accounts[account].regions[name];

  test("a filter deleted", () => {
    expect(
      problems((o) => (region(o, "payments-prod", "us-east-1").logGroups["/var/log/messages"].filters = [])),
    ).toEqual([
      [
        "drift",
        "payments-prod",
        "us-east-1",
        "log group /var/log/messages",
        "no filter secops-security-logs-us-east-1",
      ],
    ]);
  });

  test("a filter pointing at another region's destination", () => {
    expect(
      problems((o) => {
        const [f] = region(o, "payments-prod", "eu-west-1").logGroups["/var/log/messages"].filters;
        f.destinationArn = "arn:aws:logs:us-east-1:111111111111:destination:secops-security-logs";
      }),
    ).toEqual([
      [
        "drift",
        "payments-prod",
        "eu-west-1",
        "log group /var/log/messages",
        "secops-security-logs-eu-west-1 sends to arn:aws:logs:us-east-1:111111111111:destination:secops-security-logs",
      ],
    ]);
  });

  test("a filter's pattern edited by hand, and a second filter of ours the config does not name", () => {
    expect(
      problems((o) => {
        const group = region(o, "payments-prod", "us-east-1").logGroups["/app/payments/security"];
        group.filters[0].filterPattern = "ERROR";
        group.filters.push({ ...group.filters[0], filterName: "handmade", filterPattern: "" });
      }),
    ).toEqual([
      [
        "drift",
        "payments-prod",
        "us-east-1",
        "log group /app/payments/security",
        'secops-security-logs-us-east-1 pattern "ERROR"; unexpected filter handmade (every event) -> arn:aws:logs:us-east-1:111111111111:destination:secops-security-logs',
      ],
    ]);
    // A filter to somewhere else (the team's own Lambda) is theirs: not ours to judge.
    expect(
      problems((o) =>
        region(o, "payments-prod", "us-east-1").logGroups["/var/log/messages"].filters.push({
          filterName: "team",
          destinationArn: "arn:aws:lambda:us-east-1:222222222222:function:team",
        }),
      ),
    ).toEqual([]);
  });

  test("organization mode: a filter without the sender role", () => {
    const org = expectedState(parseConfig({ ...baseConfig(), organizationId: "o-a1b2c3d4e5" }, "org.json"));
    const role = "arn:aws:iam::222222222222:role/secops-logs-subscription";
    const observed = healthy() as Observation;
    for (const account of Object.values<any>(observed.accounts))
      for (const r of Object.values<any>(account.regions))
        for (const g of Object.values<any>(r.logGroups))
          for (const f of g.filters)
            f.roleArn =
              account === observed.accounts["web-prod"] ? role.replace("222222222222", "333333333333") : role;
    observed.accounts["web-prod"].regions["us-east-1"].accountPolicy.policyDocument = JSON.stringify({
      DestinationArn: "arn:aws:logs:us-east-1:111111111111:destination:secops-security-logs",
      RoleArn: "arn:aws:iam::333333333333:role/secops-logs-subscription",
      FilterPattern: "",
      Distribution: "Random",
    });
    const policy = JSON.stringify({
      Version: "2012-10-17",
      Statement: [
        {
          Sid: "AllowSubscribers",
          Effect: "Allow",
          Action: ["logs:PutSubscriptionFilter", "logs:PutAccountPolicy"],
          Principal: "*",
          Condition: { StringEquals: { "aws:PrincipalOrgID": "o-a1b2c3d4e5" } },
        },
      ],
    });
    for (const [name, d] of Object.entries<any>(observed.security.destinations))
      d.accessPolicy = JSON.stringify({
        ...JSON.parse(policy),
        Statement: [
          {
            ...JSON.parse(policy).Statement[0],
            Resource: `arn:aws:logs:${name}:111111111111:destination:secops-security-logs`,
          },
        ],
      });
    expect(verifyRows(org, observed as Observed, OPTIONS).filter((r) => r.status !== "ok")).toEqual([]);
    delete observed.accounts["payments-prod"].regions["eu-west-1"].logGroups["/var/log/messages"].filters[0]
      .roleArn;
    expect(
      verifyRows(org, observed as Observed, OPTIONS)
        .filter((r) => r.status !== "ok")
        .map((r) => [r.account, r.region, r.check, r.found]),
    ).toEqual([
      [
        "payments-prod",
        "eu-west-1",
        "log group /var/log/messages",
        "secops-security-logs-eu-west-1 role (none)",
      ],
    ]);
  });

  test("a configured log group that does not exist: the fix depends on create", () => {
    const rows = rowsOf((o) => {
      region(o, "payments-prod", "us-east-1").logGroups["/var/log/messages"] = undefined;
      region(o, "payments-prod", "us-east-1").logGroups["/app/payments/security"] = undefined;
    }).filter((r) => r.status !== "ok");
    expect(rows.map((r) => [r.check, r.found, r.fix])).toEqual([
      [
        "log group /var/log/messages",
        "the log group does not exist",
        "run `cdktf deploy payments-prod` (the config creates it)",
      ],
      [
        "log group /app/payments/security",
        "the log group does not exist",
        "create the log group (or set create: true on it), then run `cdktf deploy payments-prod`",
      ],
    ]);
  });

  test("the account policy missing, with other selection criteria, without exclusions, or another document", () => {
    const policy = (o: Observation) => region(o, "web-prod", "us-east-1").accountPolicy;
    expect(problems((o) => (region(o, "web-prod", "us-east-1").accountPolicy = undefined))).toEqual([
      [
        "drift",
        "web-prod",
        "us-east-1",
        "account policy secops-security-logs-us-east-1",
        "no account policy secops-security-logs-us-east-1",
      ],
    ]);
    expect(
      problems((o) => (policy(o).selectionCriteria = 'LogGroupName NOT IN ["/aws/lambda/noisy"]')),
    ).toEqual([
      [
        "drift",
        "web-prod",
        "us-east-1",
        "account policy secops-security-logs-us-east-1",
        'selection criteria LogGroupName NOT IN ["/aws/lambda/noisy"]',
      ],
    ]);
    expect(problems((o) => (policy(o).selectionCriteria = ""))).toEqual([
      [
        "drift",
        "web-prod",
        "us-east-1",
        "account policy secops-security-logs-us-east-1",
        "selection criteria (none)",
      ],
    ]);
    const other = JSON.stringify({
      DestinationArn: "arn:aws:kinesis:us-east-1:333333333333:stream/x",
      FilterPattern: "",
    });
    expect(problems((o) => (policy(o).policyDocument = other))).toEqual([
      [
        "drift",
        "web-prod",
        "us-east-1",
        "account policy secops-security-logs-us-east-1",
        `document ${other}`,
      ],
    ]);
  });

  test("coverage: an active log group without our filter is a gap; one with a filter elsewhere only is a gap too", () => {
    const rows = rowsOf((o) => {
      region(o, "payments-prod", "us-east-1").active.push(
        { logGroupName: "/app/payments/debug", lastIngestionTime: AT.getTime() - 3_600_000, filters: [] },
        {
          logGroupName: "/app/payments/team",
          lastIngestionTime: AT.getTime() - 60_000,
          filters: [
            { filterName: "team", destinationArn: "arn:aws:lambda:us-east-1:222222222222:function:team" },
          ],
        },
      );
    }).filter((r) => r.status !== "ok");
    expect(rows).toEqual([
      {
        account: "payments-prod",
        region: "us-east-1",
        check: "coverage /app/payments/debug",
        status: "gap",
        expected: "subscribed, covered by an account policy, or excluded on purpose",
        found:
          "last event ingested 2026-12-01T11:00:00.000Z, no filter to arn:aws:logs:us-east-1:111111111111:destination:secops-security-logs",
        fix: "add it to accounts[payments-prod].logGroups, or set allLogGroups on the account, then run `cdktf deploy payments-prod`",
      },
      {
        account: "payments-prod",
        region: "us-east-1",
        check: "coverage /app/payments/team",
        status: "gap",
        expected: "subscribed, covered by an account policy, or excluded on purpose",
        found:
          "last event ingested 2026-12-01T11:59:00.000Z, no filter to arn:aws:logs:us-east-1:111111111111:destination:secops-security-logs (filters: team)",
        fix: "add it to accounts[payments-prod].logGroups, or set allLogGroups on the account, then run `cdktf deploy payments-prod`",
      },
    ]);
    // A gap alone is exit 3.
    const gapOnly = rowsOf((o) =>
      region(o, "payments-prod", "us-east-1").active.push({
        logGroupName: "/x",
        lastIngestionTime: 1,
        filters: [],
      }),
    );
    expect(gapOnly.filter((r) => r.status !== "ok").map((r) => r.status)).toEqual(["gap"]);
    expect(exitCodeOf(gapOnly)).toBe(3);
  });

  test("coverage: an account with an account policy has no gaps, whatever is active (covered or excluded on purpose)", () => {
    expect(
      problems(
        (o) =>
          (region(o, "web-prod", "us-east-1").active = [
            { logGroupName: "/aws/lambda/noisy", lastIngestionTime: AT.getTime(), filters: [] },
          ]),
      ),
    ).toEqual([]);
  });

  test("flow: due with no object since the last event is drift; an object older than the event minus the margin is drift", () => {
    const key = "222222222222/us-east-1//var/log/messages";
    expect(problems((o) => (o.delivered[key] = { count: 0 }))).toEqual([
      [
        "drift",
        "payments-prod",
        "us-east-1",
        "flow /var/log/messages",
        "last event ingested 2026-12-01T11:30:00.000Z, no object since under events/.../account=222222222222/logGroup=!var!log!messages/",
      ],
    ]);
    const at = (minutes: number) => (o: Observation) =>
      (o.delivered[key] = {
        count: 1,
        newest: { key: "events/k", lastModified: new Date(AT.getTime() - minutes * 60_000) },
      });
    // Last event 30 minutes ago, margin 10 minutes: an object 40 minutes ago is on the boundary, 41 is too old.
    expect(problems(at(40))).toEqual([]);
    expect(problems(at(41)).map((p) => p[3])).toEqual(["flow /var/log/messages"]);
  });
});

describe("reads that failed: an error row naming the call, exit 4", () => {
  test("access denied on the bucket and on one account's log groups", () => {
    const failure = {
      failure: { call: "s3:GetBucketVersioning", message: "AccessDenied (HTTP 403): Access Denied" },
    };
    const rows = rowsOf((o) => {
      o.security.bucket = failure;
      o.accounts["web-prod"].regions["us-east-1"].logGroups["/var/log/nginx/access.log"] = {
        failure: {
          call: "logs:DescribeLogStreams /var/log/nginx/access.log",
          message: "AccessDeniedException (HTTP 400): not authorized",
        },
      };
    });
    expect(rows.filter((r) => r.status !== "ok").map((r) => [r.status, r.account, r.check, r.found])).toEqual(
      [
        ...[
          "archive versioning",
          "archive public access",
          "archive encryption",
          "archive TLS-only policy",
          "archive ownership",
          "archive lifecycle",
          "archive Object Lock",
        ].map((check) => [
          "error",
          "security",
          check,
          "s3:GetBucketVersioning failed: AccessDenied (HTTP 403): Access Denied",
        ]),
        ...["log group /var/log/nginx/access.log", "flow /var/log/nginx/access.log"].map((check) => [
          "error",
          "web-prod",
          check,
          "logs:DescribeLogStreams /var/log/nginx/access.log failed: AccessDeniedException (HTTP 400): not authorized",
        ]),
      ],
    );
    expect(exitCodeOf(rows)).toBe(4);
  });
});

describe("narrowing with --account and --region", () => {
  test("--account web-prod: no security rows, only that account", () => {
    const only = narrowed(expected, "security", "web-prod", undefined);
    const rows = verifyRows(only, healthy(), OPTIONS);
    expect([...new Set(rows.map((r) => r.account))]).toEqual(["web-prod"]);
  });

  test("--region eu-west-1: the eu-west-1 destination and payments-prod's eu-west-1 rows, nothing of the home region", () => {
    const only = narrowed(expected, "security", undefined, "eu-west-1");
    const rows = verifyRows(only, healthy(), OPTIONS);
    expect(rows.map((r) => `${r.account} ${r.region}: ${r.check}`)).toEqual([
      "security us-east-1: identity",
      "security eu-west-1: destination",
      "payments-prod eu-west-1: identity",
      "payments-prod eu-west-1: log group /var/log/messages",
      "payments-prod eu-west-1: flow /var/log/messages",
      "payments-prod eu-west-1: log group /app/payments/security",
      "payments-prod eu-west-1: flow /app/payments/security",
      "payments-prod eu-west-1: coverage",
    ]);
  });
});

describe("delivery timing", () => {
  const t = Date.parse("2026-12-01T11:58:00Z");
  test("the hours an event may land under: the hour before, its own, and those its buffer and margin reach", () => {
    expect(deliveryHours(t, 300, 600)).toEqual(["2026/12/01/10", "2026/12/01/11", "2026/12/01/12"]);
    expect(deliveryHours(Date.parse("2026-12-01T11:00:00Z"), 300, 600)).toEqual([
      "2026/12/01/10",
      "2026/12/01/11",
    ]);
    expect(deliveryHours(Date.parse("2026-12-31T23:50:00Z"), 300, 600)).toEqual([
      "2026/12/31/22",
      "2026/12/31/23",
      "2027/01/01/00",
    ]);
  });

  test("due: older than buffer plus margin (boundary exclusive), within the window (boundary inclusive)", () => {
    const now = new Date(t);
    expect(deliveryDue(t - 900_000, now, 300, 600, 24)).toBe(false);
    expect(deliveryDue(t - 900_001, now, 300, 600, 24)).toBe(true);
    expect(deliveryDue(t - 24 * 3_600_000, now, 300, 600, 24)).toBe(true);
    expect(deliveryDue(t - 24 * 3_600_000 - 1, now, 300, 600, 24)).toBe(false);
    expect(deliveryDue(undefined, now, 300, 600, 24)).toBe(false);
  });

  test("partition prefixes encode log group names as the processor does", () => {
    expect(partitionPrefix("2026/12/01/11", "222222222222", "/aws/lambda/my fn#1")).toBe(
      "events/2026/12/01/11/account=222222222222/logGroup=!aws!lambda!my(20)fn(23)1/",
    );
  });
});

describe("policies compared by meaning", () => {
  test("equal: key order, a one-element list as a string, an account id as its root ARN, boolean condition values", () => {
    const a = {
      Version: "2012-10-17",
      Statement: [
        {
          Effect: "Allow",
          Action: ["s3:GetObject"],
          Principal: { AWS: ["111111111111"] },
          Resource: "r",
          Condition: { Bool: { k: false } },
        },
      ],
    };
    const b = JSON.stringify({
      Statement: {
        Resource: ["r"],
        Condition: { Bool: { k: ["false"] } },
        Principal: { AWS: "arn:aws:iam::111111111111:root" },
        Action: "s3:GetObject",
        Effect: "Allow",
      },
      Version: "2012-10-17",
    });
    expect(canonicalPolicy(a)).toBe(canonicalPolicy(b));
  });

  test("different: another action, another principal, another condition value", () => {
    const base = {
      Effect: "Allow",
      Action: "s3:GetObject",
      Principal: { AWS: "111111111111" },
      Resource: "r",
    };
    for (const other of [
      { ...base, Action: "s3:PutObject" },
      { ...base, Principal: { AWS: "222222222222" } },
      { ...base, Condition: { Bool: { k: "true" } } },
    ])
      expect(canonicalPolicy(other)).not.toBe(canonicalPolicy(base));
  });

  test("statementIn ignores the Sid and finds the statement among others; unreadable JSON has none", () => {
    const deny = { Sid: "X", Effect: "Deny" as const, Action: "s3:*", Resource: "r" };
    expect(
      statementIn(
        JSON.stringify({
          Statement: [
            { Effect: "Allow", Action: "a" },
            { ...deny, Sid: "Other" },
          ],
        }),
        deny,
      ),
    ).toBe(true);
    expect(statementIn("not json", deny)).toBe(false);
  });
});

describe("the report", () => {
  const observed = healthy();
  const rows = verifyRows(expected, observed, OPTIONS);
  const report = buildReport(
    "config/x.yaml",
    observed,
    [{ account: "security", accountId: "111111111111", arn: "arn:aws:sts::111111111111:assumed-role/A/b" }],
    rows,
  );

  test("the JSON report: time, identities, counts, exit code, and protection as read from AWS", () => {
    expect(report.generatedAt).toBe("2026-12-01T12:00:00.000Z");
    expect(report.summary).toEqual({ ok: 32, drift: 0, gap: 0, error: 0 });
    expect(report.exitCode).toBe(0);
    expect(report.protection).toEqual({
      versioning: { Status: "Enabled" },
      publicAccessBlock: {
        BlockPublicAcls: true,
        IgnorePublicAcls: true,
        BlockPublicPolicy: true,
        RestrictPublicBuckets: true,
      },
      defaultEncryption: [
        {
          ApplyServerSideEncryptionByDefault: { SSEAlgorithm: "aws:kms", KMSMasterKeyID: ARCHIVE_KEY },
          BucketKeyEnabled: true,
        },
      ],
      objectLock: "not set",
      lifecycleRules: (observed.security.bucket as any).lifecycle,
      ownership: [{ ObjectOwnership: "BucketOwnerEnforced" }],
      bucketPolicy: (observed.security.bucket as any).policy,
      keys: {
        "alias/secops-archive": { arn: ARCHIVE_KEY, state: "Enabled", rotationEnabled: true },
        "alias/secops-stream": { arn: STREAM_KEY, state: "Enabled", rotationEnabled: true },
        "alias/secops-search-results": {
          arn: "arn:aws:kms:us-east-1:111111111111:key/0a1b2c3d-0000-4000-8000-000000000003",
          state: "Enabled",
          rotationEnabled: true,
        },
      },
    });
  });

  test("Markdown: the header, an identity row, one table row per check, the protection block", () => {
    const md = markdownReport(report);
    expect(md.split("\n").slice(0, 6)).toEqual([
      "# seclog verification report",
      "",
      "- Time (UTC): 2026-12-01T12:00:00.000Z",
      "- Config: `config/x.yaml`",
      "- Result: all checks ok (exit 0)",
      "- Checks: 32 (32 ok)",
    ]);
    expect(md).toContain("| security | 111111111111 | arn:aws:sts::111111111111:assumed-role/A/b |");
    expect(md.split("\n").filter((line) => /^\| ok \|/.test(line))).toHaveLength(32);
    expect(md).toContain('"versioning": {\n    "Status": "Enabled"\n  }');
  });

  test("text: problems carry expected, found and fix; the count line", () => {
    const broken = healthy() as Observation;
    broken.security.bucket.versioning = { Status: "Suspended" };
    const text = textReport(
      buildReport("c", broken as Observed, [], verifyRows(expected, broken as Observed, OPTIONS)),
    );
    expect(text).toContain(
      "DRIFT security us-east-1: archive versioning\n        expected: Enabled\n        found:    versioning Suspended\n        fix:      run `cdktf deploy security`\n",
    );
    expect(text.trimEnd().split("\n").pop()).toBe("32 checks: 31 ok, 1 drift, 0 gap, 0 error");
  });
});

describe("policy comparison, branch by branch", () => {
  const deny = { Effect: "Deny" as const, Action: "s3:*", Resource: "r" };

  test("statementIn: a lone Statement object, a document that is not an object, statements that are not objects", () => {
    expect(statementIn(JSON.stringify({ Statement: { ...deny, Sid: "A" } }), deny)).toBe(true);
    expect(statementIn("42", deny)).toBe(false);
    expect(statementIn("null", deny)).toBe(false);
    expect(statementIn(JSON.stringify({ Statement: ["text", null] }), deny)).toBe(false);
    expect(statementIn(JSON.stringify({ Version: "2012-10-17" }), deny)).toBe(false);
  });

  test("a root ARN in any partition is its account id; other ARNs, other digits and Service values are not", () => {
    const principalOf = (AWS: unknown) => canonicalPolicy({ ...deny, Principal: { AWS } });
    expect(principalOf("arn:aws-cn:iam::111111111111:root")).toBe(principalOf("111111111111"));
    expect(principalOf("arn:aws-us-gov:iam::111111111111:root")).toBe(principalOf(["111111111111"]));
    expect(principalOf("arn:aws:iam::111111111111:role/x")).not.toBe(principalOf("111111111111"));
    expect(principalOf("arn:aws:iam::1111111111111:root")).not.toBe(principalOf("1111111111111"));
    expect(principalOf("xarn:aws:iam::111111111111:root")).not.toBe(principalOf("111111111111"));
    expect(principalOf("arn:aws:iam::111111111111:rootx")).not.toBe(principalOf("111111111111"));
    expect(canonicalPolicy({ ...deny, Principal: { Service: "arn:aws:iam::111111111111:root" } })).not.toBe(
      canonicalPolicy({ ...deny, Principal: { Service: "111111111111" } }),
    );
  });

  test("lists under policy keys are sets; arrays anywhere else keep their order; key order never matters", () => {
    expect(canonicalPolicy({ ...deny, Resource: ["a", "b"] })).toBe(
      canonicalPolicy({ ...deny, Resource: ["b", "a"] }),
    );
    expect(canonicalPolicy({ X: [1, 2] })).not.toBe(canonicalPolicy({ X: [2, 1] }));
    expect(canonicalPolicy([{ a: 1, b: 2 }])).toBe(canonicalPolicy([{ b: 2, a: 1 }]));
    expect(canonicalPolicy({ Statement: [] })).toBe(canonicalPolicy({ Statement: [] }));
    expect(canonicalPolicy({ Statement: undefined })).toBe(JSON.stringify({ Statement: [] }));
    expect(canonicalPolicy('{"b":1,"a":2}')).toBe('{"a":2,"b":1}');
    expect(canonicalPolicy("not json")).toBe('"not json"');
  });

  test("condition values: numbers and booleans compare as strings, lists as sets, objects in place; keys outside Condition stay typed", () => {
    const condition = (value: unknown) =>
      canonicalPolicy({ ...deny, Condition: { NumericLessThan: { "s3:max-keys": value } } });
    expect(condition(10)).toBe(condition(["10"]));
    expect(condition(["1", "2"])).toBe(condition(["2", "1"]));
    expect(condition([{ a: 1, b: 2 }])).toBe(condition([{ b: 2, a: 1 }]));
    expect(condition(true)).not.toBe(condition("false"));
    expect(canonicalPolicy({ ...deny, Flag: false })).not.toBe(canonicalPolicy({ ...deny, Flag: "false" }));
    // An operator named like a list key is still an operator: its keys are condition keys, not principals.
    expect(canonicalPolicy({ Condition: { AWS: { k: 1 } } })).toBe('{"Condition":{"AWS":{"k":["1"]}}}');
  });
});

describe("the report, exactly", () => {
  const rows: CheckRow[] = [
    {
      account: "security",
      region: "us-east-1",
      check: "stream",
      status: "ok",
      expected: "e1",
      found: "f1",
      fix: "",
    },
    {
      account: "web-prod",
      region: "",
      check: "log group a|b",
      status: "drift",
      expected: "line one\nline two",
      found: "x | y",
      fix: "run `cdktf deploy web-prod`",
    },
  ];
  const observed = healthy() as Observation;
  const identities = [
    { account: "web-prod", accountId: "333333333333", arn: "arn:aws:sts::333333333333:assumed-role/A/b" },
    { account: "security", accountId: "111111111111", arn: "arn:aws:sts::111111111111:assumed-role/A/b" },
  ];

  test("identities are listed by account name, whatever order the reads finished in", () => {
    expect(buildReport("c", observed as Observed, identities, rows).identities.map((i) => i.account)).toEqual(
      ["security", "web-prod"],
    );
    expect(
      buildReport("c", observed as Observed, [...identities].reverse(), rows).identities.map(
        (i) => i.account,
      ),
    ).toEqual(["security", "web-prod"]);
  });

  test("text: ok rows one line, others with expected, found and fix; a row without a region has no region", () => {
    expect(textReport(buildReport("c", observed as Observed, [], rows))).toBe(
      [
        "ok    security us-east-1: stream",
        "DRIFT web-prod: log group a|b",
        "        expected: line one\nline two",
        "        found:    x | y",
        "        fix:      run `cdktf deploy web-prod`",
        "",
        "2 checks: 1 ok, 1 drift, 0 gap, 0 error",
        "",
      ].join("\n"),
    );
  });

  test("Markdown, whole: pipes and line breaks escaped in cells, the result line for a failing run", () => {
    observed.security = { ...observed.security, bucket: undefined, keys: {} };
    const md = markdownReport(buildReport("cfg.yaml", observed as Observed, identities, rows));
    expect(md).toBe(
      [
        "# seclog verification report",
        "",
        "- Time (UTC): 2026-12-01T12:00:00.000Z",
        "- Config: `cfg.yaml`",
        "- Result: 1 drift, 0 gap, 0 error (exit 3)",
        "- Checks: 2 (1 ok)",
        "",
        "## Identities used",
        "",
        "| Account | Account id | Identity |",
        "| --- | --- | --- |",
        "| security | 111111111111 | arn:aws:sts::111111111111:assumed-role/A/b |",
        "| web-prod | 333333333333 | arn:aws:sts::333333333333:assumed-role/A/b |",
        "",
        "## Checks",
        "",
        "| Status | Account | Region | Check | Expected | Found | Fix |",
        "| --- | --- | --- | --- | --- | --- | --- |",
        "| ok | security | us-east-1 | stream | e1 | f1 |  |",
        "| drift | web-prod |  | log group a\\|b | line one line two | x \\| y | run `cdktf deploy web-prod` |",
        "",
        "## Archive protection as read from AWS",
        "",
        "The S3 and KMS responses, not the config:",
        "",
        "```json",
        '{\n  "bucket": "not set"\n}',
        "```",
        "",
      ].join("\n"),
    );
  });

  test("protection: a bucket that could not be read; keys missing, unreadable, pending deletion", () => {
    const failure = { failure: { call: "s3:GetBucketVersioning", message: "AccessDenied (HTTP 403): no" } };
    const o = healthy() as Observation;
    o.security.bucket = failure;
    expect(buildReport("c", o as Observed, [], []).protection).toEqual({
      bucket: "could not read: s3:GetBucketVersioning: AccessDenied (HTTP 403): no",
    });
    const k = healthy() as Observation;
    k.security.keys = {
      "alias/a": undefined,
      "alias/b": { failure: { call: "kms:DescribeKey alias/b", message: "denied" } },
      "alias/c": {
        KeyMetadata: {
          Arn: "arn:k",
          KeyState: "PendingDeletion",
          DeletionDate: new Date("2026-12-31T00:00:00Z"),
        },
        rotationEnabled: { failure: { call: "kms:GetKeyRotationStatus alias/c", message: "denied" } },
      },
    };
    k.security.bucket.objectLock = { ObjectLockEnabled: "Enabled" };
    const protection = buildReport("c", k as Observed, [], []).protection as Record<string, any>;
    expect(protection.keys).toEqual({
      "alias/a": "not set",
      "alias/b": "could not read: kms:DescribeKey alias/b: denied",
      "alias/c": {
        arn: "arn:k",
        state: "PendingDeletion",
        rotationEnabled: "could not read: kms:GetKeyRotationStatus alias/c: denied",
        deletionDate: "2026-12-31T00:00:00.000Z",
      },
    });
    expect(protection.objectLock).toEqual({ ObjectLockEnabled: "Enabled" });
  });
});
