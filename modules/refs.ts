/**
 * Typed references between constructs: a construct that needs another's ARN
 * takes the construct (or anything with the same shape) under a named prop,
 * never a bare string, so two ARNs cannot trade places unnoticed. Every
 * construct of this folder that owns one AWS resource satisfies them
 * (EncryptionKey, LogStream, ArchiveBucket, ProcessorFunction ...).
 */

/** Anything with an ARN: a key, a stream, a function, a role. */
export interface ArnRef {
  readonly arn: string;
}

/** An S3 bucket: its name (bucket-level resources) and its ARN (policies). */
export interface BucketRef extends ArnRef {
  readonly name: string;
}
