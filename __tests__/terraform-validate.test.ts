import { readFileSync } from "node:fs";
import { join } from "node:path";
import { baseConfig, chinaConfig, fullConfig, withAnalysts } from "./support/fixtures";
import { synthToDir } from "./support/synth-dir";
import { inParallel, terraform, terraformEnv } from "./support/terraform";

/**
 * What Terraform itself says about every synthesized stack: `init` with the
 * real AWS provider (5.100.0) and `validate`. Two configs cover every kind of
 * stack: the default options, and organization mode with three regions,
 * Object Lock, a provisioned stream, an S3 backend and the analyst role
 * (search.analystPrincipals: a role and a user of another account). A third is the
 * pipeline in AWS China (aws-cn: cn-north-1 and cn-northwest-1).
 */
const tf = terraformEnv();
const inCi = process.env.CI === "true";
const describeTerraform = typeof tf === "string" && !inCi ? describe.skip : describe;

describeTerraform("terraform validate", () => {
  const stacks = {
    ...prefixed("default", synthToDir(baseConfig(), "default")),
    ...prefixed("full", synthToDir(withAnalysts(fullConfig()), "full")),
    ...prefixed("china", synthToDir(chinaConfig(), "china")),
  };
  let results: Record<string, { init: string; validate: { status: number | null; output: string } }> = {};

  beforeAll(async () => {
    if (typeof tf === "string") throw new Error(`CI=true but Terraform cannot run: ${tf}`);
    const entries = await inParallel(Object.entries(stacks), 2, async ([name, dir]) => {
      const init = await terraform(["init", "-backend=false", "-input=false"], dir, tf.env);
      if (init.status !== 0)
        return [name, { init: init.stderr || init.stdout, validate: { status: null, output: "" } }] as const;
      const validate = await terraform(["validate", "-json"], dir, tf.env);
      return [name, { init: "", validate: { status: validate.status, output: validate.stdout } }] as const;
    });
    results = Object.fromEntries(entries);
    process.stdout.write(`terraform validate: ${entries.length} stacks, provider from ${tf.source}\n`);
  }, 300_000);

  test("full/security holds the analyst role and its inline policy", () => {
    const json = JSON.parse(readFileSync(join(stacks["full/security"], "cdk.tf.json"), "utf8"));
    const analyst = Object.entries<Record<string, any>>(json.resource)
      .flatMap(([type, resources]) =>
        Object.entries(resources).map(([id, body]) => [type, id, body] as const),
      )
      .filter(([, id]) => id.startsWith("AnalystRole_"))
      .map(([type, , body]) => [type, body.name]);
    expect(analyst).toEqual([
      ["aws_iam_role", "secops-security-logs-analyst"],
      ["aws_iam_role_policy", "search-security-logs"],
    ]);
  });

  test.each(Object.keys(stacks))("%s is valid, with no warnings", (name) => {
    const result = results[name];
    expect(result.init).toBe("");
    const report = JSON.parse(result.validate.output);
    expect({ valid: report.valid, diagnostics: report.diagnostics }).toEqual({
      valid: true,
      diagnostics: [],
    });
    expect(result.validate.status).toBe(0);
  });
});

function prefixed(label: string, dirs: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(dirs).map(([name, dir]) => [`${label}/${name}`, dir]));
}
