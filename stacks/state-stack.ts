import { Construct } from "constructs";
import { TerraformOutput, TerraformStack } from "cdktf";
import { SecLogConfig, StateBootstrap } from "../lib/config/model";
import { EncryptionKey } from "../modules/encryption-key";
import { StateBucket } from "../modules/state-bucket";
import { accountProviders } from "./providers";
import { localBackend } from "./backend";

export const STATE_STACK_NAME = "state";

export interface StateStackProps {
  readonly bucket: string;
  readonly region: string;
  readonly bootstrap: StateBootstrap;
}

/**
 * Creates the S3 bucket every other stack keeps its state in, in the security
 * account. Its own state stays local: the bucket cannot hold the state of
 * the stack that creates it before that stack has run.
 */
export class StateStack extends TerraformStack {
  constructor(scope: Construct, config: SecLogConfig, props: StateStackProps) {
    super(scope, STATE_STACK_NAME);
    localBackend(this);
    const { accountId } = config.security;
    const provider = accountProviders(this, {
      accountId,
      regions: [props.region],
      roleArn: config.security.roleArn,
      tags: config.tags,
      sessionName: `${config.prefix}-seclog`,
    }).get(props.region)!;
    const key = props.bootstrap.keyAlias
      ? new EncryptionKey(this, "StateKey", {
          provider,
          partition: config.partition,
          accountId,
          alias: props.bootstrap.keyAlias,
          description: `${config.prefix}: Terraform state of the seclog stacks`,
        })
      : undefined;
    const state = new StateBucket(this, "StateBucket", { provider, bucketName: props.bucket, kmsKeyArn: key?.arn });
    new TerraformOutput(this, "state_bucket", { value: state.bucket.bucket });
    if (key) new TerraformOutput(this, "state_kms_key_arn", { value: key.arn });
  }
}
