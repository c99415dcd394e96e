import { baseConfig, SECURITY_ACCOUNT } from "./support/fixtures";
import { synthStacks } from "./support/synth";

describe("state backends", () => {
  test("local (default): one state file per stack", () => {
    const stacks = synthStacks(baseConfig());
    expect(stacks.security.terraform.backend).toEqual({ local: { path: "terraform.security.tfstate" } });
    expect(stacks["web-prod"].terraform.backend).toEqual({ local: { path: "terraform.web-prod.tfstate" } });
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
});
