import { accountPolicyExclusions, accountPolicySelectionCriteria, namingOf } from "../naming";
import { policySize } from "../iam/policy";
import { destinationAccessPolicy, destinationTrustPolicy } from "../policies/destination";
import {
  DESTINATION_POLICY_MAX_BYTES,
  IAM_ROLE_NAME_MAX_CHARS,
  MAX_SUBSCRIPTION_FILTERS_PER_LOG_GROUP,
  MIN_PARTITIONED_BUFFER_MIB,
  MIN_PARTITIONED_BUFFER_SECONDS,
  ROLE_TRUST_POLICY_MAX_CHARS,
  SELECTION_CRITERIA_MAX_BYTES,
} from "../aws-limits";
import { BUCKET_NAME, RawConfig } from "./schema";
import { partitionOf } from "./regions";
import { WORKSPACE_NAME_MAX_CHARS, workspaceName } from "../tfc";
import { sendersByRegion } from "./topology";

/** One thing wrong with the config: where, and what to do about it. */
export interface Problem {
  readonly path: string;
  readonly message: string;
}

/**
 * Rules that span several fields, one pure function each. They run after the
 * schema accepted every field on its own, so they may trust field types.
 */
export type ConfigRule = (config: RawConfig) => Problem[];

const RESERVED_STACK_NAMES = ["security", "state", "vault", "credentials", "workspaces"];

export const uniqueAccountNames: ConfigRule = (config) =>
  duplicates(config.accounts.map((a) => a.name)).map((i) => ({
    path: `accounts[${i}].name`,
    message: `"${config.accounts[i].name}" is used by an earlier account; stack names must be unique`,
  }));

export const reservedAccountNames: ConfigRule = (config) =>
  config.accounts.flatMap((a, i) =>
    RESERVED_STACK_NAMES.includes(a.name)
      ? [
          {
            path: `accounts[${i}].name`,
            message: `"${a.name}" is reserved for a stack of this app; choose another name`,
          },
        ]
      : [],
  );

export const uniqueAccountIds: ConfigRule = (config) =>
  duplicates(config.accounts.map((a) => a.accountId)).map((i) => ({
    path: `accounts[${i}].accountId`,
    message: `${config.accounts[i].accountId} is already listed under another name; list each account once, with all its regions`,
  }));

export const appAccountIsNotSecurityAccount: ConfigRule = (config) =>
  config.accounts.flatMap((a, i) =>
    a.accountId === config.security.accountId
      ? [
          {
            path: `accounts[${i}].accountId`,
            message:
              "is the security account; cross-account destinations are for other accounts, so list only application accounts",
          },
        ]
      : [],
  );

export const roleArnsMatchAccounts: ConfigRule = (config) => {
  const checks: Array<[string, string | undefined, string]> = [
    ["security.roleArn", config.security.roleArn, config.security.accountId],
    ...(config.archive.replica
      ? [
          ["archive.replica.roleArn", config.archive.replica.roleArn, config.archive.replica.accountId] as [
            string,
            string | undefined,
            string,
          ],
        ]
      : []),
    ...config.accounts.map((a, i): [string, string | undefined, string] => [
      `accounts[${i}].roleArn`,
      a.roleArn,
      a.accountId,
    ]),
  ];
  // Every provider runs in the partition of security.region (onePartition), and STS
  // cannot assume a role of another partition: such an ARN would fail only at plan.
  const home = partitionOf(config.security.region);
  return checks.flatMap(([path, arn, id]): Problem[] => {
    if (!arn) return [];
    const [, partition, , , account] = arn.split(":");
    if (account !== id)
      return [
        {
          path,
          message: `role is in account ${account} but the account id is ${id}; use a role of account ${id}`,
        },
      ];
    if (partition !== home)
      return [
        {
          path,
          message: `role is in partition ${partition} but security.region is in ${home}; use an arn:${home}: role`,
        },
      ];
    return [];
  });
};

