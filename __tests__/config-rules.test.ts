import { ConfigError, parseConfig } from "../lib/config/load";
import { KNOWN_REGIONS, partitionOf } from "../lib/config/regions";
import { CONFIG_RULES } from "../lib/config/rules";
import { baseConfig, PAYMENTS_ACCOUNT, SECURITY_ACCOUNT, WEB_ACCOUNT } from "./support/fixtures";

/**
 * The config's rules through the loader: the limits of each field
 * (lib/config/schema.ts) and the cross-field rules of lib/config/rules.ts (CONFIG_RULES), each through
 * the loader as a user meets it: baseConfig() with one change, and the whole
 * list of problems it reports, paths as printed (the account's name after its
 * index). Limits are tried at the limit, one under and one over; every branch
 * of a rule has a row. [] means the config is accepted.
 */
type Change = (config: Record<string, any>) => void;
type Printed = { path: string; message: string };
type Row = [what: string, change: Change, problems: Printed[]];

function problemsAfter(change: Change): Printed[] {
  const config = baseConfig();
  change(config);
  try {
    parseConfig(config);
    return [];
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    return error.located.map(({ path, message }) => ({ path, message }));
  }
}

const OTHER_ACCOUNT = "999999999999";
const ANALYST = "arn:aws:iam::444444444444:role/IncidentResponder";
const OTHER_ANALYST = "arn:aws:iam::111111111111:user/alice";
const role = (account: string, partition = "aws") => `arn:${partition}:iam::${account}:role/deploy`;
const VAULT_ACCOUNT = "555555555555";
/** archive.replica in the vault account, with any field overridden. */
const replica = (fields: Record<string, unknown> = {}) => ({
  accountId: VAULT_ACCOUNT,
  region: "us-west-2",
  objectLock: { mode: "COMPLIANCE", days: 365 },
  ...fields,
});

/** `count` application accounts, each shipping one log group from `regions` (default: security.region). */
function apps(count: number, regions?: string[], first = 0): Array<Record<string, any>> {
  return Array.from({ length: count }, (_, i) => ({
    name: `app-${first + i}`,
    accountId: String(400000000000 + first + i),
    ...(regions ? { regions } : {}),
    logGroups: [{ name: "/var/log/messages" }],
  }));
}

/** A lowercase prefix of exactly `length` characters. */
const prefixOf = (length: number) => `p${"x".repeat(length - 1)}`;

const bootstrapped = {
  backend: "s3",
  s3: { bucket: "tf-state-bucket", region: "us-east-1", bootstrap: true },
};

const ORGANIZATION_MESSAGE = "must be an organization name: letters, digits, - and _ only";
/** A host name of `length` characters: three 63-character labels, one to fill, and `.io`. */
const longHost = (length: number) => `${"a".repeat(63)}.`.repeat(3) + "b".repeat(length - 3 * 64 - 3) + ".io";
const HOSTNAME_MESSAGE = "must be a host name such as app.terraform.io: no https://, port or path";

const cloudState = (cloud: Record<string, unknown>) => ({
  backend: "cloud",
  cloud: { organization: "acme", ...cloud },
});

