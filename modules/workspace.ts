import { Construct } from "constructs";
import { TfeProvider } from "@cdktf/provider-tfe/lib/provider";
import { Workspace } from "@cdktf/provider-tfe/lib/workspace";
import { WorkspaceSettings } from "@cdktf/provider-tfe/lib/workspace-settings";
import { Variable } from "@cdktf/provider-tfe/lib/variable";

export interface CloudWorkspaceProps {
  readonly provider: TfeProvider;
  readonly organization: string;
  readonly name: string;
  readonly description: string;
  /** @default the organization's default project */
  readonly projectId?: string;
  /** An exact version or a `~>`/`>=` constraint. */
  readonly terraformVersion: string;
  readonly tags: readonly string[];
  readonly executionMode: "remote" | "agent" | "local";
  /** Only with executionMode agent. */
  readonly agentPoolId?: string;
  /** Environment variables of every run, by name (e.g. TFC_AWS_PROVIDER_AUTH); none is secret. */
  readonly environment: Readonly<Record<string, string>>;
}

/**
 * One CLI-driven workspace: no VCS repository, because the configuration a
 * run needs is the synthesized stack (cdk.tf.json and the processor's zip
 * beside it), which exists only after `cdktf synth` and reaches the workspace
 * by upload (`cdktf deploy`, or `terraform plan` in the stack's directory).
 * Every run waits for a confirmed apply (`auto_apply` off, also for runs a
 * trigger queued). The execution mode is set with `tfe_workspace_settings`:
 * setting it on the workspace "is deprecated in favor of using both
 * tfe_workspace_settings and tfe_organization_default_settings"
 * (terraform-provider-tfe, `tfe_workspace`).
 */
export class CloudWorkspace extends Construct {
  readonly id: string;

  constructor(scope: Construct, id: string, props: CloudWorkspaceProps) {
    super(scope, id);
    const workspace = new Workspace(this, "Workspace", {
      provider: props.provider,
      organization: props.organization,
      name: props.name,
      description: props.description,
      projectId: props.projectId,
      terraformVersion: props.terraformVersion,
      tagNames: [...props.tags],
      autoApply: false,
      autoApplyRunTrigger: false,
      // The provider's default (true) queues a run of nothing the moment the workspace exists.
      queueAllRuns: false,
    });
    new WorkspaceSettings(this, "Settings", {
      provider: props.provider,
      workspaceId: workspace.id,
      executionMode: props.executionMode,
      agentPoolId: props.agentPoolId,
    });
    for (const [key, value] of Object.entries(props.environment))
      new Variable(this, `Env_${key}`, {
        provider: props.provider,
        workspaceId: workspace.id,
        category: "env",
        key,
        value,
        sensitive: false,
        description: "set by seclog's workspaces stack",
      });
    this.id = workspace.id;
  }
}
