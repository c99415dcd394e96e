import { Construct } from "constructs";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { SecLogConfig } from "../lib/config/model";

export interface AccountProvidersProps {
  readonly accountId: string;
  readonly regions: readonly string[];
  readonly roleArn?: string;
  readonly tags: Readonly<Record<string, string>>;
  readonly sessionName: string;
  /**
   * The alias of the provider, for a stack with one region of several
   * accounts (the `credentials` stack); only with a single region.
   * @default the region, dashes as underscores
   */
  readonly alias?: string;
}

/**
 * One aliased AWS provider per region of one account. Every resource names its
 * provider explicitly: with only aliased providers Terraform would otherwise
 * add an empty default one. `allowed_account_ids` makes a plan against the
 * wrong account's credentials fail before it changes anything.
 */
export function accountProviders(scope: Construct, props: AccountProvidersProps): Map<string, AwsProvider> {
  if (props.alias && props.regions.length !== 1)
    throw new Error("accountProviders: an alias names one region's provider");
  const providers = new Map<string, AwsProvider>();
  for (const region of props.regions) {
    providers.set(
      region,
      new AwsProvider(scope, `aws_${region.replace(/-/g, "_")}`, {
        alias: props.alias ?? region.replace(/-/g, "_"),
        region,
        allowedAccountIds: [props.accountId],
        assumeRole: props.roleArn ? [{ roleArn: props.roleArn, sessionName: props.sessionName }] : undefined,
        defaultTags: Object.keys(props.tags).length ? [{ tags: { ...props.tags } }] : undefined,
      }),
    );
  }
  return providers;
}

/**
 * The role a stack's providers assume. With `state.cloud.dynamicCredentials`
 * none: the workspace's run role, in the stack's own account, is already the
 * credentials, and the configured role (how the operator reaches the account)
 * is assumed only by the `credentials` stack, which runs on the operator's
 * machine. Chaining into it would hand a plan whatever that role may do.
 */
export function workloadRoleArn(config: SecLogConfig, roleArn: string | undefined): string | undefined {
  return config.state.backend === "cloud" && config.state.dynamicCredentials ? undefined : roleArn;
}