const RULES: Record<string, Row[]> = {
  uniqueAccountNames: [
    [
      "a second account named like the first",
      (c) => (c.accounts[1].name = "payments-prod"),
      [
        {
          path: "accounts[1] (payments-prod).name",
          message: '"payments-prod" is used by an earlier account; stack names must be unique',
        },
      ],
    ],
    [
      "three accounts of one name: the second and the third",
      (c) => {
        c.accounts[1].name = "payments-prod";
        c.accounts.push({ ...apps(1)[0], name: "payments-prod" });
      },
      [1, 2].map((i) => ({
        path: `accounts[${i}] (payments-prod).name`,
        message: '"payments-prod" is used by an earlier account; stack names must be unique',
      })),
    ],
  ],
  reservedAccountNames: [
    [
      "security and state are stacks of the app",
      (c) => {
        c.accounts[0].name = "state";
        c.accounts[1].name = "security";
      },
      [
        {
          path: "accounts[0] (state).name",
          message: '"state" is reserved for a stack of this app; choose another name',
        },
        {
          path: "accounts[1] (security).name",
          message: '"security" is reserved for a stack of this app; choose another name',
        },
      ],
    ],
    [
      "credentials and workspaces are the Terraform Cloud stacks",
      (c) => {
        c.accounts[0].name = "credentials";
        c.accounts[1].name = "workspaces";
      },
      [
        {
          path: "accounts[0] (credentials).name",
          message: '"credentials" is reserved for a stack of this app; choose another name',
        },
        {
          path: "accounts[1] (workspaces).name",
          message: '"workspaces" is reserved for a stack of this app; choose another name',
        },
      ],
    ],
    [
      "vault is the stack of the replica account",
      (c) => (c.accounts[0].name = "vault"),
      [
        {
          path: "accounts[0] (vault).name",
          message: '"vault" is reserved for a stack of this app; choose another name',
        },
      ],
    ],
    ["a name that only starts like a reserved one", (c) => (c.accounts[0].name = "security-tools"), []],
  ],
  uniqueAccountIds: [
    [
      "one account id under two names",
      (c) => (c.accounts[1].accountId = PAYMENTS_ACCOUNT),
      [
        {
          path: "accounts[1] (web-prod).accountId",
          message: `${PAYMENTS_ACCOUNT} is already listed under another name; list each account once, with all its regions`,
        },
      ],
    ],
  ],
  appAccountIsNotSecurityAccount: [
    [
      "the second account is the security account",
      (c) => (c.accounts[1].accountId = SECURITY_ACCOUNT),
      [
        {
          path: "accounts[1] (web-prod).accountId",
          message:
            "is the security account; cross-account destinations are for other accounts, so list only application accounts",
        },
      ],
    ],
  ],
  roleArnsMatchAccounts: [
    [
      "archive.replica.roleArn in the vault account",
      (c) => (c.archive = { replica: replica({ roleArn: role(VAULT_ACCOUNT) }) }),
      [],
    ],
    [
      "archive.replica.roleArn in the security account",
      (c) => (c.archive = { replica: replica({ roleArn: role(SECURITY_ACCOUNT) }) }),
      [
        {
          path: "archive.replica.roleArn",
          message: `role is in account ${SECURITY_ACCOUNT} but the account id is ${VAULT_ACCOUNT}; use a role of account ${VAULT_ACCOUNT}`,
        },
      ],
    ],
    [
      "every role in its own account",
      (c) => {
        c.security.roleArn = role(SECURITY_ACCOUNT);
        c.accounts[0].roleArn = role(PAYMENTS_ACCOUNT);
        c.accounts[1].roleArn = role(WEB_ACCOUNT);
      },
      [],
    ],
    [
      "security.roleArn in another account",
      (c) => (c.security.roleArn = role(OTHER_ACCOUNT)),
      [
        {
          path: "security.roleArn",
          message: `role is in account ${OTHER_ACCOUNT} but the account id is ${SECURITY_ACCOUNT}; use a role of account ${SECURITY_ACCOUNT}`,
        },
      ],
    ],
    [
      "security.roleArn in an application account",
      (c) => (c.security.roleArn = role(PAYMENTS_ACCOUNT)),
      [
        {
          path: "security.roleArn",
          message: `role is in account ${PAYMENTS_ACCOUNT} but the account id is ${SECURITY_ACCOUNT}; use a role of account ${SECURITY_ACCOUNT}`,
        },
      ],
    ],
    [
      "an application account's role in the security account, the other one's right",
      (c) => {
        c.accounts[0].roleArn = role(PAYMENTS_ACCOUNT);
        c.accounts[1].roleArn = role(SECURITY_ACCOUNT);
      },
      [
        {
          path: "accounts[1] (web-prod).roleArn",
          message: `role is in account ${SECURITY_ACCOUNT} but the account id is ${WEB_ACCOUNT}; use a role of account ${WEB_ACCOUNT}`,
        },
      ],
    ],
    [
      "every role wrong: each reported, security first",
      (c) => {
        c.security.roleArn = role(WEB_ACCOUNT);
        c.accounts[0].roleArn = role(OTHER_ACCOUNT);
        c.accounts[1].roleArn = role(PAYMENTS_ACCOUNT);
      },
      [
        {
          path: "security.roleArn",
          message: `role is in account ${WEB_ACCOUNT} but the account id is ${SECURITY_ACCOUNT}; use a role of account ${SECURITY_ACCOUNT}`,
        },
        {
          path: "accounts[0] (payments-prod).roleArn",
          message: `role is in account ${OTHER_ACCOUNT} but the account id is ${PAYMENTS_ACCOUNT}; use a role of account ${PAYMENTS_ACCOUNT}`,
        },
        {
          path: "accounts[1] (web-prod).roleArn",
          message: `role is in account ${PAYMENTS_ACCOUNT} but the account id is ${WEB_ACCOUNT}; use a role of account ${WEB_ACCOUNT}`,
        },
      ],
    ],
    [
      "roles of another partition than security.region's",
      (c) => {
        c.security.roleArn = role(SECURITY_ACCOUNT, "aws-cn");
        c.accounts[1].roleArn = role(WEB_ACCOUNT, "aws-us-gov");
      },
      [
        {
          path: "security.roleArn",
          message: "role is in partition aws-cn but security.region is in aws; use an arn:aws: role",
        },
        {
          path: "accounts[1] (web-prod).roleArn",
          message: "role is in partition aws-us-gov but security.region is in aws; use an arn:aws: role",
        },
      ],
    ],
    [
      "an aws role with a home region in China",
      (c) => {
        c.security = {
          accountId: SECURITY_ACCOUNT,
          region: "cn-north-1",
          roleArn: role(SECURITY_ACCOUNT, "aws-cn"),
        };
        c.accounts = [{ ...c.accounts[1], roleArn: role(WEB_ACCOUNT) }];
      },
      [
        {
          path: "accounts[0] (web-prod).roleArn",
          message: "role is in partition aws but security.region is in aws-cn; use an arn:aws-cn: role",
        },
      ],
    ],
    [
      "another account and another partition: the account is reported",
      (c) => (c.security.roleArn = role(OTHER_ACCOUNT, "aws-cn")),
      [
        {
          path: "security.roleArn",
          message: `role is in account ${OTHER_ACCOUNT} but the account id is ${SECURITY_ACCOUNT}; use a role of account ${SECURITY_ACCOUNT}`,
        },
      ],
    ],
  ],
  onePartition: [
    [
      "an application region in China, the home region in aws",
      (c) => (c.accounts[0].regions = ["us-east-1", "cn-north-1"]),
      [
        {
          path: "accounts[0] (payments-prod).regions[1]",
          message: "cn-north-1 is outside partition aws of security.region; logs cannot cross partitions",
        },
      ],
    ],
    [
      "the home region in China, application regions in aws",
      (c) => {
        c.security.region = "cn-north-1";
        c.accounts[1].regions = ["cn-northwest-1"];
      },
      ["us-east-1", "eu-west-1"].map((r, j) => ({
        path: `accounts[0] (payments-prod).regions[${j}]`,
        message: `${r} is outside partition aws-cn of security.region; logs cannot cross partitions`,
      })),
    ],
    [
      "GovCloud regions with a GovCloud home",
      (c) => {
        c.security.region = "us-gov-west-1";
        c.accounts[0].regions = ["us-gov-east-1", "us-gov-west-1"];
      },
      [],
    ],
    [
      "the replica in China, the home region in aws",
      (c) => (c.archive = { replica: replica({ region: "cn-north-1" }) }),
      [
        {
          path: "archive.replica.region",
          message:
            "cn-north-1 is outside partition aws of security.region; S3 cannot replicate across partitions",
        },
      ],
    ],
    ["the replica in another region of the same partition", (c) => (c.archive = { replica: replica() }), []],
  ],
  replicaInVaultAccount: [
    ["a vault account of its own", (c) => (c.archive = { replica: replica() }), []],
    [
      "the replica in the security account",
      (c) => (c.archive = { replica: replica({ accountId: SECURITY_ACCOUNT }) }),
      [
        {
          path: "archive.replica.accountId",
          message:
            "is the security account; the replica must live in a separate vault account, or whoever controls the security account controls both copies",
        },
      ],
    ],
    [
      "the replica in an application account",
      (c) => (c.archive = { replica: replica({ accountId: WEB_ACCOUNT }) }),
      [
        {
          path: "archive.replica.accountId",
          message:
            "is application account accounts[1] (web-prod); use a vault account that ships no logs and that application teams cannot administer",
        },
      ],
    ],
  ],
  uniqueRegions: [
    [
      "two regions each listed twice: the later entries",
      (c) => (c.accounts[0].regions = ["us-east-1", "eu-west-1", "us-east-1", "eu-west-1"]),
      [
        { path: "accounts[0] (payments-prod).regions[2]", message: "us-east-1 is listed twice" },
        { path: "accounts[0] (payments-prod).regions[3]", message: "eu-west-1 is listed twice" },
      ],
    ],
    ["the same region in two accounts", (c) => (c.accounts[1].regions = ["us-east-1", "eu-west-1"]), []],
  ],
  accountSubscribesSomething: [
    [
      "no log groups and no allLogGroups",
      (c) => delete c.accounts[0].logGroups,
      [{ path: "accounts[0] (payments-prod)", message: "ships nothing: add logGroups or allLogGroups" }],
    ],
    ["allLogGroups alone", (c) => (c.accounts[1].logGroups = []), []],
  ],
  filtersPerLogGroup: [
    [
      "two filters with different patterns: at the limit",
      (c) => c.accounts[0].logGroups.push({ name: "/var/log/messages", filterPattern: "x" }),
      [],
    ],
    [
      "three filters: one over, reported at the last entry",
      (c) =>
        c.accounts[0].logGroups.push(
          { name: "/var/log/messages", filterPattern: "a" },
          { name: "/var/log/messages", filterPattern: "b" },
        ),
      [
        {
          path: "accounts[0] (payments-prod).logGroups[3]",
          message:
            "/var/log/messages would get 3 subscription filters; CloudWatch Logs allows at most 2 per log group",
        },
      ],
    ],
    [
      "four filters with one pattern and two creates: only the count is reported",
      (c) =>
        c.accounts[0].logGroups.push(
          { name: "/app/payments/security", create: true },
          { name: "/app/payments/security", create: true },
          { name: "/app/payments/security" },
        ),
      [
        {
          path: "accounts[0] (payments-prod).logGroups[4]",
          message:
            "/app/payments/security would get 4 subscription filters; CloudWatch Logs allows at most 2 per log group",
        },
      ],
    ],
    [
      "two entries of one group with the same pattern",
      (c) => c.accounts[0].logGroups.push({ name: "/var/log/messages" }),
      [
        {
          path: "accounts[0] (payments-prod).logGroups[2].filterPattern",
          message: "/var/log/messages is listed twice with the same filterPattern; remove one entry",
        },
      ],
    ],
    [
      "two entries of one group, both created",
      (c) => c.accounts[0].logGroups.push({ name: "/var/log/messages", filterPattern: "x", create: true }),
      [
        {
          path: "accounts[0] (payments-prod).logGroups[2].create",
          message: "/var/log/messages is created by an earlier entry; set create only once",
        },
      ],
    ],
    [
      "two entries of one group, same pattern and both created: both problems",
      (c) => c.accounts[0].logGroups.push({ name: "/var/log/messages", create: true }),
      [
        {
          path: "accounts[0] (payments-prod).logGroups[2].filterPattern",
          message: "/var/log/messages is listed twice with the same filterPattern; remove one entry",
        },
        {
          path: "accounts[0] (payments-prod).logGroups[2].create",
          message: "/var/log/messages is created by an earlier entry; set create only once",
        },
      ],
    ],
    [
      "two entries of one group, only the later one created",
      (c) => c.accounts[0].logGroups.push({ name: "/app/payments/security", create: true }),
      [],
    ],
    [
      "one group name in two accounts: counted per account",
      (c) =>
        c.accounts[1].logGroups.push(
          { name: "/var/log/messages" },
          { name: "/var/log/messages", filterPattern: "x" },
        ),
      [],
    ],
  ],
  retentionNeedsCreate: [
    [
      "retention on a group the app does not create",
      (c) => (c.accounts[0].logGroups[1].retentionDays = 30),
      [
        {
          path: "accounts[0] (payments-prod).logGroups[1].retentionDays",
          message: "only applies to a log group this app creates; set create: true or remove retentionDays",
        },
      ],
    ],
    [
      "retention on a created group",
      (c) => Object.assign(c.accounts[0].logGroups[1], { create: true, retentionDays: 30 }),
      [],
    ],
  ],
  shardsOnlyWhenProvisioned: [
    [
      "shards with an on-demand stream",
      (c) => (c.stream = { mode: "on-demand", shards: 1 }),
      [
        {
          path: "stream.shards",
          message: "on-demand streams scale by themselves; remove shards or set stream.mode: provisioned",
        },
      ],
    ],
    ["shards with a provisioned stream", (c) => (c.stream = { mode: "provisioned", shards: 3 }), []],
    ["a provisioned stream without shards", (c) => (c.stream = { mode: "provisioned" }), []],
  ],
  expiryAfterTransition: [
    [
      "expiry one day after the transition",
      (c) => (c.archive = { glacierAfterDays: 90, expireAfterDays: 91 }),
      [],
    ],
    ...[90, 89].map((days): Row => [
      `expiry ${days === 90 ? "on the day of" : "one day before"} the transition`,
      (c) => (c.archive = { glacierAfterDays: 90, expireAfterDays: days }),
      [
        {
          path: "archive.expireAfterDays",
          message:
            "must be greater than archive.glacierAfterDays (90); S3 rejects expiring objects before or when they transition, so set expireAfterDays to at least 91 or lower glacierAfterDays",
        },
      ],
    ]),
    [
      "the earliest expiry after an immediate transition",
      (c) => (c.archive = { glacierAfterDays: 0, expireAfterDays: 1 }),
      [],
    ],
    [
      "expiry on the day of the default transition (90 days)",
      (c) => (c.archive = { expireAfterDays: 90 }),
      [
        {
          path: "archive.expireAfterDays",
          message:
            "must be greater than archive.glacierAfterDays (90); S3 rejects expiring objects before or when they transition, so set expireAfterDays to at least 91 or lower glacierAfterDays",
        },
      ],
    ],
  ],
  expiryNotBeforeLock: [
    ...[365, 366].map((days): Row => [
      `expiry ${days - 365} days after the replica's lock ends`,
      (c) => (c.archive = { glacierAfterDays: 1, expireAfterDays: days, replica: replica() }),
      [],
    ]),
    [
      "expiry one day before the replica's lock ends",
      (c) => (c.archive = { glacierAfterDays: 1, expireAfterDays: 364, replica: replica() }),
      [
        {
          path: "archive.expireAfterDays",
          message:
            "is shorter than archive.replica.objectLock.days (365); locked versions cannot expire, so raise expireAfterDays or lower the lock",
        },
      ],
    ],
    [
      "expiry before both locks end: one problem per lock",
      (c) =>
        (c.archive = {
          glacierAfterDays: 1,
          expireAfterDays: 100,
          objectLock: { mode: "GOVERNANCE", days: 200 },
          replica: replica(),
        }),
      [
        {
          path: "archive.expireAfterDays",
          message:
            "is shorter than archive.objectLock.days (200); locked versions cannot expire, so raise expireAfterDays or lower the lock",
        },
        {
          path: "archive.expireAfterDays",
          message:
            "is shorter than archive.replica.objectLock.days (365); locked versions cannot expire, so raise expireAfterDays or lower the lock",
        },
      ],
    ],
    ...[365, 366].map((days): Row => [
      `expiry ${days - 365} days after the lock ends`,
      (c) =>
        (c.archive = {
          glacierAfterDays: 1,
          expireAfterDays: days,
          objectLock: { mode: "COMPLIANCE", days: 365 },
        }),
      [],
    ]),
    [
      "expiry one day before the lock ends",
      (c) =>
        (c.archive = {
          glacierAfterDays: 1,
          expireAfterDays: 364,
          objectLock: { mode: "GOVERNANCE", days: 365 },
        }),
      [
        {
          path: "archive.expireAfterDays",
          message:
            "is shorter than archive.objectLock.days (365); locked versions cannot expire, so raise expireAfterDays or lower the lock",
        },
      ],
    ],
    [
      "expiry on the day of the transition and before the lock ends: both rules",
      (c) =>
        (c.archive = {
          glacierAfterDays: 30,
          expireAfterDays: 30,
          objectLock: { mode: "COMPLIANCE", days: 31 },
        }),
      [
        {
          path: "archive.expireAfterDays",
          message:
            "must be greater than archive.glacierAfterDays (30); S3 rejects expiring objects before or when they transition, so set expireAfterDays to at least 31 or lower glacierAfterDays",
        },
        {
          path: "archive.expireAfterDays",
          message:
            "is shorter than archive.objectLock.days (31); locked versions cannot expire, so raise expireAfterDays or lower the lock",
        },
      ],
    ],
    ["a lock and no expiry", (c) => (c.archive = { objectLock: { mode: "COMPLIANCE", days: 36500 } }), []],
  ],
  eventsFormatBuffer: [
    [
      "events with a 63 MiB buffer",
      (c) => (c.delivery = { format: "events", bufferMiB: 63 }),
      [
        {
          path: "delivery.bufferMiB",
          message:
            "must be at least 64 with format events (Firehose dynamic partitioning); raise it or use format raw",
        },
      ],
    ],
    ["events with a 64 MiB buffer", (c) => (c.delivery = { format: "events", bufferMiB: 64 }), []],
    ["events with a 65 MiB buffer", (c) => (c.delivery = { format: "events", bufferMiB: 65 }), []],
    ["raw with a 1 MiB buffer", (c) => (c.delivery = { format: "raw", bufferMiB: 1 }), []],
  ],
  eventsFormatInterval: [
    [
      "events buffering 59 s",
      (c) => (c.delivery = { bufferSeconds: 59 }),
      [
        {
          path: "delivery.bufferSeconds",
          message:
            "must be at least 60 with format events (Firehose has no zero buffering with dynamic partitioning); raise it or use format raw",
        },
      ],
    ],
    ["events buffering 60 s", (c) => (c.delivery = { format: "events", bufferSeconds: 60 }), []],
    ["events buffering 61 s", (c) => (c.delivery = { format: "events", bufferSeconds: 61 }), []],
    ["raw without buffering", (c) => (c.delivery = { format: "raw", bufferSeconds: 0 }), []],
  ],
  processorOnlyForEvents: [
    [
      "processor concurrency with raw",
      (c) => (c.delivery = { format: "raw", processorConcurrency: 1 }),
      [
        {
          path: "delivery.processorConcurrency",
          message: "only applies to format events (raw has no processor); remove it",
        },
      ],
    ],
    [
      "processor concurrency with events",
      (c) => (c.delivery = { format: "events", processorConcurrency: 1 }),
      [],
    ],
  ],
  keepSourceOnlyForEvents: [
    [
      "keepSource with raw",
      (c) => (c.delivery = { format: "raw", keepSource: true }),
      [
        {
          path: "delivery.keepSource",
          message:
            "only applies to format events (raw already stores every record exactly as CloudWatch Logs sent it); remove it",
        },
      ],
    ],
    ["keepSource false with raw", (c) => (c.delivery = { format: "raw", keepSource: false }), []],
    ["keepSource with events", (c) => (c.delivery = { format: "events", keepSource: true }), []],
  ],
  searchOnlyForEvents: [
    [
      "search on with raw",
      (c) => ((c.delivery = { format: "raw" }), (c.search = { enabled: true })),
      [
        {
          path: "search.enabled",
          message:
            "format raw stores CloudWatch Logs' gzip'd envelopes, which Athena cannot project into events; use format events, or remove it",
        },
      ],
    ],
    ["search off with raw", (c) => ((c.delivery = { format: "raw" }), (c.search = { enabled: false })), []],
    ["search unset with raw (off)", (c) => (c.delivery = { format: "raw" }), []],
    ["search on with events", (c) => (c.search = { enabled: true }), []],
  ],
  analystsNeedSearch: [
    [
      "analysts with search off",
      (c) => (c.search = { enabled: false, analystPrincipals: [ANALYST] }),
      [
        {
          path: "search.analystPrincipals",
          message:
            "the analyst role runs hunts, and search is off (format raw or search.enabled false); turn search on or remove it",
        },
      ],
    ],
    [
      "analysts with raw",
      (c) => ((c.delivery = { format: "raw" }), (c.search = { analystPrincipals: [ANALYST] })),
      [
        {
          path: "search.analystPrincipals",
          message:
            "the analyst role runs hunts, and search is off (format raw or search.enabled false); turn search on or remove it",
        },
      ],
    ],
    ["no analysts with search off", (c) => (c.search = { enabled: false, analystPrincipals: [] }), []],
    ["analysts with events (search on by default)", (c) => (c.search = { analystPrincipals: [ANALYST] }), []],
  ],
  uniqueAnalystPrincipals: [
    [
      "an analyst listed twice",
      (c) => (c.search = { analystPrincipals: [ANALYST, OTHER_ANALYST, ANALYST] }),
      [{ path: "search.analystPrincipals[2]", message: `${ANALYST} is listed twice; remove one` }],
    ],
    ["two different analysts", (c) => (c.search = { analystPrincipals: [ANALYST, OTHER_ANALYST] }), []],
  ],
  backendBlockMatches: [
    [
      "backend s3 without state.s3",
      (c) => (c.state = { backend: "s3" }),
      [{ path: "state.s3", message: "is required when state.backend is s3" }],
    ],
    [
      "backend cloud without state.cloud",
      (c) => (c.state = { backend: "cloud" }),
      [{ path: "state.cloud", message: "is required when state.backend is cloud" }],
    ],
    [
      "both blocks with the default local backend",
      (c) =>
        (c.state = {
          s3: { bucket: "tf-state-bucket", region: "us-east-1" },
          cloud: { organization: "acme" },
        }),
      [
        {
          path: "state.s3",
          message: "is set but state.backend is local; set state.backend: s3 or remove state.s3",
        },
        {
          path: "state.cloud",
          message: "is set but state.backend is local; set state.backend: cloud or remove state.cloud",
        },
      ],
    ],
    [
      "an s3 block with the cloud backend",
      (c) =>
        (c.state = {
          backend: "cloud",
          s3: { bucket: "tf-state-bucket", region: "us-east-1" },
          cloud: { organization: "acme" },
        }),
      [
        {
          path: "state.s3",
          message: "is set but state.backend is cloud; set state.backend: s3 or remove state.s3",
        },
      ],
    ],
    [
      "a cloud block with the s3 backend",
      (c) =>
        (c.state = {
          backend: "s3",
          s3: { bucket: "tf-state-bucket", region: "us-east-1" },
          cloud: { organization: "acme" },
        }),
      [
        {
          path: "state.cloud",
          message: "is set but state.backend is s3; set state.backend: cloud or remove state.cloud",
        },
      ],
    ],
    [
      "workspaces.create with the s3 backend: the workspaces are what cannot work",
      (c) =>
        (c.state = {
          backend: "s3",
          s3: { bucket: "tf-state-bucket", region: "us-east-1" },
          cloud: { organization: "acme", workspaces: { create: true }, dynamicCredentials: true },
        }),
      [
        {
          path: "state.cloud.workspaces.create",
          message:
            "creates Terraform Cloud workspaces for the stacks, but state.backend is s3: the stacks would keep their state elsewhere; set state.backend: cloud or remove state.cloud",
        },
      ],
    ],
    [
      "dynamicCredentials with the default local backend",
      (c) => (c.state = { cloud: { organization: "acme", dynamicCredentials: true } }),
      [
        {
          path: "state.cloud.dynamicCredentials",
          message:
            "gives Terraform Cloud runs AWS credentials, but state.backend is local: no stack runs in Terraform Cloud; set state.backend: cloud or remove state.cloud",
        },
      ],
    ],
    [
      "workspaces with create false, local backend: the block itself is the problem",
      (c) => (c.state = { cloud: { organization: "acme", workspaces: { create: false } } }),
      [
        {
          path: "state.cloud",
          message: "is set but state.backend is local; set state.backend: cloud or remove state.cloud",
        },
      ],
    ],
    [
      "backend s3 with its block",
      (c) => (c.state = { backend: "s3", s3: { bucket: "b-tf", region: "eu-west-1" } }),
      [],
    ],
    [
      "backend cloud with its block",
      (c) => (c.state = { backend: "cloud", cloud: { organization: "acme" } }),
      [],
    ],
  ],
  workspaceNamesFit: [
    ...[49, 50].map((length): Row => [
      `a ${length + 40}-character workspace name`,
      (c) => {
        c.state = cloudState({ workspacePrefix: "w".repeat(length) });
        c.accounts[1].name = `a${"x".repeat(39)}`;
      },
      [],
    ]),
    [
      "a 91-character workspace name: one over",
      (c) => {
        c.state = cloudState({ workspacePrefix: "w".repeat(51) });
        c.accounts[1].name = `a${"x".repeat(39)}`;
      },
      [
        {
          path: `accounts[1] (a${"x".repeat(39)}).name`,
          message: `makes the workspace "${"w".repeat(51)}a${"x".repeat(39)}" 91 characters, over the 90 Terraform Cloud allows; shorten the account name or state.cloud.workspacePrefix by 1`,
        },
      ],
    ],
    [
      "91 characters with a cloud block but the local backend: only the backend is reported",
      (c) => {
        c.state = { cloud: { organization: "acme", workspacePrefix: "w".repeat(51) } };
        c.accounts[1].name = `a${"x".repeat(39)}`;
      },
      [
        {
          path: "state.cloud",
          message: "is set but state.backend is local; set state.backend: cloud or remove state.cloud",
        },
      ],
    ],
    [
      "91 characters with the s3 backend: no workspace",
      (c) => {
        c.state = bootstrapped;
        c.accounts[1].name = `a${"x".repeat(39)}`;
      },
      [],
    ],
  ],
  runRoleNamesFit: [
    ...[32, 33].map((length): Row => [
      `a ${20 + 11 + length}-character role name`,
      (c) => {
        c.prefix = prefixOf(20);
        c.state = cloudState({ dynamicCredentials: true });
        c.accounts[1].name = `w${"x".repeat(length - 1)}`;
      },
      [],
    ]),
    [
      "a 65-character role name: one over",
      (c) => {
        c.prefix = prefixOf(20);
        c.state = cloudState({ dynamicCredentials: true });
        c.accounts[1].name = `w${"x".repeat(33)}`;
      },
      [
        {
          path: `accounts[1] (w${"x".repeat(33)}).name`,
          message: `makes the apply role of its workspace "${prefixOf(20)}-tfc-w${"x".repeat(33)}-apply" 65 characters, over IAM's 64-character limit for role names; with prefix "${prefixOf(20)}", shorten the account name to at most 33 characters (or shorten the prefix)`,
        },
      ],
    ],
    [
      "a 65-character name, dynamic credentials but the local backend: only the backend is reported",
      (c) => {
        c.prefix = prefixOf(20);
        c.state = { cloud: { organization: "acme", dynamicCredentials: true } };
        c.accounts[1].name = `w${"x".repeat(33)}`;
      },
      [
        {
          path: "state.cloud.dynamicCredentials",
          message:
            "gives Terraform Cloud runs AWS credentials, but state.backend is local: no stack runs in Terraform Cloud; set state.backend: cloud or remove state.cloud",
        },
      ],
    ],
    [
      "a 65-character name without dynamic credentials: no role is created",
      (c) => {
        c.prefix = prefixOf(20);
        c.state = cloudState({});
        c.accounts[1].name = `w${"x".repeat(33)}`;
      },
      [],
    ],
  ],
  agentPoolMatchesMode: [
    [
      "agent mode with a pool",
      (c) =>
        (c.state = cloudState({
          workspaces: { create: true, executionMode: "agent", agentPoolId: "apool-1" },
        })),
      [],
    ],
    [
      "agent mode without a pool",
      (c) => (c.state = cloudState({ workspaces: { create: true, executionMode: "agent" } })),
      [
        {
          path: "state.cloud.workspaces.agentPoolId",
          message: "is required with executionMode agent: name the agent pool that runs the workspaces",
        },
      ],
    ],
    [
      "a pool with the default remote mode",
      (c) => (c.state = cloudState({ workspaces: { create: true, agentPoolId: "apool-1" } })),
      [
        {
          path: "state.cloud.workspaces.agentPoolId",
          message:
            "only applies with executionMode agent (it is remote); set executionMode: agent or remove agentPoolId",
        },
      ],
    ],
  ],
  dynamicCredentialsNeedRemoteRuns: [
    [
      "local execution with dynamic credentials",
      (c) =>
        (c.state = cloudState({
          dynamicCredentials: true,
          workspaces: { create: true, executionMode: "local" },
        })),
      [
        {
          path: "state.cloud.dynamicCredentials",
          message:
            "gives remote runs AWS credentials, but state.cloud.workspaces.executionMode is local: runs use your own credentials on your machine; set executionMode remote or agent, or remove dynamicCredentials",
        },
      ],
    ],
    ...(["remote", "agent"] as const).map((mode): Row => [
      `${mode} execution with dynamic credentials`,
      (c) =>
        (c.state = cloudState({
          dynamicCredentials: true,
          workspaces: {
            create: true,
            executionMode: mode,
            ...(mode === "agent" && { agentPoolId: "apool-1" }),
          },
        })),
      [],
    ]),
    [
      "local execution without dynamic credentials",
      (c) => (c.state = cloudState({ workspaces: { create: true, executionMode: "local" } })),
      [],
    ],
    [
      "dynamic credentials with workspaces you create yourself (their mode is not known)",
      (c) =>
        (c.state = cloudState({
          dynamicCredentials: true,
          workspaces: { create: false, executionMode: "local" },
        })),
      [],
    ],
  ],
  stateEncryptionNeedsBootstrap: [
    [
      "encryption with bootstrap false",
      (c) =>
        (c.state = {
          backend: "s3",
          s3: { bucket: "tf-state-bucket", region: "us-east-1", bootstrap: false, encryption: "sse-s3" },
        }),
      [
        {
          path: "state.s3.encryption",
          message:
            "only applies with state.s3.bootstrap: true (an existing bucket keeps its own encryption); set bootstrap or remove encryption",
        },
      ],
    ],
    [
      "encryption with bootstrap",
      (c) => (c.state = { backend: "s3", s3: { ...bootstrapped.s3, encryption: "sse-s3" } }),
      [],
    ],
  ],
  bootstrapBucket: [
    [
      "a bucket name S3 would refuse to create",
      (c) => (c.state = { backend: "s3", s3: { ...bootstrapped.s3, bucket: "tf.state" } }),
      [
        {
          path: "state.s3.bucket",
          message:
            "must be a valid S3 bucket name to be created: 3-63 lowercase letters, digits and hyphens, no dots",
        },
      ],
    ],
    [
      "the same name for an existing bucket",
      (c) => (c.state = { backend: "s3", s3: { bucket: "tf.state", region: "us-east-1" } }),
      [],
    ],
    ...[`secops-security-logs-${SECURITY_ACCOUNT}`, `secops-access-logs-${SECURITY_ACCOUNT}`].map(
      (bucket): Row => [
        `the archive's own bucket ${bucket}`,
        (c) => (c.state = { backend: "s3", s3: { ...bootstrapped.s3, bucket } }),
        [
          {
            path: "state.s3.bucket",
            message: `${bucket} is a bucket of the log archive; Terraform state needs its own bucket`,
          },
        ],
      ],
    ),
    [
      "the archive's named bucket",
      (c) => {
        c.archive = { bucketName: "acme-archive" };
        c.state = { backend: "s3", s3: { ...bootstrapped.s3, bucket: "acme-archive" } };
      },
      [
        {
          path: "state.s3.bucket",
          message: "acme-archive is a bucket of the log archive; Terraform state needs its own bucket",
        },
      ],
    ],
    [
      "the default archive name, free once the archive is named",
      (c) => {
        c.archive = { bucketName: "acme-archive" };
        c.state = {
          backend: "s3",
          s3: { ...bootstrapped.s3, bucket: `secops-security-logs-${SECURITY_ACCOUNT}` },
        };
      },
      [],
    ],
    [
      "the archive's bucket in another partition: both problems",
      (c) =>
        (c.state = {
          backend: "s3",
          s3: { bucket: `secops-access-logs-${SECURITY_ACCOUNT}`, region: "cn-north-1", bootstrap: true },
        }),
      [
        {
          path: "state.s3.bucket",
          message: `secops-access-logs-${SECURITY_ACCOUNT} is a bucket of the log archive; Terraform state needs its own bucket`,
        },
        {
          path: "state.s3.region",
          message: "is outside partition aws; the bootstrap stack creates the bucket in the security account",
        },
      ],
    ],
    [
      "another region of the security account's partition",
      (c) => (c.state = { backend: "s3", s3: { ...bootstrapped.s3, region: "eu-west-1" } }),
      [],
    ],
  ],
  uniqueLogFiles: [
    [
      "a file under two groups, and twice under one",
      (c) => {
        c.accounts[0].logGroups[0].files = [{ path: "/var/log/secure" }, { path: "/var/log/messages" }];
        c.accounts[0].logGroups[1].files = [{ path: "/var/log/messages" }, { path: "/var/log/messages" }];
      },
      [0, 1].map((k) => ({
        path: `accounts[0] (payments-prod).logGroups[1].files[${k}].path`,
        message: "/var/log/messages is already shipped by an earlier entry; a file goes to one log group",
      })),
    ],
    [
      "one file path in two accounts",
      (c) => {
        c.accounts[0].logGroups[0].files = [{ path: "/var/log/messages" }];
        c.accounts[1].logGroups[0].files = [{ path: "/var/log/messages" }];
      },
      [],
    ],
  ],
  // 326 accounts in one region fill the destination policy to 5120 bytes with a
  // 10-character prefix (the prefix is in the destination's ARN). The trust
  // policy's limit always binds first: one source ARN per account is far more
  // than the destination's 15 bytes per account, so it is reported too.
  destinationPoliciesFit: [
    ...[9, 10].map((length): Row => [
      `${5110 + length} bytes: ${length === 10 ? "at" : "one under"} the limit`,
      (c) => {
        c.prefix = prefixOf(length);
        c.accounts = apps(326);
      },
      [trustTooLong(13255)],
    ]),
    [
      "5121 bytes: one over",
      (c) => {
        c.prefix = prefixOf(11);
        c.accounts = apps(326);
      },
      [
        {
          path: "accounts",
          message:
            "326 accounts in us-east-1 make a 5121-byte destination policy, over AWS's 5120-byte limit; set organizationId to admit the whole AWS Organization instead",
        },
        trustTooLong(13255),
      ],
    ],
    // allLogGroups adds "logs:PutAccountPolicy" (24 bytes): two accounts fewer, six characters more prefix.
    [
      "5120 bytes with an account policy: at the limit",
      (c) => {
        c.prefix = prefixOf(16);
        c.accounts = apps(324);
        c.accounts[0].allLogGroups = {};
      },
      [trustTooLong(13175)],
    ],
    [
      "5121 bytes with an account policy: one over",
      (c) => {
        c.prefix = prefixOf(17);
        c.accounts = apps(324);
        c.accounts[323].allLogGroups = {};
      },
      [
        {
          path: "accounts",
          message:
            "324 accounts in us-east-1 make a 5121-byte destination policy, over AWS's 5120-byte limit; set organizationId to admit the whole AWS Organization instead",
        },
        trustTooLong(13175),
      ],
    ],
    [
      "organization mode: one condition instead of the account list",
      (c) => {
        c.organizationId = "o-a1b2c3d4e5";
        c.prefix = prefixOf(20);
        c.accounts = apps(400);
      },
      [],
    ],
  ],
  // One source ARN per account and region, plus the security account's in
  // each region: `arn:aws:logs:us-east-1:<id>:*` takes 40 characters with its
  // quotes and comma, one in eu-north-1 41, so moving an account from
  // us-east-1 to eu-north-1 adds exactly one character.
  destinationTrustFits: [
    ...[
      [13, 31, 2047],
      [12, 32, 2048],
    ].map(([home, north, size]): Row => [
      `${size} characters: ${size === 2048 ? "at" : "one under"} the limit`,
      (c) => (c.accounts = [...apps(home), ...apps(north, ["eu-north-1"], home)]),
      [],
    ]),
    [
      "2049 characters: one over",
      (c) => (c.accounts = [...apps(11), ...apps(33, ["eu-north-1"], 11)]),
      [trustTooLong(2049)],
    ],
    [
      "2049 characters in organization mode: regions only",
      (c) => {
        c.organizationId = "o-a1b2c3d4e5";
        c.accounts = [...apps(11), ...apps(33, ["eu-north-1"], 11)];
      },
      [],
    ],
  ],
  // `<prefix>-tfstate-<account name>`: a 20-character prefix leaves 35 characters of the 64.
  stateRoleNamesFit: [
    ...[34, 35].map((length): Row => [
      `a ${20 + 9 + length}-character role name`,
      (c) => {
        c.prefix = prefixOf(20);
        c.state = bootstrapped;
        c.accounts[1].name = `w${"x".repeat(length - 1)}`;
      },
      [],
    ]),
    [
      "a 65-character role name: one over",
      (c) => {
        c.prefix = prefixOf(20);
        c.state = bootstrapped;
        c.accounts[1].name = `w${"x".repeat(35)}`;
      },
      [
        {
          path: `accounts[1] (w${"x".repeat(35)}).name`,
          message: `makes the state role "${prefixOf(20)}-tfstate-w${"x".repeat(35)}" 65 characters, over IAM's 64-character limit for role names; with prefix "${prefixOf(20)}", shorten the account name to at most 35 characters (or shorten the prefix)`,
        },
      ],
    ],
    [
      "a 65-character name with an existing state bucket: no role is created",
      (c) => {
        c.prefix = prefixOf(20);
        c.state = { backend: "s3", s3: { ...bootstrapped.s3, bootstrap: false } };
        c.accounts[1].name = `w${"x".repeat(35)}`;
      },
      [],
    ],
    [
      "a 65-character name with bootstrap under the local backend: only the backend is reported",
      (c) => {
        c.prefix = prefixOf(20);
        c.state = { s3: bootstrapped.s3 };
        c.accounts[1].name = `w${"x".repeat(35)}`;
      },
      [
        {
          path: "state.s3",
          message: "is set but state.backend is local; set state.backend: s3 or remove state.s3",
        },
      ],
    ],
  ],
  // web-prod's account policy skips its exclude list and its one log group
  // (/var/log/nginx/access.log, 25 characters): `LogGroupName NOT IN [...]`,
  // 20 characters before the JSON list. 49 names of 500 characters and one of
  // 301 make 25000 bytes.
  accountPolicySelectionFits: [
    ...[300, 301].map((last): Row => [
      `${24699 + last} bytes`,
      (c) => (c.accounts[1].allLogGroups.exclude = excludeList(last)),
      [],
    ]),
    [
      "25001 bytes: one over",
      (c) => (c.accounts[1].allLogGroups.exclude = excludeList(302)),
      [selectionTooLong(1, 51, 25001)],
    ],
    [
      "a name both excluded and subscribed counts once",
      (c) => (c.accounts[1].allLogGroups.exclude = [...excludeList(302), "/var/log/nginx/access.log"]),
      [selectionTooLong(1, 51, 25001)],
    ],
    [
      "two entries of one log group count once",
      (c) => {
        c.accounts[1].allLogGroups.exclude = excludeList(302);
        c.accounts[1].logGroups.push({ name: "/var/log/nginx/access.log", filterPattern: "x" });
      },
      [selectionTooLong(1, 51, 25001)],
    ],
    [
      "the same list without allLogGroups: no account policy",
      (c) => {
        delete c.accounts[1].allLogGroups;
        c.accounts[1].logGroups.push(...excludeList(302).map((name) => ({ name })));
      },
      [],
    ],
  ],
};

