// The processor Lambda, judged by its byte-level spec (every line and gzip member written out by hand).
module.exports = require("./base.cjs").target("processor", {
  mutate: ["functions/processor/**/*.ts"],
  tests: ["processor-exact.test.ts"],
});
