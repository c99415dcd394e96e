import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { TerraformResource, TerraformStack, Testing } from "cdktf";
import { stringify } from "yaml";
import { ConfigError, parseConfig } from "../lib/config/load";
import { violationsOf } from "../lib/rules/pack";
import { buildApp } from "../stacks/app";
import { run as statePolicy } from "../scripts/state-policy";
import { baseConfig, PAYMENTS_ACCOUNT, SECURITY_ACCOUNT, WEB_ACCOUNT } from "./support/fixtures";
import { policyOf, resourcesOf, StackJson, synthStacks } from "./support/synth";
import { denyInsecureTransport, suppressionsOf, synthesizedFiles } from "./support/policies";
import { decide, existingBucketRows, matches, simulateRows, stateAccessRows } from "./support/iam-rows";
import { ExistingBucketPolicies, Policy, statePolicies, StatePolicies } from "./support/planned-policies";

/**
 * Every account reaches its own Terraform state, and only its own: with a
 * bootstrapped S3 bucket, through one role per application stack that the
 * `state` stack creates in the security account; with an existing bucket,
 * through the bucket policy `npm run state-policy` prints.
 */
const OUTSIDER = "999999999999";
const BUCKET = "acme-tf-state";
const REGION = "eu-west-1";

function bootstrapped(extra: Record<string, unknown> = {}): Record<string, any> {
  const config = baseConfig();
  config.state = { backend: "s3", s3: { bucket: BUCKET, region: REGION, bootstrap: true, ...extra } };
  return config;
}

/** The role and inline policy of each `StateAccess_<stack>` construct: [role body, policy body]. */
function stateRoles(
  state: StackJson,
): Record<string, { role: Record<string, any>; policy: Record<string, any> }> {
  const policies = resourcesOf(state, "aws_iam_role_policy");
  return Object.fromEntries(
    resourcesOf(state, "aws_iam_role").map(([id, role]) => {
      const attached = policies.filter(([, p]) => p.role === `\${aws_iam_role.${id}.id}`);
      expect(attached).toHaveLength(1);
      return [role.name, { role, policy: attached[0][1] }];
    }),
  );
}

const keyArnReference = (state: StackJson) =>
  `\${aws_kms_key.${resourcesOf(state, "aws_kms_key")[0][0]}.arn}`;

function expectedRolePolicy(stack: string, keyArn?: string) {
  const bucket = `arn:aws:s3:::${BUCKET}`;
  return {
    Version: "2012-10-17",
    Statement: [
      {
        Sid: "ListOwnStateKey",
        Effect: "Allow",
        Action: "s3:ListBucket",
        Resource: bucket,
        Condition: { StringEquals: { "s3:prefix": `secops/${stack}.tfstate` } },
      },
      {
        Sid: "ReadWriteOwnState",
        Effect: "Allow",
        Action: ["s3:GetObject", "s3:PutObject"],
        Resource: `${bucket}/secops/${stack}.tfstate`,
      },
      {
        Sid: "LockOwnState",
        Effect: "Allow",
        Action: ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"],
        Resource: `${bucket}/secops/${stack}.tfstate.tflock`,
      },
      ...(keyArn
        ? [
            {
              Sid: "UseStateKeyThroughS3",
              Effect: "Allow",
              Action: ["kms:Encrypt", "kms:Decrypt", "kms:GenerateDataKey"],
              Resource: keyArn,
              Condition: {
                StringEquals: {
                  "kms:ViaService": `s3.${REGION}.amazonaws.com`,
                  "kms:EncryptionContext:aws:s3:arn": bucket,
                },
              },
            },
          ]
        : []),
    ],
  };
}

const expectedTrust = (accountId: string) => ({
  Version: "2012-10-17",
  Statement: [
    {
      Sid: "ApplicationAccountAssumes",
      Effect: "Allow",
      Principal: { AWS: `arn:aws:iam::${accountId}:root` },
      Action: "sts:AssumeRole",
    },
  ],
});

