import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { run } from "../scripts/capacity";
import {
  CapacityPlan,
  CostLine,
  PROCESSOR_BATCH_BYTES,
  PROCESSOR_BATCH_MAX_SECONDS,
  PROCESSOR_MEMORY_GB,
} from "../lib/capacity";
import { onlyResource, resourcesOf, synthStacks } from "./support/synth";

/**
 * `npm run capacity`: worked examples whose numbers are computed by hand in
 * the comments (GB = 2^30 bytes, a month = 730 h = 2,628,000 s = 30.4167
 * days; the assumptions are lib/capacity.ts's: gzip 4:1, 50 events per
 * record, +160 NDJSON bytes per event, the processor's NDJSON gzip 4:1 (what Firehose
 * buffers, partitions and stores: it compresses nothing itself), 0.2 s per 0.2 MiB
 * processor batch, peak 3x), then the command line's contract: --help,
 * bad arguments (exit 2), bad config (exit 1), warnings (exit 3).
 */
const ROOT = resolve(__dirname, "..");
const work = mkdtempSync(join(tmpdir(), "seclog-capacity-"));

/** One account with two named log groups: 2 dynamic partitions. Everything else default (on-demand, events, 300 s / 64 MiB, no reserved concurrency, Glacier after 90 days, no alarms: 2 KMS keys). */
function configDocument(changes: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    prefix: "acme",
    security: { accountId: "111111111111", region: "us-east-1" },
    accounts: [
      {
        name: "app",
        accountId: "222222222222",
        logGroups: [{ name: "/var/log/secure" }, { name: "/var/log/messages" }],
      },
    ],
    ...changes,
  };
}

function configFile(name: string, changes: Record<string, unknown> = {}): string {
  const file = join(work, `${name}.json`);
  writeFileSync(file, JSON.stringify(configDocument(changes)));
  return file;
}

function capacity(argv: string[], env: NodeJS.ProcessEnv = {}) {
  const captured = { stdout: "", stderr: "" };
  const writer = (key: "stdout" | "stderr") => ({ write: (text: string) => ((captured[key] += text), true) });
  const code = run(argv, env, { stdout: writer("stdout"), stderr: writer("stderr") });
  return { code, ...captured };
}

function planOf(argv: string[]): CapacityPlan {
  const result = capacity([...argv, "--json"]);
  return JSON.parse(result.stdout);
}

function usdOf(plan: CapacityPlan, item: string): number {
  const found = plan.cost.lines.filter((line: CostLine) => line.item.startsWith(item));
  if (found.length !== 1) throw new Error(`expected one line "${item}", found ${found.length}`);
  return found[0].usd;
}

const NO_STACK_TRACE = /^\s+at .+:\d+:\d+\)?$/m;