export const onePartition: ConfigRule = (config) => {
  const home = partitionOf(config.security.region);
  const replica = config.archive.replica;
  // S3 replicates within a partition only; the vault's provider runs in the home partition too.
  const replicaProblems: Problem[] =
    replica && partitionOf(replica.region) !== home
      ? [
          {
            path: "archive.replica.region",
            message: `${replica.region} is outside partition ${home} of security.region; S3 cannot replicate across partitions`,
          },
        ]
      : [];
  return replicaProblems.concat(
    config.accounts.flatMap((a, i) =>
      (a.regions ?? []).flatMap((r, j) =>
        partitionOf(r) === home
          ? []
          : [
              {
                path: `accounts[${i}].regions[${j}]`,
                message: `${r} is outside partition ${home} of security.region; logs cannot cross partitions`,
              },
            ],
      ),
    ),
  );
};

/**
 * The vault holds the copy that survives the loss of the security account: in
 * that account it falls with it, and in an application account the people the
 * archive watches could delete the evidence about themselves.
 */
export const replicaInVaultAccount: ConfigRule = (config) => {
  const replica = config.archive.replica;
  if (!replica) return [];
  const path = "archive.replica.accountId";
  if (replica.accountId === config.security.accountId)
    return [
      {
        path,
        message:
          "is the security account; the replica must live in a separate vault account, or whoever controls the security account controls both copies",
      },
    ];
  const i = config.accounts.findIndex((a) => a.accountId === replica.accountId);
  return i < 0
    ? []
    : [
        {
          path,
          message: `is application account accounts[${i}] (${config.accounts[i].name}); use a vault account that ships no logs and that application teams cannot administer`,
        },
      ];
};

export const uniqueRegions: ConfigRule = (config) =>
  config.accounts.flatMap((a, i) =>
    duplicates(a.regions ?? []).map((j) => ({
      path: `accounts[${i}].regions[${j}]`,
      message: `${a.regions![j]} is listed twice`,
    })),
  );

export const accountSubscribesSomething: ConfigRule = (config) =>
  config.accounts.flatMap((a, i) =>
    a.logGroups.length === 0 && !a.allLogGroups
      ? [{ path: `accounts[${i}]`, message: "ships nothing: add logGroups or allLogGroups" }]
      : [],
  );

/** CloudWatch Logs allows at most two subscription filters per log group (lib/aws-limits.ts). */
export const filtersPerLogGroup: ConfigRule = (config) =>
  config.accounts.flatMap((a, i) => {
    const problems: Problem[] = [];
    const seen = new Map<string, number[]>();
    a.logGroups.forEach((g, j) => seen.set(g.name, [...(seen.get(g.name) ?? []), j]));
    for (const [name, indexes] of seen) {
      const last = indexes[indexes.length - 1];
      const path = `accounts[${i}].logGroups[${last}]`;
      if (indexes.length > MAX_SUBSCRIPTION_FILTERS_PER_LOG_GROUP) {
        problems.push({
          path,
          message: `${name} would get ${indexes.length} subscription filters; CloudWatch Logs allows at most ${MAX_SUBSCRIPTION_FILTERS_PER_LOG_GROUP} per log group`,
        });
      } else if (indexes.length === 2) {
        const [first, second] = indexes.map((k) => a.logGroups[k]);
        if (first.filterPattern === second.filterPattern) {
          problems.push({
            path: `${path}.filterPattern`,
            message: `${name} is listed twice with the same filterPattern; remove one entry`,
          });
        }
        if (first.create && second.create) {
          problems.push({
            path: `${path}.create`,
            message: `${name} is created by an earlier entry; set create only once`,
          });
        }
      }
    }
    return problems;
  });

export const retentionNeedsCreate: ConfigRule = (config) =>
  config.accounts.flatMap((a, i) =>
    a.logGroups.flatMap((g, j) =>
      g.retentionDays !== undefined && !g.create
        ? [
            {
              path: `accounts[${i}].logGroups[${j}].retentionDays`,
              message:
                "only applies to a log group this app creates; set create: true or remove retentionDays",
            },
          ]
        : [],
    ),
  );

export const shardsOnlyWhenProvisioned: ConfigRule = (config) =>
  config.stream.mode === "on-demand" && config.stream.shards !== undefined
    ? [
        {
          path: "stream.shards",
          message: "on-demand streams scale by themselves; remove shards or set stream.mode: provisioned",
        },
      ]
    : [];

