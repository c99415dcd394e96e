// Terraform and cdktf's CLI libraries phone home for version checks unless told not to;
// the workers inherit this.
process.env.CHECKPOINT_DISABLE = "1";

/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: "node",
  roots: ["<rootDir>/__tests__"],
  testMatch: ["**/*.test.ts"],
  // The emulator apply suite takes minutes: `npm run test:apply` (jest.apply.config.js).
  testPathIgnorePatterns: ["/node_modules/", "<rootDir>/__tests__/apply/"],
  // Type checking is `tsc --noEmit` in `npm test`; jest only transpiles.
  transform: { "^.+\\.ts$": ["ts-jest", { diagnostics: false }] },
  testTimeout: 120000,
  // Two workers on two cores: the Terraform-bound suites overlap with the rest.
  maxWorkers: 2,
};
