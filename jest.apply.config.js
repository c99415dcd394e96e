process.env.CHECKPOINT_DISABLE = "1";

/**
 * `npm run test:apply`: every stack applied against a local AWS API emulator
 * (moto_server). Minutes of Terraform work, so never part of `npm test`.
 * @type {import('jest').Config}
 */
module.exports = {
  testEnvironment: "node",
  roots: ["<rootDir>/__tests__/apply"],
  testMatch: ["**/*.apply.test.ts"],
  // Type checking is `tsc --noEmit` in `npm test`; jest only transpiles.
  transform: { "^.+\\.ts$": ["ts-jest", { diagnostics: false }] },
  // cdktf captures a stack trace per token; jest would source-map each one (jest.config.js).
  setupFilesAfterEnv: ["<rootDir>/__tests__/support/token-stack-traces.cjs"],
  testTimeout: 180000,
  // One suite; its Terraform work runs two stacks at a time inside it.
  maxWorkers: 1,
};
