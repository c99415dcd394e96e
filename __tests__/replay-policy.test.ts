import { parseConfig } from "../lib/config/load";
import { replayPolicy } from "../lib/replay";
import { baseConfig, SECURITY_ACCOUNT } from "./support/fixtures";
import { ReplayPolicies, replayRows, simulateRows } from "./support/iam-rows";
import { policyOf, resourcesOf, synthStacks } from "./support/synth";

const config = parseConfig(baseConfig(), "base.json");
const BUCKET = `arn:aws:s3:::secops-security-logs-${SECURITY_ACCOUNT}`;

describe("replay identity policy (npm run replay -- --print-policy)", () => {
  test("exactly: list the error and events prefixes, read error objects, write events objects, the archive key through S3 for the bucket", () => {
    expect(replayPolicy(config)).toEqual({
      Version: "2012-10-17",
      Statement: [
        {
          Sid: "ListErrorAndEventsKeys",
          Effect: "Allow",
          Action: "s3:ListBucket",
          Resource: BUCKET,
          Condition: { StringLike: { "s3:prefix": ["errors/processing-failed/*", "events/*"] } },
        },
        {
          Sid: "ReadProcessingFailedRecords",
          Effect: "Allow",
          Action: "s3:GetObject",
          Resource: `${BUCKET}/errors/processing-failed/*`,
        },
        {
          Sid: "WriteReplayedEvents",
          Effect: "Allow",
          Action: "s3:PutObject",
          Resource: `${BUCKET}/events/*`,
        },
        {
          Sid: "UseArchiveKeyThroughS3",
          Effect: "Allow",
          Action: ["kms:Decrypt", "kms:GenerateDataKey"],
          Resource: `arn:aws:kms:us-east-1:${SECURITY_ACCOUNT}:key/*`,
          Condition: {
            StringEquals: { "kms:ViaService": "s3.us-east-1.amazonaws.com" },
            "ForAnyValue:StringEquals": { "kms:ResourceAliases": "alias/secops-archive" },
            StringLike: { "kms:EncryptionContext:aws:s3:arn": [BUCKET, `${BUCKET}/*`] },
          },
        },
      ],
    });
  });

  test("partition-aware: aws-cn ARNs, and kms:ViaService with .amazonaws.com", () => {
    const raw = baseConfig();
    raw.security.region = "cn-north-1";
    raw.accounts = raw.accounts.map((a: Record<string, unknown>) => ({ ...a, regions: ["cn-north-1"] }));
    const statements = replayPolicy(parseConfig(raw, "cn.json")).Statement;
    expect(statements.map((s) => s.Resource)).toEqual([
      `arn:aws-cn:s3:::secops-security-logs-${SECURITY_ACCOUNT}`,
      `arn:aws-cn:s3:::secops-security-logs-${SECURITY_ACCOUNT}/errors/processing-failed/*`,
      `arn:aws-cn:s3:::secops-security-logs-${SECURITY_ACCOUNT}/events/*`,
      `arn:aws-cn:kms:cn-north-1:${SECURITY_ACCOUNT}:key/*`,
    ]);
    expect(statements[3].Condition!.StringEquals).toEqual({
      "kms:ViaService": "s3.cn-north-1.amazonaws.com",
    });
  });
});

describe("IAM simulation of the replay identity", () => {
  const policies: ReplayPolicies = {
    accountId: SECURITY_ACCOUNT,
    region: "us-east-1",
    bucketArn: BUCKET,
    keyArn: `arn:aws:kms:us-east-1:${SECURITY_ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab`,
    keyAlias: "alias/secops-archive",
    identity: replayPolicy(config) as unknown as ReplayPolicies["identity"],
    keyPolicy: policyOf(
      resourcesOf(synthStacks(baseConfig()).security, "aws_kms_key").find(([id]) =>
        id.startsWith("ArchiveKey"),
      )![1].policy,
    ) as ReplayPolicies["keyPolicy"],
  };
  const rows = replayRows();

  simulateRows("%s", rows, policies);
});
