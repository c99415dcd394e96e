import { parseConfig } from "../lib/config/load";
import { SecLogConfig } from "../lib/config/model";
import { baseConfig, PAYMENTS_ACCOUNT, SECURITY_ACCOUNT, WEB_ACCOUNT } from "./support/fixtures";

/**
 * What the stacks read: the config with every default resolved
 * (lib/config/load.ts, resolve). Whole objects, so a default that changes or
 * a key that leaks from one variant into another (keepSource under raw,
 * shards on demand) fails here.
 */
type Change = (config: Record<string, any>) => void;

function resolved(change: Change = () => undefined): SecLogConfig {
  const config = baseConfig();
  change(config);
  return parseConfig(config);
}

const STATE_BUCKET = { bucket: "tf-state-bucket", region: "eu-west-1" };

describe("the resolved config", () => {
  test("baseConfig(): every default filled in", () => {
    expect(resolved()).toStrictEqual({
      prefix: "secops",
      tags: { owner: "security" },
      partition: "aws",
      security: { accountId: SECURITY_ACCOUNT, region: "us-east-1" },
      organizationId: undefined,
      archive: {
        bucketName: `secops-security-logs-${SECURITY_ACCOUNT}`,
        glacierAfterDays: 90,
        accessLogs: true,
      },
      stream: { mode: "on-demand", retentionHours: 168 },
      delivery: {
        format: "events",
        bufferSeconds: 300,
        bufferMiB: 64,
        processorConcurrency: undefined,
        keepSource: false,
      },
      state: { backend: "local" },
      alarms: undefined,
      // On with the events format: a 100 GiB scan cutoff (100 x 2^30 bytes), results for 30 days, no analysts.
      search: { bytesScannedCutoff: 100 * 1024 ** 3, resultsExpireDays: 30, analystPrincipals: [] },
      objectNotifications: false,
      accounts: [
        {
          name: "payments-prod",
          accountId: PAYMENTS_ACCOUNT,
          roleArn: undefined,
          regions: ["us-east-1", "eu-west-1"],
          logGroups: [
            {
              name: "/var/log/messages",
              filterPattern: "",
              create: true,
              retentionDays: 365,
              files: [],
              filterSlot: 0,
            },
            {
              name: "/app/payments/security",
              filterPattern: '{ $.level = "ERROR" }',
              create: false,
              files: [],
              filterSlot: 0,
            },
          ],
          allLogGroups: undefined,
          silenceAlarm: true,
        },
        {
          name: "web-prod",
          accountId: WEB_ACCOUNT,
          roleArn: undefined,
          // No regions: the security account's home region.
          regions: ["us-east-1"],
          logGroups: [
            {
              name: "/var/log/nginx/access.log",
              filterPattern: "",
              create: true,
              retentionDays: 90,
              files: [],
              filterSlot: 0,
            },
          ],
          allLogGroups: { exclude: ["/aws/lambda/noisy"] },
          silenceAlarm: true,
        },
      ],
      destinationRegions: ["eu-west-1", "us-east-1"],
      sendersByRegion: new Map([
        ["us-east-1", [PAYMENTS_ACCOUNT, WEB_ACCOUNT]],
        ["eu-west-1", [PAYMENTS_ACCOUNT]],
      ]),
    });
  });

  test("the home region has a destination even when no account ships from it", () => {
    const config = resolved((c) => {
      c.accounts[0].regions = ["eu-west-1"];
      c.accounts[1].regions = ["ap-southeast-2", "eu-west-1"];
    });
    expect({ regions: config.destinationRegions, senders: config.sendersByRegion }).toStrictEqual({
      regions: ["ap-southeast-2", "eu-west-1", "us-east-1"],
      senders: new Map([
        ["us-east-1", []],
        ["eu-west-1", [PAYMENTS_ACCOUNT, WEB_ACCOUNT]],
        ["ap-southeast-2", [WEB_ACCOUNT]],
      ]),
    });
    expect([...config.sendersByRegion.keys()]).toEqual(["us-east-1", "eu-west-1", "ap-southeast-2"]);
  });

  test("an account's own settings are kept", () => {
    const config = resolved((c) => {
      c.accounts[0].roleArn = `arn:aws:iam::${PAYMENTS_ACCOUNT}:role/deploy`;
      c.accounts[0].silenceAlarm = false;
      c.accounts[0].logGroups[1].files = [{ path: "/var/log/app.log", timestampFormat: "%b %d" }];
      c.accounts[1].allLogGroups = {};
    });
    expect(config.accounts[0]).toMatchObject({
      roleArn: `arn:aws:iam::${PAYMENTS_ACCOUNT}:role/deploy`,
      silenceAlarm: false,
    });
    expect(config.accounts[0].logGroups[1].files).toStrictEqual([
      { path: "/var/log/app.log", timestampFormat: "%b %d" },
    ]);
    expect(config.accounts[1].allLogGroups).toStrictEqual({ exclude: [] });
  });

  test("each entry of a log group takes the next filter slot, in config order; other groups start at 0", () => {
    const config = resolved((c) =>
      c.accounts[0].logGroups.push({ name: "/app/payments/security", filterPattern: "x" }),
    );
    expect(config.accounts[0].logGroups.map((g) => [g.name, g.filterSlot])).toEqual([
      ["/var/log/messages", 0],
      ["/app/payments/security", 0],
      ["/app/payments/security", 1],
    ]);
    expect(config.accounts[1].logGroups.map((g) => g.filterSlot)).toEqual([0]);
  });

  test("archive: a named bucket, expiry and Object Lock as given", () => {
    const config = resolved(
      (c) =>
        (c.archive = {
          bucketName: "acme-archive",
          glacierAfterDays: 0,
          expireAfterDays: 400,
          objectLock: { mode: "COMPLIANCE", days: 365 },
          accessLogs: false,
        }),
    );
    expect(config.archive).toStrictEqual({
      bucketName: "acme-archive",
      glacierAfterDays: 0,
      expireAfterDays: 400,
      objectLock: { mode: "COMPLIANCE", days: 365 },
      accessLogs: false,
    });
  });

  test.each<[string, Change, SecLogConfig["stream"]]>([
    [
      "provisioned without shards: one shard",
      (c) => (c.stream = { mode: "provisioned" }),
      { mode: "provisioned", shards: 1, retentionHours: 168 },
    ],
    [
      "provisioned with shards",
      (c) => (c.stream = { mode: "provisioned", shards: 3, retentionHours: 24 }),
      { mode: "provisioned", shards: 3, retentionHours: 24 },
    ],
    ["on demand", (c) => (c.stream = { retentionHours: 8760 }), { mode: "on-demand", retentionHours: 8760 }],
  ])("stream %s", (_what, change, stream) => {
    expect(resolved(change).stream).toStrictEqual(stream);
  });

  test.each<[string, Change, SecLogConfig["delivery"]]>([
    [
      "raw: no processor settings",
      (c) => (c.delivery = { format: "raw", bufferSeconds: 0, bufferMiB: 1 }),
      { format: "raw", bufferSeconds: 0, bufferMiB: 1 },
    ],
    [
      "events with every setting",
      (c) => (c.delivery = { bufferSeconds: 60, bufferMiB: 128, processorConcurrency: 5, keepSource: true }),
      { format: "events", bufferSeconds: 60, bufferMiB: 128, processorConcurrency: 5, keepSource: true },
    ],
  ])("delivery %s", (_what, change, delivery) => {
    expect(resolved(change).delivery).toStrictEqual(delivery);
  });

  test.each<[string, Change, SecLogConfig["search"]]>([
    [
      "events, search unset: on with the defaults",
      () => undefined,
      { bytesScannedCutoff: 107_374_182_400, resultsExpireDays: 30, analystPrincipals: [] },
    ],
    [
      "events, search: {}: the same",
      (c) => (c.search = {}),
      { bytesScannedCutoff: 107_374_182_400, resultsExpireDays: 30, analystPrincipals: [] },
    ],
    ["events, search off", (c) => (c.search = { enabled: false, scanLimitGiB: 5 }), undefined],
    ["raw, search unset: off", (c) => (c.delivery = { format: "raw" }), undefined],
    [
      "raw, search off",
      (c) => ((c.delivery = { format: "raw" }), (c.search = { enabled: false })),
      undefined,
    ],
    [
      "events with every setting: 1 GiB is 1,073,741,824 bytes",
      (c) =>
        (c.search = {
          enabled: true,
          scanLimitGiB: 1,
          resultsExpireDays: 7,
          analystPrincipals: ["arn:aws:iam::444444444444:role/IncidentResponder"],
        }),
      {
        bytesScannedCutoff: 1_073_741_824,
        resultsExpireDays: 7,
        analystPrincipals: ["arn:aws:iam::444444444444:role/IncidentResponder"],
      },
    ],
  ])("search %s", (_what, change, search) => {
    expect(resolved(change).search).toStrictEqual(search);
  });

  test.each<[string, Change, SecLogConfig["state"]]>([
    [
      "s3, an existing bucket: the key prefix defaults to the prefix",
      (c) => (c.state = { backend: "s3", s3: STATE_BUCKET }),
      { backend: "s3", ...STATE_BUCKET, keyPrefix: "secops" },
    ],
    [
      "s3 with its own key prefix and role",
      (c) =>
        (c.state = {
          backend: "s3",
          s3: {
            ...STATE_BUCKET,
            keyPrefix: "seclog/state",
            roleArn: `arn:aws:iam::${SECURITY_ACCOUNT}:role/tf`,
          },
        }),
      {
        backend: "s3",
        ...STATE_BUCKET,
        keyPrefix: "seclog/state",
        roleArn: `arn:aws:iam::${SECURITY_ACCOUNT}:role/tf`,
      },
    ],
    ...["kms", undefined].map((encryption): [string, Change, SecLogConfig["state"]] => [
      `s3, bootstrapped, encryption ${encryption ?? "by default"}: the state key's alias and its ARN in the bucket's region`,
      (c) =>
        (c.state = {
          backend: "s3",
          s3: { ...STATE_BUCKET, bootstrap: true, ...(encryption ? { encryption } : {}) },
        }),
      {
        backend: "s3",
        ...STATE_BUCKET,
        keyPrefix: "secops",
        bootstrap: { encryption: "kms", keyAlias: "alias/secops-terraform-state" },
        kmsKeyId: `arn:aws:kms:eu-west-1:${SECURITY_ACCOUNT}:alias/secops-terraform-state`,
      },
    ]),
    [
      "s3, bootstrapped with S3-managed keys: no key",
      (c) => (c.state = { backend: "s3", s3: { ...STATE_BUCKET, bootstrap: true, encryption: "sse-s3" } }),
      { backend: "s3", ...STATE_BUCKET, keyPrefix: "secops", bootstrap: { encryption: "sse-s3" } },
    ],
    [
      "cloud with defaults",
      (c) => (c.state = { backend: "cloud", cloud: { organization: "acme" } }),
      { backend: "cloud", organization: "acme", workspacePrefix: "", hostname: "app.terraform.io" },
    ],
    [
      "cloud with every setting",
      (c) =>
        (c.state = {
          backend: "cloud",
          cloud: {
            organization: "acme",
            workspacePrefix: "seclog-",
            project: "security",
            hostname: "tfe.example.com",
          },
        }),
      {
        backend: "cloud",
        organization: "acme",
        workspacePrefix: "seclog-",
        project: "security",
        hostname: "tfe.example.com",
      },
    ],
  ])("state %s", (_what, change, state) => {
    expect(resolved(change).state).toStrictEqual(state);
  });

  test("alarms, notifications, organization and China", () => {
    const config = resolved((c) => {
      c.security = { accountId: SECURITY_ACCOUNT, region: "cn-north-1" };
      c.accounts[0].regions = ["cn-northwest-1"];
      c.organizationId = "o-a1b2c3d4e5";
      c.alarms = { email: "secops@example.com" };
      c.notifications = { sqs: true };
    });
    expect({
      partition: config.partition,
      organizationId: config.organizationId,
      alarms: config.alarms,
      objectNotifications: config.objectNotifications,
      regions: config.destinationRegions,
    }).toStrictEqual({
      partition: "aws-cn",
      organizationId: "o-a1b2c3d4e5",
      alarms: { email: "secops@example.com", silenceHours: 24 },
      objectNotifications: true,
      regions: ["cn-north-1", "cn-northwest-1"],
    });
    expect(resolved((c) => (c.notifications = {})).objectNotifications).toBe(false);
  });
});
