import {
  GetObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
  S3ServiceException,
} from "@aws-sdk/client-s3";
import {
  CONFIG_OPTION,
  CommandResult,
  CommandSpec,
  commandConfig,
  EXIT,
  Output,
  runCommandAsync,
  UsageError,
  WINDOW_OPTIONS,
} from "../lib/cli";
import {
  inWindow,
  parseHour,
  planErrorObject,
  replayPolicy,
  Unreplayable,
  errorObjectText,
} from "../lib/replay";
import { PROCESSING_FAILED_PREFIX } from "../lib/pipeline";

const OPTIONS = {
  ...CONFIG_OPTION,
  ...WINDOW_OPTIONS,
  "dry-run": { type: "boolean" },
  "print-policy": { type: "boolean" },
} as const;

/** Test-only: an S3 endpoint (the emulator) instead of AWS's; path-style addressing. */
export const ENDPOINT_ENV = "SECLOG_REPLAY_ENDPOINT";

export const REPLAY_COMMAND: CommandSpec<typeof OPTIONS> = {
  name: "replay",
  synopsis: "[--since <time>] [--until <time>] [--dry-run] [--config <file>] [--print-policy]",
  positionals: [0, 0],
  options: OPTIONS,
  help: `Replays the records the processor failed. Reads the archive's
errors/processing-failed/ objects (Firehose's error records: one JSON object per
line with rawData, errorCode, arrivalTimestamp, ...), runs the processor's own
transform on each rawData, and writes the events of each partition and hour
under events/yyyy/MM/dd/HH/account=<id>/logGroup=<key>/ (the hour the record
arrived, UTC), as replay-<sha256>.ndjson.gz: the name comes from the error
object's key and line, so a second run finds it and writes nothing new.

It never deletes, never overwrites (it lists the exact key first, and writes
with If-None-Match), and reads nothing outside errors/processing-failed/. Run
it with the security account's credentials (AWS SDK default chain) of an
identity that has the --print-policy policy, in security.region.

  --since <time>       only error objects of this hour or later: 2026-12-01,
                       2026-12-01T13 (UTC), or ISO 8601 with Z or an offset
  --until <time>       only error objects before this hour (same forms)
  --dry-run            read and transform, report, write nothing
  -c, --config <file>  config file (default: $SECLOG_CONFIG, else config/logging.yaml)
  --print-policy       print the IAM policy the replay identity needs; no AWS calls

Progress goes to stderr; the report to stdout: error records by error code,
records replayed, objects written and already present, and every record that
could not be replayed, with the reason.
${ENDPOINT_ENV}=<url> is for the tests only (an S3 emulator).

Exit codes: 0 everything replayed (or nothing to replay), 1 config file problem,
2 bad arguments, 3 some records could not be replayed.`,
};

interface Report {
  errorObjects: number;
  records: number;
  errorCodes: Map<string, number>;
  replayed: number;
  dropped: number;
  written: string[];
  present: string[];
  unreplayable: Unreplayable[];
}

export async function run(
  argv: readonly string[],
  env: NodeJS.ProcessEnv = process.env,
  out: Output = process,
): Promise<number> {
  return runCommandAsync(
    REPLAY_COMMAND,
    argv,
    async ({ values }) => {
      const since = hourOption(values.since, "since");
      const until = hourOption(values.until, "until");
      if (since && until && since.getTime() >= until.getTime())
        throw new UsageError("--since must be before --until");
      const { file, config } = commandConfig(values.config, env);
      if (values["print-policy"]) {
        return `${JSON.stringify(replayPolicy(config), null, 2)}\n`;
      }
      if (config.delivery.format !== "events") {
        return {
          stdout: `${file}: delivery.format is raw: Firehose keeps every record as sent under raw/, there is nothing to replay.\n`,
        };
      }
      const s3 = new S3Client({
        region: config.security.region,
        ...(env[ENDPOINT_ENV] ? { endpoint: env[ENDPOINT_ENV], forcePathStyle: true } : {}),
      });
      try {
        const report = await replay(
          s3,
          config.archive.bucketName,
          { since, until, dryRun: values["dry-run"] === true },
          out,
        );
        return result(report, config.archive.bucketName, values["dry-run"] === true);
      } finally {
        s3.destroy();
      }
    },
    out,
  );
}

function hourOption(value: string | undefined, option: string): Date | undefined {
  if (value === undefined) return undefined;
  const time = parseHour(value);
  if (!time)
    throw new UsageError(
      `--${option} must be a UTC date (2026-12-01), date and hour (2026-12-01T13), or ISO 8601 time with Z or an offset, got "${value}"`,
    );
  return time;
}

