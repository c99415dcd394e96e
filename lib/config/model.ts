import { Partition } from "./regions";

/** The validated config with every default resolved: what stacks consume. */
export interface SecLogConfig {
  readonly prefix: string;
  readonly tags: Readonly<Record<string, string>>;
  readonly partition: Partition;
  readonly security: SecurityAccount;
  readonly organizationId?: string;
  readonly archive: ArchiveSettings;
  readonly stream: StreamSettings;
  readonly delivery: DeliverySettings;
  readonly state: StateSettings;
  /** Health alarms; undefined when the config has no `alarms` block. */
  readonly alarms?: AlarmSettings;
  /** Athena search of `events/`; undefined when off (format raw, or `search.enabled: false`). */
  readonly search?: SearchSettings;
  /** SQS hand-off of new objects. */
  readonly objectNotifications: boolean;
  readonly accounts: readonly AppAccount[];
  /** Every region with a destination: the home region plus every app region, sorted. */
  readonly destinationRegions: readonly string[];
  /** Region -> ids of the application accounts shipping from it, for every destination region. */
  readonly sendersByRegion: ReadonlyMap<string, readonly string[]>;
}

export interface SecurityAccount {
  readonly accountId: string;
  readonly region: string;
  readonly roleArn?: string;
}

export interface ArchiveSettings {
  readonly bucketName: string;
  readonly glacierAfterDays: number;
  readonly expireAfterDays?: number;
  readonly objectLock?: ObjectLockSettings;
  readonly accessLogs: boolean;
  /** The locked copy in a vault account (`archive.replica`). */
  readonly replica?: ReplicaSettings;
}

export interface ObjectLockSettings {
  readonly mode: "GOVERNANCE" | "COMPLIANCE";
  readonly days: number;
}

export interface ReplicaSettings {
  readonly accountId: string;
  readonly region: string;
  readonly roleArn?: string;
  /** `<prefix>-security-logs-replica-<accountId>` (Naming.replicaBucketName). */
  readonly bucketName: string;
  readonly objectLock: ObjectLockSettings;
  readonly storageClass:
    "STANDARD" | "STANDARD_IA" | "INTELLIGENT_TIERING" | "GLACIER_IR" | "GLACIER" | "DEEP_ARCHIVE";
  readonly replicationTimeControl: boolean;
}

export interface SearchSettings {
  /** The workgroup's per-query cutoff, in bytes. */
  readonly bytesScannedCutoff: number;
  readonly resultsExpireDays: number;
  /** Who may assume the analyst role; empty: no analyst role. */
  readonly analystPrincipals: readonly string[];
}

export interface AlarmSettings {
  readonly email?: string;
  readonly silenceHours: number;
}

export type StreamSettings =
  | { readonly mode: "on-demand"; readonly retentionHours: number }
  | { readonly mode: "provisioned"; readonly shards: number; readonly retentionHours: number };

export type DeliverySettings =
  | { readonly format: "raw"; readonly bufferSeconds: number; readonly bufferMiB: number }
  | {
      readonly format: "events";
      readonly bufferSeconds: number;
      readonly bufferMiB: number;
      readonly processorConcurrency?: number;
      /** Firehose's source record backup under `source/` of the archive (`delivery.keepSource`). */
      readonly keepSource: boolean;
    };

export type StateSettings =
  | { readonly backend: "local" }
  | {
      readonly backend: "s3";
      readonly bucket: string;
      readonly region: string;
      readonly keyPrefix: string;
      /**
       * Role the backend assumes. Without bootstrap: every stack's. With
       * bootstrap: the security stack's only; each application stack assumes
       * its own `<prefix>-tfstate-<stack>` role (Naming.stateRoleArn), which
       * the `state` stack creates.
       */
      readonly roleArn?: string;
      /** Set when this app creates the state bucket (`state.s3.bootstrap`). */
      readonly bootstrap?: StateBootstrap;
      /** KMS key (alias ARN) the backend encrypts state with; derived, since the key is ours. */
      readonly kmsKeyId?: string;
    }
  | {
      readonly backend: "cloud";
      readonly organization: string;
      readonly workspacePrefix: string;
      readonly project?: string;
      readonly hostname: string;
      /** Set when this app creates the workspaces (`state.cloud.workspaces.create`). */
      readonly workspaces?: CloudWorkspaces;
      /** Set with `state.cloud.dynamicCredentials`: the token audience the run roles trust. */
      readonly dynamicCredentials?: { readonly audience: string };
    };

export interface CloudWorkspaces {
  readonly executionMode: "remote" | "agent" | "local";
  readonly agentPoolId?: string;
  readonly terraformVersion: string;
  readonly tags: readonly string[];
}

export interface StateBootstrap {
  readonly encryption: "kms" | "sse-s3";
  /** e.g. `alias/secops-terraform-state`; only with KMS encryption. */
  readonly keyAlias?: string;
}

export interface AppAccount {
  readonly name: string;
  readonly accountId: string;
  readonly roleArn?: string;
  readonly regions: readonly string[];
  readonly logGroups: readonly LogGroupSubscription[];
  readonly allLogGroups?: { readonly exclude: readonly string[] };
  /** Per-account silence alarm (`silent-<name>`, events format with alarms); false for accounts meant to be quiet. */
  readonly silenceAlarm: boolean;
}

export interface LogGroupSubscription {
  readonly name: string;
  readonly filterPattern: string;
  readonly create: boolean;
  readonly retentionDays?: number;
  /** Host files the CloudWatch agent ships here. */
  readonly files: readonly LogFile[];
  /** 0 for the first entry of this log group, 1 for the second: the filter's name follows it (Naming.subscriptionFilterName). */
  readonly filterSlot: number;
}

export interface LogFile {
  readonly path: string;
  readonly timestampFormat?: string;
  readonly multiLineStartPattern?: string;
}
