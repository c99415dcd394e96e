/**
 * The analyst role's two policies, as data (modules/analyst-role.ts attaches
 * them): who may assume it, and what it may do: run queries in the search
 * workgroup, read the events tables, read `events/` of the archive and the
 * query results, decrypt through S3 only. Nothing else: no write to the
 * archive, no delete anywhere, not `errors/` or `source/`, no other bucket,
 * workgroup or table, no direct use of a key.
 */
import { PolicyDocument, policyDocument } from "../iam/policy";
import { Partition } from "../config/regions";
import { viaService } from "../partition";
import { EVENTS_PREFIX } from "../pipeline";

export interface AnalystPolicyProps {
  readonly partition: Partition;
  readonly region: string;
  readonly accountId: string;
  readonly workgroupName: string;
  readonly databaseName: string;
  readonly tableNames: readonly string[];
  readonly archive: { readonly bucketArn: string; readonly keyArn: string };
  readonly results: { readonly bucketArn: string; readonly keyArn: string };
}

/**
 * Athena runs a query with the caller's own permissions: the Athena actions
 * on the workgroup, `glue:GetDatabase`/`GetTable` on the catalog objects it
 * reads, `s3:GetObject`/`ListBucket`/`GetBucketLocation` on the data, and on
 * the results location also `s3:PutObject`, `AbortMultipartUpload` and
 * `ListMultipartUploadParts` (Athena User Guide, "Control access to Amazon S3
 * from Athena" and "Access to workgroups",
 * https://docs.aws.amazon.com/athena/latest/ug/s3-permissions.html,
 * https://docs.aws.amazon.com/athena/latest/ug/workgroups-access.html), and
 * for SSE-KMS data and results `kms:Decrypt` and `kms:GenerateDataKey`
 * (Athena User Guide, "Permissions to encrypted data in Amazon S3",
 * https://docs.aws.amazon.com/athena/latest/ug/encryption.html#permissions-for-encrypting-and-decrypting-data).
 * Keys are usable only when S3 asks on the analyst's behalf (kms:ViaService).
 */
export function analystPermissions(props: AnalystPolicyProps): PolicyDocument {
  const { partition, region, accountId } = props;
  const glue = `arn:${partition}:glue:${region}:${accountId}`;
  const s3Only = { StringEquals: { "kms:ViaService": viaService("s3", region) } };
  return policyDocument(
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
      Resource: `arn:${partition}:athena:${region}:${accountId}:workgroup/${props.workgroupName}`,
    },
    {
      Sid: "ReadTheEventsTables",
      Effect: "Allow",
      Action: ["glue:GetDatabase", "glue:GetTable"],
      Resource: [
        `${glue}:catalog`,
        `${glue}:database/${props.databaseName}`,
        ...props.tableNames.map((table) => `${glue}:table/${props.databaseName}/${table}`),
      ],
    },
    {
      Sid: "ReadArchivedEvents",
      Effect: "Allow",
      Action: "s3:GetObject",
      Resource: `${props.archive.bucketArn}/${EVENTS_PREFIX}*`,
    },
    {
      Sid: "ListArchivedEvents",
      Effect: "Allow",
      Action: "s3:ListBucket",
      Resource: props.archive.bucketArn,
      Condition: { StringLike: { "s3:prefix": `${EVENTS_PREFIX}*` } },
    },
    {
      Sid: "LocateBuckets",
      Effect: "Allow",
      Action: "s3:GetBucketLocation",
      Resource: [props.archive.bucketArn, props.results.bucketArn],
    },
    {
      Sid: "ListQueryResults",
      Effect: "Allow",
      Action: ["s3:ListBucket", "s3:ListBucketMultipartUploads"],
      Resource: props.results.bucketArn,
    },
    {
      Sid: "ReadAndWriteQueryResults",
      Effect: "Allow",
      Action: ["s3:AbortMultipartUpload", "s3:GetObject", "s3:ListMultipartUploadParts", "s3:PutObject"],
      Resource: `${props.results.bucketArn}/*`,
    },
    {
      Sid: "DecryptArchiveThroughS3",
      Effect: "Allow",
      Action: "kms:Decrypt",
      Resource: props.archive.keyArn,
      Condition: s3Only,
    },
    {
      Sid: "EncryptQueryResultsThroughS3",
      Effect: "Allow",
      Action: ["kms:Decrypt", "kms:GenerateDataKey"],
      Resource: props.results.keyArn,
      Condition: s3Only,
    },
  );
}

/**
 * Exactly the configured principals may assume the role. The principal is
 * each one's account, narrowed to the listed ARNs by `aws:PrincipalArn`:
 * naming a role ARN as the Principal would break silently if that role were
 * deleted and recreated ("If your Principal element in a role trust policy
 * contains an ARN that points to a specific IAM role, then that ARN transforms
 * to the role unique principal ID when you save the policy", IAM User Guide,
 * "AWS JSON policy elements: Principal",
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html#principal-roles),
 * while `aws:PrincipalArn` is compared at each request.
 */
export function analystTrust(partition: Partition, principalArns: readonly string[]): PolicyDocument {
  const accounts = [...new Set(principalArns.map((arn) => arn.split(":")[4]))].sort();
  return policyDocument({
    Sid: "ConfiguredAnalystsAssume",
    Effect: "Allow",
    Principal: { AWS: accounts.map((account) => `arn:${partition}:iam::${account}:root`) },
    Action: "sts:AssumeRole",
    Condition: { ArnEquals: { "aws:PrincipalArn": [...principalArns].sort() } },
  });
}