async function replay(
  s3: S3Client,
  bucket: string,
  options: { since?: Date; until?: Date; dryRun: boolean },
  out: Output,
): Promise<Report> {
  const report: Report = {
    errorObjects: 0,
    records: 0,
    errorCodes: new Map(),
    replayed: 0,
    dropped: 0,
    written: [],
    present: [],
    unreplayable: [],
  };
  const keys = (await listKeys(s3, bucket, PROCESSING_FAILED_PREFIX)).filter((key) =>
    inWindow(key, options.since, options.until),
  );
  out.stderr.write(
    `replay: ${keys.length} error object${keys.length === 1 ? "" : "s"} under s3://${bucket}/${PROCESSING_FAILED_PREFIX}\n`,
  );
  for (const [index, key] of keys.entries()) {
    out.stderr.write(`replay: [${index + 1}/${keys.length}] ${key}\n`);
    let text: string;
    try {
      const object = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
      text = errorObjectText(await object.Body!.transformToByteArray());
    } catch (error) {
      report.unreplayable.push({ sourceKey: key, line: 0, reason: `could not read it: ${describe(error)}` });
      continue;
    }
    report.errorObjects++;
    const plan = planErrorObject(key, text);
    report.records += plan.records;
    report.replayed += plan.replayed;
    report.dropped += plan.dropped;
    for (const [code, count] of plan.errorCodes)
      report.errorCodes.set(code, (report.errorCodes.get(code) ?? 0) + count);
    report.unreplayable.push(...plan.unreplayable);
    for (const object of plan.objects) {
      if (await exists(s3, bucket, object.key)) {
        report.present.push(object.key);
        continue;
      }
      if (options.dryRun) {
        report.written.push(object.key);
        continue;
      }
      try {
        await s3.send(
          new PutObjectCommand({
            Bucket: bucket,
            Key: object.key,
            Body: object.body,
            // Never overwrite, even if another run wrote it since the listing (S3 conditional writes).
            IfNoneMatch: "*",
            ContentType: "application/x-ndjson",
            Metadata: { "seclog-replay-of": object.sourceKey, "seclog-replay-lines": object.lines.join(",") },
          }),
        );
        report.written.push(object.key);
      } catch (error) {
        if (
          error instanceof S3ServiceException &&
          (error.$metadata.httpStatusCode === 412 || error.name === "PreconditionFailed")
        ) {
          report.present.push(object.key);
        } else {
          for (const line of object.lines)
            report.unreplayable.push({
              sourceKey: object.sourceKey,
              line,
              reason: `could not write ${object.key}: ${describe(error)}`,
            });
        }
      }
    }
  }
  return report;
}

async function listKeys(s3: S3Client, bucket: string, prefix: string): Promise<string[]> {
  const keys: string[] = [];
  let token: string | undefined;
  do {
    const page = await s3.send(
      new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token }),
    );
    for (const object of page.Contents ?? []) if (object.Key) keys.push(object.Key);
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
  return keys.sort();
}

/** Lists the exact key (s3:ListBucket with an events/ prefix), so replay needs no read access to events/. */
async function exists(s3: S3Client, bucket: string, key: string): Promise<boolean> {
  const page = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: key, MaxKeys: 1 }));
  return (page.Contents ?? []).some((object) => object.Key === key);
}

function describe(error: unknown): string {
  if (error instanceof S3ServiceException)
    return `${error.name} (HTTP ${error.$metadata.httpStatusCode ?? "?"})`;
  return (error as Error).message;
}

function result(report: Report, bucket: string, dryRun: boolean): CommandResult {
  const codes = [...report.errorCodes].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const lines = [
    `replay of s3://${bucket}/${PROCESSING_FAILED_PREFIX}${dryRun ? " (dry run: nothing written)" : ""}`,
    `  error objects read: ${report.errorObjects}`,
    `  error records: ${report.records}`,
    ...codes.map(([code, count]) => `    ${code}: ${count}`),
    `  records replayed: ${report.replayed}`,
    `  control messages dropped: ${report.dropped}`,
    `  objects ${dryRun ? "to write" : "written"}: ${report.written.length}`,
    ...report.written.map((key) => `    ${key}`),
    `  objects already present: ${report.present.length}`,
    `  could not replay: ${report.unreplayable.length}`,
    ...report.unreplayable.map((u) => `    ${u.sourceKey}${u.line ? ` line ${u.line}` : ""}: ${u.reason}`),
  ];
  return { stdout: `${lines.join("\n")}\n`, code: report.unreplayable.length > 0 ? EXIT.warning : EXIT.ok };
}

if (require.main === module) void run(process.argv.slice(2)).then((code) => (process.exitCode = code));
