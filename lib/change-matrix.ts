import type { Allowable } from "./changes";

/**
 * The change matrix: the config changes users make over the years, what
 * Terraform does for each, what that means for the logs, and what to do. It is
 * data for two readers: `npm run test:changes` applies every change against
 * the emulator and checks that Terraform's plan is exactly what a row says
 * (__tests__/changes/change-matrix.apply.test.ts), and `npm run docs` renders
 * the README table from the same rows, so the table cannot drift from what
 * Terraform was seen to do.
 */

/**
 * A config document as written (what config/logging.yaml parses to), before validation: the rows edit
 * it freely and every step's result is validated (`parseConfig`), so it is deliberately untyped.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type RawDoc = Record<string, any>;

/** What Terraform's plan does to resources on the data path (lib/changes.ts, REPLACING_ARGUMENTS), by resource type. */
export interface PlannedActions {
  readonly create?: readonly string[];
  /** "tags" stands for every tagged resource of the stack. */
  readonly update?: readonly string[] | "tags";
  /** Removed on purpose by the change. */
  readonly delete?: readonly string[];
  /** Replaced, the new one created first (create_before_destroy): no gap. */
  readonly replaceCreateFirst?: readonly string[];
  /** Replaced, destroyed first: a gap. Only behind a refusal (the user allowed it). */
  readonly replaceDeleteFirst?: readonly string[];
}

export interface ConfigChange {
  /** The README's name for the change. */
  readonly change: string;
  /** Applies the change to a copy of the current config. */
  readonly edit: (doc: RawDoc) => void;
  /** The stacks the change touches, and what Terraform plans in each. */
  readonly plans: Readonly<Record<string, PlannedActions>>;
  /**
   * Synth refuses the change unless allowed: these causes. The matrix then
   * plans it with the allowance (to show what Terraform would do) and does not
   * apply it. `planFails` when even the allowed plan is refused by Terraform.
   */
  readonly refused?: { readonly causes: readonly Allowable[]; readonly planFails?: string };
  /** What the change means for the logs. */
  readonly effect: string;
  /** What the user does. */
  readonly todo: string;
}

/** Changes applied together touch different stacks, so each stack's plan belongs to one change. */
export type ChangeStep = readonly ConfigChange[];

export const MATRIX_SECURITY_ACCOUNT = "777777777777";
/** The vault account of the matrix's last steps (`archive.replica`). */
export const MATRIX_VAULT_ACCOUNT = "131313131313";

/** Where the matrix starts: two accounts, one region, events format, no alarms or notifications. */
export function matrixBaseConfig(): RawDoc {
  return {
    prefix: "chg",
    tags: { owner: "security" },
    security: { accountId: MATRIX_SECURITY_ACCOUNT, region: "eu-west-1" },
    archive: { glacierAfterDays: 90 },
    stream: { mode: "on-demand", retentionHours: 24 },
    delivery: { format: "events", bufferSeconds: 300, bufferMiB: 64 },
    accounts: [
      {
        name: "shop",
        accountId: "888888888888",
        regions: ["eu-west-1"],
        logGroups: [
          { name: "/app/shop/audit", create: true, retentionDays: 30 },
          { name: "/var/log/secure", create: true },
        ],
      },
      {
        name: "data",
        accountId: "999999999999",
        regions: ["eu-west-1"],
        logGroups: [{ name: "/var/log/messages", create: true }],
        allLogGroups: { exclude: ["/aws/lambda/noisy"] },
      },
    ],
  };
}

const account = (doc: RawDoc, name: string) => doc.accounts.find((a: RawDoc) => a.name === name);

const NO_GAP = "none: updated in place";

/** The search results bucket with its key and sub-resources (on with the events format, lib/search.ts). */
const SEARCH_RESULTS_BUCKET: readonly string[] = [
  "aws_kms_key",
  "aws_s3_bucket",
  "aws_s3_bucket_lifecycle_configuration",
  "aws_s3_bucket_ownership_controls",
  "aws_s3_bucket_policy",
  "aws_s3_bucket_public_access_block",
  "aws_s3_bucket_server_side_encryption_configuration",
  "aws_s3_bucket_versioning",
];

