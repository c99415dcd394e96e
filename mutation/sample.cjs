// A fixed, seeded sample of code lines, for targets too slow to mutate whole (see constructs-sample.conf.cjs).
// Stryker mutates every mutant on each picked line ("file:L-L" ranges): a cluster sample by line.
const fs = require("fs");
const path = require("path");

/** Lines that can hold a mutant: not blank, comment, import, type declaration or a lone brace. */
function candidateLines(dirs, exclude = []) {
  const files = dirs.flatMap((dir) =>
    fs
      .readdirSync(dir)
      .filter((file) => file.endsWith(".ts"))
      .sort()
      .map((file) => path.join(dir, file))
      .filter((file) => !exclude.includes(file)),
  );
  const skip = [
    /^$/,
    /^\/\//,
    /^\*/,
    /^\/\*/,
    /^import /,
    /^(export )?(interface|type) /,
    /^readonly \w+\??: [^=]+;$/,
    /^[})\];,]+$/,
  ];
  return files.flatMap((file) =>
    fs
      .readFileSync(file, "utf8")
      .split("\n")
      .map((line, index) => ({ text: line.trim(), number: index + 1 }))
      .filter(({ text }) => !skip.some((pattern) => pattern.test(text)))
      .map(({ number }) => `${file}:${number}-${number}`),
  );
}

/** `count` distinct lines, the same on every run for a given seed and tree (files in `exclude` left out). */
function sampleLines(dirs, count, seed, exclude = []) {
  const lines = candidateLines(dirs, exclude);
  let state = seed;
  const next = () => (state = (state * 1103515245 + 12345) % 2147483648) / 2147483648;
  const picked = new Set();
  while (picked.size < Math.min(count, lines.length)) picked.add(lines[Math.floor(next() * lines.length)]);
  return [...picked].sort();
}

module.exports = { sampleLines, candidateLines };