/**
 * S3 rejects a lifecycle rule whose expiration is not strictly after its
 * transition, for current versions (Days) and noncurrent versions
 * (NoncurrentDays: "'NoncurrentDays' in the NoncurrentVersionExpiration action
 * must be greater than 'NoncurrentDays' in the NoncurrentVersionTransition
 * action"); the archive's rule uses the same two numbers for both. AWS CDK,
 * aws_s3 LifecycleRule: "The expiration time must also be later than the
 * transition time" (https://docs.aws.amazon.com/cdk/api/v2/docs/aws-cdk-lib.aws_s3.LifecycleRule.html).
 */
export const expiryAfterTransition: ConfigRule = (config) => {
  const { expireAfterDays, glacierAfterDays } = config.archive;
  return expireAfterDays !== undefined && expireAfterDays <= glacierAfterDays
    ? [
        {
          path: "archive.expireAfterDays",
          message: `must be greater than archive.glacierAfterDays (${glacierAfterDays}); S3 rejects expiring objects before or when they transition, so set expireAfterDays to at least ${glacierAfterDays + 1} or lower glacierAfterDays`,
        },
      ]
    : [];
};

/**
 * A consistency rule of this app rather than an S3 limit: the lock promises a
 * retention that an earlier expiry would contradict. Equal is consistent: a
 * version's lock ends on the day it is due to expire.
 */
export const expiryNotBeforeLock: ConfigRule = (config) => {
  const { expireAfterDays, objectLock, replica } = config.archive;
  if (expireAfterDays === undefined) return [];
  // The replica bucket takes the archive's lifecycle, so its lock is held to the same rule.
  const locks: Array<[string, number | undefined]> = [
    ["archive.objectLock.days", objectLock?.days],
    ["archive.replica.objectLock.days", replica?.objectLock.days],
  ];
  return locks.flatMap(([field, days]) =>
    days !== undefined && expireAfterDays < days
      ? [
          {
            path: "archive.expireAfterDays",
            message: `is shorter than ${field} (${days}); locked versions cannot expire, so raise expireAfterDays or lower the lock`,
          },
        ]
      : [],
  );
};

/** Dynamic partitioning, which the events format uses, requires a buffer of at least 64 MiB (lib/aws-limits.ts). */
export const eventsFormatBuffer: ConfigRule = (config) =>
  config.delivery.format === "events" && config.delivery.bufferMiB < MIN_PARTITIONED_BUFFER_MIB
    ? [
        {
          path: "delivery.bufferMiB",
          message: `must be at least ${MIN_PARTITIONED_BUFFER_MIB} with format events (Firehose dynamic partitioning); raise it or use format raw`,
        },
      ]
    : [];

/**
 * Firehose offers no "zero buffering" (intervals under 60 s) with dynamic
 * partitioning, which the events format uses (lib/aws-limits.ts).
 */
export const eventsFormatInterval: ConfigRule = (config) =>
  config.delivery.format === "events" && config.delivery.bufferSeconds < MIN_PARTITIONED_BUFFER_SECONDS
    ? [
        {
          path: "delivery.bufferSeconds",
          message: `must be at least ${MIN_PARTITIONED_BUFFER_SECONDS} with format events (Firehose has no zero buffering with dynamic partitioning); raise it or use format raw`,
        },
      ]
    : [];

export const processorOnlyForEvents: ConfigRule = (config) =>
  config.delivery.format === "raw" && config.delivery.processorConcurrency !== undefined
    ? [
        {
          path: "delivery.processorConcurrency",
          message: "only applies to format events (raw has no processor); remove it",
        },
      ]
    : [];

export const keepSourceOnlyForEvents: ConfigRule = (config) =>
  config.delivery.format === "raw" && config.delivery.keepSource
    ? [
        {
          path: "delivery.keepSource",
          message:
            "only applies to format events (raw already stores every record exactly as CloudWatch Logs sent it); remove it",
        },
      ]
    : [];

export const searchOnlyForEvents: ConfigRule = (config) =>
  config.delivery.format === "raw" && config.search.enabled === true
    ? [
        {
          path: "search.enabled",
          message:
            "format raw stores CloudWatch Logs' gzip'd envelopes, which Athena cannot project into events; use format events, or remove it",
        },
      ]
    : [];

export const analystsNeedSearch: ConfigRule = (config) =>
  config.search.analystPrincipals.length > 0 &&
  (config.search.enabled === false || config.delivery.format === "raw")
    ? [
        {
          path: "search.analystPrincipals",
          message:
            "the analyst role runs hunts, and search is off (format raw or search.enabled false); turn search on or remove it",
        },
      ]
    : [];