/** Runs a command in-process and captures what a terminal would show. */
function capture(argv: string[], env: NodeJS.ProcessEnv = {}) {
  let stdout = "";
  let stderr = "";
  const out = {
    stdout: { write: (s: string) => ((stdout += s), true) },
    stderr: { write: (s: string) => ((stderr += s), true) },
  };
  const code = statePolicy(argv, env, out);
  return { code, stdout, stderr };
}

const work = mkdtempSync(join(tmpdir(), "seclog-state-policy-"));
function configFile(name: string, document: unknown): string {
  const file = join(work, name);
  writeFileSync(file, stringify(document));
  return file;
}

function existingBucketConfig(accounts?: number): Record<string, any> {
  const config = baseConfig();
  config.state = { backend: "s3", s3: { bucket: BUCKET, region: REGION } };
  if (accounts !== undefined) {
    config.accounts = Array.from({ length: accounts }, (_, i) => ({
      name: `app-${String(i).padStart(3, "0")}`,
      accountId: String(500000000000 + i),
      logGroups: [{ name: "/var/log/messages" }],
    }));
  }
  return config;
}

/** The bucket policy the command prints for the two-account config, as the IAM rows read it. */
function existingBucketPolicies(): ExistingBucketPolicies {
  const result = capture(["--json", configFile("existing-rows.yaml", existingBucketConfig())]);
  const bucket = `arn:aws:s3:::${BUCKET}`;
  return {
    accountId: SECURITY_ACCOUNT,
    keyPrefix: "secops",
    arns: {
      bucket,
      state: (stack) => `${bucket}/secops/${stack}.tfstate`,
      lock: (stack) => `${bucket}/secops/${stack}.tfstate.tflock`,
    },
    bucketPolicy: JSON.parse(result.stdout).bucketPolicy,
  };
}

