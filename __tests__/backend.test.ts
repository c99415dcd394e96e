import { join } from "node:path";
import { baseConfig, SECURITY_ACCOUNT } from "./support/fixtures";
import { onlyResource, resourcesOf, synthStacks } from "./support/synth";

describe("state backends", () => {
  test("local (default): one state file per stack in the project directory, outside cdktf.out (which every synth replaces)", () => {
    const stacks = synthStacks(baseConfig());
    expect(stacks.security.terraform.backend).toEqual({ local: { path: join(process.cwd(), "terraform.security.tfstate") } });
    expect(stacks["web-prod"].terraform.backend).toEqual({ local: { path: join(process.cwd(), "terraform.web-prod.tfstate") } });
  });

  test("s3: a unique key per stack under keyPrefix, encrypted, S3-native locking, assumed role", () => {
    const config = baseConfig();
    const roleArn = `arn:aws:iam::${SECURITY_ACCOUNT}:role/terraform-state`;
    config.state = { backend: "s3", s3: { bucket: "acme-tf-state", region: "eu-west-1", keyPrefix: "platform/seclog", roleArn } };
    const stacks = synthStacks(config);
    const keys = Object.values(stacks).map((s) => s.terraform.backend.s3.key);
    expect(keys.sort()).toEqual(["platform/seclog/payments-prod.tfstate", "platform/seclog/security.tfstate", "platform/seclog/web-prod.tfstate"]);
    expect(stacks.security.terraform.backend.s3).toEqual({
      bucket: "acme-tf-state",
      region: "eu-west-1",
      key: "platform/seclog/security.tfstate",
      encrypt: true,
      use_lockfile: true,
      assume_role: { role_arn: roleArn },
    });
    // An existing bucket: every stack's backend assumes state.s3.roleArn, as before.
    expect(stacks["payments-prod"].terraform.backend.s3.assume_role).toEqual({ role_arn: roleArn });
    expect(stacks["web-prod"].terraform.backend.s3.assume_role).toEqual({ role_arn: roleArn });
  });

  test("s3, existing bucket without roleArn: no backend assumes a role (each runs with its caller's credentials)", () => {
    const config = baseConfig();
    config.state = { backend: "s3", s3: { bucket: "acme-tf-state", region: "us-east-1" } };
    const stacks = synthStacks(config);
    for (const name of ["security", "payments-prod", "web-prod"]) expect(stacks[name].terraform.backend.s3.assume_role).toBeUndefined();
  });

  test("s3: keyPrefix defaults to the prefix", () => {
    const config = baseConfig();
    config.state = { backend: "s3", s3: { bucket: "acme-tf-state", region: "us-east-1" } };
    expect(synthStacks(config).security.terraform.backend.s3.key).toBe("secops/security.tfstate");
  });

  test("cloud: one named workspace per stack, in the configured project", () => {
    const config = baseConfig();
    config.state = { backend: "cloud", cloud: { organization: "acme", workspacePrefix: "seclog-", project: "security" } };
    const stacks = synthStacks(config);
    expect(stacks.security.terraform.cloud).toEqual({
      hostname: "app.terraform.io",
      organization: "acme",
      workspaces: { name: "seclog-security", project: "security" },
    });
    expect(stacks["payments-prod"].terraform.cloud.workspaces.name).toBe("seclog-payments-prod");
    expect(stacks.security.terraform.backend).toBeUndefined();
  });

  test("s3 bootstrap (kms): a local-state `state` stack creates the bucket and key; every other backend names the key", () => {
    const config = baseConfig();
    config.state = { backend: "s3", s3: { bucket: "acme-tf-state", region: "eu-west-1", bootstrap: true } };
    const stacks = synthStacks(config);
    expect(Object.keys(stacks).sort()).toEqual(["payments-prod", "security", "state", "web-prod"]);
    const state = stacks.state;
    // the bucket cannot hold the state of the stack that creates it
    expect(state.terraform.backend).toEqual({ local: { path: join(process.cwd(), "terraform.state.tfstate") } });
    expect(state.provider.aws.map((p: any) => [p.region, p.allowed_account_ids])).toEqual([["eu-west-1", [SECURITY_ACCOUNT]]]);
    const bucket = onlyResource(state, "aws_s3_bucket");
    expect(bucket).toMatchObject({ bucket: "acme-tf-state", force_destroy: false, lifecycle: { prevent_destroy: true } });
    expect(onlyResource(state, "aws_s3_bucket_versioning").versioning_configuration.status).toBe("Enabled");
    expect(onlyResource(state, "aws_s3_bucket_public_access_block")).toMatchObject({
      block_public_acls: true, block_public_policy: true, ignore_public_acls: true, restrict_public_buckets: true,
    });
    const alias = onlyResource(state, "aws_kms_alias");
    expect(alias.name).toBe("alias/secops-terraform-state");
    const key = onlyResource(state, "aws_kms_key");
    expect(key).toMatchObject({ enable_key_rotation: true, lifecycle: { prevent_destroy: true } });
    const encryption = onlyResource(state, "aws_s3_bucket_server_side_encryption_configuration").rule[0];
    expect(encryption.apply_server_side_encryption_by_default.sse_algorithm).toBe("aws:kms");
    expect(encryption.apply_server_side_encryption_by_default.kms_master_key_id).toMatch(/^\$\{aws_kms_key\.StateKey_[0-9A-F]+\.arn\}$/);
    const policy = JSON.parse(onlyResource(state, "aws_s3_bucket_policy").policy);
    expect(policy.Statement).toEqual([expect.objectContaining({ Effect: "Deny", Condition: { Bool: { "aws:SecureTransport": "false" } } })]);
    // Without kms_key_id the backend would ask S3 for SSE-S3 on every write, bypassing the key.
    for (const name of ["security", "payments-prod", "web-prod"]) {
      expect(stacks[name].terraform.backend.s3).toMatchObject({
        bucket: "acme-tf-state",
        kms_key_id: `arn:aws:kms:eu-west-1:${SECURITY_ACCOUNT}:alias/secops-terraform-state`,
      });
    }
    // Each application backend reaches the security account's bucket through its own state role;
    // the security stack keeps the security account's credentials.
    expect(stacks["payments-prod"].terraform.backend.s3).toEqual({
      bucket: "acme-tf-state",
      region: "eu-west-1",
      key: "secops/payments-prod.tfstate",
      encrypt: true,
      kms_key_id: `arn:aws:kms:eu-west-1:${SECURITY_ACCOUNT}:alias/secops-terraform-state`,
      use_lockfile: true,
      assume_role: { role_arn: `arn:aws:iam::${SECURITY_ACCOUNT}:role/secops-tfstate-payments-prod` },
    });
    expect(stacks["web-prod"].terraform.backend.s3.assume_role).toEqual({ role_arn: `arn:aws:iam::${SECURITY_ACCOUNT}:role/secops-tfstate-web-prod` });
    expect(stacks.security.terraform.backend.s3.assume_role).toBeUndefined();
    expect(resourcesOf(state, "aws_iam_role").map(([, r]) => r.name).sort()).toEqual(["secops-tfstate-payments-prod", "secops-tfstate-web-prod"]);
  });

  test("s3 bootstrap (sse-s3): no key, S3-managed encryption (the rule pack lets it pass)", () => {
    const config = baseConfig();
    config.state = { backend: "s3", s3: { bucket: "acme-tf-state", region: "us-east-1", bootstrap: true, encryption: "sse-s3" } };
    const stacks = synthStacks(config);
    expect(resourcesOf(stacks.state, "aws_kms_key")).toEqual([]);
    const encryption = onlyResource(stacks.state, "aws_s3_bucket_server_side_encryption_configuration");
    expect(encryption.rule[0].apply_server_side_encryption_by_default.sse_algorithm).toBe("AES256");
    expect(stacks.security.terraform.backend.s3.kms_key_id).toBeUndefined();
    expect(stacks["web-prod"].terraform.backend.s3.assume_role).toEqual({ role_arn: `arn:aws:iam::${SECURITY_ACCOUNT}:role/secops-tfstate-web-prod` });
  });

  test("s3 bootstrap with state.s3.roleArn: it applies to the security stack only", () => {
    const config = baseConfig();
    const roleArn = `arn:aws:iam::${SECURITY_ACCOUNT}:role/terraform-state`;
    config.state = { backend: "s3", s3: { bucket: "acme-tf-state", region: "us-east-1", bootstrap: true, roleArn } };
    const stacks = synthStacks(config);
    expect(stacks.security.terraform.backend.s3.assume_role).toEqual({ role_arn: roleArn });
    expect(stacks["payments-prod"].terraform.backend.s3.assume_role).toEqual({ role_arn: `arn:aws:iam::${SECURITY_ACCOUNT}:role/secops-tfstate-payments-prod` });
    expect(stacks.state.terraform.backend.local).toBeDefined();
  });

  test("no bootstrap: no state stack", () => {
    const config = baseConfig();
    config.state = { backend: "s3", s3: { bucket: "acme-tf-state", region: "us-east-1" } };
    expect(Object.keys(synthStacks(config))).not.toContain("state");
  });
});