describe("worked examples", () => {
  /*
   * A. A small account on on-demand: 5 GB/day at 100 events/s (621 bytes/event).
   *   CloudWatch Logs: 5 x 2^30 / 86,400 = 62,137.8 B/s. Kinesis: / 4 = 15,534.5 B/s (0.0148 MiB/s),
   *   100 / 50 = 2 records/s of 7,767 B; peak x3: 0.0444 MiB/s and 6 records/s -> 1 shard would do.
   *   Kinesis on-demand: 730 h x $0.04 = $29.20; records rounded up to 8 KB: 2 x 2,628,000 x 8,192 B
   *     = 40.10 GB -> in $3.208, out $1.604; extended retention (168 h): 1.25 GB/day x 6 days = 7.5 GB-month
   *     x $0.10 = $0.75. Kinesis = $34.762. (Provisioned, 1 shard: $10.95 + 5.256 M PUT units x $0.014/M
   *     = $0.074 + extended 730 x $0.02 = $14.60 -> $25.62: cheaper.)
   *   Firehose: 2 x 5 KB = 10,240 B per record -> 50.125 GB x $0.029 = $1.4536. NDJSON: 62,137.8 + 100 x 160
   *     = 78,137.8 B/s = 152.083 + 39.160 = 191.244 GB/month, gzip'd by the processor / 4 = 47.811 GB x $0.02
   *     = $0.9562. Per partition 9,767.2 B/s x 300 s = 2.8 MiB < 64 MiB: the interval flushes; 2 x 12 = 24
   *     objects/hour = 17,520/month x $0.005/1,000 = $0.0876.
   *   Lambda: 15,534.5 / 209,715.2 = 0.07407 batches/s = 194,667/month -> $0.0389 requests; x 0.2 s x 0.5 GB
   *     = 19,466.7 GB-s x $0.0000133334 = $0.2596. Peak 0.2222/s x 0.2 s x 2 = 0.09 -> 1 concurrent (10 reserved).
   *   S3, month 12 (365 days): (5 + 8,640,000 x 160 / 2^30 = 1.28746) / 4 = 1.571865 GB/day; 24 x 24 x 275
   *     = 158,400 archived objects. Standard: 90 x 1.571865 + 158,400 x 8 KB (1.2085) = 142.6764 x $0.023
   *     = $3.2816. Glacier: 275 x 1.571865 + 158,400 x 32 KB (4.8340) = 437.0969 x $0.0036 = $1.5735.
   *     PUT 17,520 x $0.005/1,000 = $0.0876; transitions 17,520 x $0.03/1,000 = $0.5256.
   *   KMS: 3 keys (archive, stream, search results) = $3.00; requests 17,520 + 4 shards x 24 x 730 = 87,600 x $0.03/10,000 = $0.2628.
   *   Total: 34.762 + 1.4536 + 0.9562 + 0.0876 + 0.0389 + 0.2596 + 3.2816 + 1.5735 + 0.0876 + 0.5256 + 3 + 0.2628
   *     = $46.29. Not included: CloudWatch Logs 152.083 GB x $0.50 = $76.04.
   */
  test("A: a small account on on-demand: 1 shard would do, on-demand fits, $46.29/month, no warning", () => {
    const file = configFile("small");
    const plan = planOf(["--gb-per-day", "5", "--events-per-second", "100", "--config", file]);
    expect(plan.average.kinesisBytesPerSecond).toBeCloseTo(15_534.46, 1);
    expect(plan.kinesis).toMatchObject({
      mode: "on-demand",
      shardsNeeded: 1,
      onDemandInitialCapacityFits: true,
      cheaperMode: "provisioned",
    });
    expect(plan.kinesis.monthlyUsd.onDemand).toBeCloseTo(34.762, 2);
    expect(plan.kinesis.monthlyUsd.provisioned).toBeCloseTo(25.624, 2);
    expect(usdOf(plan, "Firehose ingestion")).toBeCloseTo(1.4536, 3);
    expect(usdOf(plan, "Firehose dynamic partitioning data")).toBeCloseTo(0.9562, 3);
    expect(plan.firehose).toMatchObject({ buffers: 2, buffersFrom: "config", objectsPerHour: 24 });
    expect(plan.firehose.average).toMatchObject({ trigger: "interval", flushSeconds: 300 });
    // No reservation by default: the processor shares the account's unreserved pool, so nothing to warn about.
    // (--json output: an absent key is one without a value.)
    expect(plan.processor).toEqual({
      batchesPerSecond: { average: expect.closeTo(0.0741, 4), peak: expect.closeTo(0.2222, 4) },
      concurrencyNeeded: 1,
    });
    expect(usdOf(plan, "Lambda processor duration")).toBeCloseTo(0.2596, 3);
    expect(usdOf(plan, "S3 Standard storage")).toBeCloseTo(3.2816, 3);
    expect(usdOf(plan, "S3 Glacier Flexible Retrieval storage")).toBeCloseTo(1.5735, 3);
    expect(usdOf(plan, "KMS keys")).toBe(3);
    expect(usdOf(plan, "KMS requests")).toBeCloseTo(0.2628, 3);
    expect(plan.cost.totalUsd).toBeCloseTo(46.29, 2);
    expect(plan.cost.notIncluded[0].usd).toBeCloseTo(76.04, 2);
    expect(plan.warnings).toEqual([]);

    const text = capacity(["--gb-per-day", "5", "--events-per-second", "100", "--config", file]);
    expect(text.code).toBe(0);
    expect(text.stderr).toBe("");
    expect(text.stdout).toMatch(/provisioned needs 1 shard/);
    expect(text.stdout).toMatch(/interval triggers each flush, every 300 s/);
    expect(text.stdout).toMatch(/total\s+\$46\.29/);
    expect(text.stdout).toMatch(/CloudWatch Logs ingestion in the app accounts.+\$76\.04/);
  });

  /*
   * B. 100 GB/day at 2,000 events/s on a provisioned stream of 1 shard.
   *   CloudWatch Logs: 100 x 2^30 / 86,400 = 1,242,757 B/s (1.185 MiB/s); Kinesis / 4 = 0.2963 MiB/s and
   *   2,000 / 50 = 40 records/s; peak x3 = 0.8889 MiB/s and 120 records/s.
   *   Shards: ceil(0.8889 / 0.8) = ceil(1.11) = 2 by bytes, ceil(120 / 800) = 1 by records -> 2 > 1 configured:
   *   warn, exit 3. The average (0.30 MiB/s) still fits 1 shard, so no data-loss clause.
   *   Kinesis as configured: 730 x $0.015 = $10.95; 40 x 2,628,000 = 105.12 M records x 1 PUT unit (7,767 B)
   *   x $0.014/M = $1.4717; extended retention 730 x $0.02 = $14.60 -> $27.02.
   */
  test("B: an under-provisioned stream: exit 3, the warning names stream.shards and 2", () => {
    const file = configFile("provisioned", { stream: { mode: "provisioned", shards: 1 } });
    const args = ["--gb-per-day", "100", "--events-per-second", "2000", "--config", file];
    const result = capacity(args);
    expect(result.code).toBe(3);
    expect(result.stderr).toMatch(
      /^warning: stream\.shards: set to 2 \(now 1\): the estimated peak of 0\.89 MiB\/s and 120 records\/s/m,
    );
    expect(result.stderr).not.toMatch(/even the daily average/);
    const plan = planOf(args);
    expect(plan.kinesis).toMatchObject({ mode: "provisioned", configuredShards: 1, shardsNeeded: 2 });
    expect(plan.peak.kinesisBytesPerSecond / 2 ** 20).toBeCloseTo(0.8889, 4);
    const kinesis = [
      "Kinesis provisioned shards",
      "Kinesis PUT payload units",
      "Kinesis extended retention",
    ].map((item) => usdOf(plan, item));
    expect(kinesis[0] + kinesis[1] + kinesis[2]).toBeCloseTo(27.02, 2);
  });

  /*
   * C. Raw format, bufferSeconds 60, bufferMiB 5: 20 GB/day at 500 events/s (497 bytes/event).
   *   Kinesis: 20 x 2^30 / 86,400 / 4 = 62,137.8 B/s (0.0593 MiB/s), 10 records/s of 6,213.8 B.
   *   Buffer (the whole stream): 62,137.8 x 60 = 3.56 MiB = 71% of 5 MiB -> the interval flushes, 60 objects/hour;
   *   peak 186,413.5 B/s fills 213% -> size flushes every 5 x 2^20 / 186,413.5 = 28.1 s.
   *   Kinesis on-demand: $29.20 + 26.28 M records x 7 KB = 175.438 GB -> in $14.035, out $7.0175;
   *     extended 5 GB/day x 6 = 30 GB-month x $0.10 = $3.00 -> $53.2526.
   *   Firehose: 26.28 M x 10,240 B = 250.626 GB x $0.029 = $7.2681. No Lambda, no dynamic partitioning.
   *   S3 month 12: 5 GB/day (the records as received); 60 x 24 x 275 = 396,000 archived objects.
   *     Standard 450 + 3.0212 = 453.0212 x $0.023 = $10.4195; Glacier 1,375 + 12.0850 = 1,387.0850 x $0.0036
   *     = $4.9935; PUT 43,800 x $0.005/1,000 = $0.219; transitions 43,800 x $0.03/1,000 = $1.314.
   *   KMS: $2 + (43,800 + 70,080) x $0.03/10,000 = $0.3416.
   *   Total: 53.2526 + 7.2681 + 10.4195 + 4.9935 + 0.219 + 1.314 + 2 + 0.3416 = $79.81.
   */
  test("C: raw format: no Lambda or dynamic partitioning line items; size flushes at the peak; $79.81/month", () => {
    const file = configFile("raw", { delivery: { format: "raw", bufferSeconds: 60, bufferMiB: 5 } });
    const plan = planOf(["--gb-per-day", "20", "--events-per-second", "500", "--config", file]);
    expect(plan.processor).toBeUndefined();
    expect(
      plan.cost.lines.map((line) => line.item).filter((item) => /Lambda|partitioning/.test(item)),
    ).toEqual([]);
    expect(plan.firehose).toMatchObject({
      format: "raw",
      buffers: 1,
      buffersFrom: "raw format",
      objectsPerHour: 60,
    });
    expect(plan.firehose.average.trigger).toBe("interval");
    expect(plan.firehose.average.fill).toBeCloseTo(0.7111, 3);
    expect(plan.firehose.peak.trigger).toBe("size");
    expect(plan.firehose.peak.flushSeconds).toBeCloseTo(28.125, 2);
    expect(usdOf(plan, "Firehose ingestion")).toBeCloseTo(7.2681, 3);
    expect(plan.storage.storedGbPerDay).toBeCloseTo(5, 6);
    expect(plan.cost.totalUsd).toBeCloseTo(79.81, 2);
    const text = capacity(["--gb-per-day", "20", "--events-per-second", "500", "--config", file]);
    expect(text.code).toBe(0);
    expect(text.stdout).not.toMatch(/Processor Lambda|Lambda processor/);
  });

  /*
   * D. On-demand above its starting capacity: 500 GB/day at 10,000 events/s.
   *   Kinesis: 125 GB/day = 1.4815 MiB/s, peak 4.4444 MiB/s > 4 MiB/s (records: 600/s, fine) -> warn, suggesting
   *   provisioned with ceil(4.4444 / 0.8) = ceil(5.56) = 6 shards.
   *   Firehose: NDJSON per partition at the peak = 3 x (6,213,783.7 + 10,000 x 160) / 2 = 11,720,675.6 B/s,
   *   gzip'd by the processor / 4 = 2,930,168.9 B/s; 10 s of it = 27.9 MiB < 64: no bufferMiB warning.
   *   Processor: 4.4444 / 0.2 = 22.2 batches/s x 0.2 s x 2 = 8.9 -> 9 concurrent, no reservation: no warning.
   */
  test("D: on-demand above its starting capacity: exit 3, names stream.mode provisioned with 6 shards", () => {
    const result = capacity([
      "--gb-per-day",
      "500",
      "--events-per-second",
      "10000",
      "--config",
      configFile("busy"),
    ]);
    expect(result.code).toBe(3);
    expect(result.stderr).toMatch(
      /^warning: stream\.mode: set to provisioned with stream\.shards: 6, or accept throttling/m,
    );
    expect(result.stderr).not.toMatch(/bufferMiB/);
    expect(result.stderr).not.toMatch(/processorConcurrency/);
  });

  /*
   * D2. Four times D's volume, 2,000 GB/day at 40,000 events/s: NDJSON per partition at the peak =
   *   3 x (24,855,134.8 + 40,000 x 160) / 2 = 46,882,702.2 B/s, gzip'd / 4 = 11,720,675.6 B/s; 10 s of it
   *   = 111.8 MiB > 64 -> delivery.bufferMiB: 112.
   */
  test("D2: a Firehose buffer that fills in under 10 s at the peak names delivery.bufferMiB", () => {
    const result = capacity([
      "--gb-per-day",
      "2000",
      "--events-per-second",
      "40000",
      "--config",
      configFile("busier"),
    ]);
    expect(result.code).toBe(3);
    expect(result.stderr).toMatch(/^warning: delivery\.bufferMiB: set to 112 \(now 64\)/m);
  });

  /*
   * E. The processor's reserved concurrency. 100 GB/day: 0.2963 MiB/s average, 0.8889 peak -> 4.444 batches/s
   *   x 0.2 s x 2 = 1.78 -> 2 needed; 1 reserved processes 1 / 0.2 s x 0.2 MiB = 1 MiB/s, above the average.
   *   400 GB/day: 1.185 MiB/s average > 1 MiB/s: it never catches up, most records land unprocessed in errors/;
   *   peak 3.556 MiB/s -> 17.78 batches/s x 0.4 = 7.1 -> 8 needed.
   */
  test("E: reserved concurrency below the need names delivery.processorConcurrency, and says when it cannot keep up at all", () => {
    const file = configFile("concurrency", { delivery: { processorConcurrency: 1 } });
    const peakOnly = capacity(["--gb-per-day", "100", "--events-per-second", "2000", "--config", file]);
    expect(peakOnly.code).toBe(3);
    expect(peakOnly.stderr).toMatch(/^warning: delivery\.processorConcurrency: set to 2 \(now 1\)/m);
    expect(peakOnly.stderr).not.toMatch(/cannot keep up/);
    const behind = capacity(["--gb-per-day", "400", "--events-per-second", "8000", "--config", file]);
    expect(behind.stderr).toMatch(
      /^warning: delivery\.processorConcurrency: set to 8 \(now 1\).+cannot keep up even with the daily average, so most records would end up there/m,
    );
  });

  test("F: more partitions than Firehose's default quota of 500 name delivery.format raw", () => {
    const result = capacity([
      "--gb-per-day",
      "5",
      "--events-per-second",
      "100",
      "--partitions",
      "600",
      "--config",
      configFile("partitions"),
    ]);
    expect(result.code).toBe(3);
    expect(result.stderr).toMatch(
      /^warning: delivery\.format: set to raw, or ask AWS to raise the Firehose active-partition quota.+about 600 partitions/m,
    );
  });

  /*
   * G. Partitions from the config: allLogGroups counts 20 per account (its groups are not listed); a group
   *   named twice (or shipped from two regions) is one partition. 2 listed + 20 = 22.
   */
  test("G: partitions are estimated from the config", () => {
    const file = configFile("all-groups", {
      accounts: [
        {
          name: "app",
          accountId: "222222222222",
          regions: ["us-east-1", "eu-west-1"],
          logGroups: [{ name: "/a" }, { name: "/b" }, { name: "/a", filterPattern: "ERROR" }],
        },
        { name: "web", accountId: "333333333333", allLogGroups: {} },
      ],
    });
    expect(
      planOf(["--gb-per-day", "5", "--events-per-second", "100", "--config", file]).firehose.buffers,
    ).toBe(22);
  });
});

