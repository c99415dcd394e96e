/**
 * `npm run bench:verify`: `npm run verify` over 100 application accounts x 3
 * regions x 3 log groups against moto_server on loopback (not a test: no
 * assertions, figures for the README). Each account's log groups and filters
 * are created through the SDK first (moto accepts a cross-account filter
 * once a log group named like the destination exists in the security account);
 * the security stack is not deployed, so its rows are drift: the figure is
 * the application side, which grows with the accounts.
 */
import { writeFileSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { CreateLogGroupCommand, PutSubscriptionFilterCommand } from "@aws-sdk/client-cloudwatch-logs";
import { inParallel } from "../lib/concurrency";
import { parseConfig } from "../lib/config/load";
import { namingOf } from "../lib/naming";
import { AwsAccess, run } from "../scripts/verify";
import { EmulatorAws } from "../__tests__/support/emulator-aws";
import { startMoto } from "../__tests__/support/emulator";
import { emulatorAccess } from "../__tests__/support/verify-emulator";

const ACCOUNTS = Number(process.env.BENCH_VERIFY_ACCOUNTS ?? 100);
const REGIONS = ["us-east-1", "eu-west-1", "ap-southeast-2"];
const LOG_GROUPS = ["/var/log/messages", "/var/log/secure", "/app/security"];
const SECURITY = "111111111111";

function benchConfig() {
  return {
    prefix: "bench",
    security: { accountId: SECURITY, region: "us-east-1" },
    // 100 accounts x 3 regions are over the destination role's trust limit as a list: organization mode.
    organizationId: "o-bench00001",
    alarms: { silenceHours: 24 },
    accounts: Array.from({ length: ACCOUNTS }, (_, i) => ({
      name: `acct-${String(i).padStart(3, "0")}`,
      accountId: String(200000000000 + i),
      regions: REGIONS,
      logGroups: LOG_GROUPS.map((name) => ({ name, create: true })),
    })),
  };
}

let calls = 0;

/** Counts every command verify sends, through its own clients. */
function counted(access: AwsAccess): AwsAccess {
  return {
    async clients(target) {
      const clients = await access.clients(target);
      for (const client of Object.values(clients))
        client.middlewareStack.add(
          (next: (args: unknown) => Promise<unknown>) => (args: unknown) => (calls++, next(args)),
          {
            step: "initialize",
          },
        );
      return clients;
    },
  };
}

async function main() {
  const document = benchConfig();
  const config = parseConfig(document, "bench.json");
  const naming = namingOf(config);
  const dir = mkdtempSync(join(tmpdir(), "seclog-bench-verify-"));
  const configFile = join(dir, "config.json");
  writeFileSync(configFile, JSON.stringify(document));
  const moto = await startMoto();
  try {
    const aws = new EmulatorAws(moto.endpoint);
    const setupStart = performance.now();
    for (const region of REGIONS) {
      const { logs } = await aws.clients(SECURITY, region);
      await logs.send(new CreateLogGroupCommand({ logGroupName: naming.destinationName }));
    }
    const places = config.accounts.flatMap((a) => REGIONS.map((region) => [a.accountId, region] as const));
    await inParallel(places, 16, async ([accountId, region]) => {
      const { logs } = await aws.clients(accountId, region);
      for (const logGroupName of LOG_GROUPS) {
        await logs.send(new CreateLogGroupCommand({ logGroupName }));
        await logs.send(
          new PutSubscriptionFilterCommand({
            logGroupName,
            filterName: naming.subscriptionFilterName(region, 0),
            filterPattern: "",
            destinationArn: naming.destinationArn(region),
            roleArn: `arn:aws:iam::${accountId}:role/${naming.senderRoleName}`,
          }),
        );
      }
    });
    const setupSeconds = (performance.now() - setupStart) / 1000;

    let stdout = "";
    let progressLines = 0;
    const rssBefore = process.memoryUsage().rss;
    const start = performance.now();
    const code = await run(
      ["--config", configFile, "--json"],
      {},
      {
        stdout: { write: (text: string) => ((stdout += text), true) },
        stderr: { write: (text: string) => ((progressLines += text.split("\n").length - 1), true) },
      },
      counted(emulatorAccess(aws, [])),
    );
    const seconds = (performance.now() - start) / 1000;
    const report = JSON.parse(stdout);
    const appRows = report.rows.filter((r: { account: string }) => r.account !== "security");
    process.stdout.write(
      [
        `verify: ${ACCOUNTS} accounts x ${REGIONS.length} regions x ${LOG_GROUPS.length} log groups against moto_server (loopback, 2 cores)`,
        `  setup through the SDK: ${setupSeconds.toFixed(1)} s`,
        `  verify: ${seconds.toFixed(1)} s wall, exit ${code}, ${report.rows.length} rows (${appRows.length} application rows, ${
          appRows.filter((r: { status: string }) => r.status !== "ok").length
        } of them not ok), ${progressLines} progress lines`,
        `  ${calls} SDK calls (${(calls / seconds).toFixed(0)} per second)`,
        `  RSS: ${(rssBefore / 2 ** 20).toFixed(0)} MiB before, ${(process.memoryUsage().rss / 2 ** 20).toFixed(0)} MiB after`,
        "",
      ].join("\n"),
    );
  } finally {
    await moto.stop();
  }
}

void main();
