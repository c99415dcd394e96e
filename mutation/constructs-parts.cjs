// The construct targets' shared lists, kept out of the Stryker configs (Stryker warns on unknown keys).
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
  // The security stack's replication and replica-region alarm code (issue 19) is asserted there.
  "vault-stack.test.ts",
  // stacks/app.ts wires the Terraform Cloud stacks and stacks/providers.ts their dynamic credentials: the
  // whole core run (4 December) left 48 of their mutants unkilled, 10 once these two judged them.
  "tfc-workspaces.test.ts",
  "run-role.test.ts",
];

/** The files the vault and Terraform Cloud parts mutate, each judged there by the suites that call it. */
const PART_FILES = {
  vault: ["modules/replication.ts", "stacks/vault-stack.ts"],
  tfc: [
    "modules/run-credentials.ts",
    "modules/workspace.ts",
    "stacks/credentials-stack.ts",
    "stacks/workspaces-stack.ts",
  ],
};

module.exports = { CONSTRUCT_JUDGES, PART_FILES };
