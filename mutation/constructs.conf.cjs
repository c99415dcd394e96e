// Constructs and stacks. Tests synthesize at describe level, so nearly every mutant here is "static";
// coverage "all" runs the selected suites once per mutant instead of asking per test.
module.exports = require("./base.cjs").target("constructs", {
  mutate: ["modules/**/*.ts", "stacks/**/*.ts"],
  tests: [
    "policies-exact.test.ts",
    "policies-suppressions.test.ts",
    "policies-roles.test.ts",
    "construct-validation.test.ts",
  ],
  coverageAnalysis: "all",
});
