/**
 * HCP Terraform (Terraform Cloud) and Terraform Enterprise: the names, claims
 * and limits this app derives workspaces and their AWS credentials from. Pure:
 * the config rules, the run-role policies and the stacks all read them here.
 */

/**
 * Workspace names: "Workspace names can only include letters, numbers, `-`,
 * and `_`" (the config's workspacePrefix and stack names hold to that), and
 * "We recommend using 90 characters or less for the name of your workspace"
 * (HCP Terraform docs, API "Workspaces" and "Create workspaces",
 * https://developer.hashicorp.com/terraform/cloud-docs/workspaces/create).
 * This app holds names to the recommendation.
 */
export const WORKSPACE_NAME_MAX_CHARS = 90;

/**
 * "Organization names can include numbers, letters, underscores (`_`), and
 * hyphens (`-`)" (HCP Terraform docs, "Organizations"); no length is documented.
 */
export const ORGANIZATION_NAME = /^[A-Za-z0-9_-]+$/;

/**
 * Workspace tag names: "tags must only contain lowercase letters, numbers,
 * colons, or hyphens" (terraform-provider-tfe, `tfe_workspace`, `tag_names`).
 */
export const WORKSPACE_TAG = /^[a-z0-9:-]{1,255}$/;

/**
 * The audience HCP Terraform puts in the token when the workspace sets none
 * (`TFC_AWS_WORKLOAD_IDENTITY_AUDIENCE`): "aws.workload.identity" (HCP
 * Terraform docs, "Dynamic Credentials with the AWS Provider").
 */
export const DEFAULT_AUDIENCE = "aws.workload.identity";

/** The project a workspace lands in when none is named; its name is what the `sub` claim carries. */
export const DEFAULT_PROJECT = "Default Project";

/** The two phases of a run; a token's `run_phase` claim is one of them. */
export type RunPhase = "plan" | "apply";
export const RUN_PHASES: readonly RunPhase[] = ["plan", "apply"];

/**
 * Workspace variables (category `env`) that turn dynamic credentials on: with
 * both phase roles set, `TFC_AWS_RUN_ROLE_ARN` is not needed ("Will fall back
 * to the value of `TFC_AWS_RUN_ROLE_ARN` if not provided"), and the audience
 * "Defaults to `aws.workload.identity`" (HCP Terraform docs, "Dynamic
 * Credentials with the AWS Provider",
 * https://developer.hashicorp.com/terraform/cloud-docs/dynamic-provider-credentials/aws-configuration).
 * The default configuration reaches the run through the environment, which
 * every `aws` provider block without credentials of its own reads, aliased or
 * not (read from HashiCorp's docs and examples, not tried against HCP
 * Terraform here): this app's stacks have one block per region, all for the
 * same account and role, so none needs a tagged configuration.
 */
export const PROVIDER_AUTH_VARIABLE = "TFC_AWS_PROVIDER_AUTH";
export const ROLE_ARN_VARIABLE: Readonly<Record<RunPhase, string>> = {
  plan: "TFC_AWS_PLAN_ROLE_ARN",
  apply: "TFC_AWS_APPLY_ROLE_ARN",
};
export const AUDIENCE_VARIABLE = "TFC_AWS_WORKLOAD_IDENTITY_AUDIENCE";

export interface WorkspaceIdentity {
  readonly organization: string;
  /** @default DEFAULT_PROJECT */
  readonly project?: string;
  readonly workspacePrefix: string;
}

/** `<workspacePrefix><stack>`, the name the stack's `cloud` block and its workspace share. */
export function workspaceName(cloud: WorkspaceIdentity, stack: string): string {
  return `${cloud.workspacePrefix}${stack}`;
}

/**
 * The token's subject for one workspace and phase:
 * `organization:<org>:project:<project>:workspace:<workspace>:run_phase:<phase>`
 * (HCP Terraform docs, "Workload identity", token structure).
 */
export function runSubject(cloud: WorkspaceIdentity, stack: string, phase: RunPhase): string {
  return [
    `organization:${cloud.organization}`,
    `project:${cloud.project ?? DEFAULT_PROJECT}`,
    `workspace:${workspaceName(cloud, stack)}`,
    `run_phase:${phase}`,
  ].join(":");
}

/** The IAM OIDC provider's URL: HCP Terraform's issuer is its hostname over https. */
export function issuerUrl(hostname: string): string {
  return `https://${hostname}`;
}
