/**
 * What Firehose makes of an S3 prefix for one record: `!{timestamp:<pattern>}`
 * is the record's approximate arrival time in UTC, formatted with a Java
 * DateTimeFormatter pattern, and `!{partitionKeyFromLambda:<key>}` is that
 * partition key's value (Firehose Developer Guide, "Understand custom
 * prefixes for Amazon S3 objects", https://docs.aws.amazon.com/firehose/latest/dev/s3-prefixes.html,
 * and "Partition streaming data", dynamic partitioning keys). Only the pattern
 * letters this app's prefixes use are known; anything else throws, so a new
 * expression in a prefix cannot pass a test unevaluated.
 */

const JAVA_PATTERN_FIELDS: Readonly<Record<string, (d: Date) => string>> = {
  yyyy: (d) => String(d.getUTCFullYear()).padStart(4, "0"),
  MM: (d) => String(d.getUTCMonth() + 1).padStart(2, "0"),
  dd: (d) => String(d.getUTCDate()).padStart(2, "0"),
  HH: (d) => String(d.getUTCHours()).padStart(2, "0"),
};

export interface FirehoseRecordContext {
  readonly arrival: Date;
  readonly partitionKeys: Readonly<Record<string, string>>;
}

export function evaluatePrefix(prefix: string, record: FirehoseRecordContext): string {
  return prefix.replace(/!\{([^:}]+):([^}]*)\}/g, (expression, namespace: string, argument: string) => {
    if (namespace === "timestamp") {
      const field = JAVA_PATTERN_FIELDS[argument];
      if (!field) throw new Error(`unsupported timestamp pattern in ${expression}`);
      return field(record.arrival);
    }
    if (namespace === "partitionKeyFromLambda") {
      const value = record.partitionKeys[argument];
      if (value === undefined) throw new Error(`no partition key ${argument} for ${expression}`);
      return value;
    }
    throw new Error(`unsupported Firehose expression ${expression}`);
  });
}
