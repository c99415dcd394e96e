import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { gunzipSync } from "node:zlib";
import { FirehoseEvent, transform } from "../functions/processor/transform";
import { firehoseBatch } from "./fixtures";

/**
 * `npm run bench:processor`: the processor on a 6 MB Firehose batch against a
 * baseline measured in the same run, on the same records: plain gunzip +
 * JSON.parse. Targets: at most 1.5x the baseline's time; peak memory growth
 * under 3x the batch size. Memory is measured in a fresh process per variant.
 */
const BATCH_BYTES = 6 * 1024 * 1024;
const FITTING_BATCH_BYTES = 450 * 1024;
const ROUNDS = 15;

function baseline(event: FirehoseEvent): number {
  let events = 0;
  for (const record of event.records) events += JSON.parse(gunzipSync(Buffer.from(record.data, "base64")).toString("utf8")).logEvents.length;
  return events;
}

function handler(event: FirehoseEvent): number {
  return transform(event).records.length;
}

const VARIANTS = { baseline, handler } as const;

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

/** Child mode: load the batch, settle the heap, run one variant once, report peak RSS growth. */
function measureMemory(file: string, variant: keyof typeof VARIANTS): void {
  const event: FirehoseEvent = JSON.parse(readFileSync(file, "utf8"));
  const gc = (globalThis as { gc?: () => void }).gc!;
  gc();
  gc();
  const settled = process.memoryUsage().rss;
  const peakBefore = process.resourceUsage().maxRSS * 1024;
  VARIANTS[variant](event);
  const peakAfter = process.resourceUsage().maxRSS * 1024;
  // If the run did not raise the process's peak, its own peak is at most the earlier one.
  process.stdout.write(JSON.stringify({ growth: Math.max(peakAfter, peakBefore) - settled, exact: peakAfter > peakBefore }));
}

function main(): void {
  const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MB`;
  for (const [label, bytes] of [
    ["6 MB batch (Lambda's request limit; most of it cannot fit a 6 MB response once unpacked)", BATCH_BYTES],
    ["0.45 MB batch (every record fits the response: pure transformation throughput)", FITTING_BATCH_BYTES],
  ] as const) {
    console.log(`\n== ${label}`);
    benchBatch(firehoseBatch(bytes), mb, bytes === BATCH_BYTES);
  }
}

function benchBatch(event: FirehoseEvent, mb: (bytes: number) => string, withMemory: boolean): void {
  const batchBytes = Buffer.byteLength(JSON.stringify(event));
  const rawBytes = event.records.reduce((n, r) => n + gunzipSync(Buffer.from(r.data, "base64")).length, 0);
  const response = transform(event);
  const ok = response.records.filter((r) => r.result === "Ok").length;

  const times: Record<string, number[]> = { baseline: [], handler: [] };
  for (let round = 0; round < ROUNDS; round++) {
    for (const name of round % 2 ? (["handler", "baseline"] as const) : (["baseline", "handler"] as const)) {
      const start = performance.now();
      VARIANTS[name](event);
      times[name].push(performance.now() - start);
    }
  }
  const base = median(times.baseline);
  const ours = median(times.handler);

  const ratio = ours / base;
  console.log(`batch: ${mb(batchBytes)} request, ${event.records.length} records, ${mb(rawBytes)} of JSON after gunzip; ${ok} records fit the 6 MB response, ${event.records.length - ok} ProcessingFailed`);
  console.log(`baseline (gunzip + JSON.parse): median ${base.toFixed(1)} ms  (${mb(batchBytes / (base / 1000))}/s)`);
  console.log(`handler (NDJSON + partition keys): median ${ours.toFixed(1)} ms  (${mb(batchBytes / (ours / 1000))}/s)  = ${ratio.toFixed(2)}x baseline  [target <= 1.5x: ${ratio <= 1.5 ? "met" : "MISSED"}]`);
  if (!withMemory) return;
  const file = join(mkdtempSync(join(tmpdir(), "seclog-bench-")), "batch.json");
  writeFileSync(file, JSON.stringify(event));
  // Default V8 settings let up to ~16 MB of short-lived garbage sit in the young
  // generation before a scavenge; a 1 MB semi-space shows the working set itself.
  const memory = (variant: string, v8Flags: string[] = []) =>
    JSON.parse(execFileSync(process.execPath, ["--expose-gc", ...v8Flags, "--require", join(__dirname, "..", "register.cjs"), __filename, "--memory", file, variant], { encoding: "utf8" }));
  const baseMemory = memory("baseline");
  const ourMemory = memory("handler");
  const tight = ["--max-semi-space-size=1"];
  const baseWorkingSet = memory("baseline", tight);
  const ourWorkingSet = memory("handler", tight);

  const memoryRatio = ourMemory.growth / batchBytes;
  const workingSetRatio = ourWorkingSet.growth / batchBytes;
  console.log(`peak RSS growth, default V8 heap: baseline ${mb(baseMemory.growth)}, handler ${mb(ourMemory.growth)}${ourMemory.exact ? "" : " (upper bound)"} = ${memoryRatio.toFixed(2)}x batch`);
  console.log(`peak RSS growth, 1 MB semi-space (working set): baseline ${mb(baseWorkingSet.growth)}, handler ${mb(ourWorkingSet.growth)} = ${workingSetRatio.toFixed(2)}x batch  [target < 3x: ${workingSetRatio < 3 ? "met" : "MISSED"}]`);
}

if (process.argv[2] === "--memory") measureMemory(process.argv[3], process.argv[4] as keyof typeof VARIANTS);
else main();