function trustTooLong(size: number): Printed {
  return {
    path: "accounts",
    message: `the destination role's trust policy would be ${size} characters (one source ARN per account and region), over IAM's 2048; set organizationId, or use fewer regions per account`,
  };
}

/** 49 log group names of 500 characters, then one of `last` characters. */
function excludeList(last: number): string[] {
  const name = (i: number, length: number) => {
    const head = `/aws/lambda/${String(i).padStart(2, "0")}-`;
    return head + "x".repeat(length - head.length);
  };
  return [...Array.from({ length: 49 }, (_, i) => name(i, 500)), name(49, last)];
}

function selectionTooLong(subscribed: number, excluded: number, bytes: number): Printed {
  return {
    path: "accounts[1] (web-prod).allLogGroups.exclude",
    message: `with the ${subscribed} log groups under logGroups (skipped so they are not shipped twice), the account policy would exclude ${excluded} log groups in a ${bytes}-byte selection criteria, over CloudWatch Logs' 25000-byte limit; remove names from allLogGroups.exclude, or drop logGroups entries that neither create their group nor filter its events (the account policy ships those anyway)`,
  };
}

describe("config cross-field rules", () => {
  test("every rule of CONFIG_RULES has its rows here, in order", () => {
    expect(CONFIG_RULES.map((rule) => rule.name)).toEqual(Object.keys(RULES));
  });

  test("baseConfig() passes every rule", () => {
    expect(problemsAfter(() => undefined)).toEqual([]);
  });

  describe.each(Object.entries(RULES))("%s", (_rule, rows) => {
    test.each(rows)("%s", (_what, change, problems) => {
      expect(problemsAfter(change)).toEqual(problems);
    });
  });
});

