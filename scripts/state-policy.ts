import {
  CONFIG_OPTION,
  CommandResult,
  CommandSpec,
  commandConfig,
  Output,
  runCommand,
  UsageError,
} from "../lib/cli";
import { SecLogConfig } from "../lib/config/model";
import { namingOf } from "../lib/naming";
import { PolicyDocument, PolicyStatement, policySize } from "../lib/iam/policy";
import {
  BUCKET_POLICY_MAX_BYTES,
  bucketArn,
  existingBucketPolicy,
  existingKeyPolicyStatements,
  LOCK_OBJECT_ACTIONS,
  lockKey,
  STATE_KEY_ACTIONS,
  STATE_OBJECT_ACTIONS,
  StateLocation,
  stateKey,
} from "../lib/state-policy";
import { SECURITY_STACK_NAME } from "../stacks/security-stack";

const OPTIONS = {
  ...CONFIG_OPTION,
  json: { type: "boolean" },
} as const;

export const STATE_POLICY_COMMAND: CommandSpec<typeof OPTIONS> = {
  name: "state-policy",
  synopsis: "[config] [--json]",
  positionals: [0, 1],
  options: OPTIONS,
  help: `What each account needs to reach its own Terraform state, and only its own, with
state.backend: s3. Every stack's state is <keyPrefix>/<stack>.tfstate, its lock
<keyPrefix>/<stack>.tfstate.tflock (use_lockfile).

  Existing bucket (no state.s3.bootstrap): prints the S3 bucket policy that lets each
  application account (its root: whichever of its identities its own IAM allows) get
  and put its own state object and get, put and delete its own lock, and list the
  bucket at its own key; the KMS key-policy statement to add if the bucket uses a
  customer-managed key; and the bucket policy's size against S3's 20 KB limit.
  Bootstrapped bucket: the state stack already grants this through one role per
  application stack; prints their ARNs. Local or cloud backend: nothing to grant.

  [config]             config file (default: $SECLOG_CONFIG, else config/logging.yaml)
  -c, --config <file>  the same, as an option
  --json               the same as JSON, for scripts

Exit codes: 0 printed, 1 config file problem, 2 bad arguments, 3 the bucket policy
is over S3's 20 KB limit.`,
};

export interface StackGrant {
  readonly stack: string;
  readonly accountId: string;
  readonly stateKey: string;
  readonly lockKey: string;
}

/** Where the S3 backend keeps every stack's state. */
interface StateBucketReport {
  readonly backend: "s3";
  readonly bucket: string;
  readonly bucketArn: string;
  readonly region: string;
  readonly keyPrefix: string;
}

export type StatePolicyReport =
  | { readonly backend: "local" | "cloud"; readonly grants: "none" }
  | (StateBucketReport & {
      readonly bootstrap: true;
      /** The per-stack roles the state stack creates, which the app stacks' backends assume. */
      readonly roles: ReadonlyArray<StackGrant & { readonly roleArn: string }>;
    })
  | (StateBucketReport & {
      readonly bootstrap: false;
      readonly stacks: readonly StackGrant[];
      readonly bucketPolicy: PolicyDocument;
      readonly bucketPolicyBytes: number;
      readonly bucketPolicyMaxBytes: number;
      readonly keyPolicyStatements: readonly PolicyStatement[];
      /** state.s3.roleArn, which every backend assumes instead of the account's own credentials. */
      readonly sharedRoleArn?: string;
    });

export function statePolicyReport(config: SecLogConfig): StatePolicyReport {
  const state = config.state;
  if (state.backend !== "s3") return { backend: state.backend, grants: "none" };
  const location: StateLocation = {
    partition: config.partition,
    bucket: state.bucket,
    region: state.region,
    keyPrefix: state.keyPrefix,
  };
  const stacks = config.accounts.map((a) => ({
    stack: a.name,
    accountId: a.accountId,
    stateKey: stateKey(state.keyPrefix, a.name),
    lockKey: lockKey(state.keyPrefix, a.name),
  }));
  const common = {
    backend: "s3",
    bucket: state.bucket,
    bucketArn: bucketArn(location),
    region: state.region,
    keyPrefix: state.keyPrefix,
  } as const;
  if (state.bootstrap) {
    const naming = namingOf(config);
    return {
      ...common,
      bootstrap: true,
      roles: stacks.map((s) => ({ ...s, roleArn: naming.stateRoleArn(s.stack) })),
    };
  }
  const bucketPolicy = existingBucketPolicy(location, stacks);
  return {
    ...common,
    bootstrap: false,
    stacks,
    bucketPolicy,
    bucketPolicyBytes: policySize(bucketPolicy),
    bucketPolicyMaxBytes: BUCKET_POLICY_MAX_BYTES,
    keyPolicyStatements: existingKeyPolicyStatements(
      location,
      stacks.map((s) => s.accountId),
    ),
    ...(state.roleArn ? { sharedRoleArn: state.roleArn } : {}),
  };
}

export function statePolicyWarnings(report: StatePolicyReport): string[] {
  if (report.backend !== "s3" || report.bootstrap || report.bucketPolicyBytes <= report.bucketPolicyMaxBytes)
    return [];
  return [
    `the bucket policy for ${report.stacks.length} accounts is ${report.bucketPolicyBytes} bytes, over S3's ${report.bucketPolicyMaxBytes}-byte (20 KB) limit: ` +
      "S3 rejects it. Use a bootstrapped bucket (state.s3.bootstrap: true), whose per-stack roles do not grow the bucket policy, or split the accounts across buckets",
  ];
}

