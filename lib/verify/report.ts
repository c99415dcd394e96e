/**
 * What `npm run verify` prints and files: a table on stdout, and with
 * `--report` / `--json` the evidence an auditor keeps: when, as whom, every
 * check, and the archive's protection settings as AWS returned them.
 */
import { CheckRow, exitCodeOf, Status } from "./checks";
import { BucketRead, isFailure, KeyRead, Observed, Read, SecurityRead, VaultRead } from "./observed";

export interface Identity {
  readonly account: string;
  readonly accountId: string;
  readonly arn: string;
}

export interface VerifyReport {
  readonly generatedAt: string;
  readonly configFile: string;
  readonly identities: readonly Identity[];
  readonly summary: Readonly<Record<Status, number>>;
  readonly exitCode: 0 | 3 | 4;
  readonly rows: readonly CheckRow[];
  /** The archive's protection (and its replica's) as read from AWS, not from the config. */
  readonly protection: Readonly<Record<string, unknown>>;
}

export function buildReport(
  configFile: string,
  observed: Observed,
  identities: readonly Identity[],
  rows: readonly CheckRow[],
): VerifyReport {
  const summary: Record<Status, number> = { ok: 0, drift: 0, gap: 0, error: 0 };
  for (const row of rows) summary[row.status]++;
  return {
    generatedAt: observed.at.toISOString(),
    configFile,
    // Reads finish in any order; the report lists identities in a stable one.
    identities: [...identities].sort((a, b) => (a.account < b.account ? -1 : 1)),
    summary,
    exitCode: exitCodeOf(rows),
    rows,
    protection: protectionOf(observed.security, observed.vault),
  };
}

function readValue<T>(read: Read<T>): T | string {
  if (isFailure(read)) return `could not read: ${read.failure.call}: ${read.failure.message}`;
  return read === undefined ? "not set" : read;
}

/**
 * The archive settings exactly as the S3 and KMS Get/Describe calls returned
 * them; with `archive.replica`, also its replication configuration and the
 * vault's replica bucket and key.
 */
export function protectionOf(security: SecurityRead, vault?: VaultRead): Record<string, unknown> {
  return {
    ...bucketProtection(security.bucket, security.keys),
    ...("replication" in security ? { replication: readValue(security.replication) } : {}),
    ...(vault ? { replica: bucketProtection(vault.bucket, vault.keys) } : {}),
  };
}

function bucketProtection(
  bucket: Read<BucketRead>,
  keys: Readonly<Record<string, Read<KeyRead>>>,
): Record<string, unknown> {
  if (isFailure(bucket) || bucket === undefined) return { bucket: readValue(bucket) };
  return {
    versioning: readValue(bucket.versioning),
    publicAccessBlock: readValue(bucket.publicAccessBlock),
    defaultEncryption: readValue(bucket.encryption),
    objectLock: readValue(bucket.objectLock),
    lifecycleRules: readValue(bucket.lifecycle),
    ownership: readValue(bucket.ownership),
    bucketPolicy: readValue(bucket.policy),
    keys: Object.fromEntries(
      Object.entries(keys).map(([alias, key]) => {
        if (isFailure(key) || key === undefined) return [alias, readValue(key)];
        return [
          alias,
          {
            arn: key.KeyMetadata.Arn,
            state: key.KeyMetadata.KeyState,
            rotationEnabled: readValue(key.rotationEnabled),
            ...(key.KeyMetadata.DeletionDate
              ? { deletionDate: new Date(key.KeyMetadata.DeletionDate).toISOString() }
              : {}),
          },
        ];
      }),
    ),
  };
}

const MARK: Record<Status, string> = { ok: "ok   ", drift: "DRIFT", gap: "GAP  ", error: "ERROR" };

/** stdout: one line per check, the problems with what was found and the fix. */
export function textReport(report: VerifyReport): string {
  const lines = report.rows.map((row) => {
    const place = `${row.account}${row.region ? ` ${row.region}` : ""}`;
    const head = `${MARK[row.status]} ${place}: ${row.check}`;
    if (row.status === "ok") return head;
    return `${head}\n        expected: ${row.expected}\n        found:    ${row.found}\n        fix:      ${row.fix}`;
  });
  const { ok, drift, gap, error } = report.summary;
  lines.push(`\n${report.rows.length} checks: ${ok} ok, ${drift} drift, ${gap} gap, ${error} error`);
  return `${lines.join("\n")}\n`;
}

function cell(text: string): string {
  return text.replace(/\|/g, "\\|").replace(/\n/g, " ");
}

/** `--report`: a Markdown document an auditor can file. */
export function markdownReport(report: VerifyReport): string {
  const { ok, drift, gap, error } = report.summary;
  return [
    "# seclog verification report",
    "",
    `- Time (UTC): ${report.generatedAt}`,
    `- Config: \`${report.configFile}\``,
    `- Result: ${report.exitCode === 0 ? "all checks ok" : `${drift} drift, ${gap} gap, ${error} error`} (exit ${report.exitCode})`,
    `- Checks: ${report.rows.length} (${ok} ok)`,
    "",
    "## Identities used",
    "",
    "| Account | Account id | Identity |",
    "| --- | --- | --- |",
    ...report.identities.map((i) => `| ${cell(i.account)} | ${i.accountId} | ${cell(i.arn)} |`),
    "",
    "## Checks",
    "",
    "| Status | Account | Region | Check | Expected | Found | Fix |",
    "| --- | --- | --- | --- | --- | --- | --- |",
    ...report.rows.map(
      (r) =>
        `| ${r.status} | ${cell(r.account)} | ${r.region} | ${cell(r.check)} | ${cell(r.expected)} | ${cell(r.found)} | ${cell(r.fix)} |`,
    ),
    "",
    "## Archive protection as read from AWS",
    "",
    "The S3 and KMS responses, not the config:",
    "",
    "```json",
    JSON.stringify(report.protection, null, 2),
    "```",
    "",
  ].join("\n");
}
