import { Partition, partitionOf } from "./config/regions";

/**
 * The one place that knows how names differ between AWS partitions (aws,
 * aws-cn, aws-us-gov): the endpoint DNS suffix, the service principals and
 * the `kms:ViaService` values every policy of the pipeline uses. Pure; nothing
 * outside lib/config is imported.
 *
 * What AWS documents, per name:
 *
 * - Endpoint DNS suffix: `amazonaws.com` in aws and aws-us-gov,
 *   `amazonaws.com.cn` in aws-cn ("The endpoint domain for both the Beijing
 *   and Ningxia Regions is amazonaws.com.cn", AWS General Reference, "Beijing
 *   Region Endpoints" / "Ningxia Region Endpoints",
 *   https://docs.amazonaws.cn/en_us/general/latest/gr/endpoints-Beijing.html).
 *
 * - Service principals: "usually in the following format:
 *   service-name.amazonaws.com" (IAM User Guide, "AWS JSON policy elements:
 *   Principal", section "AWS service principals",
 *   https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html#principal-services),
 *   in every partition: AWS CDK dropped its per-region table because "all
 *   service principals names have been standardized to their global form
 *   (SERVICE.amazonaws.com)" (aws-cdk-lib cx-api features.ts,
 *   `@aws-cdk/aws-iam:standardizedServicePrincipals`). The exceptions that
 *   remain are the ones the Terraform AWS provider we pin (hashicorp/aws
 *   5.100.0) applies in its `aws_service_principal` data source
 *   (internal/service/meta/service_principal_data_source.go,
 *   `servicePrincipalNameForPartition`, taken from aws-cdk-lib
 *   region-info/lib/default.ts): in aws-cn, `codedeploy`, `elasticmapreduce`
 *   and `logs` carry the partition suffix, e.g. `logs.amazonaws.com.cn` and
 *   `logs.cn-north-1.amazonaws.com.cn` (registry docs: "logs.cn-north-1.amazonaws.com.cn
 *   in AWS China"). Of the services this pipeline names, only `logs` is one
 *   of them; Lambda rejects `logs.cn-north-1.amazonaws.com` as "The provided
 *   principal was invalid" in cn-north-1 (serverless/serverless#7589, #12087).
 *   GovCloud has no exception for any service we use.
 *
 * - `kms:ViaService`: NOT the endpoint host. "Use the .amazonaws.com suffix
 *   of the AWS KMS ViaService name in all AWS partitions" (AWS KMS Developer
 *   Guide, "AWS KMS condition keys", kms:ViaService, "Services that support
 *   the kms:ViaService condition key",
 *   https://docs.aws.amazon.com/kms/latest/developerguide/conditions-kms.html#conditions-kms-via-service):
 *   `s3.cn-north-1.amazonaws.com`, `kinesis.cn-north-1.amazonaws.com`.
 */

/** The endpoint DNS suffix of each partition. */
export const DNS_SUFFIX: Readonly<Record<Partition, string>> = {
  aws: "amazonaws.com",
  "aws-cn": "amazonaws.com.cn",
  "aws-us-gov": "amazonaws.com",
};

/** Every AWS service the pipeline names as a principal or in `kms:ViaService`. */
export type PipelineService = "logs" | "firehose" | "lambda" | "cloudwatch" | "s3" | "logging.s3" | "kinesis";

/** The suffix AWS documents for service principals in every partition. */
const GLOBAL_PRINCIPAL_SUFFIX = "amazonaws.com";

/** Services whose principal carries the partition's DNS suffix (hashicorp/aws `aws_service_principal`, see above). */
const PARTITIONAL_PRINCIPALS: Readonly<Record<Partition, ReadonlySet<PipelineService>>> = {
  aws: new Set(),
  "aws-cn": new Set(["logs"]),
  "aws-us-gov": new Set(),
};

function principalSuffix(service: PipelineService, partition: Partition): string {
  return PARTITIONAL_PRINCIPALS[partition].has(service) ? DNS_SUFFIX[partition] : GLOBAL_PRINCIPAL_SUFFIX;
}

/** The service principal of `service` in a partition, e.g. `firehose.amazonaws.com`, `logs.amazonaws.com.cn`. */
export function servicePrincipal(service: PipelineService, partition: Partition): string {
  return `${service}.${principalSuffix(service, partition)}`;
}

/**
 * The regional form of a service principal (`logs.<region>.<suffix>`), which
 * CloudWatch Logs uses to encrypt log groups with a KMS key (CloudWatch Logs
 * User Guide, "Encrypt log data in CloudWatch Logs using AWS Key Management
 * Service": `"Service": "logs.region.amazonaws.com"`).
 */
export function regionalServicePrincipal(service: PipelineService, region: string): string {
  return `${service}.${region}.${principalSuffix(service, partitionOf(region))}`;
}

/** The endpoint host of a service in a region: `s3.cn-north-1.amazonaws.com.cn`. Not a `kms:ViaService` value. */
export function endpointHost(service: PipelineService, region: string): string {
  return `${service}.${region}.${DNS_SUFFIX[partitionOf(region)]}`;
}

/** The `kms:ViaService` value of a service in a region: `.amazonaws.com` in every partition (KMS docs, above). */
export function viaService(service: "s3" | "kinesis", region: string): string {
  partitionOf(region); // an unknown region throws here, as everywhere else
  return `${service}.${region}.${GLOBAL_PRINCIPAL_SUFFIX}`;
}
