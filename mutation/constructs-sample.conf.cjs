// Constructs and stacks, sampled: 200 seeded lines of the core part's files (modules/ and stacks/ but
// the vault and Terraform Cloud parts'), judged by the core part's suites (constructs.conf.cjs), which
// reruns every judging suite once per mutant because the suites synthesize at describe level (Stryker
// counts such mutants "static"): hours on two cores. The sample gives an estimate in about an hour.
// README "Mutation testing" has the result.
const { sampleLines } = require("./sample.cjs");
const { CONSTRUCT_JUDGES, PART_FILES } = require("./constructs-parts.cjs");

module.exports = require("./base.cjs").target("constructs-sample", {
  mutate: sampleLines(["modules", "stacks"], 200, 20261203, Object.values(PART_FILES).flat()),
  tests: CONSTRUCT_JUDGES,
  coverageAnalysis: "all",
});
