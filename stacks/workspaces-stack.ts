import { Construct } from "constructs";
import { TerraformOutput, TerraformStack } from "cdktf";
import { TfeProvider } from "@cdktf/provider-tfe/lib/provider";
import { DataTfeProject } from "@cdktf/provider-tfe/lib/data-tfe-project";
import { RunTrigger } from "@cdktf/provider-tfe/lib/run-trigger";
import { SecLogConfig } from "../lib/config/model";
import { Naming } from "../lib/naming";
import {
  AUDIENCE_VARIABLE,
  DEFAULT_AUDIENCE,
  PROVIDER_AUTH_VARIABLE,
  ROLE_ARN_VARIABLE,
  workspaceName,
} from "../lib/tfc";
import { CloudWorkspace } from "../modules/workspace";
import { localBackend } from "./backend";

export const WORKSPACES_STACK_NAME = "workspaces";

/** A stack that gets a workspace, in deploy order, with the account its runs reach. */
export interface WorkspaceTarget {
  readonly stack: string;
  readonly accountId: string;
  /** The stacks whose successful apply queues a run here (a run trigger each). */
  readonly after: readonly string[];
}

/**
 * `state.cloud.workspaces.create`: the workspace of every stack that keeps
 * its state in Terraform Cloud (modules/workspace.ts), with dynamic
 * credentials' variables when `state.cloud.dynamicCredentials` is on, and run
 * triggers in deploy order: an apply of the vault queues a run of security,
 * an apply of security a run of every account, each waiting for its own
 * confirmation. Its own state stays local: it creates the workspaces the
 * other stacks' state lives in. The token is the operator's (`terraform
 * login` or `TFE_TOKEN`), never in the config.
 */
export class WorkspacesStack extends TerraformStack {
  constructor(scope: Construct, config: SecLogConfig, naming: Naming, targets: readonly WorkspaceTarget[]) {
    super(scope, WORKSPACES_STACK_NAME);
    const cloud = config.state;
    if (cloud.backend !== "cloud" || !cloud.workspaces)
      throw new Error("the workspaces stack exists only with state.cloud.workspaces.create");
    localBackend(this);
    const settings = cloud.workspaces;
    const provider = new TfeProvider(this, "tfe", {
      hostname: cloud.hostname,
      organization: cloud.organization,
    });
    const project = cloud.project
      ? new DataTfeProject(this, "Project", {
          provider,
          name: cloud.project,
          organization: cloud.organization,
        })
      : undefined;
    const ids = new Map<string, string>();
    for (const target of targets) {
      const workspace = new CloudWorkspace(this, `Workspace_${target.stack}`, {
        provider,
        organization: cloud.organization,
        name: workspaceName(cloud, target.stack),
        description: `seclog: the ${target.stack} stack (${naming.pipeline}), account ${target.accountId}`,
        projectId: project?.id,
        terraformVersion: settings.terraformVersion,
        tags: settings.tags,
        executionMode: settings.executionMode,
        agentPoolId: settings.agentPoolId,
        environment: cloud.dynamicCredentials
          ? credentialVariables(naming, target, cloud.dynamicCredentials.audience)
          : {},
      });
      ids.set(target.stack, workspace.id);
    }
    for (const target of targets)
      for (const source of target.after)
        new RunTrigger(this, `After_${source}_${target.stack}`, {
          provider,
          workspaceId: ids.get(target.stack)!,
          sourceableId: ids.get(source)!,
        });
    new TerraformOutput(this, "workspace_ids", {
      value: Object.fromEntries(ids),
      description: "workspace id per stack",
    });
  }
}

/** The variables that make a run assume its phase's role in the stack's account (lib/tfc.ts). */
function credentialVariables(
  naming: Naming,
  target: WorkspaceTarget,
  audience: string,
): Record<string, string> {
  return {
    [PROVIDER_AUTH_VARIABLE]: "true",
    [ROLE_ARN_VARIABLE.plan]: naming.runRoleArn(target.accountId, target.stack, "plan"),
    [ROLE_ARN_VARIABLE.apply]: naming.runRoleArn(target.accountId, target.stack, "apply"),
    ...(audience !== DEFAULT_AUDIENCE && { [AUDIENCE_VARIABLE]: audience }),
  };
}