export const uniqueAnalystPrincipals: ConfigRule = (config) =>
  duplicates(config.search.analystPrincipals).map((i) => ({
    path: `search.analystPrincipals[${i}]`,
    message: `${config.search.analystPrincipals[i]} is listed twice; remove one`,
  }));

export const backendBlockMatches: ConfigRule = (config) => {
  const { backend } = config.state;
  const problems: Problem[] = [];
  for (const block of ["s3", "cloud"] as const) {
    if (backend === block && !config.state[block]) {
      problems.push({ path: `state.${block}`, message: `is required when state.backend is ${block}` });
    }
    if (backend !== block && config.state[block]) {
      problems.push(
        block === "cloud"
          ? cloudWithoutCloudBackend(backend, config.state.cloud!)
          : {
              path: `state.${block}`,
              message: `is set but state.backend is ${backend}; set state.backend: ${block} or remove state.${block}`,
            },
      );
    }
  }
  return problems;
};

/** Names the Terraform Cloud feature asked for, when there is one: that is what cannot work. */
function cloudWithoutCloudBackend(
  backend: RawConfig["state"]["backend"],
  cloud: NonNullable<RawConfig["state"]["cloud"]>,
): Problem {
  const fix = "set state.backend: cloud or remove state.cloud";
  if (cloud.workspaces?.create)
    return {
      path: "state.cloud.workspaces.create",
      message: `creates Terraform Cloud workspaces for the stacks, but state.backend is ${backend}: the stacks would keep their state elsewhere; ${fix}`,
    };
  if (cloud.dynamicCredentials)
    return {
      path: "state.cloud.dynamicCredentials",
      message: `gives Terraform Cloud runs AWS credentials, but state.backend is ${backend}: no stack runs in Terraform Cloud; ${fix}`,
    };
  return { path: "state.cloud", message: `is set but state.backend is ${backend}; ${fix}` };
}

/**
 * HCP Terraform's workspace names: at most 90 characters (lib/tfc.ts). Only
 * an account's can be longer: the security and vault stacks' names are at
 * most 60 (workspacePrefix) + 8 characters.
 */
export const workspaceNamesFit: ConfigRule = (config) => {
  const cloud = config.state.backend === "cloud" ? config.state.cloud : undefined;
  if (!cloud) return [];
  return config.accounts.flatMap((a, i) => {
    const name = workspaceName(cloud, a.name);
    return name.length > WORKSPACE_NAME_MAX_CHARS
      ? [
          {
            path: `accounts[${i}].name`,
            message: `makes the workspace "${name}" ${name.length} characters, over the ${WORKSPACE_NAME_MAX_CHARS} Terraform Cloud allows; shorten the account name or state.cloud.workspacePrefix by ${name.length - WORKSPACE_NAME_MAX_CHARS}`,
          },
        ]
      : [];
  });
};

/**
 * Each stack's run roles, `<prefix>-tfc-<stack>-plan|apply`, must fit IAM's
 * role names. Only an account's can be longer: with the security or vault
 * stack they are at most 20 (prefix) + 19 characters.
 */
export const runRoleNamesFit: ConfigRule = (config) => {
  if (config.state.backend !== "cloud" || !config.state.cloud?.dynamicCredentials) return [];
  const naming = namingOf(config);
  const room = IAM_ROLE_NAME_MAX_CHARS - naming.runRoleName("", "apply").length;
  return config.accounts.flatMap((a, i) => {
    const name = naming.runRoleName(a.name, "apply");
    return name.length > IAM_ROLE_NAME_MAX_CHARS
      ? [
          {
            path: `accounts[${i}].name`,
            message: `makes the apply role of its workspace "${name}" ${name.length} characters, over IAM's ${IAM_ROLE_NAME_MAX_CHARS}-character limit for role names; with prefix "${config.prefix}", shorten the account name to at most ${room} characters (or shorten the prefix)`,
          },
        ]
      : [];
  });
};

