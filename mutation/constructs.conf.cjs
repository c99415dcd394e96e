// Constructs and stacks, core part: every file of modules/ and stacks/ but the vault and Terraform Cloud
// ones (constructs-vault.conf.cjs, constructs-tfc.conf.cjs; `npm run test:mutation:constructs` runs all
// three). Tests synthesize at describe level, so nearly every mutant here is "static"; coverage "all" runs
// the judging suites once per mutant instead of asking per test (as one test file that stops at the first
// failure: see base.cjs).
const { CONSTRUCT_JUDGES, PART_FILES } = require("./constructs-parts.cjs");

module.exports = require("./base.cjs").target("constructs", {
  mutate: [
    "modules/**/*.ts",
    "stacks/**/*.ts",
    ...Object.values(PART_FILES)
      .flat()
      .map((file) => `!${file}`),
  ],
  tests: CONSTRUCT_JUDGES,
  coverageAnalysis: "all",
});