describe("state stack: one state role per application stack", () => {
  test("kms: each role is trusted by its own application account only and reaches its own state, lock and the key through S3", () => {
    const stacks = synthStacks(bootstrapped());
    const state = stacks.state;
    const roles = stateRoles(state);
    expect(Object.keys(roles).sort()).toEqual(["secops-tfstate-payments-prod", "secops-tfstate-web-prod"]);
    for (const [stack, accountId] of [
      ["payments-prod", PAYMENTS_ACCOUNT],
      ["web-prod", WEB_ACCOUNT],
    ]) {
      const { role, policy } = roles[`secops-tfstate-${stack}`];
      expect(role.provider).toBe("aws.eu_west_1");
      expect(policy.provider).toBe("aws.eu_west_1");
      expect(policy.name).toBe("own-terraform-state");
      expect(policyOf(role.assume_role_policy)).toEqual(expectedTrust(accountId));
      expect(policyOf(policy.policy)).toEqual(expectedRolePolicy(stack, keyArnReference(state)));
    }
    // What an operator copies into the application accounts' backends: each stack's own role.
    expect(state.output).toEqual({
      state_bucket: { value: "${aws_s3_bucket.StateBucket_3A0A90D0.bucket}" },
      state_kms_key_arn: { value: keyArnReference(state) },
      state_role_arns: {
        value: {
          "payments-prod": "${aws_iam_role.StateAccess_payments-prod_Role_60F15FAA.arn}",
          "web-prod": "${aws_iam_role.StateAccess_web-prod_Role_6BB6662C.arn}",
        },
      },
    });
  });

  test("no application account and no vault: no state role, and no role output", () => {
    const config = bootstrapped();
    config.accounts = [];
    const state = synthStacks(config).state;
    expect(stateRoles(state)).toEqual({});
    expect(Object.keys(state.output ?? {}).sort()).toEqual(["state_bucket", "state_kms_key_arn"]);
  });

  test("sse-s3: the same roles, without any KMS statement", () => {
    const roles = stateRoles(synthStacks(bootstrapped({ encryption: "sse-s3" })).state);
    expect(policyOf(roles["secops-tfstate-web-prod"].policy.policy)).toEqual(expectedRolePolicy("web-prod"));
  });

  test("application backends assume their own role (derived from the config); security and state keep theirs", () => {
    const roleArn = `arn:aws:iam::${SECURITY_ACCOUNT}:role/terraform-state`;
    const stacks = synthStacks(bootstrapped({ roleArn }));
    for (const stack of ["payments-prod", "web-prod"]) {
      expect(stacks[stack].terraform.backend.s3.assume_role).toEqual({
        role_arn: `arn:aws:iam::${SECURITY_ACCOUNT}:role/secops-tfstate-${stack}`,
      });
    }
    expect(stacks.security.terraform.backend.s3).toEqual({
      bucket: BUCKET,
      region: REGION,
      key: "secops/security.tfstate",
      encrypt: true,
      kms_key_id: `arn:aws:kms:${REGION}:${SECURITY_ACCOUNT}:alias/secops-terraform-state`,
      use_lockfile: true,
      assume_role: { role_arn: roleArn },
    });
    expect(stacks.state.terraform.backend.local).toBeDefined();
    expect(stacks.state.provider.aws.map((p: any) => p.allowed_account_ids)).toEqual([[SECURITY_ACCOUNT]]);
  });

  test("the security rule pack passes every resource of the state stack; the only exemptions are the state roles' account trust", () => {
    const app = buildApp(parseConfig(bootstrapped()), Testing.app());
    const state = app.node.children.find((c) => c instanceof TerraformStack && c.node.id === "state")!;
    const resources = state.node
      .findAll()
      .filter((c): c is TerraformResource => c instanceof TerraformResource);
    expect(resources.filter((r) => r.terraformResourceType.startsWith("aws_iam_"))).toHaveLength(4);
    expect(resources.flatMap((r) => violationsOf(r))).toEqual([]);
    // Read from the written cdk.tf.json: Testing.synth strips the `//` metadata suppressions live in.
    const trust = {
      IAM_ACCOUNT_TRUST_CONDITION: expect.stringMatching(/^trusts the stack's own application account/),
    };
    expect(suppressionsOf(synthesizedFiles(bootstrapped(), "state-suppressions").state)).toEqual({
      "aws_iam_role.StateAccess_payments-prod_Role_60F15FAA": trust,
      "aws_iam_role.StateAccess_web-prod_Role_6BB6662C": trust,
    });
  });

  test("config rule: a state role name over IAM's 64 characters names the account entry and the fix", () => {
    const config = bootstrapped();
    config.prefix = "a-twenty-char-prefix"; // 20 characters: "<prefix>-tfstate-" leaves 35
    config.accounts[1].name = "w".repeat(35);
    expect(() => parseConfig(config)).not.toThrow();
    config.accounts[1].name = "w".repeat(36);
    let error: unknown;
    try {
      parseConfig(config);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).problems).toEqual([
      {
        path: "accounts[1].name",
        message: `makes the state role "a-twenty-char-prefix-tfstate-${"w".repeat(36)}" 65 characters, over IAM's 64-character limit for role names; with prefix "a-twenty-char-prefix", shorten the account name to at most 35 characters (or shorten the prefix)`,
      },
    ]);
    // Without bootstrap there is no state role, so no limit.
    config.state.s3.bootstrap = false;
    expect(() => parseConfig(config)).not.toThrow();
  });
});

