// cdktf records a full stack trace each time it creates a token (`captureStackTrace` in
// cdktf/lib/tokens/private/stack-trace.js, on a plain `{ stack: "" }` object), only to show it if that
// token later fails to resolve. Under jest every `.stack` goes through source-map-support, which maps
// each frame back to TypeScript: measured, that mapping was 11 of 24 s of the construct suites' run.
// Stacks captured on objects that are not errors keep V8's own unmapped format here; the stack of
// every Error (a failing test, an error a test asserts on) is still mapped. A setupFilesAfterEnv
// file: jest installs source-map-support after the setupFiles have run.
const mapped = Error.prepareStackTrace;

const unmapped = (target, frames) => [String(target), ...frames.map((frame) => `    at ${frame}`)].join("\n");

Error.prepareStackTrace = (target, frames) =>
  mapped !== undefined && target instanceof Error ? mapped(target, frames) : unmapped(target, frames);
