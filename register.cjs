// Transpile-only TypeScript for the cdktf `app` command and the benchmarks:
// esbuild (already a dependency, for the Lambda bundle) compiles each .ts file
// as it is required. ts-node would load the TypeScript compiler (~0.4 s) on
// every synth; type checking stays in `npm test` (tsc --noEmit).
const { readFileSync } = require("node:fs");
const { transformSync } = require("esbuild");

require.extensions[".ts"] = (module, filename) => {
  const { code } = transformSync(readFileSync(filename, "utf8"), {
    loader: "ts",
    format: "cjs",
    target: "node20",
    sourcefile: filename,
    sourcemap: "inline",
  });
  module._compile(code, filename);
};