describe("IAM simulation of the state roles and of the existing-bucket policy", () => {
  const own = { stack: "payments-prod", accountId: PAYMENTS_ACCOUNT };
  const other = { stack: "web-prod", accountId: WEB_ACCOUNT };
  const policies: StatePolicies = statePolicies(
    synthStacks(bootstrapped()).state,
    SECURITY_ACCOUNT,
    "secops",
    "secops-tfstate-",
  );
  const rows = stateAccessRows({ own, other, outsider: OUTSIDER });
  const existing = existingBucketPolicies();
  const existingRows = existingBucketRows({ own, other, outsider: OUTSIDER });

  test("the policies read back are the ones synthesized: both roles, the key placeholder resolved", () => {
    expect(Object.keys(policies.roleTrust).sort()).toEqual(["payments-prod", "web-prod"]);
    expect(JSON.stringify(policies.rolePermissions)).not.toContain("${");
    expect(policies.arns.key).toMatch(
      new RegExp(`^arn:aws:kms:${REGION}:${SECURITY_ACCOUNT}:key/planned-statekey`),
    );
  });

  simulateRows("state role: %s", rows, policies);

  simulateRows("existing bucket: %s", existingRows, existing);

  test("a deliberately broken policy makes its row fail", async () => {
    const bucketWide: Policy = {
      Version: "2012-10-17",
      Statement: [
        { Effect: "Allow", Action: ["s3:GetObject", "s3:PutObject"], Resource: `${policies.arns.bucket}/*` },
      ],
    };
    const unconditionedList: Policy = {
      Version: "2012-10-17",
      Statement: policies.rolePermissions[own.stack].Statement.map(({ Condition, ...s }) =>
        s.Action === "s3:ListBucket" || !Condition ? s : { ...s, Condition },
      ),
    };
    const bothAccounts: Policy = {
      Version: "2012-10-17",
      Statement: [
        {
          Effect: "Allow",
          Principal: { AWS: [`arn:aws:iam::${own.accountId}:root`, `arn:aws:iam::${other.accountId}:root`] },
          Action: "sts:AssumeRole",
        },
      ],
    };
    const broken: Array<[string, Partial<StatePolicies>]> = [
      [
        "the state role cannot read another stack's state",
        { rolePermissions: { ...policies.rolePermissions, [own.stack]: bucketWide } },
      ],
      [
        "the state role cannot list the whole bucket",
        { rolePermissions: { ...policies.rolePermissions, [own.stack]: unconditionedList } },
      ],
      [
        "another application account cannot assume this stack's state role",
        { roleTrust: { ...policies.roleTrust, [own.stack]: bothAccounts } },
      ],
      [
        "the state role cannot read its own state without TLS",
        { bucketPolicy: { Version: "2012-10-17", Statement: [] } },
      ],
    ];
    for (const [rule, fault] of broken) {
      const row = rows.find((r) => r.rule === rule)!;
      expect(matches(row.expected, await decide(row, policies))).toBe(true);
      expect([rule, matches(row.expected, await decide(row, { ...policies, ...fault }))]).toEqual([
        rule,
        false,
      ]);
    }
    const sharedLock: Policy = {
      ...existing.bucketPolicy,
      Statement: existing.bucketPolicy.Statement.map((s) =>
        s.Sid === `LockState${own.accountId}` ? { ...s, Resource: `${existing.arns.bucket}/secops/*` } : s,
      ),
    };
    const row = existingRows.find(
      (r) => r.rule === "an application account cannot take another stack's lock in an existing bucket",
    )!;
    expect(matches(row.expected, await decide(row, existing))).toBe(true);
    expect(matches(row.expected, await decide(row, { ...existing, bucketPolicy: sharedLock }))).toBe(false);
  });
});

