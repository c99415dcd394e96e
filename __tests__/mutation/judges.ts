// Every judging suite of a Stryker target with coverage "all", as one test file (mutation/base.cjs):
// jest loads modules once per test file, so one file loads cdktf and the provider once per mutant instead of
// once per suite. The suites are required in the listed order; `MUTATION_JUDGES` is a jest global set there.
declare const MUTATION_JUDGES: readonly string[];

for (const suite of MUTATION_JUDGES) {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- a path known only at run time
  require(`../${suite}`);
}
