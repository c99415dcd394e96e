/**
 * What the rules see of a synthesized stack: every resource and data source
 * with its Terraform attributes as `cdk.tf.json` will hold them (tokens
 * resolved to `${...}` expressions, `Fn.jsonencode` values decoded to JSON
 * strings by the pack). Plain data, so every rule is a pure function.
 */
export interface ResourceView {
  /** Terraform type, e.g. `aws_s3_bucket`. */
  readonly type: string;
  /** Terraform name (the logical id), e.g. `Archive_Bucket_DB32D495`. */
  readonly name: string;
  /** Construct path, where violations are reported. */
  readonly path: string;
  /** Attributes as Terraform receives them (snake_case). */
  readonly attributes: Readonly<Record<string, unknown>>;
}

export interface StackView {
  readonly resources: readonly ResourceView[];
  readonly dataSources: readonly ResourceView[];
}

export type Attributes = Readonly<Record<string, unknown>>;

export const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);

/** A Terraform value that may be one item or a list, as a list. */
export const list = (value: unknown): unknown[] => (value === undefined ? [] : [value].flat());

/** A nested block: cdktf writes single blocks as one-element lists, or as an object. */
export const block = (value: unknown): Attributes | undefined => {
  const item: unknown = Array.isArray(value) ? value[0] : value;
  return isRecord(item) ? item : undefined;
};

/** `${aws_s3_bucket.Name.arn}`: the expression cdktf writes for a resource's attribute. */
export const reference = (resource: ResourceView, attribute: string): string =>
  `\${${resource.type}.${resource.name}.${attribute}}`;

export const resourcesOfType = (stack: StackView, type: string): ResourceView[] =>
  stack.resources.filter((r) => r.type === type);
