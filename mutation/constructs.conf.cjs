// Constructs and stacks. Tests synthesize at describe level, so nearly every mutant here is "static";
// coverage "all" runs the judging suites once per mutant instead of asking per test (hours on two
// cores: constructs-sample.conf.cjs estimates the score in under an hour).
const CONSTRUCT_JUDGES = [
  "policies-exact.test.ts",
  "policies-suppressions.test.ts",
  "policies-roles.test.ts",
  "construct-validation.test.ts",
  "security-stack.test.ts",
  "app-stack.test.ts",
  "monitoring.test.ts",
  "state-access.test.ts",
  "partition.test.ts",
  "backend.test.ts",
  "synth-warnings.test.ts",
  "search-resources.test.ts",
  "analyst-policy.test.ts",
];

module.exports = require("./base.cjs").target("constructs", {
  mutate: ["modules/**/*.ts", "stacks/**/*.ts"],
  tests: CONSTRUCT_JUDGES,
  coverageAnalysis: "all",
});
module.exports.CONSTRUCT_JUDGES = CONSTRUCT_JUDGES;