export const CHANGE_STEPS: readonly ChangeStep[] = [
  [
    {
      change: "add a log group",
      edit: (doc) => account(doc, "shop").logGroups.push({ name: "/app/shop/payments", create: true }),
      plans: { shop: { create: ["aws_cloudwatch_log_group", "aws_cloudwatch_log_subscription_filter"] } },
      effect: "none: the new group ships from its creation",
      todo: "nothing; with `allLogGroups` on that account, see the `allLogGroups.exclude` row",
    },
    {
      change: "`stream.mode` on-demand -> provisioned",
      edit: (doc) => (doc.stream = { mode: "provisioned", shards: 2, retentionHours: 24 }),
      plans: { security: { update: ["aws_kinesis_stream"] } },
      effect: NO_GAP,
      todo: "nothing",
    },
  ],
  [
    {
      change: "add a second filter to a log group",
      edit: (doc) =>
        account(doc, "shop").logGroups.push({ name: "/var/log/secure", filterPattern: '"sudo"' }),
      plans: { shop: { create: ["aws_cloudwatch_log_subscription_filter"] } },
      effect: "none: the first filter keeps its name and is not touched",
      todo: "nothing",
    },
    {
      change: "turn `allLogGroups` off",
      edit: (doc) => delete account(doc, "data").allLogGroups,
      plans: {
        data: { delete: ["aws_cloudwatch_log_account_policy"] },
        // Only accounts with allLogGroups may call PutAccountPolicy on the destinations.
        security: { update: ["aws_cloudwatch_log_destination_policy"] },
      },
      effect: "log groups without their own filter stop shipping, as asked",
      todo: "nothing",
    },
  ],
  [
    {
      change: "change a filter pattern",
      edit: (doc) => (account(doc, "shop").logGroups[0].filterPattern = '{ $.level = "ERROR" }'),
      plans: { shop: { update: ["aws_cloudwatch_log_subscription_filter"] } },
      effect: "none: PutSubscriptionFilter updates the filter in place",
      todo: "nothing",
    },
    {
      change: "turn `allLogGroups` on",
      edit: (doc) => (account(doc, "data").allLogGroups = { exclude: ["/aws/lambda/noisy"] }),
      plans: {
        data: { create: ["aws_cloudwatch_log_account_policy"] },
        security: { update: ["aws_cloudwatch_log_destination_policy"] },
      },
      effect: "every other log group of the account ships from the policy's creation",
      todo: "nothing",
    },
  ],
  [
    {
      change: "change `delivery.bufferSeconds` / `bufferMiB`",
      edit: (doc) => Object.assign(doc.delivery, { bufferSeconds: 180, bufferMiB: 128 }),
      plans: { security: { update: ["aws_kinesis_firehose_delivery_stream"] } },
      effect: NO_GAP,
      todo: "nothing",
    },
    {
      change: "change `stream.shards`",
      edit: (doc) => (doc.stream.shards = 4),
      plans: { security: { update: ["aws_kinesis_stream"] } },
      effect: "none: Kinesis reshards in place (UpdateShardCount)",
      todo: "nothing",
    },
  ],
  [
    {
      change: "change `allLogGroups.exclude`",
      edit: (doc) => account(doc, "data").allLogGroups.exclude.push("/aws/lambda/chatty"),
      plans: { data: { replaceDeleteFirst: ["aws_cloudwatch_log_account_policy"] } },
      refused: { causes: ["allLogGroups"] },
      effect:
        "with the flag: no log group of the account ships between DeleteAccountPolicy and PutAccountPolicy (the provider replaces the policy on any selection criteria change)",
      todo: "update the policy in place with `aws logs put-account-policy` (same name), then `terraform apply -refresh-only`; the refusal prints the steps",
    },
  ],
  [
    {
      change: "add an account",
      edit: (doc) =>
        doc.accounts.push({
          name: "web",
          accountId: "121212121212",
          regions: ["eu-west-1"],
          logGroups: [{ name: "/var/log/nginx/access.log", create: true }],
        }),
      plans: {
        // The destination policy admits the account, and the destination role's trust names it.
        security: { update: ["aws_cloudwatch_log_destination_policy", "aws_iam_role"] },
        web: { create: ["aws_cloudwatch_log_group", "aws_cloudwatch_log_subscription_filter"] },
      },
      effect: "none: deploy `security` first (it admits the account), then the new stack",
      todo: "`cdktf deploy security web`",
    },
  ],
  [
    {
      change: "add a region to an account",
      edit: (doc) => account(doc, "shop").regions.push("us-west-2"),
      plans: {
        security: {
          create: ["aws_cloudwatch_log_destination", "aws_cloudwatch_log_destination_policy"],
          // The destination role's trust names the destination regions.
          update: ["aws_iam_role"],
        },
        shop: {
          create: [
            "aws_cloudwatch_log_group",
            "aws_cloudwatch_log_group",
            "aws_cloudwatch_log_group",
            "aws_cloudwatch_log_subscription_filter",
            "aws_cloudwatch_log_subscription_filter",
            "aws_cloudwatch_log_subscription_filter",
            "aws_cloudwatch_log_subscription_filter",
          ],
        },
      },
      effect: "none: the new region's destination exists before its filters",
      todo: "deploy `security` first, then the account",
    },
  ],
  [
    {
      change: "account list -> `organizationId`",
      edit: (doc) => (doc.organizationId = "o-matrix0001"),
      plans: {
        security: {
          update: [
            "aws_cloudwatch_log_destination_policy",
            "aws_cloudwatch_log_destination_policy",
            "aws_iam_role",
          ],
        },
        // The sender role, then every filter (and the account policy) gains its role_arn in place.
        shop: {
          create: ["aws_iam_role", "aws_iam_role_policy"],
          update: Array(8).fill("aws_cloudwatch_log_subscription_filter"),
        },
        data: {
          create: ["aws_iam_role", "aws_iam_role_policy"],
          update: ["aws_cloudwatch_log_account_policy", "aws_cloudwatch_log_subscription_filter"],
        },
        web: {
          create: ["aws_iam_role", "aws_iam_role_policy"],
          update: ["aws_cloudwatch_log_subscription_filter"],
        },
      },
      effect: NO_GAP,
      todo: "deploy `security` first, then the accounts",
    },
  ],
  [
    {
      change: "`delivery.format` events -> raw",
      edit: (doc) => (doc.delivery.format = "raw"),
      plans: {
        security: {
          replaceCreateFirst: ["aws_kinesis_firehose_delivery_stream"],
          // The Firehose role loses the processor. The archive key's policy names both pipeline log
          // groups in every format (a locked key's policy can never change), so it stays as it is.
          update: ["aws_iam_role_policy"],
          // Search goes with the events format: its results bucket and key (the Glue tables and the
          // workgroup too, which are not on the data path).
          delete: [
            "aws_cloudwatch_log_group",
            "aws_iam_role",
            "aws_iam_role_policy",
            "aws_lambda_function",
            ...SEARCH_RESULTS_BUCKET,
          ],
        },
      },
      effect:
        "none: the new delivery stream reads the Kinesis stream before the old one is deleted, and the old one drains its buffer first; events of the overlap arrive twice (same event id). Search goes (raw has nothing to project): its tables, workgroup, results bucket and key",
      todo: "nothing; de-duplicate the overlap on the event id if it matters",
    },
  ],
  [
    {
      change: "`delivery.format` raw -> events",
      edit: (doc) => (doc.delivery.format = "events"),
      plans: {
        security: {
          replaceCreateFirst: ["aws_kinesis_firehose_delivery_stream"],
          update: ["aws_iam_role_policy"],
          create: [
            "aws_cloudwatch_log_group",
            "aws_iam_role",
            "aws_iam_role_policy",
            "aws_lambda_function",
            ...SEARCH_RESULTS_BUCKET,
          ],
        },
      },
      effect: "as events -> raw: an overlap with duplicates, no gap",
      todo: "nothing",
    },
  ],
  [
    {
      change: "`stream.mode` provisioned -> on-demand",
      edit: (doc) => (doc.stream = { mode: "on-demand", retentionHours: 24 }),
      plans: { security: { update: ["aws_kinesis_stream"] } },
      effect: NO_GAP,
      todo: "nothing",
    },
    {
      change: "enable Object Lock",
      edit: (doc) => (doc.archive.objectLock = { mode: "GOVERNANCE", days: 1 }),
      plans: { security: { create: ["aws_s3_bucket_object_lock_configuration"] } },
      effect: "none: PutObjectLockConfiguration on the versioned bucket; the bucket stays",
      todo: "nothing (it cannot be turned off again)",
    },
  ],
  [
    {
      change: "turn alarms and notifications on",
      edit: (doc) => {
        doc.alarms = { silenceHours: 24 };
        doc.notifications = { sqs: true };
      },
      // The key of the topic and the queue, and the archive's event notification to the queue.
      plans: { security: { create: ["aws_kms_key", "aws_s3_bucket_notification"] } },
      effect: "none",
      todo: "nothing",
    },
  ],
  [
    {
      change: "turn alarms and notifications off",
      edit: (doc) => {
        delete doc.alarms;
        delete doc.notifications;
      },
      plans: { security: { delete: ["aws_kms_key", "aws_s3_bucket_notification"] } },
      effect: "none (the notifications key is scheduled for deletion with KMS's waiting period)",
      todo: "nothing",
    },
  ],
  [
    {
      change: "change `tags`",
      edit: (doc) => (doc.tags = { owner: "security", costCenter: "sec-42" }),
      plans: {
        security: { update: "tags" },
        shop: { update: "tags" },
        data: { update: "tags" },
        web: { update: "tags" },
      },
      effect: NO_GAP,
      todo: "nothing",
    },
  ],
  [
    {
      change: "change `prefix` (archive.bucketName pinned)",
      edit: (doc) => {
        doc.archive.bucketName = `chg-security-logs-${MATRIX_SECURITY_ACCOUNT}`;
        doc.prefix = "chg2";
      },
      plans: {},
      // The access-log bucket is named from the prefix and kept from destroy like the archive.
      refused: { causes: ["prefix"], planFails: "Instance cannot be destroyed" },
      effect:
        "with the flag: the stream, destinations, roles and filters would be destroyed and recreated under new names (events in between lost); Terraform refuses the plan anyway, the access-log bucket being protected from destroy",
      todo: "keep the prefix; a pipeline under another prefix is another project",
    },
  ],
  [
    {
      change: "change `archive.bucketName`",
      edit: (doc) => (doc.archive.bucketName = `chg-archive-v2-${MATRIX_SECURITY_ACCOUNT}`),
      plans: {},
      refused: { causes: ["archive.bucketName"], planFails: "Instance cannot be destroyed" },
      effect: "with the flag: Terraform refuses too (the archive has prevent_destroy)",
      todo: "keep the name; copy objects to a new bucket outside the pipeline if you must move",
    },
  ],
  [
    {
      change: "remove an account",
      edit: (doc) => (doc.accounts = doc.accounts.filter((a: RawDoc) => a.name !== "web")),
      plans: {
        // In organization mode (the matrix's state by then) the destinations do not list accounts.
        web: {
          delete: [
            "aws_cloudwatch_log_group",
            "aws_cloudwatch_log_subscription_filter",
            "aws_iam_role",
            "aws_iam_role_policy",
          ],
        },
      },
      effect:
        "the account's filters are deleted (as asked); its created log groups are only forgotten (`skip_destroy`), their events stay",
      todo: '`cdktf destroy web` while it is still in the config, then remove it and deploy `security` (README "Removing an account")',
    },
  ],
  [
    {
      change: "add a vault replica (`archive.replica`)",
      edit: (doc) =>
        (doc.archive.replica = {
          accountId: MATRIX_VAULT_ACCOUNT,
          region: "eu-west-1",
          objectLock: { mode: "GOVERNANCE", days: 1 },
        }),
      plans: {
        vault: {
          create: [
            "aws_kms_key",
            "aws_s3_bucket",
            "aws_s3_bucket_lifecycle_configuration",
            "aws_s3_bucket_object_lock_configuration",
            "aws_s3_bucket_ownership_controls",
            "aws_s3_bucket_policy",
            "aws_s3_bucket_public_access_block",
            "aws_s3_bucket_server_side_encryption_configuration",
            "aws_s3_bucket_versioning",
          ],
        },
        // The replication role and its policy, and the archive's replication configuration; the archive stays.
        security: {
          create: ["aws_iam_role", "aws_iam_role_policy", "aws_s3_bucket_replication_configuration"],
        },
      },
      effect:
        "none: objects written from then on are replicated; older ones are not (copy them once with S3 Batch Replication)",
      todo: "`cdktf deploy vault security` (the vault first; `cdktf deploy '*'` orders it)",
    },
  ],
  [
    {
      change: "`archive.objectLock` GOVERNANCE -> COMPLIANCE",
      edit: (doc) => (doc.archive.objectLock = { mode: "COMPLIANCE", days: 1 }),
      // The key policy gains the lock (PutKeyPolicy, bypassing the lockout check) and the default retention its mode.
      plans: { security: { update: ["aws_kms_key", "aws_s3_bucket_object_lock_configuration"] } },
      effect:
        'none for the data; the archive key\'s policy is locked for good (README "What a locked key makes permanent"): synth refuses any later change to it',
      todo: "nothing; there is no way back",
    },
  ],
];

