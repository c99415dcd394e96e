// The config package. schema.ts and regions.ts build their tables at module load, so Stryker runs
// nearly all their mutants ("static") against every selected suite: these are the in-process ones.
module.exports = require("./base.cjs").target("config", {
  mutate: ["lib/config/**/*.ts"],
  tests: [
    "config-rules.test.ts",
    "config-model.test.ts",
    "config-reference.test.ts",
    "config-files.test.ts",
    "config-places.test.ts",
    "config-load.test.ts",
  ],
});
