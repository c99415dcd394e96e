import { baseConfig, SECURITY_ACCOUNT } from "./support/fixtures";
import { AnalystPolicies, analystRows, simulateRows } from "./support/iam-rows";
import { Policy } from "./support/planned-policies";
import { resourcesOf, StackJson, synthStacks } from "./support/synth";

const ROLE_NAME = "secops-security-logs-analyst";
const POLICY_NAME = "search-security-logs";
const RESPONDER = "arn:aws:iam::444444444444:role/IncidentResponder";
const SECOPS = `arn:aws:iam::${SECURITY_ACCOUNT}:role/aws-reserved/sso.amazonaws.com/SecOps`;
const ARCHIVE = `arn:aws:s3:::secops-security-logs-${SECURITY_ACCOUNT}`;
const RESULTS = `arn:aws:s3:::secops-athena-results-${SECURITY_ACCOUNT}`;
const GLUE = `arn:aws:glue:us-east-1:${SECURITY_ACCOUNT}`;

/** A key's id is the one value nobody can predict: a placeholder per key, by construct id. */
const KEY_IDS: Record<string, string> = {
  ArchiveKey: "1234abcd-12ab-34cd-56ef-1234567890ab",
  SearchResultsKey: "5678efab-56ef-78ab-90cd-5678901234ef",
  StreamKey: "9abc0123-9abc-0123-4567-9abc01234567",
};
const keyArn = (construct: string) => `arn:aws:kms:us-east-1:${SECURITY_ACCOUNT}:key/${KEY_IDS[construct]}`;
const ARCHIVE_KEY = keyArn("ArchiveKey");
const RESULTS_KEY = keyArn("SearchResultsKey");

function configWith(changes: Record<string, unknown>): Record<string, any> {
  return { ...baseConfig(), ...changes };
}

/**
 * A policy as synthesized, each `${...}` reference replaced by the ARN AWS
 * would give: a bucket's from its name, a key's with its placeholder id.
 */
function resolved(stack: StackJson, json: string): Policy {
  return JSON.parse(
    json.replace(/\$\{([a-z0-9_]+)\.([A-Za-z0-9_-]+)\.([a-z_]+)\}/g, (reference, type, id, attribute) => {
      const construct = String(id).split("_")[0];
      if (type === "aws_s3_bucket" && attribute === "arn" && stack.resource.aws_s3_bucket?.[id])
        return `arn:aws:s3:::${stack.resource.aws_s3_bucket[id].bucket}`;
      if (
        type === "aws_kms_key" &&
        attribute === "arn" &&
        stack.resource.aws_kms_key?.[id] &&
        KEY_IDS[construct]
      )
        return keyArn(construct);
      throw new Error(`unresolvable reference ${reference}`);
    }),
  );
}

function analystRoles(stack: StackJson): Array<[string, Record<string, any>]> {
  return resourcesOf(stack, "aws_iam_role").filter(([, role]) => role.name === ROLE_NAME);
}

function keyOf(stack: StackJson, construct: string) {
  const found = resourcesOf(stack, "aws_kms_key").filter(([id]) => id.split("_")[0] === construct);
  if (found.length !== 1) throw new Error(`expected one ${construct}, found ${found.length}`);
  return { keyArn: keyArn(construct), keyPolicy: resolved(stack, found[0][1].policy) };
}

const stacks = synthStacks(configWith({ search: { analystPrincipals: [RESPONDER, SECOPS] } }));
const security = stacks.security;
const [roleId, role] = analystRoles(security)[0] ?? [];
const inlinePolicies = resourcesOf(security, "aws_iam_role_policy").filter(
  ([, policy]) => policy.role === `\${aws_iam_role.${roleId}.id}`,
);

