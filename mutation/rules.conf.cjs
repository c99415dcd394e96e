// The security rule pack: per-rule compliant and non-compliant cases, the policy reader, the pack itself.
module.exports = require("./base.cjs").target("rules", {
  mutate: ["lib/rules/**/*.ts"],
  tests: ["rules.test.ts", "rules/cases.test.ts", "rules/policy.test.ts", "rules/kinds.test.ts"],
});
