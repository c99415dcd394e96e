import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseDocument } from "yaml";
import { IAM_ROLE_NAME_MAX_CHARS, SCP_MAX_BYTES } from "../lib/aws-limits";
import { loadConfigFile, parseConfig } from "../lib/config/load";
import { KNOWN_REGIONS, partitionOf } from "../lib/config/regions";
import { namingOf } from "../lib/naming";
import {
  ALIAS_ACTIONS,
  ARCHIVE_BUCKET_ACTIONS,
  ARCHIVE_OBJECT_ACTIONS,
  KEY_ACTIONS,
  PIPELINE_ACTIONS,
  ROLE_ACTIONS,
  securityKeyAliases,
  scpSize,
  scpText,
  ScpTooLargeError,
  securityAccountScp,
  vaultAccountScp,
} from "../lib/scp";
import { run } from "../scripts/scp";
import { baseConfig, SECURITY_ACCOUNT } from "./support/fixtures";
import { request, Row, simulateRows } from "./support/iam-rows";
import { Policy } from "./support/planned-policies";
import { policyOf, resourcesOf, synthStacks } from "./support/synth";

const config = parseConfig(baseConfig(), "base.json");
const EXEMPT = ["seclog-break-glass", "terraform-deploy"];
const scp = securityAccountScp(config, { exemptRoleNames: EXEMPT });

const BUCKET = `arn:aws:s3:::secops-security-logs-${SECURITY_ACCOUNT}`;
const KEY = `arn:aws:kms:us-east-1:${SECURITY_ACCOUNT}:key/0a1b2c3d-0000-4000-8000-000000000001`;
const DESTINATION = (region: string) =>
  `arn:aws:logs:${region}:${SECURITY_ACCOUNT}:destination:secops-security-logs`;
/** The destination has one name in every region: one ARN covers them all. */
const DESTINATIONS = DESTINATION("*");
const STREAM = `arn:aws:kinesis:us-east-1:${SECURITY_ACCOUNT}:stream/secops-security-logs`;
const DELIVERY = `arn:aws:firehose:us-east-1:${SECURITY_ACCOUNT}:deliverystream/secops-security-logs`;
const PROCESSOR = `arn:aws:lambda:us-east-1:${SECURITY_ACCOUNT}:function:secops-logs-processor`;
const ROLE = (name: string) => `arn:aws:iam::${SECURITY_ACCOUNT}:role/${name}`;
const ALIAS = (name: string) => `arn:aws:kms:us-east-1:${SECURITY_ACCOUNT}:alias/${name}`;
/** The aliases the security stack creates for the base config (no alarms or notifications there). */
const PIPELINE_ALIASES = ["secops-archive", "secops-stream", "secops-search-results"].map(ALIAS);
/** The events format's roles: the processor's execution role is named like the function. */
const PIPELINE_ROLES = [
  ROLE("secops-logs-destination"),
  ROLE("secops-logs-firehose"),
  ROLE("secops-logs-processor"),
];
const UNLESS = { ArnNotLike: { "aws:PrincipalArn": EXEMPT.map(ROLE) } };
const AWS_REGIONS = KNOWN_REGIONS.filter((region) => partitionOf(region) === "aws");

/** The base config with alarms or not, and a replica in `region`. */
function withReplica(setup: { alarms: boolean; region: string }): Record<string, any> {
  const raw = baseConfig();
  if (setup.alarms) raw.alarms = {};
  raw.archive = {
    replica: {
      accountId: "444444444444",
      region: setup.region,
      objectLock: { mode: "COMPLIANCE", days: 365 },
    },
  };
  return raw;
}

/**
 * The largest config the schema allows in what the documents name: the longest prefix (20), the
 * longest bucket name (63), home and replica in two different regions of the longest name, every
 * region of the partition shipping (organization mode: listed accounts could not, the destination
 * role's trust policy would overflow), alarms (the notifications key, and the replica region's) and
 * search (its results key) on, the events format (the processor's two ARNs outweigh the raw
 * stream's longer name).
 */