/** Every change, in the order the matrix applies them. */
export const MATRIX_CHANGES: readonly ConfigChange[] = CHANGE_STEPS.flat();

/** What Terraform does, in README words. */
export function describePlans(change: ConfigChange): string {
  const allowed = change.refused
    ? `synth refuses it (\`SECLOG_ALLOW_REPLACE=${change.refused.causes.join(",")}\` to go ahead)`
    : "";
  const stacks = Object.entries(change.plans).map(
    ([stack, planned]) =>
      `${stack === "security" || stack === "vault" ? stack : "account"}: ${describeActions(planned)}`,
  );
  if (change.refused?.planFails) stacks.push(`then the plan fails: "${change.refused.planFails}"`);
  return [...new Set([allowed, ...stacks])].filter(Boolean).join("; ");
}

function describeActions(planned: PlannedActions): string {
  const words: string[] = [];
  const list = (types: readonly string[]) => [...new Set(types)].map((t) => `\`${t}\``).join(", ");
  if (planned.replaceCreateFirst?.length)
    words.push(`replaces ${list(planned.replaceCreateFirst)}, new one first`);
  if (planned.replaceDeleteFirst?.length)
    words.push(`replaces ${list(planned.replaceDeleteFirst)}, old one first`);
  if (planned.create?.length) words.push(`creates ${list(planned.create)}`);
  if (planned.update === "tags") words.push("updates tags in place");
  else if (planned.update?.length) words.push(`updates ${list(planned.update)} in place`);
  if (planned.delete?.length) words.push(`deletes ${list(planned.delete)}`);
  return words.join(", ") || "nothing on the data path";
}

/** The README table ("Changing the config"). */
export function changeTable(): string {
  const escape = (text: string) => text.replaceAll("|", "\\|");
  return [
    "| Change | What Terraform does (data path) | Data effect | What to do |",
    "| --- | --- | --- | --- |",
    ...MATRIX_CHANGES.map(
      (c) =>
        `| ${escape(c.change)} | ${escape(describePlans(c))} | ${escape(c.effect)} | ${escape(c.todo)} |`,
    ),
  ].join("\n");
}
