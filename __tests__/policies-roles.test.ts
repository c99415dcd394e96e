import { baseConfig, fullConfig, PAYMENTS_ACCOUNT, WEB_ACCOUNT } from "./support/fixtures";
import { resourcesOf, StackJson, synthStacks } from "./support/synth";

/**
 * Every IAM role and KMS key the stacks create, besides its policy documents
 * (policies-exact.test.ts): name, description, provider, its one inline
 * policy's name and attachment, and each key's rotation, deletion window,
 * destroy protection and alias. A role's or a policy's name is its identity
 * in AWS (renaming one replaces it); a key that stops rotating or becomes
 * destroyable is a finding.
 */

function rolesOf(stack: StackJson): Record<string, Record<string, unknown>> {
  const policies = resourcesOf(stack, "aws_iam_role_policy");
  return Object.fromEntries(
    resourcesOf(stack, "aws_iam_role").map(([id, role]) => {
      const inline = policies
        .filter(([, p]) => p.role === `\${aws_iam_role.${id}.id}`)
        .map(([, p]) => ({ name: p.name, provider: p.provider }));
      return [id, { name: role.name, description: role.description, provider: role.provider, inline }];
    }),
  );
}

/** Every inline policy is attached to one of the stack's roles (none to a role by name or elsewhere). */
function unattachedPolicies(stack: StackJson): string[] {
  const roles = new Set(resourcesOf(stack, "aws_iam_role").map(([id]) => `\${aws_iam_role.${id}.id}`));
  return resourcesOf(stack, "aws_iam_role_policy")
    .filter(([, p]) => !roles.has(p.role))
    .map(([id]) => id);
}

function keysOf(stack: StackJson): Record<string, Record<string, unknown>> {
  const aliases = resourcesOf(stack, "aws_kms_alias");
  return Object.fromEntries(
    resourcesOf(stack, "aws_kms_key").map(([id, key]) => [
      id,
      {
        description: key.description,
        enable_key_rotation: key.enable_key_rotation,
        deletion_window_in_days: key.deletion_window_in_days,
        lifecycle: key.lifecycle,
        provider: key.provider,
        aliases: aliases
          .filter(([, a]) => a.target_key_id === `\${aws_kms_key.${id}.key_id}`)
          .map(([, a]) => a.name),
      },
    ]),
  );
}

const HOME = "aws.us_east_1";
const key = (description: string, alias: string, provider = HOME) => ({
  description,
  enable_key_rotation: true,
  deletion_window_in_days: 30,
  lifecycle: { prevent_destroy: true },
  provider,
  aliases: [alias],
});

const SECURITY_ROLES = {
  Delivery_Role_DD34AE81: {
    name: "secops-logs-firehose",
    description: "Firehose reads the security log stream and writes the archive bucket",
    provider: HOME,
    inline: [{ name: "deliver-security-logs", provider: HOME }],
  },
  DestinationRole_5512639E: {
    name: "secops-logs-destination",
    description: "CloudWatch Logs destinations put subscribed log records into the security log stream",
    provider: HOME,
    inline: [{ name: "put-into-stream", provider: HOME }],
  },
  Processor_Role_59F44976: {
    name: "secops-logs-processor",
    description: "Firehose processor Lambda: writes its own log group, nothing else",
    provider: HOME,
    inline: [{ name: "write-own-logs", provider: HOME }],
  },
};

const SECURITY_KEYS = {
  ArchiveKey_5C51534B: key(
    "secops-security-logs: archive objects and the pipeline's own log groups",
    "alias/secops-archive",
  ),
  StreamKey_053B4889: key("secops-security-logs: Kinesis stream records", "alias/secops-stream"),
  // Search is on with the events format; its key encrypts only expiring query results, so it may go.
  SearchResultsKey_0005A591: {
    ...key("secops-security-logs: Athena query results", "alias/secops-search-results"),
    lifecycle: { prevent_destroy: false },
  },
};

describe("IAM roles and KMS keys, account lists (baseConfig)", () => {
  const stacks = synthStacks(baseConfig());

  test("security: the Firehose, destination and processor roles, each with exactly one inline policy", () => {
    expect(rolesOf(stacks.security)).toStrictEqual(SECURITY_ROLES);
    expect(unattachedPolicies(stacks.security)).toEqual([]);
  });

  test("security: the archive and stream keys rotate, wait 30 days, cannot be destroyed, one alias each; the search results key may be destroyed", () => {
    expect(keysOf(stacks.security)).toStrictEqual(SECURITY_KEYS);
  });

  test("application stacks: no role (account lists need no sender role), no key", () => {
    for (const name of ["payments-prod", "web-prod"]) {
      expect([name, rolesOf(stacks[name]), keysOf(stacks[name])]).toEqual([name, {}, {}]);
      expect(resourcesOf(stacks[name], "aws_iam_role_policy")).toEqual([]);
    }
  });
});