const LARGEST_REGIONS = AWS_REGIONS.filter(
  (region) => region.length === Math.max(...AWS_REGIONS.map((r) => r.length)),
);
const LARGEST: Record<string, any> = {
  prefix: `s${"x".repeat(19)}`,
  organizationId: "o-a1b2c3d4e5",
  security: { accountId: SECURITY_ACCOUNT, region: LARGEST_REGIONS[0] },
  archive: {
    bucketName: `b${"x".repeat(62)}`,
    objectLock: { mode: "COMPLIANCE", days: 365 },
    replica: {
      accountId: "444444444444",
      region: LARGEST_REGIONS[1],
      objectLock: { mode: "COMPLIANCE", days: 365 },
    },
  },
  delivery: { format: "events" },
  alarms: { email: "secops@example.com" },
  notifications: { sqs: true },
  search: { enabled: true },
  accounts: [
    {
      name: "everywhere",
      accountId: "222222222222",
      regions: AWS_REGIONS,
      logGroups: [{ name: "/var/log/secure" }],
    },
  ],
};

describe("the security account's SCP (npm run scp)", () => {
  test("exactly: five denies on the pipeline's own resources, each lifted for the exempt roles of the security account only", () => {
    expect(scp).toEqual({
      Version: "2012-10-17",
      Statement: [
        {
          Sid: "ProtectArchive",
          Effect: "Deny",
          Action: [
            "s3:DeleteBucket",
            "s3:DeleteBucketPolicy",
            "s3:PutBucketObjectLockConfiguration",
            "s3:PutBucketOwnershipControls",
            "s3:PutBucketPolicy",
            "s3:PutBucketPublicAccessBlock",
            "s3:PutBucketVersioning",
            "s3:PutEncryptionConfiguration",
            "s3:PutLifecycleConfiguration",
            "s3:PutReplicationConfiguration",
            "s3:BypassGovernanceRetention",
            "s3:DeleteObjectVersion",
            "s3:PutObjectLegalHold",
            "s3:PutObjectRetention",
          ],
          Resource: [BUCKET, `${BUCKET}/*`],
          Condition: UNLESS,
        },
        {
          Sid: "ProtectKeys",
          Effect: "Deny",
          Action: ["kms:DisableKey", "kms:DisableKeyRotation", "kms:PutKeyPolicy", "kms:ScheduleKeyDeletion"],
          // Every region: the aliases below name only the stack's keys, wherever one is.
          Resource: [`arn:aws:kms:*:${SECURITY_ACCOUNT}:key/*`],
          Condition: {
            ...UNLESS,
            "ForAnyValue:StringEquals": {
              "kms:ResourceAliases": [
                "alias/secops-archive",
                "alias/secops-stream",
                "alias/secops-search-results",
              ],
            },
          },
        },
        {
          Sid: "ProtectKeyAliases",
          Effect: "Deny",
          Action: ["kms:CreateAlias", "kms:DeleteAlias", "kms:UpdateAlias"],
          Resource: PIPELINE_ALIASES,
          Condition: UNLESS,
        },
        {
          Sid: "ProtectPipeline",
          Effect: "Deny",
          Action: [
            "firehose:DeleteDeliveryStream",
            "firehose:StopDeliveryStreamEncryption",
            "firehose:UpdateDestination",
            "kinesis:DecreaseStreamRetentionPeriod",
            "kinesis:DeleteStream",
            "kinesis:StopStreamEncryption",
            "lambda:DeleteFunction",
            "lambda:UpdateFunctionCode",
            "lambda:UpdateFunctionConfiguration",
            "logs:DeleteDestination",
            "logs:PutDestination",
            "logs:PutDestinationPolicy",
          ],
          Resource: [DESTINATIONS, STREAM, DELIVERY, PROCESSOR, `${PROCESSOR}:*`],
          Condition: UNLESS,
        },
        {
          Sid: "ProtectPipelineRoles",
          Effect: "Deny",
          Action: [
            "iam:AttachRolePolicy",
            "iam:DeleteRole",
            "iam:DeleteRolePermissionsBoundary",
            "iam:DeleteRolePolicy",
            "iam:DetachRolePolicy",
            "iam:PutRolePermissionsBoundary",
            "iam:PutRolePolicy",
            "iam:UpdateAssumeRolePolicy",
          ],
          Resource: PIPELINE_ROLES,
          Condition: UNLESS,
        },
      ],
    });
  });

  test("raw format: no processor to protect", () => {
    const raw = baseConfig();
    raw.delivery = { format: "raw" };
    const pipeline = securityAccountScp(parseConfig(raw, "raw.json"), {
      exemptRoleNames: EXEMPT,
    }).Statement.find((s) => s.Sid === "ProtectPipeline")!;
    // The raw format's delivery stream has its own name (lib/naming.ts: both formats can exist during a switch).
    expect(pipeline.Resource).toEqual([DESTINATIONS, STREAM, `${DELIVERY}-raw`]);
    const roles = securityAccountScp(parseConfig(raw, "raw.json"), {
      exemptRoleNames: EXEMPT,
    }).Statement.find((s) => s.Sid === "ProtectPipelineRoles")!;
    expect(roles.Resource).toEqual([ROLE("secops-logs-destination"), ROLE("secops-logs-firehose")]);
  });

  test("one destination ARN, whatever the regions: the destination has one name in every region", () => {
    const raw = baseConfig();
    raw.organizationId = "o-a1b2c3d4e5";
    raw.accounts[0].regions = AWS_REGIONS;
    const everywhere = parseConfig(raw, "everywhere.json");
    expect(everywhere.destinationRegions).toEqual(AWS_REGIONS);
    const pipeline = securityAccountScp(everywhere, { exemptRoleNames: EXEMPT }).Statement.find(
      (s) => s.Sid === "ProtectPipeline",
    )!;
    expect(pipeline.Resource).toEqual(
      securityAccountScp(config, { exemptRoleNames: EXEMPT }).Statement.find(
        (s) => s.Sid === "ProtectPipeline",
      )!.Resource,
    );
    for (const region of AWS_REGIONS)
      expect(namingOf(everywhere).destinationArn(region)).toMatch(
        new RegExp(`^${DESTINATIONS.replace("*", "[a-z0-9-]+")}$`),
      );
  });

  test("alarms or notifications: their key's alias is protected too", () => {
    const raw = baseConfig();
    raw.alarms = {};
    const aliases = securityAccountScp(parseConfig(raw, "alarms.json"), {
      exemptRoleNames: EXEMPT,
    }).Statement.find((s) => s.Sid === "ProtectKeyAliases")!;
    expect(aliases.Resource).toEqual([
      ALIAS("secops-archive"),
      ALIAS("secops-stream"),
      ALIAS("secops-notifications"),
      ALIAS("secops-search-results"),
    ]);
  });

  test.each([
    ["alarms, replica in another region", { alarms: true, region: "us-west-2" }, true],
    ["alarms, replica in the home region", { alarms: true, region: "us-east-1" }, false],
    ["no alarms, replica in another region", { alarms: false, region: "us-west-2" }, false],
  ])("%s: the replica region's alarm key and its alias protected: %s", (_what, setup, regional) => {
    const document = securityAccountScp(parseConfig(withReplica(setup), "replica.json"), {
      exemptRoleNames: EXEMPT,
    });
    const byId = (sid: string) => document.Statement.find((s) => s.Sid === sid)!;
    const alias = `alias/secops-notifications-${setup.region}`;
    const aliasArn = `arn:aws:kms:${setup.region}:${SECURITY_ACCOUNT}:${alias}`;
    expect(byId("ProtectKeys").Resource).toEqual([`arn:aws:kms:*:${SECURITY_ACCOUNT}:key/*`]);
    expect(byId("ProtectKeys").Condition!["ForAnyValue:StringEquals"]["kms:ResourceAliases"]).toEqual([
      "alias/secops-archive",
      "alias/secops-stream",
      ...(setup.alarms ? ["alias/secops-notifications"] : []),
      "alias/secops-search-results",
      ...(regional ? [alias] : []),
    ]);
    expect(byId("ProtectKeyAliases").Resource).toEqual([
      ALIAS("secops-archive"),
      ALIAS("secops-stream"),
      ...(setup.alarms ? [ALIAS("secops-notifications")] : []),
      ALIAS("secops-search-results"),
      ...(regional ? [aliasArn] : []),
    ]);
  });

  test.each([
    ["the base config", baseConfig()],
    ["alarms and a replica in another region", withReplica({ alarms: true, region: "us-west-2" })],
    ["alarms and a replica in the home region", withReplica({ alarms: true, region: "us-east-1" })],
    ["the largest config", LARGEST],
  ])(
    "%s: the SCP names exactly the aliases the security stack creates, in their regions, and every key has one",
    (_what, raw) => {
      const stack = synthStacks(raw).security;
      const regionOf = (provider: string) =>
        stack.provider.aws.find((p) => `aws.${p.alias}` === provider)!.region as string;
      const created = resourcesOf(stack, "aws_kms_alias").map(([, alias]) => ({
        alias: alias.name as string,
        region: regionOf(alias.provider),
      }));
      const sorted = <T extends { alias: string }>(list: T[]) =>
        [...list].sort((a, b) => a.alias.localeCompare(b.alias));
      expect(sorted(securityKeyAliases(parseConfig(raw, "config.json")))).toEqual(sorted(created));
      // kms:ResourceAliases finds a key only by an alias: a key without one would be outside the denies.
      expect(resourcesOf(stack, "aws_kms_key")).toHaveLength(created.length);
    },
  );

  test("size: what is measured is the printed text, compact JSON and its newline", () => {
    const text = scpText(scp);
    expect(text).toBe(`${JSON.stringify(scp)}\n`);
    expect(scpSize(scp)).toBe(text.length);
  });

  test("size: the base config fits; a document over 5,120 characters is refused with the fix", () => {
    expect(scpSize(scp)).toBe(3188);
    const many = Array.from({ length: 40 }, (_, i) => `break-glass-role-number-${i}`);
    let refusal: unknown;
    try {
      securityAccountScp(config, { exemptRoleNames: many });
    } catch (error) {
      refusal = error;
    }
    expect(refusal).toBeInstanceOf(ScpTooLargeError);
    expect(refusal).toMatchObject({
      account: "security",
      size: expect.any(Number),
      message: expect.stringMatching(
        /^the security account's SCP would be \d+ characters, over the 5120 AWS Organizations allows: name fewer or shorter exempt roles \(--exempt-role\), or choose a shorter prefix$/,
      ),
    });
    expect((refusal as ScpTooLargeError).size).toBeGreaterThan(SCP_MAX_BYTES);
  });
});