describe("the command line", () => {
  const file = configFile("cli");

  test("--json prints the same numbers as the text, and the warnings", () => {
    const result = capacity(["--gb-per-day", "5", "--events-per-second", "100", "--config", file, "--json"]);
    expect(result.code).toBe(0);
    const plan: CapacityPlan = JSON.parse(result.stdout);
    expect(plan.input).toEqual({ gbPerDay: 5, eventsPerSecond: 100, peakFactor: 3, months: 12 });
    expect(plan.cost.lines.every((line) => line.price.source.startsWith("https://aws.amazon.com/"))).toBe(
      true,
    );
    const text = capacity(["--gb-per-day", "5", "--events-per-second", "100", "--config", file]).stdout;
    expect(text).toContain(`$${plan.cost.totalUsd.toFixed(2)}`);
  });

  test("--peak-factor and --months change the sizing and the storage month", () => {
    // Peak 1x: 0.2963 MiB/s / 0.8 -> 1 shard (3x needs 2, example B). Month 1 (30.4 days): nothing in Glacier yet.
    const plan = planOf([
      "--gb-per-day",
      "100",
      "--events-per-second",
      "2000",
      "--peak-factor",
      "1",
      "--months",
      "1",
      "--config",
      file,
    ]);
    expect(plan.kinesis.shardsNeeded).toBe(1);
    expect(plan.storage).toMatchObject({ month: 1, glacierGb: 0, transitionsPerMonth: 0 });
  });

  test("SECLOG_CONFIG is read when --config is not given", () => {
    const result = capacity(["--gb-per-day", "5", "--events-per-second", "100"], { SECLOG_CONFIG: file });
    expect(result.code).toBe(0);
    expect(result.stdout.split("\n")[0]).toBe(`seclog capacity estimate for ${file}`);
  });

  test("--help prints usage with every option and the exit codes, exit 0", () => {
    const result = capacity(["--help"]);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^usage: npm run capacity -- --gb-per-day N --events-per-second M/);
    for (const option of [
      "--gb-per-day",
      "--events-per-second",
      "--peak-factor",
      "--months",
      "--partitions",
      "--config",
      "--json",
    ]) {
      expect(result.stdout).toContain(option);
    }
    expect(result.stdout).toMatch(
      /Exit codes: 0 fine, 1 config file problem, 2 bad arguments, 3 the config is under-provisioned/,
    );
  });

  const BAD_ARGUMENTS: Array<[string, string[], RegExp]> = [
    ["missing --gb-per-day", ["--events-per-second", "100"], /--gb-per-day is required/],
    ["missing --events-per-second", ["--gb-per-day", "5"], /--events-per-second is required/],
    [
      "negative --gb-per-day",
      ["--gb-per-day=-5", "--events-per-second", "100"],
      /--gb-per-day must be a positive number, got "-5"/,
    ],
    ["a dash value without =", ["--gb-per-day", "-5", "--events-per-second", "100"], /--gb-per-day/],
    [
      "non-numeric --gb-per-day",
      ["--gb-per-day", "lots", "--events-per-second", "100"],
      /--gb-per-day must be a positive number, got "lots"/,
    ],
    [
      "zero --events-per-second",
      ["--gb-per-day", "5", "--events-per-second", "0"],
      /--events-per-second must be a positive number/,
    ],
    ["an unknown option", ["--gb", "5", "--events-per-second", "100"], /Unknown option '--gb'/],
    [
      "a positional argument",
      ["config.yaml", "--gb-per-day", "5", "--events-per-second", "100"],
      /unexpected argument "config.yaml"/,
    ],
    [
      "--peak-factor below 1",
      ["--gb-per-day", "5", "--events-per-second", "100", "--peak-factor", "0.5"],
      /--peak-factor must be at least 1/,
    ],
    [
      "fractional --months",
      ["--gb-per-day", "5", "--events-per-second", "100", "--months", "1.5"],
      /--months must be a whole number/,
    ],
    // 0.001 GB/day at 1,000 events/s is 0.012 bytes per event: impossible.
    [
      "contradictory volume and rate",
      ["--gb-per-day", "0.001", "--events-per-second", "1000"],
      /0\.0 bytes per event; CloudWatch Logs meters at least 27/,
    ],
  ];

  test.each(BAD_ARGUMENTS)(
    "%s: exit 2, the message names the option, nothing on stdout",
    (_what, argv, message) => {
      const result = capacity([...argv, "--config", file]);
      expect(result.code).toBe(2);
      expect(result.stderr).toMatch(message);
      expect(result.stderr).toMatch(/usage: npm run capacity -- .+\(--help for details\)/);
      expect(result.stdout).toBe("");
    },
  );

  test("arguments are checked before the config: a bad command line exits 2 even with a missing config", () => {
    expect(
      capacity(["--gb-per-day", "x", "--events-per-second", "1", "--config", join(work, "missing.yaml")])
        .code,
    ).toBe(2);
  });

  test.each([
    [
      "a field error",
      "bad.json",
      JSON.stringify({ prefix: "acme", security: { accountId: "1234", region: "us-east-1" } }),
      /security\.accountId: must be a 12-digit/,
    ],
    ["a missing file", "missing.yaml", "", /file not found/],
  ])(
    "a bad config (%s): exit 1, the problem as load.ts words it, no stack trace",
    (_what, name, text, message) => {
      const path = join(work, name);
      if (text) writeFileSync(path, text);
      const result = capacity(["--gb-per-day", "5", "--events-per-second", "100", "--config", path]);
      expect(result.code).toBe(1);
      expect(result.stderr).toMatch(message);
      expect(result.stderr).not.toMatch(NO_STACK_TRACE);
      expect(result.stdout).toBe("");
    },
  );

  test("npm run capacity's command: a real process exits 3 on an under-provisioned config", () => {
    const result = spawnSync(
      process.execPath,
      [
        "--require",
        "./register.cjs",
        "scripts/capacity.ts",
        "--gb-per-day",
        "100",
        "--events-per-second",
        "2000",
        "--config",
        configFile("process", { stream: { mode: "provisioned", shards: 1 } }),
      ],
      { cwd: ROOT, encoding: "utf8" },
    );
    expect(result.status).toBe(3);
    expect(result.stderr).toMatch(/^warning: stream\.shards: set to 2/m);
    expect(result.stdout).toMatch(/^seclog capacity estimate for /);
  });
});