/** zod's own messages for a bound, as printed. */
const atLeast = (n: number) => `Too small: expected number to be >=${n}`;
const atMost = (n: number) => `Too big: expected number to be <=${n}`;
const shortest = (n: number) => `Too small: expected string to have >=${n} characters`;
const longest = (n: number) => `Too big: expected string to have <=${n} characters`;
const NOT_INT = "expected int, received number";

/**
 * A numeric field's bounds: the lowest and highest accepted values, one under
 * and one over, and a fraction. [field path, how to set it, min, max, message
 * under the min, message over the max].
 */
const NUMBER_BOUNDS: Array<
  [string, (c: Record<string, any>, value: number) => void, number, number, string, string]
> = [
  [
    "archive.objectLock.days",
    (c, days) => (c.archive = { objectLock: { mode: "GOVERNANCE", days } }),
    1,
    36500,
    "Object Lock retention must be at least 1 day",
    "must be at most 36500 (100 years)",
  ],
  [
    "archive.glacierAfterDays",
    (c, days) => (c.archive = { glacierAfterDays: days }),
    0,
    36500,
    "S3 cannot transition an object before it exists; use 0 (at the first midnight UTC after upload) or more",
    "must be at most 36500 (100 years)",
  ],
  [
    "archive.expireAfterDays",
    (c, days) => (c.archive = { glacierAfterDays: 0, expireAfterDays: days }),
    1,
    36500,
    "S3 expires objects 1 day after creation at the earliest (Expiration Days must be a non-zero positive integer); use 1 or more, or omit expireAfterDays to keep objects forever",
    "must be at most 36500 (100 years); omit expireAfterDays to keep objects forever",
  ],
  [
    "stream.shards",
    (c, shards) => (c.stream = { mode: "provisioned", shards }),
    1,
    10000,
    atLeast(1),
    atMost(10000),
  ],
  [
    "stream.retentionHours",
    (c, hours) => (c.stream = { retentionHours: hours }),
    24,
    8760,
    atLeast(24),
    atMost(8760),
  ],
  [
    "delivery.bufferSeconds",
    (c, s) => (c.delivery = { format: "raw", bufferSeconds: s }),
    0,
    900,
    atLeast(0),
    atMost(900),
  ],
  [
    "delivery.bufferMiB",
    (c, mib) => (c.delivery = { format: "raw", bufferMiB: mib }),
    1,
    128,
    atLeast(1),
    atMost(128),
  ],
  [
    "delivery.processorConcurrency",
    (c, n) => (c.delivery = { processorConcurrency: n }),
    1,
    1000,
    atLeast(1),
    atMost(1000),
  ],
  [
    "alarms.silenceHours",
    (c, hours) => (c.alarms = { silenceHours: hours }),
    1,
    168,
    atLeast(1),
    atMost(168),
  ],
];