describe("the largest config: both documents fit", () => {
  const largest = parseConfig(LARGEST, "largest.json");
  const exempt = { exemptRoleNames: ["x", "y", "z"].map((c) => c.repeat(IAM_ROLE_NAME_MAX_CHARS)) };

  test("is the largest the schema allows in everything the documents name", () => {
    expect(largest.prefix).toHaveLength(20);
    // One more character, and the schema refuses it (2-20 characters).
    expect(() => parseConfig({ ...LARGEST, prefix: `${LARGEST.prefix}x` }, "longer.json")).toThrow(
      /prefix: must be 2-20 lowercase letters/,
    );
    expect(largest.archive.bucketName).toHaveLength(63);
    expect(largest.destinationRegions).toEqual(AWS_REGIONS);
    for (const region of [largest.security.region, largest.archive.replica!.region])
      expect(region).toHaveLength(Math.max(...AWS_REGIONS.map((r) => r.length)));
    expect(largest.archive.replica!.region).not.toBe(largest.security.region);
    expect(largest.alarms).toBeDefined();
    expect(largest.search).toBeDefined();
    expect(largest.delivery.format).toBe("events");
  });

  test("measured: security 4,792 and vault 2,167 characters of 5,120, with three exempt roles of 64 characters", () => {
    const security = securityAccountScp(largest, exempt);
    const vault = vaultAccountScp(largest, exempt)!;
    expect([scpSize(security), scpSize(vault)]).toEqual([4792, 2167]);
    expect(scpSize(security)).toBeLessThanOrEqual(SCP_MAX_BYTES);
    // Pretty-printed (README: 6,193), it would not fit: AWS counts the white space too.
    expect(`${JSON.stringify(security, null, 2)}\n`).toHaveLength(6193);
    expect(security.Statement.map((s) => s.Sid)).toEqual([
      "ProtectArchive",
      "ProtectKeys",
      "ProtectKeyAliases",
      "ProtectPipeline",
      "ProtectPipelineRoles",
    ]);
    // A fourth exempt role of that length does not fit the security account's document.
    expect(() =>
      securityAccountScp(largest, { exemptRoleNames: [...exempt.exemptRoleNames, "w".repeat(64)] }),
    ).toThrow(ScpTooLargeError);
  });
});

