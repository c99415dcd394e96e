import { mkdirSync, mkdtempSync, realpathSync } from "node:fs";
import { tmpdir } from "node:os";
import { isAbsolute, join, relative } from "node:path";
import { TerraformStack, Testing } from "cdktf";
import { parseConfig } from "../lib/config/load";
import { OutputError } from "../lib/synth";
import { defaultLocalStateLayout, localStateLayout, localStatePath } from "../stacks/backend";
import { StateStack } from "../stacks/state-stack";
import { buildApp } from "../stacks/app";
import { baseConfig, SECURITY_ACCOUNT } from "./support/fixtures";
import { stateFileSeenFrom } from "./support/files";
import { denyInsecureTransport, iamDocument } from "./support/policies";
import { onlyResource, resourcesOf, synthStacks } from "./support/synth";

describe("state backends", () => {
  test("local (default): one state file per stack in the project directory, as a path relative to the stack directory, outside cdktf.out", () => {
    const stacks = synthStacks(baseConfig());
    expect(stacks.security.terraform.backend).toEqual({
      local: { path: "../../../terraform.security.tfstate" },
    });
    expect(stacks["web-prod"].terraform.backend).toEqual({
      local: { path: "../../../terraform.web-prod.tfstate" },
    });
    expect(stacks["payments-prod"].terraform.backend).toEqual({
      local: { path: "../../../terraform.payments-prod.tfstate" },
    });
    // Terraform runs in cdktf.out/stacks/<stack>/ and resolves the path from there: the project directory's file.
    const out = join(process.cwd(), "cdktf.out");
    for (const stack of ["security", "web-prod", "payments-prod"]) {
      const file = stateFileSeenFrom(out, stack, stacks[stack].terraform.backend.local.path);
      expect(file).toBe(join(process.cwd(), `terraform.${stack}.tfstate`));
      expect(relative(out, file).startsWith("..")).toBe(true); // never inside cdktf.out, which every synth replaces
    }
  });

  test("local state path: relative to the FINAL stack directory, for the default and for custom output directories", () => {
    const project = "/home/ops/seclog";
    const cases: Array<[string, string, string]> = [
      ["default cdktf.out", `${project}/cdktf.out`, "../../../terraform.security.tfstate"],
      ["deeper, inside the project", `${project}/build/synth`, "../../../../terraform.security.tfstate"],
      ["the project directory itself", project, "../../terraform.security.tfstate"],
      ["outside the project", "/var/tmp/out", "../../../../../home/ops/seclog/terraform.security.tfstate"],
    ];
    for (const [what, outdir, expected] of cases) {
      const path = localStatePath("security", { outdir, projectDir: project });
      expect([what, path]).toEqual([what, expected]);
      expect([what, isAbsolute(path), stateFileSeenFrom(outdir, "security", path)]).toEqual([
        what,
        false,
        `${project}/terraform.security.tfstate`,
      ]);
    }
    expect(defaultLocalStateLayout("/home/ops/seclog")).toEqual({
      outdir: "/home/ops/seclog/cdktf.out",
      projectDir: "/home/ops/seclog",
    });
  });

  test("a synth never deletes state: an output directory whose stacks/ would hold the project directory is refused", () => {
    const parent = realpathSync(mkdtempSync(join(tmpdir(), "seclog-state-guard-")));
    const project = join(parent, "stacks");
    mkdirSync(project);
    expect(() => localStateLayout("..", project)).toThrow(OutputError);
    expect(() => localStateLayout("..", project)).toThrow(/local state would be replaced by the next synth/);
    expect(localStateLayout(".", project)).toEqual({ outdir: project, projectDir: project });
    expect(localStateLayout("cdktf.out", project)).toEqual({
      outdir: join(project, "cdktf.out"),
      projectDir: project,
    });
  });

  test("s3: a unique key per stack under keyPrefix, encrypted, S3-native locking, assumed role", () => {
    const config = baseConfig();
    const roleArn = `arn:aws:iam::${SECURITY_ACCOUNT}:role/terraform-state`;
    config.state = {
      backend: "s3",
      s3: { bucket: "acme-tf-state", region: "eu-west-1", keyPrefix: "platform/seclog", roleArn },
    };
    const stacks = synthStacks(config);
    const keys = Object.values(stacks).map((s) => s.terraform.backend.s3.key);
    expect(keys.sort()).toEqual([
      "platform/seclog/payments-prod.tfstate",
      "platform/seclog/security.tfstate",
      "platform/seclog/web-prod.tfstate",
    ]);
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
    for (const name of ["security", "payments-prod", "web-prod"])
      expect(stacks[name].terraform.backend.s3.assume_role).toBeUndefined();
  });

  test("s3: keyPrefix defaults to the prefix", () => {
    const config = baseConfig();
    config.state = { backend: "s3", s3: { bucket: "acme-tf-state", region: "us-east-1" } };
    expect(synthStacks(config).security.terraform.backend.s3.key).toBe("secops/security.tfstate");
  });

  test("cloud: one named workspace per stack, in the configured project", () => {
    const config = baseConfig();
    config.state = {
      backend: "cloud",
      cloud: { organization: "acme", workspacePrefix: "seclog-", project: "security" },
    };
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
    expect(state.terraform.backend).toEqual({ local: { path: "../../../terraform.state.tfstate" } });
    expect(state.provider.aws.map((p: any) => [p.region, p.allowed_account_ids])).toEqual([
      ["eu-west-1", [SECURITY_ACCOUNT]],
    ]);
    const bucket = onlyResource(state, "aws_s3_bucket");
    expect(bucket).toMatchObject({
      bucket: "acme-tf-state",
      force_destroy: false,
      lifecycle: { prevent_destroy: true },
    });
    expect(onlyResource(state, "aws_s3_bucket_versioning").versioning_configuration.status).toBe("Enabled");
    expect(onlyResource(state, "aws_s3_bucket_public_access_block")).toMatchObject({
      block_public_acls: true,
      block_public_policy: true,
      ignore_public_acls: true,
      restrict_public_buckets: true,
    });
    const alias = onlyResource(state, "aws_kms_alias");
    expect(alias.name).toBe("alias/secops-terraform-state");
    const key = onlyResource(state, "aws_kms_key");
    expect(key).toMatchObject({ enable_key_rotation: true, lifecycle: { prevent_destroy: true } });
    const encryption = onlyResource(state, "aws_s3_bucket_server_side_encryption_configuration").rule[0];
    expect(encryption.apply_server_side_encryption_by_default.sse_algorithm).toBe("aws:kms");
    expect(encryption.apply_server_side_encryption_by_default.kms_master_key_id).toMatch(
      /^\$\{aws_kms_key\.StateKey_[0-9A-F]+\.arn\}$/,
    );
    // The whole TLS-only deny: every S3 action, on the bucket's ARN and its objects (not its name).
    const bucketArn = "${aws_s3_bucket.StateBucket_3A0A90D0.arn}";
    expect(JSON.parse(onlyResource(state, "aws_s3_bucket_policy").policy)).toStrictEqual(
      iamDocument(denyInsecureTransport(bucketArn)),
    );
    // Only the security account's root administers the state key; the state roles use it through IAM.
    expect(JSON.parse(key.policy)).toStrictEqual({
      Version: "2012-10-17",
      Statement: [
        {
          Sid: "AccountRootAdministersKey",
          Effect: "Allow",
          Principal: { AWS: `arn:aws:iam::${SECURITY_ACCOUNT}:root` },
          Action: "kms:*",
          Resource: "*",
        },
      ],
    });
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
    expect(stacks["web-prod"].terraform.backend.s3.assume_role).toEqual({
      role_arn: `arn:aws:iam::${SECURITY_ACCOUNT}:role/secops-tfstate-web-prod`,
    });
    expect(stacks.security.terraform.backend.s3.assume_role).toBeUndefined();
    expect(
      resourcesOf(state, "aws_iam_role")
        .map(([, r]) => r.name)
        .sort(),
    ).toEqual(["secops-tfstate-payments-prod", "secops-tfstate-web-prod"]);
  });

  test("s3 bootstrap (sse-s3): no key, S3-managed encryption (the rule pack lets it pass)", () => {
    const config = baseConfig();
    config.state = {
      backend: "s3",
      s3: { bucket: "acme-tf-state", region: "us-east-1", bootstrap: true, encryption: "sse-s3" },
    };
    const stacks = synthStacks(config);
    expect(resourcesOf(stacks.state, "aws_kms_key")).toEqual([]);
    const encryption = onlyResource(stacks.state, "aws_s3_bucket_server_side_encryption_configuration");
    expect(encryption.rule[0].apply_server_side_encryption_by_default.sse_algorithm).toBe("AES256");
    expect(stacks.security.terraform.backend.s3.kms_key_id).toBeUndefined();
    expect(stacks["web-prod"].terraform.backend.s3.assume_role).toEqual({
      role_arn: `arn:aws:iam::${SECURITY_ACCOUNT}:role/secops-tfstate-web-prod`,
    });
  });

  test("s3 bootstrap with state.s3.roleArn: it applies to the security stack only", () => {
    const config = baseConfig();
    const roleArn = `arn:aws:iam::${SECURITY_ACCOUNT}:role/terraform-state`;
    config.state = {
      backend: "s3",
      s3: { bucket: "acme-tf-state", region: "us-east-1", bootstrap: true, roleArn },
    };
    const stacks = synthStacks(config);
    expect(stacks.security.terraform.backend.s3.assume_role).toEqual({ role_arn: roleArn });
    expect(stacks["payments-prod"].terraform.backend.s3.assume_role).toEqual({
      role_arn: `arn:aws:iam::${SECURITY_ACCOUNT}:role/secops-tfstate-payments-prod`,
    });
    expect(stacks.state.terraform.backend.local).toBeDefined();
  });

  test("the state stack refuses any backend but s3 when built outside the app (it would hold no one's state)", () => {
    const props = {
      bucket: "acme-tf-state",
      region: "us-east-1",
      bootstrap: { encryption: "sse-s3" },
    } as const;
    const cloud = baseConfig();
    cloud.state = { backend: "cloud", cloud: { organization: "acme" } };
    for (const config of [baseConfig(), cloud])
      expect(() => new StateStack(Testing.app(), parseConfig(config), props)).toThrow(
        "the state stack exists only with state.backend: s3",
      );
  });

  test("buildApp's localState option: the paths are relative to that outdir (main.ts passes the final one)", () => {
    const layout = { outdir: "/home/ops/seclog/build/synth", projectDir: "/home/ops/seclog" };
    const app = buildApp(parseConfig(baseConfig()), Testing.app(), { localState: layout });
    const security = JSON.parse(Testing.synth(app.node.findChild("security") as TerraformStack));
    expect(security.terraform.backend).toEqual({ local: { path: "../../../../terraform.security.tfstate" } });
  });

  test("cloud backend: no state stack", () => {
    const config = baseConfig();
    config.state = { backend: "cloud", cloud: { organization: "acme" } };
    expect(Object.keys(synthStacks(config)).sort()).toEqual(["payments-prod", "security", "web-prod"]);
  });

  // Only dynamicCredentials make the workspace's run role the credentials (stacks/providers.ts).
  test("cloud backend without dynamicCredentials: the providers still assume the configured role", () => {
    const config = baseConfig();
    const roleArn = `arn:aws:iam::${SECURITY_ACCOUNT}:role/OrganizationAccountAccessRole`;
    config.security.roleArn = roleArn;
    config.state = { backend: "cloud", cloud: { organization: "acme" } };
    for (const provider of synthStacks(config).security.provider.aws)
      expect(provider.assume_role).toEqual([{ role_arn: roleArn, session_name: "secops-seclog" }]);
  });

  test("no bootstrap: no state stack", () => {
    const config = baseConfig();
    config.state = { backend: "s3", s3: { bucket: "acme-tf-state", region: "us-east-1" } };
    expect(Object.keys(synthStacks(config))).not.toContain("state");
  });
});