/** [what, change, the problems]: bounds and patterns of strings, lists and enumerations. */
const FIELDS: Row[] = [
  ["a scan limit of 1 GiB", (c) => (c.search = { scanLimitGiB: 1 }), []],
  ["a scan limit of 1 PiB", (c) => (c.search = { scanLimitGiB: 1_048_576 }), []],
  [
    "a scan limit of 0",
    (c) => (c.search = { scanLimitGiB: 0 }),
    [{ path: "search.scanLimitGiB", message: "Too small: expected number to be >=1" }],
  ],
  [
    "a scan limit over 1 PiB",
    (c) => (c.search = { scanLimitGiB: 1_048_577 }),
    [{ path: "search.scanLimitGiB", message: "Too big: expected number to be <=1048576" }],
  ],
  ["results kept 1 day", (c) => (c.search = { resultsExpireDays: 1 }), []],
  [
    "results kept 0 days",
    (c) => (c.search = { resultsExpireDays: 0 }),
    [{ path: "search.resultsExpireDays", message: "Too small: expected number to be >=1" }],
  ],
  [
    "an SSO role path as analyst",
    (c) =>
      (c.search = {
        analystPrincipals: ["arn:aws:iam::111111111111:role/aws-reserved/sso.amazonaws.com/SecOps"],
      }),
    [],
  ],
  ...[
    "arn:aws:iam::444444444444:root",
    "arn:aws:sts::444444444444:assumed-role/IncidentResponder/alice",
    "arn:aws:iam::44444444444:role/IncidentResponder",
    "IncidentResponder",
  ].map((arn): Row => [
    `analyst principal ${arn}`,
    (c) => (c.search = { analystPrincipals: [arn] }),
    [
      {
        path: "search.analystPrincipals[0]",
        message: "must be an IAM role or user ARN, e.g. arn:aws:iam::123456789012:role/IncidentResponder",
      },
    ],
  ]),
  [
    "a misspelt search key",
    (c) => (c.search = { scanLimitGb: 5 }),
    [
      {
        path: "search.scanLimitGb",
        message: 'unknown key; did you mean "scanLimitGiB"? (config reference: README.md)',
      },
    ],
  ],
  ["a 2-character prefix", (c) => (c.prefix = "ab"), []],
  ["a prefix of letters, digits and hyphens", (c) => (c.prefix = "a-1"), []],
  ...["a", "1ab", "-ab", "ab_c", "ab c"].map((prefix): Row => [
    `prefix ${JSON.stringify(prefix)}`,
    (c) => (c.prefix = prefix),
    [
      {
        path: "prefix",
        message: "must be 2-20 lowercase letters, digits and hyphens, starting with a letter",
      },
    ],
  ]),
  [
    "a prefix that is not a string",
    (c) => (c.prefix = 5),
    [
      {
        path: "prefix",
        message: "must be a string of 2-20 lowercase letters, digits and hyphens, starting with a letter",
      },
    ],
  ],
  [
    "a tag name of 128 characters and a value of 256",
    (c) => (c.tags = { ["k".repeat(128)]: "v".repeat(256) }),
    [],
  ],
  ["an empty tag value", (c) => (c.tags = { owner: "" }), []],
  [
    "a tag name of 129 characters",
    (c) => (c.tags = { ["k".repeat(129)]: "v" }),
    [{ path: `tags.${"k".repeat(129)}`, message: `the key itself: ${longest(128)}` }],
  ],
  [
    "an empty tag name",
    (c) => (c.tags = { "": "v" }),
    [{ path: "tags.", message: `the key itself: ${shortest(1)}` }],
  ],
  [
    "a tag value of 257 characters",
    (c) => (c.tags = { owner: "v".repeat(257) }),
    [{ path: "tags.owner", message: longest(256) }],
  ],
  [
    "an account id written as a number",
    (c) => (c.security.accountId = 111111111111),
    [
      {
        path: "security.accountId",
        message: 'must be a 12-digit AWS account id as a quoted string, e.g. "123456789012"',
      },
    ],
  ],
  ...["11111111111", "1111111111111", "11111111111a", " 111111111111"].map((id): Row => [
    `security.accountId ${JSON.stringify(id)}`,
    (c) => (c.security.accountId = id),
    [
      {
        path: "security.accountId",
        message: 'must be a 12-digit AWS account id as a quoted string, e.g. "123456789012"',
      },
    ],
  ]),
  ...[
    ["cn-north-1", `arn:aws-cn:iam::${SECURITY_ACCOUNT}:role/deploy`],
    ["us-gov-west-1", `arn:aws-us-gov:iam::${SECURITY_ACCOUNT}:role/deploy`],
    ["us-east-1", `arn:aws:iam::${SECURITY_ACCOUNT}:role/path/to/Deploy+=,.@_-9`],
    ["us-east-1", `arn:aws:iam::${SECURITY_ACCOUNT}:role/${"r".repeat(512)}`],
  ].map(([region, arn]): Row => [
    `the role ARN ${arn.slice(0, 60)}`,
    (c) => {
      c.security = { accountId: SECURITY_ACCOUNT, region, roleArn: arn };
      c.accounts = [];
    },
    [],
  ]),
  ...[
    `arn:aws-eu:iam::${SECURITY_ACCOUNT}:role/deploy`,
    `arn:aws:iam::${SECURITY_ACCOUNT}:user/deploy`,
    `arn:aws:iam::${SECURITY_ACCOUNT}:role/`,
    `arn:aws:iam::${SECURITY_ACCOUNT}:role/${"r".repeat(513)}`,
    `arn:aws:iam::${SECURITY_ACCOUNT}:role/de ploy`,
    `arn:aws:iam::11111111111:role/deploy`,
    `arn:aws:iam:us-east-1:${SECURITY_ACCOUNT}:role/deploy`,
    ` arn:aws:iam::${SECURITY_ACCOUNT}:role/deploy`,
    `arn:aws:iam::${SECURITY_ACCOUNT}:role/deploy `,
  ].map((arn): Row => [
    `the role ARN ${JSON.stringify(arn.slice(0, 60))}`,
    (c) => (c.security.roleArn = arn),
    [
      {
        path: "security.roleArn",
        message: "must be an IAM role ARN, e.g. arn:aws:iam::123456789012:role/OrganizationAccountAccessRole",
      },
    ],
  ]),
  ...[`o-${"a".repeat(10)}`, `o-${"a1".repeat(16)}`].map((id): Row => [
    `organizationId of ${id.length - 2} characters`,
    (c) => (c.organizationId = id),
    [],
  ]),
  ...[`o-${"a".repeat(9)}`, `o-${"a".repeat(33)}`, "o-A1B2C3D4E5", "x-a1b2c3d4e5", " o-a1b2c3d4e5"].map(
    (id): Row => [
      `organizationId ${JSON.stringify(id)}`,
      (c) => (c.organizationId = id),
      [{ path: "organizationId", message: "must be an AWS Organizations id such as o-a1b2c3d4e5" }],
    ],
  ),
  ...["abc", "a".repeat(63), "a-1", "xn-a", "axn--b"].map((name): Row => [
    `archive bucket ${name.slice(0, 20)} (${name.length})`,
    (c) => (c.archive = { bucketName: name }),
    [],
  ]),
  ...[
    "ab",
    "a".repeat(64),
    "xn--abc",
    "sthree-abc",
    "amzn-s3-demo-abc",
    "-abc",
    "abc-",
    "Abc",
    "a.bc",
    "a_bc",
  ].map((name): Row => [
    `archive bucket ${JSON.stringify(name.slice(0, 20))} (${name.length})`,
    (c) => (c.archive = { bucketName: name }),
    [
      {
        path: "archive.bucketName",
        message: "must be a valid S3 bucket name: 3-63 lowercase letters, digits and hyphens, no dots",
      },
    ],
  ]),
  ...["a@b.c", "secops+alarms@example.co.uk"].map((email): Row => [
    `email ${email}`,
    (c) => (c.alarms = { email }),
    [],
  ]),
  ...["a@b", "@b.c", "a@.c", "a b@c.d", "a@b.c "].map((email): Row => [
    `email ${JSON.stringify(email)}`,
    (c) => (c.alarms = { email }),
    [{ path: "alarms.email", message: "must be an email address" }],
  ]),
  ...[3, 63].map((length): Row => [
    `an existing state bucket of ${length} characters`,
    (c) => (c.state = { backend: "s3", s3: { bucket: "b".repeat(length), region: "us-east-1" } }),
    [],
  ]),
  ...(
    [
      [2, shortest(3)],
      [64, longest(63)],
    ] as const
  ).map(([length, message]): Row => [
    `an existing state bucket of ${length} characters`,
    (c) => (c.state = { backend: "s3", s3: { bucket: "b".repeat(length), region: "us-east-1" } }),
    [{ path: "state.s3.bucket", message }],
  ]),
  ...["k", "seclog/state", "A-z_0.9!*'()/x", "k".repeat(200)].map((keyPrefix): Row => [
    `state key prefix ${keyPrefix.slice(0, 20)} (${keyPrefix.length})`,
    (c) => (c.state = { backend: "s3", s3: { bucket: "tf-state", region: "us-east-1", keyPrefix } }),
    [],
  ]),
  ...["", "k".repeat(201), "a b", "a\\b", "state?x"].map((keyPrefix): Row => [
    `state key prefix ${JSON.stringify(keyPrefix.slice(0, 20))} (${keyPrefix.length})`,
    (c) => (c.state = { backend: "s3", s3: { bucket: "tf-state", region: "us-east-1", keyPrefix } }),
    [{ path: "state.s3.keyPrefix", message: "must be a plain S3 key prefix such as seclog/state" }],
  ]),
  ...["", "w".repeat(60), "Team_a-1"].map((workspacePrefix): Row => [
    `workspace prefix of ${workspacePrefix.length} characters`,
    (c) => (c.state = { backend: "cloud", cloud: { organization: "acme", workspacePrefix } }),
    [],
  ]),
  ...["w".repeat(61), "a.b", "a b"].map((workspacePrefix): Row => [
    `workspace prefix ${JSON.stringify(workspacePrefix.slice(0, 20))}`,
    (c) => (c.state = { backend: "cloud", cloud: { organization: "acme", workspacePrefix } }),
    [{ path: "state.cloud.workspacePrefix", message: "may only hold letters, digits, - and _" }],
  ]),
  [
    "empty organization, project and hostname",
    (c) => (c.state = { backend: "cloud", cloud: { organization: "", project: "", hostname: "" } }),
    [
      { path: "state.cloud.organization", message: ORGANIZATION_MESSAGE },
      { path: "state.cloud.project", message: shortest(1) },
      { path: "state.cloud.hostname", message: HOSTNAME_MESSAGE },
    ],
  ],
  ...["acme", "Acme_Security-2", "a"].map((organization): Row => [
    `organization ${organization}`,
    (c) => (c.state = { backend: "cloud", cloud: { organization } }),
    [],
  ]),
  ...["acme corp", "acme.io", "acme/prod", "ácme"].map((organization): Row => [
    `organization ${JSON.stringify(organization)}: a name Terraform Cloud cannot have`,
    (c) => (c.state = { backend: "cloud", cloud: { organization } }),
    [{ path: "state.cloud.organization", message: ORGANIZATION_MESSAGE }],
  ]),
  ...[
    "app.terraform.io",
    "tfe.example.com",
    "TFE.Corp.Example.co.uk",
    `${"a".repeat(63)}.example.com`,
    longHost(253),
    "a.example.com",
    "tfe.x.io",
  ].map((hostname): Row => [
    `hostname ${hostname}`,
    (c) => (c.state = { backend: "cloud", cloud: { organization: "acme", hostname } }),
    [],
  ]),
  ...[
    "https://app.terraform.io",
    "app.terraform.io/",
    "tfe.example.com:8443",
    "localhost",
    "-tfe.example.com",
    "tfe..example.com",
    `${"a".repeat(64)}.example.com`,
    "tfe example.com",
    // 254 characters, one over DNS's 253 (253 is accepted above).
    longHost(254),
  ].map((hostname): Row => [
    `hostname ${JSON.stringify(hostname)}: not a host`,
    (c) => (c.state = { backend: "cloud", cloud: { organization: "acme", hostname } }),
    [{ path: "state.cloud.hostname", message: HOSTNAME_MESSAGE }],
  ]),
  [
    "workspace tags, Terraform version and agent pool that cannot be",
    (c) =>
      (c.state = {
        backend: "cloud",
        cloud: {
          organization: "acme",
          workspaces: {
            create: true,
            tags: ["ok:tag-1", "Upper", "under_score"],
            terraformVersion: "1.11",
            agentPoolId: "pool-1",
          },
        },
      }),
    [
      {
        path: "state.cloud.workspaces.agentPoolId",
        message: "must be an agent pool id such as apool-AbCd1234",
      },
      {
        path: "state.cloud.workspaces.terraformVersion",
        message: 'must be a Terraform version such as 1.11.4, or a constraint "~> 1.11.0" or ">= 1.11.0"',
      },
      ...[1, 2].map((i) => ({
        path: `state.cloud.workspaces.tags[${i}]`,
        message: "must be 1-255 lowercase letters, digits, : and - (HCP Terraform's tag names)",
      })),
    ],
  ],
  ...["= 1.11.4", "v1.11.4", "1.11.4-beta"].map((terraformVersion): Row => [
    `terraformVersion ${JSON.stringify(terraformVersion)}: not a version this app accepts`,
    (c) =>
      (c.state = {
        backend: "cloud",
        cloud: { organization: "acme", workspaces: { create: true, terraformVersion } },
      }),
    [
      {
        path: "state.cloud.workspaces.terraformVersion",
        message: 'must be a Terraform version such as 1.11.4, or a constraint "~> 1.11.0" or ">= 1.11.0"',
      },
    ],
  ]),
  ...["xapool-1", "apool-", "apool-1 "].map((agentPoolId): Row => [
    `agentPoolId ${JSON.stringify(agentPoolId)}: not an agent pool id`,
    (c) =>
      (c.state = {
        backend: "cloud",
        cloud: { organization: "acme", workspaces: { create: true, executionMode: "agent", agentPoolId } },
      }),
    [
      {
        path: "state.cloud.workspaces.agentPoolId",
        message: "must be an agent pool id such as apool-AbCd1234",
      },
    ],
  ]),
  ...[
    ["", shortest(1)],
    ["a".repeat(256), "Too big: expected string to have <=255 characters"],
  ].map(([audience, message]): Row => [
    `audience of ${audience.length} characters`,
    (c) => (c.state = { backend: "cloud", cloud: { organization: "acme", audience } }),
    [{ path: "state.cloud.audience", message }],
  ]),
  ...["a", "a".repeat(255), "tfe.example.com"].map((audience): Row => [
    `audience of ${audience.length} characters`,
    (c) => (c.state = { backend: "cloud", cloud: { organization: "acme", audience } }),
    [],
  ]),
  ...["1.11.4", "~> 1.11.0", ">= 1.10.0", "1.11.10"].map((terraformVersion): Row => [
    `terraformVersion ${terraformVersion}`,
    (c) =>
      (c.state = {
        backend: "cloud",
        cloud: { organization: "acme", workspaces: { create: true, terraformVersion } },
      }),
    [],
  ]),
  [
    "an agent pool id of several characters",
    (c) =>
      (c.state = {
        backend: "cloud",
        cloud: {
          organization: "acme",
          workspaces: { create: true, executionMode: "agent", agentPoolId: "apool-AbCd1234" },
        },
      }),
    [],
  ],
  [
    "an unknown execution mode",
    (c) =>
      (c.state = {
        backend: "cloud",
        cloud: { organization: "acme", workspaces: { create: true, executionMode: "vcs" } },
      }),
    [
      {
        path: "state.cloud.workspaces.executionMode",
        message: 'Invalid option: expected one of "remote"|"agent"|"local"',
      },
    ],
  ],
  ...["/var/log/secure", "/var/log/**/*.log", "C:\\logs\\app.log", "d:\\x"].map((path): Row => [
    `agent file ${path}`,
    (c) => (c.accounts[0].logGroups[0].files = [{ path }]),
    [],
  ]),
  ...[
    "var/log/secure",
    "/",
    "/ var",
    "/var/log/secure\nsecond line",
    "C:/logs/app.log",
    "CD:\\x",
    " /var/log/secure",
    "~/x",
  ].map((path): Row => [
    `agent file ${JSON.stringify(path)}`,
    (c) => (c.accounts[0].logGroups[0].files = [{ path }]),
    [
      {
        path: "accounts[0] (payments-prod).logGroups[0].files[0].path",
        message:
          "must be an absolute file path such as /var/log/secure or C:\\logs\\app.log (* and ** globs allowed)",
      },
    ],
  ]),
  [
    "empty timestamp format and multi-line pattern",
    (c) =>
      (c.accounts[0].logGroups[0].files = [{ path: "/x", timestampFormat: "", multiLineStartPattern: "" }]),
    ["timestampFormat", "multiLineStartPattern"].map((key) => ({
      path: `accounts[0] (payments-prod).logGroups[0].files[0].${key}`,
      message: shortest(1),
    })),
  ],
  ...["/", "#", "a".repeat(512), "/aws/lambda/a.b-c_d#1"].map((name): Row => [
    `log group name ${name.slice(0, 30)} (${name.length})`,
    (c) => (c.accounts[0].logGroups[1].name = name),
    [],
  ]),
  ...["", "a".repeat(513), "a b", "a*", "a:b"].map((name): Row => [
    `log group name ${JSON.stringify(name.slice(0, 20))} (${name.length})`,
    (c) => (c.accounts[0].logGroups[1].name = name),
    [
      {
        path: "accounts[0] (payments-prod).logGroups[1].name",
        message: "must be a CloudWatch Logs log group name: 1-512 of letters, digits and . - _ / #",
      },
    ],
  ]),
  [
    "a 1024-character filter pattern",
    (c) => (c.accounts[0].logGroups[1].filterPattern = "x".repeat(1024)),
    [],
  ],
  [
    "a 1025-character filter pattern",
    (c) => (c.accounts[0].logGroups[1].filterPattern = "x".repeat(1025)),
    [{ path: "accounts[0] (payments-prod).logGroups[1].filterPattern", message: longest(1024) }],
  ],
  ...[1, 3653].map((days): Row => [
    `retention of ${days} days`,
    (c) => (c.accounts[0].logGroups[0].retentionDays = days),
    [],
  ]),
  ...[0, 2, 3654, 365.5].map((days): Row => [
    `retention of ${days} days`,
    (c) => (c.accounts[0].logGroups[0].retentionDays = days),
    [
      {
        path: "accounts[0] (payments-prod).logGroups[0].retentionDays",
        message:
          "must be one of 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653",
      },
    ],
  ]),
  ["an excluded name of 512 characters", (c) => (c.accounts[1].allLogGroups.exclude = ["a".repeat(512)]), []],
  ...["a".repeat(513), "", "/aws/*", "a b"].map((name): Row => [
    `excluded name ${JSON.stringify(name.slice(0, 20))} (${name.length})`,
    (c) => (c.accounts[1].allLogGroups.exclude = [name]),
    [
      {
        path: "accounts[1] (web-prod).allLogGroups.exclude[0]",
        message: "must be an exact log group name; account policies match names exactly, without wildcards",
      },
    ],
  ]),
  ["allLogGroups without exclude", (c) => (c.accounts[1].allLogGroups = {}), []],
  ...["a", `a${"b".repeat(39)}`, "a-1"].map((name): Row => [
    `account name ${name} (${name.length})`,
    (c) => (c.accounts[1].name = name),
    [],
  ]),
  ...[`a${"b".repeat(40)}`, "1a", "-a", "a_b", "aB"].map((name): Row => [
    `account name ${JSON.stringify(name)} (${name.length})`,
    (c) => (c.accounts[1].name = name),
    [
      {
        path: `accounts[1] (${name}).name`,
        message:
          "must start with a lowercase letter and hold at most 40 lowercase letters, digits and hyphens",
      },
    ],
  ]),
  [
    "a region one letter off a known one",
    (c) => (c.accounts[0].regions = ["us-east-1", "eu-wst-1"]),
    [
      {
        path: "accounts[0] (payments-prod).regions[1]",
        message: 'unknown AWS region "eu-wst-1"; did you mean eu-west-1?',
      },
    ],
  ],
  [
    "a region like no known one",
    (c) => (c.security.region = "mars-north-1"),
    [
      {
        path: "security.region",
        message: `unknown AWS region "mars-north-1"; use one of: ${KNOWN_REGIONS.join(", ")}`,
      },
    ],
  ],
  [
    "a key like no known one: the keys allowed there",
    (c) => (c.accounts[0].logGroups[0].zzzzzz = true),
    [
      {
        path: "accounts[0] (payments-prod).logGroups[0].zzzzzz",
        message:
          "unknown key; allowed here: name, filterPattern, create, retentionDays, files (config reference: README.md)",
      },
    ],
  ],
  [
    "an unknown key in a defaulted block, close to a known one",
    (c) => (c.delivery = { buffer: 64 }),
    [
      {
        path: "delivery.buffer",
        message: 'unknown key; did you mean "bufferMiB"? (config reference: README.md)',
      },
    ],
  ],
  [
    "a block of the wrong type",
    (c) => (c.archive = ["bucketName"]),
    [{ path: "archive", message: "expected object, received array" }],
  ],
  [
    "a required block missing",
    (c) => delete c.security,
    [{ path: "security", message: "is required; expected object, received undefined" }],
  ],
  [
    "an empty region list",
    (c) => (c.accounts[0].regions = []),
    [{ path: "accounts[0] (payments-prod).regions", message: "Too small: expected array to have >=1 items" }],
  ],
];