interface ScpPolicies {
  readonly scp: Policy;
  readonly keyPolicy: Policy;
}

/**
 * An administrator (Allow * on *) of the security account, under the SCP attached to the security
 * account (`attachedTo`: or at the organization root, over every account).
 */
function underScp(
  principal: string,
  action: string,
  resource: string,
  context: Record<string, string | string[]> = {},
  attachedTo: "account" | "root" = "account",
) {
  return (p: ScpPolicies) => {
    const simulation = request({
      principal,
      action,
      resource,
      resourceAccount: SECURITY_ACCOUNT,
      identity: { Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "*", Resource: "*" }] },
      // AWS puts the caller's ARN (the role's, for an assumed-role session) in every request; the simulator needs it given.
      context: { "aws:PrincipalArn": principal, ...context },
      // A request on a key needs the key policy too: the archive key's, as synthesized (it delegates to
      // IAM). An alias has no policy of its own: IAM alone decides the alias half of an alias request.
      ...(resource.includes(":key/") ? { resourcePolicy: p.keyPolicy } : {}),
    });
    const full = {
      name: "FullAWSAccess",
      policy: { Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: "*", Resource: "*" }] },
    };
    const seclog = { name: "seclog-security", policy: p.scp };
    return {
      ...simulation,
      serviceControlPolicies: [
        { orgIdentifier: "r-root", policies: attachedTo === "root" ? [full, seclog] : [full] },
        { orgIdentifier: SECURITY_ACCOUNT, policies: attachedTo === "account" ? [full, seclog] : [full] },
      ],
    };
  };
}

