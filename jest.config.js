// Terraform and cdktf's CLI libraries phone home for version checks unless told not to;
// the workers inherit this.
process.env.CHECKPOINT_DISABLE = "1";

/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: "node",
  roots: ["<rootDir>/__tests__"],
  testMatch: ["**/*.test.ts"],
  // The emulator suites take minutes: `npm run test:apply` and `npm run test:changes`.
  testPathIgnorePatterns: ["/node_modules/", "<rootDir>/__tests__/apply/", "<rootDir>/__tests__/changes/"],
  // Type checking is `tsc --noEmit` in `npm test`; jest only transpiles.
  transform: { "^.+\\.ts$": ["ts-jest", { diagnostics: false }] },
  // cdktf captures a stack trace per token; jest would source-map each one (half the construct suites' time).
  setupFilesAfterEnv: ["<rootDir>/__tests__/support/token-stack-traces.cjs"],
  testTimeout: 120000,
  // Two workers on two cores: the Terraform-bound suites overlap with the rest.
  maxWorkers: 2,
};