describe("config field limits", () => {
  test.each([[], null, "prefix: x", 5])("a document that is not a mapping: %j", (document) => {
    expect(() => parseConfig(document, "logging.yaml")).toThrow(
      new Error(
        "logging.yaml: must be a mapping of keys (prefix, security, accounts, ...); start from config/example.yaml",
      ),
    );
  });

  describe.each(NUMBER_BOUNDS)("%s", (path, set, min, max, under, over) => {
    const numbered = (value: number) => (change: Record<string, any>) => set(change, value);
    test.each([min, min + 1, max - 1, max])("%d is accepted", (value) => {
      expect(problemsAfter(numbered(value))).toEqual([]);
    });
    test.each([
      [min - 1, under],
      [max + 1, over],
      [min + 0.5, NOT_INT],
    ])("%d is refused", (value, message) => {
      expect(problemsAfter(numbered(value))).toEqual([{ path, message }]);
    });
  });

  test.each(FIELDS)("%s", (_what, change, problems) => {
    expect(problemsAfter(change)).toEqual(problems);
  });
});

/** The Regions a config may name, by partition: each one a home region with that partition, and no others. */
const REGIONS: Record<string, string[]> = {
  aws: [
    ...["af-south-1", "ap-east-1", "ap-east-2", "ap-northeast-1", "ap-northeast-2", "ap-northeast-3"],
    ...["ap-south-1", "ap-south-2", "ap-southeast-1", "ap-southeast-2", "ap-southeast-3", "ap-southeast-4"],
    ...["ap-southeast-5", "ap-southeast-7", "ca-central-1", "ca-west-1", "eu-central-1", "eu-central-2"],
    ...["eu-north-1", "eu-south-1", "eu-south-2", "eu-west-1", "eu-west-2", "eu-west-3", "il-central-1"],
    ...["me-central-1", "me-south-1", "mx-central-1", "sa-east-1", "us-east-1", "us-east-2", "us-west-1"],
    "us-west-2",
  ],
  "aws-cn": ["cn-north-1", "cn-northwest-1"],
  "aws-us-gov": ["us-gov-east-1", "us-gov-west-1"],
};

describe("regions", () => {
  test("the known regions are exactly those, sorted", () => {
    expect(KNOWN_REGIONS).toEqual(Object.values(REGIONS).flat().sort());
  });

  test.each(Object.entries(REGIONS).flatMap(([partition, regions]) => regions.map((r) => [r, partition])))(
    "%s: a home region of partition %s",
    (region, partition) => {
      const config = parseConfig({ prefix: "secops", security: { accountId: SECURITY_ACCOUNT, region } });
      expect({ partition: config.partition, regions: config.destinationRegions }).toEqual({
        partition,
        regions: [region],
      });
      expect(partitionOf(region)).toBe(partition);
    },
  );

  test("partitionOf refuses a region it does not know", () => {
    expect(() => partitionOf("us-east-7")).toThrow(new Error("unknown region us-east-7"));
  });
});