const ADMIN = ROLE("Admin");
const ROOT = `arn:aws:iam::${SECURITY_ACCOUNT}:root`;
const BREAK_GLASS = ROLE("seclog-break-glass");
const ALIASES = { "kms:ResourceAliases": ["alias/secops-archive"] };

/** Each denied action with the resource it acts on. */
const GUARDED: Array<[string, string, Record<string, string | string[]>?]> = [
  ...ARCHIVE_BUCKET_ACTIONS.map((a): [string, string] => [a, BUCKET]),
  ...ARCHIVE_OBJECT_ACTIONS.map((a): [string, string] => [a, `${BUCKET}/events/2026/12/01/11/x.ndjson.gz`]),
  ...KEY_ACTIONS.map((a): [string, string, Record<string, string[]>] => [a, KEY, ALIASES]),
  ...PIPELINE_ACTIONS.flatMap((a): Array<[string, string]> => {
    // Each region's destination, and one of the name in a region nobody ships from yet (PutDestination creates it).
    if (a.startsWith("logs:"))
      return ["eu-west-1", "us-east-1", "ap-south-1"].map((region) => [a, DESTINATION(region)]);
    if (a.startsWith("lambda:")) return [PROCESSOR, `${PROCESSOR}:$LATEST`].map((arn) => [a, arn]);
    return [[a, a.startsWith("kinesis:") ? STREAM : DELIVERY]];
  }),
  // Each of these is authorized on the alias and on the key; the alias half is what the SCP denies.
  ...ALIAS_ACTIONS.flatMap((a) => PIPELINE_ALIASES.map((alias): [string, string] => [a, alias])),
  ...ROLE_ACTIONS.flatMap((a) => PIPELINE_ROLES.map((role): [string, string] => [a, role])),
];

/** A row's resource: what follows the account in its ARN, and its region if it has one. */
const label = (arn: string) => {
  const parts = arn.split(":");
  return `${parts.slice(5).join(":")}${parts[3] ? ` in ${parts[3]}` : ""}`;
};