describe("npm run state-policy", () => {
  const bucket = `arn:aws:s3:::${BUCKET}`;
  const accountStatements = (stack: string, accountId: string) => {
    const principal = { AWS: `arn:aws:iam::${accountId}:root` };
    return [
      {
        Sid: `ListStateKey${accountId}`,
        Effect: "Allow",
        Principal: principal,
        Action: "s3:ListBucket",
        Resource: bucket,
        Condition: { StringEquals: { "s3:prefix": `secops/${stack}.tfstate` } },
      },
      {
        Sid: `ReadWriteState${accountId}`,
        Effect: "Allow",
        Principal: principal,
        Action: ["s3:GetObject", "s3:PutObject"],
        Resource: `${bucket}/secops/${stack}.tfstate`,
      },
      {
        Sid: `LockState${accountId}`,
        Effect: "Allow",
        Principal: principal,
        Action: ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"],
        Resource: `${bucket}/secops/${stack}.tfstate.tflock`,
      },
    ];
  };
  const bucketPolicy = {
    Version: "2012-10-17",
    Statement: [
      denyInsecureTransport(bucket),
      ...accountStatements("payments-prod", PAYMENTS_ACCOUNT),
      ...accountStatements("web-prod", WEB_ACCOUNT),
    ],
  };
  const keyPolicyStatements = [
    {
      Sid: "ApplicationAccountsUseStateKeyThroughS3",
      Effect: "Allow",
      Principal: { AWS: [`arn:aws:iam::${PAYMENTS_ACCOUNT}:root`, `arn:aws:iam::${WEB_ACCOUNT}:root`] },
      Action: ["kms:Encrypt", "kms:Decrypt", "kms:GenerateDataKey"],
      Resource: "*",
      Condition: {
        StringEquals: { "kms:ViaService": `s3.${REGION}.amazonaws.com` },
        StringLike: { "kms:EncryptionContext:aws:s3:arn": [bucket, `${bucket}/secops/*`] },
      },
    },
  ];
  const stacks = [
    {
      stack: "payments-prod",
      accountId: PAYMENTS_ACCOUNT,
      stateKey: "secops/payments-prod.tfstate",
      lockKey: "secops/payments-prod.tfstate.tflock",
    },
    {
      stack: "web-prod",
      accountId: WEB_ACCOUNT,
      stateKey: "secops/web-prod.tfstate",
      lockKey: "secops/web-prod.tfstate.tflock",
    },
  ];

  test("existing bucket, two accounts (--json): exactly one statement set per account, the key statement, the size", () => {
    const result = capture([configFile("two.yaml", existingBucketConfig()), "--json"]);
    expect(result).toMatchObject({ code: 0, stderr: "" });
    const report = JSON.parse(result.stdout);
    expect(report).toEqual({
      backend: "s3",
      bucket: BUCKET,
      bucketArn: bucket,
      region: REGION,
      keyPrefix: "secops",
      bootstrap: false,
      stacks,
      bucketPolicy,
      bucketPolicyBytes: Buffer.byteLength(JSON.stringify(bucketPolicy)),
      bucketPolicyMaxBytes: 20480,
      keyPolicyStatements,
    });
  });

  test("existing bucket, text: the same documents, ready to paste, and what the accounts must grant themselves", () => {
    const file = configFile("two-text.yaml", existingBucketConfig());
    const result = capture(["-c", file]);
    expect(result).toMatchObject({ code: 0, stderr: "" });
    expect(result.stdout).toContain(`${JSON.stringify(bucketPolicy, null, 2)}\n`);
    expect(result.stdout).toContain(`${JSON.stringify(keyPolicyStatements, null, 2)}\n`);
    expect(result.stdout).toContain(
      `1. Bucket policy of ${BUCKET}: 2 accounts, ${Buffer.byteLength(JSON.stringify(bucketPolicy))} of S3's 20480 bytes (20 KB).`,
    );
    expect(result.stdout).toMatch(/the identity its stack runs\n\s+Terraform with must itself allow/);
    expect(result.stdout).toContain(
      `s3:GetObject, s3:PutObject, s3:DeleteObject on ${bucket}/secops/<stack>.tfstate.tflock`,
    );
    expect(
      result.stdout.startsWith(`${file}: state bucket ${BUCKET} (${REGION}) is an existing bucket`),
    ).toBe(true);
  });

  test("existing bucket over S3's 20 KB: the policy still prints, with a warning and exit 3", () => {
    const fits = capture(["--json", configFile("26.yaml", existingBucketConfig(26))]);
    expect(fits).toMatchObject({ code: 0, stderr: "" });
    expect(JSON.parse(fits.stdout).bucketPolicyBytes).toBeLessThanOrEqual(20480);
    const result = capture(["--json", configFile("30.yaml", existingBucketConfig(30))]);
    const report = JSON.parse(result.stdout);
    expect(report.bucketPolicy.Statement).toHaveLength(1 + 3 * 30);
    expect(report.bucketPolicyBytes).toBe(Buffer.byteLength(JSON.stringify(report.bucketPolicy)));
    expect(report.bucketPolicyBytes).toBeGreaterThan(20480);
    expect(result.code).toBe(3);
    expect(result.stderr).toBe(
      `warning: the bucket policy for 30 accounts is ${report.bucketPolicyBytes} bytes, over S3's 20480-byte (20 KB) limit: S3 rejects it. ` +
        "Use a bootstrapped bucket (state.s3.bootstrap: true), whose per-stack roles do not grow the bucket policy, or split the accounts across buckets\n",
    );
  });

  test("state.s3.roleArn on an existing bucket: noted, since every backend then assumes that one role", () => {
    const config = existingBucketConfig();
    config.state.s3.roleArn = `arn:aws:iam::${SECURITY_ACCOUNT}:role/terraform-state`;
    const result = capture([configFile("shared-role.yaml", config)]);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(
      `Note: state.s3.roleArn is set, so every stack's backend assumes arn:aws:iam::${SECURITY_ACCOUNT}:role/terraform-state`,
    );
  });

  test("bootstrapped: nothing to grant; the per-stack role ARNs", () => {
    const file = configFile("bootstrap.yaml", bootstrapped());
    const json = capture([file, "--json"]);
    expect(json).toMatchObject({ code: 0, stderr: "" });
    expect(JSON.parse(json.stdout)).toEqual({
      backend: "s3",
      bucket: BUCKET,
      bucketArn: bucket,
      region: REGION,
      keyPrefix: "secops",
      bootstrap: true,
      roles: stacks.map((s) => ({
        ...s,
        roleArn: `arn:aws:iam::${SECURITY_ACCOUNT}:role/secops-tfstate-${s.stack}`,
      })),
    });
    const text = capture([file]);
    expect(text.code).toBe(0);
    expect(text.stdout).toContain(
      "Nothing to grant: the state stack already gives each application stack a role",
    );
    expect(text.stdout).toContain(
      `  payments-prod  ${PAYMENTS_ACCOUNT}  arn:aws:iam::${SECURITY_ACCOUNT}:role/secops-tfstate-payments-prod\n`,
    );
    expect(text.stdout).toContain(
      `  web-prod       ${WEB_ACCOUNT}  arn:aws:iam::${SECURITY_ACCOUNT}:role/secops-tfstate-web-prod\n`,
    );
  });

  test.each([
    ["local", { backend: "local" }, /state\.backend is local: .*nothing to grant\.\n$/],
    [
      "cloud",
      { backend: "cloud", cloud: { organization: "acme" } },
      /state\.backend is cloud: .*nothing to grant in AWS/,
    ],
  ])("%s backend: nothing to grant, exit 0", (backend, state, message) => {
    const config = baseConfig();
    config.state = state;
    const file = configFile(`${backend}.yaml`, config);
    expect(capture([file])).toMatchObject({ code: 0, stderr: "", stdout: expect.stringMatching(message) });
    expect(JSON.parse(capture([file, "--json"]).stdout)).toEqual({ backend, grants: "none" });
  });

  test("the config path comes from SECLOG_CONFIG when not given", () => {
    const file = configFile("env.yaml", existingBucketConfig());
    const result = capture(["--json"], { SECLOG_CONFIG: file });
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout).bucketPolicy).toEqual(bucketPolicy);
  });

  test("--help: usage on stdout, exit 0", () => {
    const result = capture(["--help"]);
    expect(result).toMatchObject({ code: 0, stderr: "" });
    expect(result.stdout).toMatch(/^usage: npm run state-policy -- \[config\] \[--json\]\n/);
    expect(result.stdout).toContain(
      "Exit codes: 0 printed, 1 config file problem, 2 bad arguments, 3 the bucket policy",
    );
  });

  test.each([
    ["an unknown option", ["--jsn"], /Unknown option '--jsn'/],
    ["two config files", ["a.yaml", "b.yaml"], /unexpected argument "b.yaml"/],
    ["a config file twice", ["a.yaml", "--config", "b.yaml"], /give the config file once/],
  ])("%s: exit 2, says what is wrong and how to get help", (_what, argv, message) => {
    const result = capture(argv);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(message);
    expect(result.stderr).toContain("--help");
    expect(result.stdout).toBe("");
  });

  test("a broken config file: exit 1, the problem, no stack trace", () => {
    const result = capture([configFile("bad.yaml", { prefix: "secops" })]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/security: is required/);
    expect(result.stderr).not.toMatch(/^\s+at /m);
  });
});