describe("IAM roles and KMS keys, every option (fullConfig)", () => {
  const stacks = synthStacks(fullConfig());

  test("security: the same roles; the notifications key as well", () => {
    expect(rolesOf(stacks.security)).toStrictEqual(SECURITY_ROLES);
    expect(unattachedPolicies(stacks.security)).toEqual([]);
    expect(keysOf(stacks.security)).toStrictEqual({
      ...SECURITY_KEYS,
      // Protects messages in flight only: it goes when alarms and notifications are turned off.
      NotificationsKey_1DC6809C: {
        ...key(
          "secops-security-logs: alarm topic and object notification queue",
          "alias/secops-notifications",
        ),
        lifecycle: { prevent_destroy: false },
      },
    });
  });

  test("application stacks: one sender role, created by the first region's provider (IAM is global)", () => {
    const sender = (provider: string) => ({
      SenderRole_5B8E7289: {
        name: "secops-logs-subscription",
        description: "CloudWatch Logs proves this account may subscribe to the security log destinations",
        provider,
        inline: [{ name: "put-to-destinations", provider }],
      },
    });
    expect(rolesOf(stacks["payments-prod"])).toStrictEqual(sender("aws.us_east_1"));
    expect(rolesOf(stacks["web-prod"])).toStrictEqual(sender("aws.us_east_1"));
    for (const name of ["payments-prod", "web-prod"]) expect(unattachedPolicies(stacks[name])).toEqual([]);
  });

  test("state: one role per application stack, named and described for it; the state key", () => {
    const state = (stack: string, accountId: string) => ({
      name: `secops-tfstate-${stack}`,
      description: `Terraform S3 backend of stack ${stack} (account ${accountId}): its own state and lock only`,
      provider: HOME,
      inline: [{ name: "own-terraform-state", provider: HOME }],
    });
    expect(rolesOf(stacks.state)).toStrictEqual({
      "StateAccess_payments-prod_Role_60F15FAA": state("payments-prod", PAYMENTS_ACCOUNT),
      "StateAccess_web-prod_Role_6BB6662C": state("web-prod", WEB_ACCOUNT),
    });
    expect(unattachedPolicies(stacks.state)).toEqual([]);
    expect(keysOf(stacks.state)).toStrictEqual({
      StateKey_D2B02354: key("secops: Terraform state of the seclog stacks", "alias/secops-terraform-state"),
    });
  });
});

describe("bucket policies", () => {
  /** bucket reference -> [its policy's depends_on, the public access block of the same bucket]. */
  const ordering = (stack: StackJson): Record<string, [string[], string[]]> => {
    const blocks = Object.fromEntries(
      resourcesOf(stack, "aws_s3_bucket_public_access_block").map(([id, b]) => [
        b.bucket,
        `aws_s3_bucket_public_access_block.${id}`,
      ]),
    );
    return Object.fromEntries(
      resourcesOf(stack, "aws_s3_bucket_policy").map(([, p]) => [
        p.bucket,
        [p.depends_on, [blocks[p.bucket]]],
      ]),
    );
  };

  test("each bucket's policy waits for that bucket's public access block (BlockPublicPolicy first)", () => {
    const stacks = synthStacks(fullConfig());
    const ARCHIVE = "${aws_s3_bucket.Archive_Bucket_DB32D495.id}";
    const ACCESS_LOGS = "${aws_s3_bucket.AccessLogs_Bucket_FB91B785.id}";
    const STATE = "${aws_s3_bucket.StateBucket_3A0A90D0.id}";
    const RESULTS = "${aws_s3_bucket.SearchResults_Bucket_69000AC3.id}";
    const security = ordering(stacks.security);
    expect(Object.keys(security).sort()).toEqual([ACCESS_LOGS, ARCHIVE, RESULTS].sort());
    for (const [bucket, [dependsOn, block]] of Object.entries(security))
      expect([bucket, dependsOn]).toEqual([bucket, block]);
    expect(ordering(stacks.state)).toEqual({
      [STATE]: [
        ["aws_s3_bucket_public_access_block.StateBucket_PublicAccessBlock_6DFB41B0"],
        ["aws_s3_bucket_public_access_block.StateBucket_PublicAccessBlock_6DFB41B0"],
      ],
    });
  });
});
