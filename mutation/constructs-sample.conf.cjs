// Constructs and stacks, sampled: 200 seeded lines of modules/ and stacks/, judged by the same suites as
// the whole target (constructs.conf.cjs, about 1,100 mutants), which reruns every judging suite once
// per mutant because the suites synthesize at describe level (Stryker counts such mutants "static"):
// hours on two cores. The sample gives an estimate in about an hour. README "Mutation testing" has the result.
const { sampleLines } = require("./sample.cjs");
const { CONSTRUCT_JUDGES } = require("./constructs.conf.cjs");

module.exports = require("./base.cjs").target("constructs-sample", {
  mutate: sampleLines(["modules", "stacks"], 200, 20261203),
  tests: CONSTRUCT_JUDGES,
  coverageAnalysis: "all",
});
