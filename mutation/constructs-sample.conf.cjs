// Constructs and stacks, sampled: 200 seeded lines of modules/ and stacks/. The whole target
// (constructs.conf.cjs, about 1,080 mutants) reruns every judging suite once per mutant because the
// suites synthesize at describe level (Stryker counts such mutants "static"), which is hours on two
// cores; the sample gives an estimate in well under an hour. README "Mutation testing" has the result.
const { sampleLines } = require("./sample.cjs");

module.exports = require("./base.cjs").target("constructs-sample", {
  mutate: sampleLines(["modules", "stacks"], 200, 20261202),
  tests: [
    "policies-exact.test.ts",
    "policies-suppressions.test.ts",
    "policies-roles.test.ts",
    "construct-validation.test.ts",
    "security-stack.test.ts",
    "app-stack.test.ts",
    "monitoring.test.ts",
    "state-access.test.ts",
    "partition.test.ts",
  ],
  coverageAnalysis: "all",
});