describe("the model's fixed numbers match what the stacks deploy", () => {
  test("processor batch, interval and memory; KMS keys", () => {
    const stack = synthStacks(configDocument()).security;
    const processor = onlyResource(stack, "aws_kinesis_firehose_delivery_stream").extended_s3_configuration
      .processing_configuration.processors[0];
    const parameters = Object.fromEntries(
      processor.parameters.map((p: { parameter_name: string; parameter_value: string }) => [
        p.parameter_name,
        p.parameter_value,
      ]),
    );
    expect(Number(parameters.BufferSizeInMBs)).toBe(PROCESSOR_BATCH_BYTES / 2 ** 20);
    // Unset means Firehose's default of 60 s.
    expect(Number(parameters.BufferIntervalInSeconds ?? 60)).toBe(PROCESSOR_BATCH_MAX_SECONDS);
    expect(onlyResource(stack, "aws_lambda_function").memory_size).toBe(PROCESSOR_MEMORY_GB * 1024);
    // No alarms, no object queue: the archive and stream keys and, search being on, its results key, as the estimate counts.
    expect(resourcesOf(stack, "aws_kms_key").map(([id]) => id)).toEqual([
      "ArchiveKey_5C51534B",
      "SearchResultsKey_0005A591",
      "StreamKey_053B4889",
    ]);
  });
});
