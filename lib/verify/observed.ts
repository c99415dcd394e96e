/**
 * What `npm run verify` read from AWS, as plain data with the field names of
 * the AWS APIs' responses (so a recorded response is a fixture as it stands).
 * The reader (scripts/verify.ts) fills it; the checks (checks.ts) judge it.
 * A read that failed is a Failure (which call, what AWS said); a resource
 * AWS says does not exist is undefined.
 */

export interface Failure {
  /** The API call, e.g. `logs:DescribeDestinations in eu-west-1`. */
  readonly call: string;
  readonly message: string;
}

/** A value read from AWS: the value, undefined when it does not exist, or why it could not be read. */
export type Read<T> = T | undefined | { readonly failure: Failure };

export function isFailure<T>(read: Read<T>): read is { readonly failure: Failure } {
  return typeof read === "object" && read !== null && "failure" in read;
}

/** DescribeDestinations' Destination. */
export interface DestinationRead {
  readonly destinationName?: string;
  readonly targetArn?: string;
  readonly roleArn?: string;
  readonly accessPolicy?: string;
  readonly arn?: string;
}

/** DescribeStreamSummary's StreamDescriptionSummary. */
export interface StreamRead {
  readonly StreamStatus?: string;
  readonly EncryptionType?: string;
  readonly KeyId?: string;
  readonly StreamARN?: string;
}

interface Parameter {
  readonly ParameterName?: string;
  readonly ParameterValue?: string;
}

/** A Firehose destination's ProcessingConfiguration. */
export interface ProcessingRead {
  readonly Enabled?: boolean;
  readonly Processors?: ReadonlyArray<{ readonly Type?: string; readonly Parameters?: readonly Parameter[] }>;
}

/** DescribeDeliveryStream's DeliveryStreamDescription, the parts verify reads. */
export interface DeliveryRead {
  readonly DeliveryStreamStatus?: string;
  readonly Source?: { readonly KinesisStreamSourceDescription?: { readonly KinesisStreamARN?: string } };
  readonly Destinations?: ReadonlyArray<{
    readonly ExtendedS3DestinationDescription?: {
      readonly BucketARN?: string;
      readonly Prefix?: string;
      readonly ErrorOutputPrefix?: string;
      readonly EncryptionConfiguration?: {
        readonly KMSEncryptionConfig?: { readonly AWSKMSKeyARN?: string };
      };
      readonly ProcessingConfiguration?: ProcessingRead;
      readonly S3BackupMode?: string;
      readonly S3BackupDescription?: { readonly Prefix?: string };
    };
  }>;
}

export interface LifecycleRuleRead {
  readonly ID?: string;
  readonly Status?: string;
  readonly Filter?: { readonly Prefix?: string };
  readonly Prefix?: string;
  readonly Transitions?: ReadonlyArray<{ readonly Days?: number; readonly StorageClass?: string }>;
  readonly NoncurrentVersionTransitions?: ReadonlyArray<{
    readonly NoncurrentDays?: number;
    readonly StorageClass?: string;
  }>;
  readonly Expiration?: { readonly Days?: number; readonly Date?: Date | string };
  readonly NoncurrentVersionExpiration?: { readonly NoncurrentDays?: number };
}

export interface ObjectLockRead {
  readonly ObjectLockEnabled?: string;
  readonly Rule?: {
    readonly DefaultRetention?: { readonly Mode?: string; readonly Days?: number; readonly Years?: number };
  };
}

/** The archive bucket's settings, one S3 Get* response each. */
export interface BucketRead {
  /** GetBucketVersioning. */
  readonly versioning: Read<{ readonly Status?: string }>;
  /** GetPublicAccessBlock's PublicAccessBlockConfiguration. */
  readonly publicAccessBlock: Read<{
    readonly BlockPublicAcls?: boolean;
    readonly IgnorePublicAcls?: boolean;
    readonly BlockPublicPolicy?: boolean;
    readonly RestrictPublicBuckets?: boolean;
  }>;
  /** GetBucketEncryption's ServerSideEncryptionConfiguration.Rules. */
  readonly encryption: Read<
    ReadonlyArray<{
      readonly ApplyServerSideEncryptionByDefault?: {
        readonly SSEAlgorithm?: string;
        readonly KMSMasterKeyID?: string;
      };
      readonly BucketKeyEnabled?: boolean;
    }>
  >;
  /** GetBucketPolicy's Policy (a JSON string). */
  readonly policy: Read<string>;
  /** GetBucketOwnershipControls' rules. */
  readonly ownership: Read<ReadonlyArray<{ readonly ObjectOwnership?: string }>>;
  /** GetBucketLifecycleConfiguration's Rules. */
  readonly lifecycle: Read<readonly LifecycleRuleRead[]>;
  /** GetObjectLockConfiguration's ObjectLockConfiguration. */
  readonly objectLock: Read<ObjectLockRead>;
}

