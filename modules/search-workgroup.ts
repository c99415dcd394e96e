import { Construct } from "constructs";
import { AwsProvider } from "@cdktf/provider-aws/lib/provider";
import { AthenaWorkgroup } from "@cdktf/provider-aws/lib/athena-workgroup";
import { AthenaNamedQuery } from "@cdktf/provider-aws/lib/athena-named-query";
import { ATHENA_MIN_BYTES_SCANNED_CUTOFF } from "../lib/aws-limits";
import { Hunt } from "../lib/search";
import { ArnRef, BucketRef } from "./refs";
import { requireAtLeast } from "./validate";

export interface SearchWorkgroupProps {
  readonly provider: AwsProvider;
  readonly name: string;
  readonly databaseName: string;
  /** Where results go, and the key they are encrypted with. */
  readonly results: { readonly bucket: BucketRef; readonly key: ArnRef };
  /** Athena cancels a query of the workgroup past this many bytes scanned (at least ATHENA_MIN_BYTES_SCANNED_CUTOFF). */
  readonly bytesScannedCutoff: number;
  readonly hunts: readonly Hunt[];
}

/**
 * Pinned, not AUTO: an automatic engine upgrade could change what a saved
 * hunt returns in the middle of an investigation (Athena User Guide, "Athena
 * engine versioning", https://docs.aws.amazon.com/athena/latest/ug/engine-versions.html).
 * Version 3 is also the one that reads restored Glacier objects.
 */
export const ATHENA_ENGINE_VERSION = "Athena engine version 3";

/**
 * The Athena workgroup of the saved hunts. Its settings are enforced ("the
 * workgroup settings override client-side settings", Athena User Guide,
 * "Override client-side settings",
 * https://docs.aws.amazon.com/athena/latest/ug/workgroups-settings-override.html):
 * results always go to the results bucket, SSE-KMS with the results key, and
 * no query scans past the cutoff.
 */
export class SearchWorkgroup extends Construct {
  readonly workgroup: AthenaWorkgroup;
  readonly queries: AthenaNamedQuery[];

  constructor(scope: Construct, id: string, props: SearchWorkgroupProps) {
    super(scope, id);
    requireAtLeast(
      this,
      "bytesScannedCutoff",
      props.bytesScannedCutoff,
      ATHENA_MIN_BYTES_SCANNED_CUTOFF,
      "Athena's minimum per-query data usage control",
    );
    const provider = props.provider;
    this.workgroup = new AthenaWorkgroup(this, "Workgroup", {
      provider,
      name: props.name,
      description: "Incident search over the security log archive (seclog)",
      state: "ENABLED",
      configuration: {
        enforceWorkgroupConfiguration: true,
        publishCloudwatchMetricsEnabled: true,
        bytesScannedCutoffPerQuery: props.bytesScannedCutoff,
        engineVersion: { selectedEngineVersion: ATHENA_ENGINE_VERSION },
        resultConfiguration: {
          outputLocation: `s3://${props.results.bucket.name}/`,
          encryptionConfiguration: { encryptionOption: "SSE_KMS", kmsKeyArn: props.results.key.arn },
        },
      },
    });
    this.queries = props.hunts.map(
      (hunt) =>
        new AthenaNamedQuery(this, `Hunt_${hunt.name}`, {
          provider,
          name: hunt.name,
          description: `${hunt.description}; parameters: ${hunt.parameters.join(", ")}`,
          database: props.databaseName,
          workgroup: this.workgroup.id,
          query: hunt.sql,
        }),
    );
  }
}