/** An agent pool runs the workspaces only in agent mode, and agent mode needs one. */
export const agentPoolMatchesMode: ConfigRule = (config) => {
  const workspaces = config.state.cloud?.workspaces;
  if (!workspaces) return [];
  const agent = workspaces.executionMode === "agent";
  if (agent && !workspaces.agentPoolId)
    return [
      {
        path: "state.cloud.workspaces.agentPoolId",
        message: "is required with executionMode agent: name the agent pool that runs the workspaces",
      },
    ];
  if (!agent && workspaces.agentPoolId)
    return [
      {
        path: "state.cloud.workspaces.agentPoolId",
        message: `only applies with executionMode agent (it is ${workspaces.executionMode}); set executionMode: agent or remove agentPoolId`,
      },
    ];
  return [];
};

/** Local execution runs on the operator's machine with the operator's credentials: no token to trust. */
export const dynamicCredentialsNeedRemoteRuns: ConfigRule = (config) => {
  const cloud = config.state.cloud;
  return cloud?.dynamicCredentials && cloud.workspaces?.create && cloud.workspaces.executionMode === "local"
    ? [
        {
          path: "state.cloud.dynamicCredentials",
          message:
            "gives remote runs AWS credentials, but state.cloud.workspaces.executionMode is local: runs use your own credentials on your machine; set executionMode remote or agent, or remove dynamicCredentials",
        },
      ]
    : [];
};

export const stateEncryptionNeedsBootstrap: ConfigRule = (config) =>
  config.state.s3?.encryption !== undefined && !config.state.s3.bootstrap
    ? [
        {
          path: "state.s3.encryption",
          message:
            "only applies with state.s3.bootstrap: true (an existing bucket keeps its own encryption); set bootstrap or remove encryption",
        },
      ]
    : [];

/** The bootstrap stack creates the state bucket in the security account, so it must be a bucket this app may create there. */
export const bootstrapBucket: ConfigRule = (config) => {
  const s3 = config.state.s3;
  if (!s3?.bootstrap) return [];
  const problems: Problem[] = [];
  if (!BUCKET_NAME.test(s3.bucket)) {
    problems.push({
      path: "state.s3.bucket",
      message:
        "must be a valid S3 bucket name to be created: 3-63 lowercase letters, digits and hyphens, no dots",
    });
  }
  const naming = namingOf(config);
  const taken = [config.archive.bucketName ?? naming.defaultBucketName(), naming.accessLogsBucketName()];
  if (taken.includes(s3.bucket)) {
    problems.push({
      path: "state.s3.bucket",
      message: `${s3.bucket} is a bucket of the log archive; Terraform state needs its own bucket`,
    });
  }
  if (partitionOf(s3.region) !== partitionOf(config.security.region)) {
    problems.push({
      path: "state.s3.region",
      message: `is outside partition ${partitionOf(config.security.region)}; the bootstrap stack creates the bucket in the security account`,
    });
  }
  return problems;
};

/** The CloudWatch agent ships a file once; listing it under two groups would double-ship or conflict. */
export const uniqueLogFiles: ConfigRule = (config) =>
  config.accounts.flatMap((a, i) => {
    const seen = new Set<string>();
    return a.logGroups.flatMap((g, j) =>
      g.files.flatMap((f, k) =>
        seen.has(f.path)
          ? [
              {
                path: `accounts[${i}].logGroups[${j}].files[${k}].path`,
                message: `${f.path} is already shipped by an earlier entry; a file goes to one log group`,
              },
            ]
          : (seen.add(f.path), []),
      ),
    );
  });

export const destinationPoliciesFit: ConfigRule = (config) => {
  if (config.organizationId) return [];
  const naming = namingOf(config);
  const allowAccountPolicies = config.accounts.some((a) => a.allLogGroups);
  return [...sendersByRegion(config)].flatMap(([region, accountIds]) => {
    if (accountIds.length === 0) return [];
    const size = policySize(
      destinationAccessPolicy({
        destinationArn: naming.destinationArn(region),
        subscribers: { kind: "accounts", accountIds },
        allowAccountPolicies,
      }),
    );
    return size > DESTINATION_POLICY_MAX_BYTES
      ? [
          {
            path: "accounts",
            message: `${accountIds.length} accounts in ${region} make a ${size}-byte destination policy, over AWS's ${DESTINATION_POLICY_MAX_BYTES}-byte limit; set organizationId to admit the whole AWS Organization instead`,
          },
        ]
      : [];
  });
};

