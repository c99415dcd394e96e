import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { CommandSpec, EXIT, Output, runCommand, UsageError } from "../lib/cli";
import { formatReview, formatReviewJson, missingStackMessage, policiesOf } from "../lib/review";
import { closest } from "../lib/text";

const OPTIONS = {
  out: { type: "string", short: "o" },
  json: { type: "boolean" },
} as const;

/** Where `cdktf synth` writes (cdktf.json sets no `output`). */
export const DEFAULT_OUT = "cdktf.out";

export const REVIEW_COMMAND: CommandSpec<typeof OPTIONS> = {
  name: "review",
  synopsis: "<stack> [--out <cdktf.out dir>] [--json]",
  positionals: [1, 1],
  options: OPTIONS,
  help: `Prints every policy document of a synthesized stack (IAM trust and inline
policies, KMS key policies, bucket, topic, queue and destination policies),
decoded and pretty-printed as 2-space JSON, each under its Terraform address and
attribute, e.g. "aws_iam_role.DestinationRole_5512639E (assume_role_policy)",
with the provider alias (region) it is applied with. \${...} values are Terraform
references, resolved at apply time. cdk.tf.json holds policies as escaped JSON
strings; do not read them with \`cdktf synth --hcl\` (hashicorp/terraform-cdk#3911).
Reads <out>/stacks/<stack>/cdk.tf.json and changes nothing.

  <stack>          stack name: security, state, or an account's name (npx cdktf list)
  -o, --out        the synth output directory (default ${DEFAULT_OUT})
  --json           a JSON array of {address, attribute, provider, policy} instead of text

Exit codes: 0 printed, 1 stack not synthesized (run npx cdktf synth), 2 bad arguments.`,
};

export function run(argv: readonly string[], out: Output = process): number {
  return runCommand(
    REVIEW_COMMAND,
    argv,
    ({ values, positionals: [stack] }) => {
      if (!/^[A-Za-z0-9][A-Za-z0-9_.-]*$/.test(stack) || stack.includes("..")) {
        throw new UsageError(`"${stack}" is not a stack name (npx cdktf list shows them)`);
      }
      const stacksDir = join(values.out ?? DEFAULT_OUT, "stacks");
      const file = join(stacksDir, stack, "cdk.tf.json");
      const failure = (message: string) => {
        out.stderr.write(`review: ${message}\n`);
        return { stdout: "", code: EXIT.failure };
      };
      if (!existsSync(file)) {
        const existing = synthesizedStacks(stacksDir);
        const missing = existsSync(join(stacksDir, stack))
          ? `${file} not found`
          : `no synthesized stack "${stack}" in ${stacksDir}`;
        return failure(missingStackMessage(missing, existing, closest(stack, existing)));
      }
      let json: unknown;
      try {
        json = JSON.parse(readFileSync(file, "utf8"));
      } catch (error) {
        return failure(`${file} is not valid JSON (${(error as Error).message}): run npx cdktf synth again`);
      }
      const policies = policiesOf(json);
      return values.json ? formatReviewJson(policies) : formatReview(stack, file, policies);
    },
    out,
  );
}

/** Stack directories that hold a synthesized cdk.tf.json, sorted. */
function synthesizedStacks(stacksDir: string): string[] {
  if (!existsSync(stacksDir) || !statSync(stacksDir).isDirectory()) return [];
  return readdirSync(stacksDir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && existsSync(join(stacksDir, entry.name, "cdk.tf.json")))
    .map((entry) => entry.name)
    .sort();
}

if (require.main === module) process.exitCode = run(process.argv.slice(2));
