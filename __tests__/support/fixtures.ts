/**
 * Config documents for tests, as the user would write them. Each test starts
 * from `baseConfig()` and changes only what it is about.
 */
export const SECURITY_ACCOUNT = "111111111111";
export const PAYMENTS_ACCOUNT = "222222222222";
export const WEB_ACCOUNT = "333333333333";

export function baseConfig(): Record<string, any> {
  return {
    prefix: "secops",
    tags: { owner: "security" },
    security: { accountId: SECURITY_ACCOUNT, region: "us-east-1" },
    accounts: [
      {
        name: "payments-prod",
        accountId: PAYMENTS_ACCOUNT,
        regions: ["us-east-1", "eu-west-1"],
        logGroups: [
          { name: "/var/log/messages", create: true, retentionDays: 365 },
          { name: "/app/payments/security", filterPattern: '{ $.level = "ERROR" }' },
        ],
      },
      {
        name: "web-prod",
        accountId: WEB_ACCOUNT,
        logGroups: [{ name: "/var/log/nginx/access.log", create: true, retentionDays: 90 }],
        allLogGroups: { exclude: ["/aws/lambda/noisy"] },
      },
    ],
  };
}

/** An account outside the config whose responders run hunts (search.analystPrincipals). */
export const ANALYST_ACCOUNT = "444444444444";

/** A role and a user of another account, as `search.analystPrincipals` lists them. */
export const ANALYST_PRINCIPALS: readonly string[] = [
  `arn:aws:iam::${ANALYST_ACCOUNT}:role/IncidentResponder`,
  `arn:aws:iam::${ANALYST_ACCOUNT}:user/oncall`,
];

/** The config with the analyst role on: search as the events format has it, plus ANALYST_PRINCIPALS. */
export function withAnalysts(config: Record<string, any>): Record<string, any> {
  config.search = { ...config.search, analystPrincipals: [...ANALYST_PRINCIPALS] };
  return config;
}

/** Organization mode, three regions, Object Lock, provisioned stream, bootstrapped S3 state: every optional path at once. */
export function fullConfig(): Record<string, any> {
  const config = baseConfig();
  config.organizationId = "o-a1b2c3d4e5";
  config.security.roleArn = `arn:aws:iam::${SECURITY_ACCOUNT}:role/OrganizationAccountAccessRole`;
  config.archive = {
    glacierAfterDays: 30,
    expireAfterDays: 2555,
    objectLock: { mode: "COMPLIANCE", days: 365 },
  };
  config.stream = { mode: "provisioned", shards: 2, retentionHours: 48 };
  config.state = {
    backend: "s3",
    s3: {
      bucket: "tf-state-bucket",
      region: "us-east-1",
      keyPrefix: "seclog",
      roleArn: `arn:aws:iam::${SECURITY_ACCOUNT}:role/state`,
      bootstrap: true,
    },
  };
  config.accounts[0].roleArn = `arn:aws:iam::${PAYMENTS_ACCOUNT}:role/OrganizationAccountAccessRole`;
  config.accounts[1].regions = ["us-east-1", "ap-southeast-2"];
  config.alarms = { email: "secops@example.com", silenceHours: 12 };
  config.notifications = { sqs: true };
  return config;
}

/** An organisation-scale config: `count` accounts in three regions, organization mode, every third with allLogGroups. */
export function largeConfig(count = 30): Record<string, any> {
  return {
    prefix: "corp",
    security: { accountId: SECURITY_ACCOUNT, region: "us-east-1" },
    organizationId: "o-a1b2c3d4e5",
    alarms: { silenceHours: 24 },
    notifications: { sqs: true },
    accounts: Array.from({ length: count }, (_, i) => ({
      name: `app-${String(i).padStart(3, "0")}`,
      accountId: String(500000000000 + i),
      regions: ["us-east-1", "eu-west-1", "ap-southeast-2"],
      logGroups: [
        { name: "/var/log/messages", create: true, retentionDays: 365 },
        { name: "/var/log/secure", create: true, retentionDays: 365 },
        { name: `/app/service-${i}/security` },
      ],
      ...(i % 3 === 0 ? { allLogGroups: { exclude: ["/aws/lambda/healthcheck"] } } : {}),
    })),
  };
}

/**
 * AWS China (partition aws-cn): the security account in Beijing, one
 * application account shipping from Beijing and Ningxia, organization mode
 * (the sender role), alarms, SQS notifications, access logs and bootstrapped
 * S3 state, so every service principal and `kms:ViaService` value the
 * pipeline writes appears in one of its stacks.
 */
export function chinaConfig(): Record<string, any> {
  return {
    prefix: "secops",
    security: {
      accountId: SECURITY_ACCOUNT,
      region: "cn-north-1",
      roleArn: `arn:aws-cn:iam::${SECURITY_ACCOUNT}:role/OrganizationAccountAccessRole`,
    },
    organizationId: "o-a1b2c3d4e5",
    alarms: { email: "secops@example.com" },
    notifications: { sqs: true },
    state: {
      backend: "s3",
      s3: {
        bucket: "tf-state-bucket-cn",
        region: "cn-north-1",
        keyPrefix: "seclog",
        roleArn: `arn:aws-cn:iam::${SECURITY_ACCOUNT}:role/state`,
        bootstrap: true,
      },
    },
    accounts: [
      {
        name: "payments-prod",
        accountId: PAYMENTS_ACCOUNT,
        roleArn: `arn:aws-cn:iam::${PAYMENTS_ACCOUNT}:role/OrganizationAccountAccessRole`,
        regions: ["cn-north-1", "cn-northwest-1"],
        logGroups: [{ name: "/var/log/messages", create: true, retentionDays: 365 }],
      },
    ],
  };
}