const ROWS: Row<ScpPolicies>[] = [
  ...GUARDED.map(([action, resource, context]) => ({
    rule: `an administrator cannot ${action} on ${label(resource)}`,
    expected: "ExplicitlyDenied" as const,
    simulation: underScp(ADMIN, action, resource, context),
  })),
  ...GUARDED.map(([action, resource, context]) => ({
    rule: `the break-glass role can ${action} on ${label(resource)}`,
    expected: "Allowed" as const,
    simulation: underScp(BREAK_GLASS, action, resource, context),
  })),
  {
    rule: "the account root user cannot schedule the archive key's deletion",
    expected: "ExplicitlyDenied",
    simulation: underScp(ROOT, "kms:ScheduleKeyDeletion", KEY, ALIASES),
  },
  {
    rule: "attached at the root, a role named like the break-glass role in another account is not exempt",
    expected: "ExplicitlyDenied",
    simulation: underScp(
      "arn:aws:iam::999999999999:role/seclog-break-glass",
      "s3:PutBucketPolicy",
      BUCKET,
      {},
      "root",
    ),
  },
  {
    rule: "an administrator may still delete another destination",
    expected: "Allowed",
    simulation: underScp(
      ADMIN,
      "logs:DeleteDestination",
      `arn:aws:logs:eu-west-1:${SECURITY_ACCOUNT}:destination:team-logs`,
    ),
  },
  {
    rule: "the pipeline keeps working: Firehose's role may still write objects",
    expected: "Allowed",
    simulation: underScp(ROLE("secops-logs-firehose"), "s3:PutObject", `${BUCKET}/events/x`),
  },
  {
    rule: "an administrator may still change another bucket's policy",
    expected: "Allowed",
    simulation: underScp(ADMIN, "s3:PutBucketPolicy", "arn:aws:s3:::team-scratch"),
  },
  {
    rule: "an administrator may still disable a key that carries none of the pipeline's aliases",
    expected: "Allowed",
    simulation: underScp(ADMIN, "kms:DisableKey", KEY, { "kms:ResourceAliases": ["alias/team"] }),
  },
  ...ALIAS_ACTIONS.map((action) => ({
    rule: `an administrator may still ${action} on an alias that is not the pipeline's`,
    expected: "Allowed" as const,
    simulation: underScp(ADMIN, action, ALIAS("team")),
  })),
  {
    rule: "an administrator may still give the archive key another alias (the key half of kms:CreateAlias)",
    expected: "Allowed",
    simulation: underScp(ADMIN, "kms:CreateAlias", KEY, ALIASES),
  },
  {
    rule: "an administrator may still decrypt with the archive key (reading evidence is not destroying it)",
    expected: "Allowed",
    simulation: underScp(ADMIN, "kms:Decrypt", KEY, ALIASES),
  },
];

describe("IAM simulation with the SCP attached", () => {
  const keyPolicy = policyOf(
    resourcesOf(synthStacks(baseConfig()).security, "aws_kms_key").find(([id]) =>
      id.startsWith("ArchiveKey"),
    )![1].policy,
  ) as Policy;
  simulateRows("%s", ROWS, { scp: scp as unknown as Policy, keyPolicy });
});