/** DescribeKey's KeyMetadata and GetKeyRotationStatus. */
export interface KeyRead {
  readonly KeyMetadata: {
    readonly KeyId?: string;
    readonly Arn?: string;
    readonly Enabled?: boolean;
    readonly KeyState?: string;
    readonly DeletionDate?: Date | string;
  };
  readonly rotationEnabled: Read<boolean>;
}

/** One rule of GetBucketReplication's ReplicationConfiguration, the parts verify judges. */
export interface ReplicationRuleRead {
  readonly ID?: string;
  readonly Priority?: number;
  readonly Status?: string;
  /** The old (V1) schema's prefix, instead of Filter. */
  readonly Prefix?: string;
  readonly Filter?: {
    readonly Prefix?: string;
    readonly Tag?: { readonly Key?: string; readonly Value?: string };
    readonly And?: {
      readonly Prefix?: string;
      readonly Tags?: ReadonlyArray<{ readonly Key?: string; readonly Value?: string }>;
    };
  };
  readonly DeleteMarkerReplication?: { readonly Status?: string };
  readonly SourceSelectionCriteria?: { readonly SseKmsEncryptedObjects?: { readonly Status?: string } };
  readonly Destination?: {
    readonly Bucket?: string;
    readonly Account?: string;
    readonly StorageClass?: string;
    readonly AccessControlTranslation?: { readonly Owner?: string };
    readonly EncryptionConfiguration?: { readonly ReplicaKmsKeyID?: string };
    readonly Metrics?: { readonly Status?: string; readonly EventThreshold?: { readonly Minutes?: number } };
    readonly ReplicationTime?: { readonly Status?: string; readonly Time?: { readonly Minutes?: number } };
  };
}

/** GetBucketReplication's ReplicationConfiguration. */
export interface ReplicationRead {
  readonly Role?: string;
  readonly Rules?: readonly ReplicationRuleRead[];
}

/** Objects under a prefix: how many, and the newest one's key and time. */
export interface ListingRead {
  readonly count: number;
  readonly newest?: { readonly key: string; readonly lastModified: Date };
}

export interface SecurityRead {
  /** GetCallerIdentity's Arn: the identity the checks ran as. */
  readonly identity: Read<string>;
  readonly destinations: Readonly<Record<string, Read<DestinationRead>>>;
  readonly stream: Read<StreamRead>;
  readonly delivery: Read<DeliveryRead>;
  readonly bucket: Read<BucketRead>;
  /** By alias; undefined: no key has that alias. */
  readonly keys: Readonly<Record<string, Read<KeyRead>>>;
  /** Objects under errors/ written in the window. */
  readonly errors: Read<ListingRead>;
  /** The archive's replication configuration; read only with `archive.replica`. */
  readonly replication?: Read<ReplicationRead>;
}

/** The vault account (`archive.replica`): the replica bucket's settings and its key. */
export interface VaultRead {
  readonly identity: Read<string>;
  readonly bucket: Read<BucketRead>;
  /** By alias: the replica key's. */
  readonly keys: Readonly<Record<string, Read<KeyRead>>>;
}

/** DescribeSubscriptionFilters' subscriptionFilters. */
export interface FilterRead {
  readonly filterName?: string;
  readonly logGroupName?: string;
  readonly filterPattern?: string;
  readonly destinationArn?: string;
  readonly roleArn?: string;
  readonly distribution?: string;
}

export interface LogGroupRead {
  /** The newest log stream's lastIngestionTime (DescribeLogStreams by LastEventTime), epoch ms. */
  readonly lastIngestionTime?: number;
  readonly filters: Read<readonly FilterRead[]>;
}

/** DescribeAccountPolicies' accountPolicies entry. */
export interface AccountPolicyRead {
  readonly policyName?: string;
  readonly policyDocument?: string;
  readonly policyType?: string;
  readonly scope?: string;
  readonly selectionCriteria?: string;
}

/** A log group the config does not name that received events in the window. */
export interface ActiveLogGroupRead {
  readonly logGroupName: string;
  readonly lastIngestionTime: number;
  readonly filters: Read<readonly FilterRead[]>;
}

export interface RegionRead {
  /** Each configured log group by name; undefined: it does not exist. */
  readonly logGroups: Readonly<Record<string, Read<LogGroupRead>>>;
  /** Read only where the config sets `allLogGroups`. */
  readonly accountPolicy?: Read<AccountPolicyRead>;
  /** The region's other log groups that received events in the window. */
  readonly active: Read<readonly ActiveLogGroupRead[]>;
}

export interface AccountRead {
  readonly identity: Read<string>;
  readonly regions: Readonly<Record<string, RegionRead>>;
}

/** The newest object of one account's log group in the archive (events format), by `<accountId>/<region>/<logGroup>`. */
export type DeliveredRead = Readonly<Record<string, Read<ListingRead>>>;

export interface Observed {
  /** When the reads started. */
  readonly at: Date;
  readonly security: SecurityRead;
  /** Read only with `archive.replica`. */
  readonly vault?: VaultRead;
  /** By account name. */
  readonly accounts: Readonly<Record<string, AccountRead>>;
  readonly delivered: DeliveredRead;
}
