// Constructs and stacks, Terraform Cloud part (issue 20): the run credentials and the workspaces.
// Judged by the in-process suites that call into these files (measured with jest --coverage over the
// suites: no core judge calls them).
const { PART_FILES } = require("./constructs-parts.cjs");

module.exports = require("./base.cjs").target("constructs-tfc", {
  mutate: PART_FILES.tfc,
  tests: ["run-role.test.ts", "run-role-access.test.ts", "tfc-workspaces.test.ts"],
  coverageAnalysis: "all",
});
