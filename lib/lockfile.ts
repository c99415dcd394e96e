/**
 * Terraform dependency lock files (`.terraform.lock.hcl`), as far as synth needs
 * them: which AWS provider version a lock file pins, and which version a
 * synthesized stack requires.
 *
 * Every stack seclog writes has exactly one provider, hashicorp/aws, pinned to an
 * exact version, so one lock file committed at the project root serves every
 * stack: synth copies it into each stack directory (lib/synth.ts).
 */

/** The lock file name Terraform reads in a working directory (and seclog at the project root). */
export const LOCK_FILE = ".terraform.lock.hcl";

/** How Terraform spells the provider address in a lock file. */
export const AWS_PROVIDER_ADDRESS = "registry.terraform.io/hashicorp/aws";

/**
 * The version a lock file pins for `address`, or undefined when the file has no
 * such provider block or the block has no version (a damaged or foreign file).
 *
 * A provider block in a lock file is flat: `version`, `constraints` and a
 * `hashes = [ ... ]` list, no nested braces, so the block body is everything up
 * to the first `}`.
 */
export function lockedVersion(text: string, address: string = AWS_PROVIDER_ADDRESS): string | undefined {
  const withoutComments = text.replace(/^\s*(#|\/\/).*$/gm, "");
  const quoted = address.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");
  const block = new RegExp(`^\\s*provider\\s+"${quoted}"\\s*\\{([^}]*)\\}`, "m").exec(withoutComments);
  if (!block) return undefined;
  return /^\s*version\s*=\s*"([^"]+)"\s*$/m.exec(block[1])?.[1];
}

/**
 * The AWS provider version a synthesized stack (the parsed cdk.tf.json) requires,
 * from `terraform.required_providers.aws.version`, or undefined when the stack
 * declares no AWS provider. An exact pin may be written `5.100.0` or `= 5.100.0`.
 */
export function requiredAwsVersion(stackJson: unknown): string | undefined {
  const version = (stackJson as { terraform?: { required_providers?: { aws?: { version?: unknown } } } })
    ?.terraform?.required_providers?.aws?.version;
  if (typeof version !== "string") return undefined;
  return version.trim().replace(/^=\s*/, "");
}
