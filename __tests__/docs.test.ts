import { readFileSync } from "node:fs";
import { README, withReference } from "../scripts/update-readme";
import { SECURITY_RULES } from "../lib/rules/rules";

describe("documentation", () => {
  test("the README's config reference matches the schema (run `npm run docs` after changing it)", () => {
    const readme = readFileSync(README, "utf8");
    expect(readme).toBe(withReference(readme));
  });

  test("the README shows the set-up, synth and test commands", () => {
    const readme = readFileSync(README, "utf8");
    expect(readme).toContain("npm ci && npx cdktf synth");
    expect(readme).toContain("npm test");
  });
});

describe("rule pack documentation", () => {
  test("the README lists every rule of the pack", () => {
    const readme = readFileSync(README, "utf8");
    expect(SECURITY_RULES.filter((r) => !readme.includes(`| \`${r.id}\` |`)).map((r) => r.id)).toEqual([]);
  });
});