export function formatStatePolicy(report: StatePolicyReport, file: string): string {
  if (report.backend !== "s3") {
    return report.backend === "local"
      ? `${file}: state.backend is local: each stack's state is a file on the machine that runs Terraform; nothing to grant.\n`
      : `${file}: state.backend is cloud: Terraform Cloud keeps each stack's state in its own workspace; nothing to grant in AWS (each workspace needs its own account's credentials: state.cloud.dynamicCredentials, README "Terraform Cloud").\n`;
  }
  const lines: string[] = [];
  if (report.bootstrap) {
    lines.push(
      `${file}: state bucket ${report.bucket} (${report.region}) is created by the state stack (state.s3.bootstrap).`,
      "Nothing to grant: the state stack already gives each application stack a role in the security account that",
      "only that application account may assume and that reaches only the stack's own state object and lock (and the",
      "state key, through S3). Each application stack's backend assumes its role:",
      "",
      ...table(report.roles.map((r) => [r.stack, r.accountId, r.roleArn])),
      "",
      "The identity each application account runs Terraform with must be allowed sts:AssumeRole on its role.",
      "Deploy the state stack first whenever an account is added: its role must exist before its stack's terraform init.",
      `The ${SECURITY_STACK_NAME} stack (${stateKey(report.keyPrefix, SECURITY_STACK_NAME)}) uses the security account's credentials, or`,
      "state.s3.roleArn when set.",
    );
    return `${lines.join("\n")}\n`;
  }
  lines.push(
    `${file}: state bucket ${report.bucket} (${report.region}) is an existing bucket (no state.s3.bootstrap).`,
    "Each application stack's backend reaches it with its own account's credentials; grant each account its own state",
    `(${report.keyPrefix}/<stack>.tfstate) and lock (${report.keyPrefix}/<stack>.tfstate.tflock), and nothing else.`,
    "",
    `1. Bucket policy of ${report.bucket}: ${report.stacks.length} account${report.stacks.length === 1 ? "" : "s"}, ${report.bucketPolicyBytes} of S3's ${report.bucketPolicyMaxBytes} bytes (20 KB).`,
    `   Merge it with the bucket's current policy (aws s3api get-bucket-policy --bucket ${report.bucket}), then`,
    `   aws s3api put-bucket-policy --bucket ${report.bucket} --policy file://policy.json`,
    "",
    JSON.stringify(report.bucketPolicy, null, 2),
    "",
  );
  if (report.keyPolicyStatements.length) {
    lines.push(
      "2. If the bucket uses a customer-managed KMS key, add this statement to that key's policy (another account",
      "   cannot use a key its policy does not name); it admits the key only through S3 for this bucket:",
      "",
      JSON.stringify(report.keyPolicyStatements, null, 2),
      "",
    );
  }
  lines.push(
    "3. Cross-account access needs both sides: in each application account, the identity its stack runs",
    "   Terraform with must itself allow:",
    `     s3:ListBucket on ${report.bucketArn} (s3:prefix: its state key)`,
    `     ${STATE_OBJECT_ACTIONS.join(", ")} on ${report.bucketArn}/${report.keyPrefix}/<stack>.tfstate`,
    `     ${LOCK_OBJECT_ACTIONS.join(", ")} on ${report.bucketArn}/${report.keyPrefix}/<stack>.tfstate.tflock`,
    `     with a KMS key: ${STATE_KEY_ACTIONS.join(", ")} on the key`,
    "",
    'Objects an application account writes belong to the bucket owner only with Object Ownership "bucket owner',
    'enforced" (ACLs off); set it on the bucket first.',
    `The ${SECURITY_STACK_NAME} stack (${stateKey(report.keyPrefix, SECURITY_STACK_NAME)}) is not in this policy: it runs with the security`,
    "account's credentials (or state.s3.roleArn); grant them as before.",
  );
  if (report.sharedRoleArn) {
    lines.push(
      `Note: state.s3.roleArn is set, so every stack's backend assumes ${report.sharedRoleArn} instead of its account's own`,
      "credentials, and that role reaches every stack's state; remove it to use the per-account grants above.",
    );
  }
  return `${lines.join("\n")}\n`;
}

function table(rows: readonly string[][]): string[] {
  const widths = rows.reduce<number[]>(
    (w, row) => row.map((cell, i) => Math.max(w[i] ?? 0, cell.length)),
    [],
  );
  return rows.map(
    (row) => `  ${row.map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i]))).join("  ")}`,
  );
}

export function run(argv: readonly string[], env: NodeJS.ProcessEnv = process.env, out?: Output): number {
  return runCommand(
    STATE_POLICY_COMMAND,
    argv,
    ({ values, positionals: [positional] }): CommandResult => {
      if (positional !== undefined && values.config !== undefined)
        throw new UsageError("give the config file once: as an argument or with --config");
      const { file, config } = commandConfig(positional ?? values.config, env);
      const report = statePolicyReport(config);
      const warnings = statePolicyWarnings(report);
      const stdout = values.json ? `${JSON.stringify(report, null, 2)}\n` : formatStatePolicy(report, file);
      return { stdout, warnings };
    },
    out,
  );
}

if (require.main === module) process.exitCode = run(process.argv.slice(2));
