// npm run verify's checks, expectations and policy comparison: pure, judged on recorded AWS responses.
module.exports = require("./base.cjs").target("verify", {
  mutate: ["lib/verify/**/*.ts"],
  tests: ["verify.test.ts", "verify-access.test.ts", "verify-replica.test.ts"],
});