export const destinationTrustFits: ConfigRule = (config) => {
  if (config.organizationId) return [];
  const size = policySize(
    destinationTrustPolicy({
      partition: partitionOf(config.security.region),
      securityAccountId: config.security.accountId,
      sendersByRegion: sendersByRegion(config),
      organizationMode: false,
    }),
  );
  return size > ROLE_TRUST_POLICY_MAX_CHARS
    ? [
        {
          path: "accounts",
          message: `the destination role's trust policy would be ${size} characters (one source ARN per account and region), over IAM's ${ROLE_TRUST_POLICY_MAX_CHARS}; set organizationId, or use fewer regions per account`,
        },
      ]
    : [];
};

/** The bootstrap stack names one role `<prefix>-tfstate-<account name>` per account; IAM caps role names. */
export const stateRoleNamesFit: ConfigRule = (config) => {
  if (config.state.backend !== "s3" || !config.state.s3?.bootstrap) return [];
  const naming = namingOf(config);
  const room = IAM_ROLE_NAME_MAX_CHARS - naming.stateRoleName("").length;
  return config.accounts.flatMap((a, i) => {
    const name = naming.stateRoleName(a.name);
    return name.length > IAM_ROLE_NAME_MAX_CHARS
      ? [
          {
            path: `accounts[${i}].name`,
            message: `makes the state role "${name}" ${name.length} characters, over IAM's ${IAM_ROLE_NAME_MAX_CHARS}-character limit for role names; with prefix "${config.prefix}", shorten the account name to at most ${room} characters (or shorten the prefix)`,
          },
        ]
      : [];
  });
};

/**
 * An account's policy with `allLogGroups` skips its `allLogGroups.exclude` and
 * every group it subscribes one by one (lib/naming.ts, accountPolicyExclusions),
 * all in one `LogGroupName NOT IN [...]`, which CloudWatch Logs caps at 25 KB.
 */
export const accountPolicySelectionFits: ConfigRule = (config) =>
  config.accounts.flatMap((a, i) => {
    if (!a.allLogGroups) return [];
    const exclusions = accountPolicyExclusions(
      a.allLogGroups.exclude,
      a.logGroups.map((g) => g.name),
    );
    const bytes = Buffer.byteLength(accountPolicySelectionCriteria(exclusions) ?? "", "utf8");
    return bytes > SELECTION_CRITERIA_MAX_BYTES
      ? [
          {
            path: `accounts[${i}].allLogGroups.exclude`,
            message: `with the ${new Set(a.logGroups.map((g) => g.name)).size} log groups under logGroups (skipped so they are not shipped twice), the account policy would exclude ${exclusions.length} log groups in a ${bytes}-byte selection criteria, over CloudWatch Logs' ${SELECTION_CRITERIA_MAX_BYTES}-byte limit; remove names from allLogGroups.exclude, or drop logGroups entries that neither create their group nor filter its events (the account policy ships those anyway)`,
          },
        ]
      : [];
  });

export const CONFIG_RULES: readonly ConfigRule[] = [
  uniqueAccountNames,
  reservedAccountNames,
  uniqueAccountIds,
  appAccountIsNotSecurityAccount,
  roleArnsMatchAccounts,
  onePartition,
  replicaInVaultAccount,
  uniqueRegions,
  accountSubscribesSomething,
  filtersPerLogGroup,
  retentionNeedsCreate,
  shardsOnlyWhenProvisioned,
  expiryAfterTransition,
  expiryNotBeforeLock,
  eventsFormatBuffer,
  eventsFormatInterval,
  processorOnlyForEvents,
  keepSourceOnlyForEvents,
  searchOnlyForEvents,
  analystsNeedSearch,
  uniqueAnalystPrincipals,
  backendBlockMatches,
  workspaceNamesFit,
  runRoleNamesFit,
  agentPoolMatchesMode,
  dynamicCredentialsNeedRemoteRuns,
  stateEncryptionNeedsBootstrap,
  bootstrapBucket,
  uniqueLogFiles,
  destinationPoliciesFit,
  destinationTrustFits,
  stateRoleNamesFit,
  accountPolicySelectionFits,
];

/** Indexes of entries equal to an earlier entry. */
function duplicates(values: readonly string[]): number[] {
  const seen = new Set<string>();
  return values.flatMap((v, i) => (seen.has(v) ? [i] : (seen.add(v), [])));
}
