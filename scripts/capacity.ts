import {
  CONFIG_OPTION,
  CommandResult,
  CommandSpec,
  commandConfig,
  Output,
  positiveNumber,
  runCommand,
  UsageError,
} from "../lib/cli";
import {
  bytesPerEvent,
  CapacityInput,
  CLOUDWATCH_GZIP_RATIO,
  DEFAULT_MONTHS,
  DEFAULT_PEAK_FACTOR,
  estimateCapacity,
  EVENTS_PER_RECORD,
  formatPlan,
  MIN_BYTES_PER_EVENT,
} from "../lib/capacity";

const OPTIONS = {
  ...CONFIG_OPTION,
  "gb-per-day": { type: "string" },
  "events-per-second": { type: "string" },
  "peak-factor": { type: "string" },
  months: { type: "string" },
  partitions: { type: "string" },
  json: { type: "boolean" },
} as const;

export const CAPACITY_COMMAND: CommandSpec<typeof OPTIONS> = {
  name: "capacity",
  synopsis:
    "--gb-per-day N --events-per-second M [--peak-factor F] [--months N] [--partitions N] [--config <file>] [--json]",
  positionals: [0, 0],
  options: OPTIONS,
  help: `Sizes the pipeline for a log volume and estimates its monthly cost: Kinesis mode and
shards, how Firehose's buffer fills and which hint flushes it, objects per hour, the
processor's concurrency, and a table of line items at us-east-1 list prices. Warns
(exit 3) when the config is under-provisioned, naming the key to change and the value.

  --gb-per-day N         volume ingested into CloudWatch Logs, uncompressed, daily average
                         (the app accounts' IncomingBytes per day; GB = 2^30 bytes)
  --events-per-second M  log events per second, daily average (IncomingLogEvents / 86,400)
  --peak-factor F        peak-hour rate as a multiple of the average (default ${DEFAULT_PEAK_FACTOR}, at least 1)
  --months N             price storage for this month of operation (default ${DEFAULT_MONTHS}: the
                         archive grows until archive.expireAfterDays)
  --partitions N         events format: accounts x log groups sending (default: estimated
                         from the config)
  -c, --config <file>    config file (default: $SECLOG_CONFIG, else config/logging.yaml)
  --json                 the same numbers as JSON, for scripts

Assumed (estimates; see lib/capacity/assumptions.ts): CloudWatch Logs gzips ${CLOUDWATCH_GZIP_RATIO}:1 into Kinesis,
${EVENTS_PER_RECORD} events per record. Costs exclude CloudWatch Logs ingestion in the app accounts
(shown separately), alarms, SNS/SQS and data transfer.

Example:
  npm run -s capacity -- --gb-per-day 100 --events-per-second 2000

Exit codes: 0 fine, 1 config file problem, 2 bad arguments, 3 the config is under-provisioned.`,
};

export function run(argv: readonly string[], env: NodeJS.ProcessEnv = process.env, out?: Output): number {
  return runCommand(
    CAPACITY_COMMAND,
    argv,
    ({ values }): CommandResult => {
      // Arguments first: a wrong command line is reported before the config is read.
      const input = capacityInput(values);
      const { file, config } = commandConfig(values.config, env);
      const plan = estimateCapacity(config, input);
      const stdout = values.json ? `${JSON.stringify(plan, null, 2)}\n` : formatPlan(plan, file, config);
      return { stdout, warnings: plan.warnings };
    },
    out,
  );
}

interface InputOptions {
  readonly "gb-per-day"?: string;
  readonly "events-per-second"?: string;
  readonly "peak-factor"?: string;
  readonly months?: string;
  readonly partitions?: string;
}

function capacityInput(values: InputOptions): CapacityInput {
  const gbPerDay = positiveNumber(values["gb-per-day"], "gb-per-day");
  const eventsPerSecond = positiveNumber(values["events-per-second"], "events-per-second");
  // Below 27 bytes per event the two numbers contradict each other: CloudWatch Logs meters 26 bytes per event on top of the message.
  const perEvent = bytesPerEvent(gbPerDay, eventsPerSecond);
  if (perEvent < MIN_BYTES_PER_EVENT) {
    throw new UsageError(
      `--gb-per-day ${values["gb-per-day"]} at --events-per-second ${values["events-per-second"]} is ${perEvent.toFixed(1)} bytes per event; ` +
        `CloudWatch Logs meters at least ${MIN_BYTES_PER_EVENT} (26 per event plus the message)`,
    );
  }
  const peakFactor =
    values["peak-factor"] === undefined
      ? DEFAULT_PEAK_FACTOR
      : positiveNumber(values["peak-factor"], "peak-factor");
  if (peakFactor < 1)
    throw new UsageError(
      `--peak-factor must be at least 1 (the peak is not below the average), got "${values["peak-factor"]}"`,
    );
  return {
    gbPerDay,
    eventsPerSecond,
    peakFactor,
    months: values.months === undefined ? DEFAULT_MONTHS : wholeNumber(values.months, "months"),
    partitions: values.partitions === undefined ? undefined : wholeNumber(values.partitions, "partitions"),
  };
}

function wholeNumber(value: string, option: string): number {
  const number = positiveNumber(value, option);
  if (!Number.isInteger(number)) throw new UsageError(`--${option} must be a whole number, got "${value}"`);
  return number;
}

if (require.main === module) process.exitCode = run(process.argv.slice(2));