describe("the command line", () => {
  const invoke = (argv: string[]) => {
    let stdout = "";
    let stderr = "";
    const code = run(
      argv,
      { SECLOG_CONFIG: "config/example.yaml" },
      {
        stdout: { write: (s: string) => ((stdout += s), true) },
        stderr: { write: (s: string) => ((stderr += s), true) },
      },
    );
    return { code, stdout, stderr };
  };

  /** config/example.yaml with its commented-out replica turned on (the README's vault account). */
  const exampleWithReplica = () => {
    const document = parseDocument(readFileSync("config/example.yaml", "utf8"));
    document.setIn(["archive", "replica"], {
      accountId: "444444444444",
      region: "us-west-2",
      objectLock: { mode: "COMPLIANCE", days: 2555 },
    });
    const file = join(mkdtempSync(join(tmpdir(), "seclog-scp-")), "replica.yaml");
    writeFileSync(file, String(document));
    return file;
  };

  const TWO = ["--exempt-role", "seclog-break-glass", "--exempt-role", "terraform-deploy"];
  const twoRoles = { exemptRoleNames: ["seclog-break-glass", "terraform-deploy"] };
  const EXAMPLE_WITH_REPLICA = exampleWithReplica();

  test.each([
    ["the example config", "config/example.yaml", [], "security", 3281],
    ["the example config", "config/example.yaml", ["--account", "security"], "security", 3281],
    ["the example config with a replica", EXAMPLE_WITH_REPLICA, [], "security", 3451],
    ["the example config with a replica", EXAMPLE_WITH_REPLICA, ["--account", "vault"], "vault", 1525],
  ])(
    "%s %j, two exempt roles: prints the %s account's document, one line of compact JSON, what AWS measures: %d characters",
    (_what, file, account, which, size) => {
      const { code, stdout, stderr } = invoke([...account, ...TWO, "--config", file]);
      expect({ code, stderr }).toEqual({ code: 0, stderr: "" });
      // AWS Organizations counts every character of the uploaded document, white space included.
      expect(stdout.length).toBe(size);
      expect(Buffer.byteLength(stdout, "utf8")).toBe(size);
      expect(size).toBeLessThanOrEqual(SCP_MAX_BYTES);
      expect(stdout.split("\n")).toEqual([expect.any(String), ""]);
      const document = JSON.parse(stdout);
      const config = loadConfigFile(file);
      expect(document).toEqual(
        which === "security" ? securityAccountScp(config, twoRoles) : vaultAccountScp(config, twoRoles),
      );
      expect(stdout).toBe(scpText(document));
      // Each document exempts its own account's roles only.
      const accountId = which === "security" ? config.security.accountId : config.archive.replica!.accountId;
      for (const statement of document.Statement)
        expect(statement.Condition.ArnNotLike["aws:PrincipalArn"]).toEqual([
          `arn:aws:iam::${accountId}:role/seclog-break-glass`,
          `arn:aws:iam::${accountId}:role/terraform-deploy`,
        ]);
    },
  );

  test("the security account's document names nothing of the vault, with or without a replica", () => {
    const { stdout } = invoke([...TWO, "--config", EXAMPLE_WITH_REPLICA]);
    expect(stdout).not.toContain("444444444444");
    expect(stdout).not.toContain("alias/secops-replica");
    // The replication role is the security account's: changing it stops the vault's copy.
    expect(stdout).toContain("arn:aws:iam::111111111111:role/secops-logs-replication");
  });

  test("--account vault without archive.replica: exit 2, the config has no vault", () => {
    expect(invoke(["--account", "vault", ...TWO])).toEqual({
      code: 2,
      stdout: "",
      stderr:
        "scp: --account vault: config/example.yaml has no vault (no archive.replica); print the security account's document with --account security\n" +
        "usage: npm run scp -- [--account security|vault] --exempt-role <name> [--exempt-role <name> ...] [--config <file>]   (--help for details)\n",
    });
  });

  test("--account other than security or vault: exit 2", () => {
    expect(invoke(["--account", "payments-prod", ...TWO])).toMatchObject({
      code: 2,
      stdout: "",
      stderr: expect.stringMatching(/^scp: --account must be security or vault, got "payments-prod"\n/),
    });
  });

  test.each([
    ["security", "config/example.yaml", []],
    ["vault", EXAMPLE_WITH_REPLICA, ["--account", "vault"]],
  ])(
    "over the quota (%s): exit 1, one line naming the file, the size, the quota and the fix, no stack trace",
    (account, file, argv) => {
      const many = Array.from({ length: 40 }, (_, i) => [
        "--exempt-role",
        `break-glass-role-number-${i}`,
      ]).flat();
      const { code, stdout, stderr } = invoke([...argv, ...many, "--config", file]);
      expect({ code, stdout }).toEqual({ code: 1, stdout: "" });
      expect(stderr).toMatch(
        new RegExp(
          `^${file.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}: the ${account} account's SCP would be \\d+ characters, over the 5120 AWS Organizations allows: name fewer or shorter exempt roles \\(--exempt-role\\), or choose a shorter prefix\\n$`,
        ),
      );
    },
  );

  test("--help names both accounts", () => {
    const { code, stdout } = invoke(["--help"]);
    expect(code).toBe(0);
    expect(stdout).toContain("--account <account>   security (default) or vault");
    expect(stdout).toContain("Attach each document in AWS Organizations to its own account only");
  });

  test("prints the policy for the exempt roles", () => {
    const { code, stdout } = invoke(["--exempt-role", "seclog-break-glass"]);
    expect(code).toBe(0);
    expect(JSON.parse(stdout).Statement[0].Condition).toEqual({
      ArnNotLike: { "aws:PrincipalArn": ["arn:aws:iam::111111111111:role/seclog-break-glass"] },
    });
  });

  test("no exempt role, or a name IAM would refuse: exit 2", () => {
    expect(invoke([])).toMatchObject({
      code: 2,
      stderr: expect.stringContaining(
        "--exempt-role is required: without an exempt role nobody could ever change these resources",
      ),
    });
    expect(invoke(["--exempt-role", "bad/name"])).toMatchObject({
      code: 2,
      stderr: expect.stringContaining(
        '--exempt-role must be an IAM role name (at most 64 of letters, digits and +=,.@_-), got "bad/name"',
      ),
    });
    expect(invoke(["--exempt-role", "x".repeat(65)]).code).toBe(2);
    expect(invoke(["--exempt-role", "x".repeat(64)]).code).toBe(0);
  });
});
