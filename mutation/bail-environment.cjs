// jest's node environment, for the Stryker targets that run every judging suite once per mutant
// (coverage "all", mutation/base.cjs): on a mutant's run, the first failing test kills the mutant, so the
// tests after it are skipped. Stryker's jest runner cannot bail on its own ("Bail isn't supported
// programmatically in jest", @stryker-mutator/jest-runner, jest-override-options.js). The dry run, which
// has no active mutant, runs every test: Stryker refuses to start unless all of them pass.
const { TestEnvironment } = require("jest-environment-node");

// @stryker-mutator/instrumenter's INSTRUMENTER_CONSTANTS.ACTIVE_MUTANT_ENV_VARIABLE
const ACTIVE_MUTANT = "__STRYKER_ACTIVE_MUTANT__";

class BailEnvironment extends TestEnvironment {
  failed = false;

  async handleTestEvent(event) {
    if (process.env[ACTIVE_MUTANT] === undefined) return;
    if (event.name === "test_fn_failure" || event.name === "hook_failure") this.failed = true;
    // jest-circus reads a block's and a test's mode right after these events (jestAdapterInit.js).
    if (this.failed && event.name === "run_describe_start") event.describeBlock.mode = "skip";
    if (this.failed && event.name === "test_start") event.test.mode = "skip";
  }
}

module.exports = BailEnvironment;
