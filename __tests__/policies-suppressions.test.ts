import { baseConfig, fullConfig } from "./support/fixtures";
import { suppressionsOf, synthesizedFiles } from "./support/policies";

/**
 * Every rule exemption the stacks carry, read from the real cdk.tf.json
 * (Testing.synth strips the `//` metadata they are written to, so a test on
 * its output cannot see them): exactly these resources, these rules, these
 * reasons. A new suppression, or one that silently disappears, fails here.
 */
const LAMBDA_TRUST =
  "Lambda assumes its execution role only for functions that name it; AWS documents no confused-deputy condition keys for execution roles";
const SENDER_TRUST =
  "AWS documents this role's trust without a condition and documents no aws:SourceArn or aws:SourceAccount for it; only identities allowed iam:PassRole on it can name it in a filter, and it may only write this account's own log groups in the regions it ships from";
const ACCESS_LOGS_SSE = "S3 server access log delivery supports only SSE-S3 on the target bucket";
const ACCESS_LOGS_UNVERSIONED =
  "S3 log delivery writes each access log object once under a new key (nothing is overwritten to recover), the lifecycle expires them, and the archive they describe is versioned";
const STATE_SSE_S3 = "state.s3.encryption: sse-s3 was chosen in the config";
const STATE_TRUST =
  "trusts the stack's own application account, not a third party (sts:ExternalId is for third parties: https://docs.aws.amazon.com/IAM/latest/UserGuide/id_roles_create_for-user_externalid.html); that account's IAM picks who assumes it, and it reaches only this stack's state";

/** The security stack's exemptions with the access-log bucket (archive.accessLogs, on by default). */
const ACCESS_LOGS = {
  "aws_s3_bucket.AccessLogs_Bucket_FB91B785": { S3_BUCKET_VERSIONED: ACCESS_LOGS_UNVERSIONED },
  "aws_s3_bucket_server_side_encryption_configuration.AccessLogs_Encryption_069A4CD5": {
    S3_SSE_KMS: ACCESS_LOGS_SSE,
  },
};
const PROCESSOR = { "aws_iam_role.Processor_Role_59F44976": { IAM_SERVICE_TRUST_CONDITION: LAMBDA_TRUST } };
/** With alarms or notifications: their key may be destroyed with them (turning both off). */
const NOTIFICATIONS_KEY = {
  "aws_kms_key.NotificationsKey_1DC6809C": {
    KMS_KEY_PROTECTED:
      "encrypts only the alarm topic and the object notification queue, messages in flight: turning alarms and notifications off deletes them, and the key goes with them (KMS waits 30 days)",
  },
};
/** Search (on by default with the events format): the results bucket and its key go when search is turned off. */
const SEARCH = {
  "aws_kms_key.SearchResultsKey_0005A591": {
    KMS_KEY_PROTECTED:
      "encrypts only Athena query results, copies of archive rows that expire: turning search off deletes them, and the key goes with them (KMS waits 30 days)",
  },
  "aws_s3_bucket.SearchResults_Bucket_69000AC3": {
    S3_BUCKET_PREVENT_DESTROY:
      "holds only Athena query results, copies of archive rows that expire: turning search off deletes the bucket and its results, never evidence",
  },
};
const STATE_ROLES = {
  "aws_iam_role.StateAccess_payments-prod_Role_60F15FAA": { IAM_ACCOUNT_TRUST_CONDITION: STATE_TRUST },
  "aws_iam_role.StateAccess_web-prod_Role_6BB6662C": { IAM_ACCOUNT_TRUST_CONDITION: STATE_TRUST },
};

describe("rule suppressions in the synthesized files", () => {
  test("account lists, events format: the processor's trust, the access-log bucket's SSE-S3 and versioning, the search results bucket and key, nothing else", () => {
    const stacks = synthesizedFiles(baseConfig(), "suppressions-base");
    expect(
      Object.fromEntries(Object.entries(stacks).map(([name, stack]) => [name, suppressionsOf(stack)])),
    ).toEqual({
      security: { ...PROCESSOR, ...ACCESS_LOGS, ...SEARCH },
      "payments-prod": {},
      "web-prod": {},
    });
  });

  test("organization mode, bootstrapped KMS state, alarms: each sender role's trust, each state role's account trust and the notifications key as well", () => {
    const stacks = synthesizedFiles(fullConfig(), "suppressions-full");
    const sender = { "aws_iam_role.SenderRole_5B8E7289": { IAM_SERVICE_TRUST_CONDITION: SENDER_TRUST } };
    expect(
      Object.fromEntries(Object.entries(stacks).map(([name, stack]) => [name, suppressionsOf(stack)])),
    ).toEqual({
      state: STATE_ROLES,
      security: { ...PROCESSOR, ...ACCESS_LOGS, ...NOTIFICATIONS_KEY, ...SEARCH },
      "payments-prod": sender,
      "web-prod": sender,
    });
  });

  test("raw format without access logs, bootstrapped SSE-S3 state: only the state roles' trust and the state bucket's SSE-S3", () => {
    const config = baseConfig();
    config.delivery = { format: "raw" };
    config.archive = { accessLogs: false };
    config.state = {
      backend: "s3",
      s3: { bucket: "acme-tf-state", region: "eu-west-1", bootstrap: true, encryption: "sse-s3" },
    };
    const stacks = synthesizedFiles(config, "suppressions-raw");
    expect(
      Object.fromEntries(Object.entries(stacks).map(([name, stack]) => [name, suppressionsOf(stack)])),
    ).toEqual({
      state: {
        ...STATE_ROLES,
        "aws_s3_bucket_server_side_encryption_configuration.StateBucket_Encryption_CC69B780": {
          S3_SSE_KMS: STATE_SSE_S3,
        },
      },
      security: {},
      "payments-prod": {},
      "web-prod": {},
    });
  });
});