describe("analyst role (search.analystPrincipals)", () => {
  test("one role, in the security stack only, with exactly one inline policy and nothing attached", () => {
    expect(analystRoles(security)).toHaveLength(1);
    for (const [name, stack] of Object.entries(stacks))
      if (name !== "security") expect(analystRoles(stack)).toEqual([]);
    // No managed policy ARNs, no inline_policy block, no permissions boundary to widen or narrow it.
    expect(Object.keys(role).sort()).toEqual(["assume_role_policy", "description", "name", "provider"]);
    expect(role.description).toBe(
      "Runs the saved hunts of the security log archive; reads events/, writes only query results",
    );
    expect(inlinePolicies.map(([, policy]) => policy.name)).toEqual([POLICY_NAME]);
    const attached = Object.values(security.resource)
      .flatMap((resources) => Object.values(resources))
      .filter((resource) => JSON.stringify(resource).includes(`aws_iam_role.${roleId}.`));
    expect(attached).toEqual([inlinePolicies[0][1]]);
    expect(security.output!.analyst_role_arn).toEqual({
      value: `\${aws_iam_role.${roleId}.arn}`,
      description: "Role the configured analysts assume to run hunts",
    });
  });

  test("permissions, exactly: queries in the search workgroup, the three events tables, events/ and the results, the keys through S3", () => {
    expect(resolved(security, inlinePolicies[0][1].policy)).toEqual({
      Version: "2012-10-17",
      Statement: [
        {
          Sid: "RunQueriesInTheSearchWorkgroup",
          Effect: "Allow",
          Action: [
            "athena:BatchGetNamedQuery",
            "athena:BatchGetQueryExecution",
            "athena:GetNamedQuery",
            "athena:GetQueryExecution",
            "athena:GetQueryResults",
            "athena:GetWorkGroup",
            "athena:ListNamedQueries",
            "athena:ListQueryExecutions",
            "athena:StartQueryExecution",
            "athena:StopQueryExecution",
          ],
          Resource: `arn:aws:athena:us-east-1:${SECURITY_ACCOUNT}:workgroup/secops-security-logs`,
        },
        {
          Sid: "ReadTheEventsTables",
          Effect: "Allow",
          Action: ["glue:GetDatabase", "glue:GetTable"],
          Resource: [
            `${GLUE}:catalog`,
            `${GLUE}:database/secops_security_logs`,
            `${GLUE}:table/secops_security_logs/events`,
            `${GLUE}:table/secops_security_logs/events_by_account`,
            `${GLUE}:table/secops_security_logs/events_by_log_group`,
          ],
        },
        {
          Sid: "ReadArchivedEvents",
          Effect: "Allow",
          Action: "s3:GetObject",
          Resource: `${ARCHIVE}/events/*`,
        },
        {
          Sid: "ListArchivedEvents",
          Effect: "Allow",
          Action: "s3:ListBucket",
          Resource: ARCHIVE,
          Condition: { StringLike: { "s3:prefix": "events/*" } },
        },
        {
          Sid: "LocateBuckets",
          Effect: "Allow",
          Action: "s3:GetBucketLocation",
          Resource: [ARCHIVE, RESULTS],
        },
        {
          Sid: "ListQueryResults",
          Effect: "Allow",
          Action: ["s3:ListBucket", "s3:ListBucketMultipartUploads"],
          Resource: RESULTS,
        },
        {
          Sid: "ReadAndWriteQueryResults",
          Effect: "Allow",
          Action: ["s3:AbortMultipartUpload", "s3:GetObject", "s3:ListMultipartUploadParts", "s3:PutObject"],
          Resource: `${RESULTS}/*`,
        },
        {
          Sid: "DecryptArchiveThroughS3",
          Effect: "Allow",
          Action: "kms:Decrypt",
          Resource: ARCHIVE_KEY,
          Condition: { StringEquals: { "kms:ViaService": "s3.us-east-1.amazonaws.com" } },
        },
        {
          Sid: "EncryptQueryResultsThroughS3",
          Effect: "Allow",
          Action: ["kms:Decrypt", "kms:GenerateDataKey"],
          Resource: RESULTS_KEY,
          Condition: { StringEquals: { "kms:ViaService": "s3.us-east-1.amazonaws.com" } },
        },
      ],
    });
  });

  test("trust, exactly: the listed principals' accounts, narrowed to the listed ARNs by aws:PrincipalArn", () => {
    expect(resolved(security, role.assume_role_policy)).toEqual({
      Version: "2012-10-17",
      Statement: [
        {
          Sid: "ConfiguredAnalystsAssume",
          Effect: "Allow",
          Principal: { AWS: [`arn:aws:iam::${SECURITY_ACCOUNT}:root`, "arn:aws:iam::444444444444:root"] },
          Action: "sts:AssumeRole",
          Condition: { ArnEquals: { "aws:PrincipalArn": [SECOPS, RESPONDER] } },
        },
      ],
    });
  });
});

describe("no analyst role", () => {
  test.each<[string, Record<string, unknown>, boolean]>([
    ["search.analystPrincipals empty", { search: { analystPrincipals: [] } }, true],
    ["search.analystPrincipals absent", { search: {} }, true],
    ["no search block", {}, true],
    ["format raw (search off), no search block", { delivery: { format: "raw" } }, false],
    ["search.enabled false", { search: { enabled: false } }, false],
  ])("%s", (_name, changes, searchOn) => {
    const synthesized = synthStacks(configWith(changes));
    for (const stack of Object.values(synthesized)) {
      expect(analystRoles(stack)).toEqual([]);
      expect(resourcesOf(stack, "aws_iam_role_policy").filter(([, p]) => p.name === POLICY_NAME)).toEqual([]);
      expect(Object.keys(stack.output ?? {})).not.toContain("analyst_role_arn");
    }
    // The role is what is missing, not the search: the workgroup is there exactly when search is on.
    expect(Object.keys(synthesized.security.output ?? {}).includes("search_workgroup")).toBe(searchOn);
  });
});

describe("IAM simulation of the analyst role", () => {
  const policies: AnalystPolicies = {
    accountId: SECURITY_ACCOUNT,
    region: "us-east-1",
    roleArn: `arn:aws:iam::${SECURITY_ACCOUNT}:role/${ROLE_NAME}`,
    workgroupName: "secops-security-logs",
    databaseName: "secops_security_logs",
    archive: { bucketArn: ARCHIVE, ...keyOf(security, "ArchiveKey") },
    results: { bucketArn: RESULTS, ...keyOf(security, "SearchResultsKey") },
    streamKey: keyOf(security, "StreamKey"),
    permissions: resolved(security, inlinePolicies[0][1].policy),
    trust: resolved(security, role.assume_role_policy),
  };
  const rows = analystRows({
    listed: [RESPONDER, SECOPS],
    otherRole: "arn:aws:iam::444444444444:role/Developer",
    accountRoot: "arn:aws:iam::444444444444:root",
    sameNameElsewhere: "arn:aws:iam::555555555555:role/IncidentResponder",
    session: {
      arn: "arn:aws:sts::444444444444:assumed-role/IncidentResponder/alice",
      roleArn: RESPONDER,
    },
    sameAccountListed: SECOPS,
  });

  simulateRows("%s", rows, policies);
});
