import { Construct } from "constructs";
import { AssetType, TerraformAsset } from "cdktf";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { CloudwatchLogGroup } from "@cdktf/provider-aws/lib/cloudwatch-log-group";
import { LambdaFunction } from "@cdktf/provider-aws/lib/lambda-function";
import { policyDocument } from "../lib/iam/policy";
import { Partition } from "../lib/config/regions";
import { servicePrincipal } from "../lib/partition";
import { serviceRole } from "./service-role";
import { LambdaPackage } from "../lib/bundle";
import { suppressRule } from "../lib/rules/pack";
import { FIREHOSE_PROCESSOR_MAX_TIMEOUT_SECONDS } from "../lib/aws-limits";
import { PROCESSOR_MEMORY_MIB } from "../lib/pipeline";
import { requireAtLeast, requireAtMost } from "./validate";

export interface ProcessorFunctionProps {
  readonly provider: AwsProvider;
  readonly partition: Partition;
  readonly functionName: string;
  readonly roleName: string;
  /** `/aws/lambda/<functionName>`: created here so it has retention and encryption. */
  readonly logGroupName: string;
  readonly logKmsKeyArn: string;
  /** @default 365 */
  readonly logRetentionDays?: number;
  readonly code: LambdaPackage;
  /**
   * Reserved concurrency: guarantees Firehose can invoke it, and caps it.
   * Lambda only lets a function reserve what leaves the account 100
   * unreserved ("You can reserve up to the Unreserved account concurrency
   * value ... minus 100", docs.aws.amazon.com/lambda/latest/dg/configuration-concurrency.html),
   * so new accounts with a quota of 10 cannot reserve any: opt-in.
   * @default none: the function draws on the account's unreserved pool
   */
  readonly reservedConcurrency?: number;
  /** @default PROCESSOR_MEMORY_MIB (lib/pipeline.ts, which the capacity model prices) */
  readonly memoryMiB?: number;
  /** CloudWatch namespace of the per-account events metric the function logs (EMF). */
  readonly metricNamespace: string;
  /** At most FIREHOSE_PROCESSOR_MAX_TIMEOUT_SECONDS: Firehose waits no longer for a transformation. @default 60 */
  readonly timeoutSeconds?: number;
}

/**
 * The Firehose processor Lambda: no VPC (it calls nothing), its own role that
 * may only write its own log group, and a pre-created log group with retention.
 */
export class ProcessorFunction extends Construct {
  readonly function: LambdaFunction;

  constructor(scope: Construct, id: string, props: ProcessorFunctionProps) {
    super(scope, id);
    const timeout = props.timeoutSeconds ?? 60;
    requireAtMost(
      this,
      "timeoutSeconds",
      timeout,
      FIREHOSE_PROCESSOR_MAX_TIMEOUT_SECONDS,
      "Firehose waits at most 5 minutes for a transformation Lambda",
    );
    if (props.reservedConcurrency !== undefined)
      requireAtLeast(
        this,
        "reservedConcurrency",
        props.reservedConcurrency,
        1,
        "a reservation of 0 stops every invocation; omit it to use the unreserved pool",
      );
    const provider = props.provider;
    const logGroup = new CloudwatchLogGroup(this, "LogGroup", {
      provider,
      name: props.logGroupName,
      retentionInDays: props.logRetentionDays ?? 365,
      kmsKeyId: props.logKmsKeyArn,
    });
    const { role, policy: rolePolicy } = serviceRole(this, {
      provider,
      name: props.roleName,
      description: "Firehose processor Lambda: writes its own log group, nothing else",
      trust: policyDocument({
        Effect: "Allow",
        Principal: { Service: servicePrincipal("lambda", props.partition) },
        Action: "sts:AssumeRole",
      }),
      policyName: "write-own-logs",
      permissions: policyDocument({
        Sid: "WriteOwnLogs",
        Effect: "Allow",
        Action: ["logs:CreateLogStream", "logs:PutLogEvents"],
        Resource: `${logGroup.arn}:*`,
      }),
    });
    suppressRule(
      role,
      "IAM_SERVICE_TRUST_CONDITION",
      "Lambda assumes its execution role only for functions that name it; AWS documents no confused-deputy condition keys for execution roles",
    );
    const asset = new TerraformAsset(this, "Code", { path: props.code.path, type: AssetType.FILE });
    this.function = new LambdaFunction(this, "Function", {
      provider,
      functionName: props.functionName,
      description: "Unpacks CloudWatch Logs records into NDJSON for Firehose",
      role: role.arn,
      runtime: "nodejs22.x",
      architectures: ["arm64"],
      handler: "index.handler",
      filename: asset.path,
      sourceCodeHash: props.code.sha256,
      memorySize: props.memoryMiB ?? PROCESSOR_MEMORY_MIB,
      timeout,
      reservedConcurrentExecutions: props.reservedConcurrency,
      environment: { variables: { METRIC_NAMESPACE: props.metricNamespace } },
      // The log group must exist first, or Lambda creates one without retention.
      dependsOn: [logGroup, rolePolicy],
    });
  }

  get arn(): string {
    return this.function.arn;
  }
}
