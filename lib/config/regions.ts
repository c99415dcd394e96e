/**
 * AWS Regions a pipeline may use, grouped by partition. A typo such as
 * `us-est-1` must fail config validation, not `terraform plan` an hour later,
 * so regions are checked against this list rather than a pattern.
 */
const REGIONS_BY_PARTITION: Record<Partition, readonly string[]> = {
  aws: [
    "af-south-1",
    "ap-east-1",
    "ap-east-2",
    "ap-northeast-1",
    "ap-northeast-2",
    "ap-northeast-3",
    "ap-south-1",
    "ap-south-2",
    "ap-southeast-1",
    "ap-southeast-2",
    "ap-southeast-3",
    "ap-southeast-4",
    "ap-southeast-5",
    "ap-southeast-7",
    "ca-central-1",
    "ca-west-1",
    "eu-central-1",
    "eu-central-2",
    "eu-north-1",
    "eu-south-1",
    "eu-south-2",
    "eu-west-1",
    "eu-west-2",
    "eu-west-3",
    "il-central-1",
    "me-central-1",
    "me-south-1",
    "mx-central-1",
    "sa-east-1",
    "us-east-1",
    "us-east-2",
    "us-west-1",
    "us-west-2",
  ],
  // Beijing and Ningxia; ARNs there start `arn:aws-cn:` ("ARNs for Amazon Web Services in China",
  // https://docs.amazonaws.cn/en_us/aws/latest/userguide/ARNs.html). DNS suffixes and service
  // principals per partition: ../partition.ts.
  "aws-cn": ["cn-north-1", "cn-northwest-1"],
  "aws-us-gov": ["us-gov-east-1", "us-gov-west-1"],
};

export type Partition = "aws" | "aws-cn" | "aws-us-gov";

export const KNOWN_REGIONS: readonly string[] = Object.values(REGIONS_BY_PARTITION).flat().sort();

export function isKnownRegion(region: string): boolean {
  return KNOWN_REGIONS.includes(region);
}

/** The ARN partition of a Region; ARNs we derive for other accounts depend on it. */
export function partitionOf(region: string): Partition {
  for (const [partition, regions] of Object.entries(REGIONS_BY_PARTITION)) {
    if (regions.includes(region)) return partition as Partition;
  }
  throw new Error(`unknown region ${region}`);
}
