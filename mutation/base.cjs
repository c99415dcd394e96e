// Shared Stryker settings for `npm run test:mutation:*` (not in CI: slow, see README "Mutation testing").
// Each target names the code it mutates and the suites that judge it: suites that assert that code's
// behaviour exactly, and run in process (a mutant reached only through a child process is not counted
// as killed). jest's testMatch uses <rootDir> paths: `**` does not match inside `.stryker-tmp` sandboxes.
const suites = (...files) => files.map((file) => `<rootDir>/__tests__/${file}`);

/**
 * With coverage "all" every mutant runs every judging suite. They run as one test file
 * (__tests__/mutation/judges.ts), so modules load once per mutant rather than once per suite, and the
 * first failing test ends the run (mutation/bail-environment.cjs). Measured on the 14 core construct
 * judges: 38 s as 14 files, 19 s as one, for a mutant that survives; less for one that is killed.
 */
function judging(tests, coverageAnalysis) {
  if (coverageAnalysis !== "all") return { testMatch: suites(...tests) };
  return {
    testMatch: suites("mutation/judges.ts"),
    globals: { MUTATION_JUDGES: tests },
    // Resolved from the sandbox root by the Stryker jest runner, which wraps it (no <rootDir> there).
    testEnvironment: "./mutation/bail-environment.cjs",
  };
}

/** @returns {import('@stryker-mutator/api/core').PartialStrykerOptions} */
function target(name, { mutate, tests, coverageAnalysis = "perTest" }) {
  return {
    testRunner: "jest",
    jest: {
      configFile: "jest.config.js",
      enableFindRelatedTests: false,
      config: judging(tests, coverageAnalysis),
    },
    coverageAnalysis,
    mutate,
    concurrency: 2,
    // A fresh worker every 20 mutants: each jest run in a worker loads esbuild anew (the processor is
    // bundled at synth) and leaves its service process and module graph behind. Measured on the core
    // construct part with unlimited reuse: 690 esbuild processes and 4.6 GB per worker after 718 mutants,
    // and the rate down from 24 to 5 mutants a minute.
    maxTestRunnerReuse: 20,
    timeoutMS: 60000,
    ignorePatterns: ["/.stryker-tmp*", "/reports", "/cdktf.out", "/coverage", "/dist"],
    incremental: true,
    incrementalFile: `reports/mutation/${name}-incremental.json`,
    reporters: ["clear-text", "progress-append-only", "html", "json"],
    htmlReporter: { fileName: `reports/mutation/${name}.html` },
    jsonReporter: { fileName: `reports/mutation/${name}.json` },
    // Issue 14: at least 90% of mutants killed in every target.
    thresholds: { high: 95, low: 90, break: 90 },
    tempDirName: `.stryker-tmp-${name}`,
    cleanTempDir: "always",
  };
}

module.exports = { target };
