import { readFileSync } from "node:fs";
import { EXAMPLE_CONFIG_PATH, README, withGeneratedSections } from "../scripts/update-readme";
import { SECURITY_RULES } from "../lib/rules/rules";

const HELP = readFileSync("help", "utf8");
const SCRIPTS = Object.keys(
  JSON.parse(readFileSync("package.json", "utf8")).scripts as Record<string, string>,
);
/** The cdktf commands a user of this app runs, each named in `help`. */
const CDKTF_COMMANDS = [
  "synth",
  "list",
  "diff <stack>",
  "deploy '*'",
  "deploy security",
  "deploy <account-name>",
];

/**
 * `cdktf synth --hcl` writes invalid HCL for every JSON policy and drops
 * `project` from the cloud block (hashicorp/terraform-cdk#3911): the docs may
 * name it only to say not to use it, on a line that cites the bug.
 */
function hclRecommendations(text: string): string[] {
  return text.split("\n").filter((line) => line.includes("--hcl") && !line.includes("#3911"));
}

describe("documentation", () => {
  test(`the README's config reference and diagram match the schema and the example config, ${EXAMPLE_CONFIG_PATH} (run \`npm run docs\` after changing either)`, () => {
    const readme = readFileSync(README, "utf8");
    expect(readme).toBe(withGeneratedSections(readme));
  });

  test("the README shows the set-up, synth and test commands", () => {
    const readme = readFileSync(README, "utf8");
    expect(readme).toContain("npm ci && npx cdktf synth");
    expect(readme).toContain("npm test");
  });

  test("the README never recommends `cdktf synth --hcl`: each mention is a line that cites hashicorp/terraform-cdk#3911", () => {
    expect(hclRecommendations(readFileSync(README, "utf8"))).toEqual([]);
  });

  test("the README's review workflow prints policies with npm run review and reads plans with terraform show", () => {
    const readme = readFileSync(README, "utf8");
    expect({
      review: /npm run (-s )?review -- /.test(readme),
      show: readme.includes("terraform show -json plan.bin"),
    }).toEqual({ review: true, show: true });
  });
});

describe("help", () => {
  test("names every npm script, as the user types it", () => {
    const invocation = (script: string) => (script === "test" ? "npm test" : `npm run ${script}`);
    expect(
      SCRIPTS.filter(
        (script) =>
          !new RegExp(`${invocation(script).replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}(\\s|$)`, "m").test(HELP),
      ),
    ).toEqual([]);
  });

  test("names no npm script that does not exist", () => {
    const named = [...HELP.matchAll(/npm run ([\w:-]+)/g)].map((m) => m[1]);
    expect(named.filter((script) => !SCRIPTS.includes(script))).toEqual([]);
  });

  test("names the cdktf commands of the review and deploy workflow", () => {
    expect(CDKTF_COMMANDS.filter((command) => !HELP.includes(`npx cdktf ${command}`))).toEqual([]);
  });

  test("never recommends `cdktf synth --hcl` (hashicorp/terraform-cdk#3911)", () => {
    expect(hclRecommendations(HELP)).toEqual([]);
  });
});

describe("rule pack documentation", () => {
  test("the README lists every rule of the pack", () => {
    const readme = readFileSync(README, "utf8");
    expect(SECURITY_RULES.filter((r) => !readme.includes(`| \`${r.id}\` |`)).map((r) => r.id)).toEqual([]);
  });
});
