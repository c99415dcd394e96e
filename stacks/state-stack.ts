import { Construct } from "constructs";
import { TerraformOutput, TerraformStack } from "cdktf";
import { SecLogConfig, StateBootstrap } from "../lib/config/model";
import { EncryptionKey } from "../modules/encryption-key";
import { StateBucket } from "../modules/state-bucket";
import { StateAccessRole } from "../modules/state-access";
import { namingOf } from "../lib/naming";
import { accountProviders } from "./providers";
import { localBackend } from "./backend";
import { VAULT_STACK_NAME } from "./vault-stack";

export const STATE_STACK_NAME = "state";

export interface StateStackProps {
  readonly bucket: string;
  readonly region: string;
  readonly bootstrap: StateBootstrap;
}

/**
 * Creates the S3 bucket every other stack keeps its state in, in the security
 * account, and one role per application stack (`<prefix>-tfstate-<stack>`)
 * that only that application account may assume and that reaches only that
 * stack's state object and lock: each application stack's backend assumes
 * it with the account's own credentials. Its own state stays local: the
 * bucket cannot hold the state of the stack that creates it before that
 * stack has run.
 */
export class StateStack extends TerraformStack {
  constructor(scope: Construct, config: SecLogConfig, props: StateStackProps) {
    super(scope, STATE_STACK_NAME);
    if (config.state.backend !== "s3") throw new Error("the state stack exists only with state.backend: s3");
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
    const state = new StateBucket(this, "StateBucket", {
      provider,
      bucketName: props.bucket,
      kmsKeyArn: key?.arn,
    });
    const naming = namingOf(config);
    const location = {
      partition: config.partition,
      bucket: props.bucket,
      region: props.region,
      keyPrefix: config.state.keyPrefix,
    };
    const roles = new Map<string, StateAccessRole>();
    // The vault stack's backend reaches the bucket the way an application stack's does.
    const replica = config.archive.replica;
    const foreignStacks = [
      ...(replica ? [{ name: VAULT_STACK_NAME, accountId: replica.accountId }] : []),
      ...config.accounts,
    ];
    for (const stack of foreignStacks) {
      roles.set(
        stack.name,
        new StateAccessRole(this, `StateAccess_${stack.name}`, {
          provider,
          location,
          stack: stack.name,
          accountId: stack.accountId,
          roleName: naming.stateRoleName(stack.name),
          kmsKeyArn: key?.arn,
        }),
      );
    }
    new TerraformOutput(this, "state_bucket", { value: state.bucket.bucket });
    if (key) new TerraformOutput(this, "state_kms_key_arn", { value: key.arn });
    if (roles.size)
      new TerraformOutput(this, "state_role_arns", {
        value: Object.fromEntries([...roles].map(([stack, role]) => [stack, role.arn])),
      });
  }
}
