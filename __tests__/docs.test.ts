import { readFileSync } from "node:fs";
import { README, withGeneratedSections } from "../scripts/update-readme";
import { SECURITY_RULES } from "../lib/rules/rules";

const HELP = readFileSync("help", "utf8");
const SCRIPTS = Object.keys(JSON.parse(readFileSync("package.json", "utf8")).scripts as Record<string, string>);
/** The cdktf commands a user of this app runs, each named in `help`. */
const CDKTF_COMMANDS = ["synth", "synth --hcl", "list", "diff <stack>", "deploy security", "deploy <account-name>"];

describe("documentation", () => {
  test("the README's config reference and diagram match the schema and the shipped config (run `npm run docs` after changing either)", () => {
    const readme = readFileSync(README, "utf8");
    expect(readme).toBe(withGeneratedSections(readme));
  });

  test("the README shows the set-up, synth and test commands", () => {
    const readme = readFileSync(README, "utf8");
    expect(readme).toContain("npm ci && npx cdktf synth");
    expect(readme).toContain("npm test");
  });
});

describe("help", () => {
  test("names every npm script, as the user types it", () => {
    const invocation = (script: string) => (script === "test" ? "npm test" : `npm run ${script}`);
    expect(SCRIPTS.filter((script) => !new RegExp(`${invocation(script).replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}(\\s|$)`, "m").test(HELP))).toEqual([]);
  });

  test("names no npm script that does not exist", () => {
    const named = [...HELP.matchAll(/npm run ([\w:-]+)/g)].map((m) => m[1]);
    expect(named.filter((script) => !SCRIPTS.includes(script))).toEqual([]);
  });

  test("names the cdktf commands of the review and deploy workflow", () => {
    expect(CDKTF_COMMANDS.filter((command) => !HELP.includes(`npx cdktf ${command}`))).toEqual([]);
  });
});

describe("rule pack documentation", () => {
  test("the README lists every rule of the pack", () => {
    const readme = readFileSync(README, "utf8");
    expect(SECURITY_RULES.filter((r) => !readme.includes(`| \`${r.id}\` |`)).map((r) => r.id)).toEqual([]);
  });
});
