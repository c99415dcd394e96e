import { AthenaClient } from "@aws-sdk/client-athena";
import { CloudWatchLogsClient } from "@aws-sdk/client-cloudwatch-logs";
import { FirehoseClient } from "@aws-sdk/client-firehose";
import { GlueClient } from "@aws-sdk/client-glue";
import { IAMClient } from "@aws-sdk/client-iam";
import { KinesisClient } from "@aws-sdk/client-kinesis";
import { KMSClient } from "@aws-sdk/client-kms";
import { S3Client } from "@aws-sdk/client-s3";
import { AssumeRoleCommand, STSClient } from "@aws-sdk/client-sts";
import { NodeHttpHandler } from "@smithy/node-http-handler";
import { emulatorRoleArn } from "./emulator";

/** AWS SDK clients of one account and region, talking to the emulator. */
export interface AwsClients {
  readonly s3: S3Client;
  readonly kinesis: KinesisClient;
  readonly firehose: FirehoseClient;
  readonly logs: CloudWatchLogsClient;
  readonly iam: IAMClient;
  readonly kms: KMSClient;
  readonly sts: STSClient;
  readonly glue: GlueClient;
  readonly athena: AthenaClient;
}

interface Credentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken: string;
}

const FAKE = { accessKeyId: "AKIAEMULATOR00000000", secretAccessKey: "emulator-secret" };

/**
 * The emulator's clients for an account: moto files every call under the
 * account of the role the credentials were assumed from, exactly as the
 * Terraform providers of the emulator copies do.
 */
export class EmulatorAws {
  private readonly credentials = new Map<string, Promise<Credentials>>();

  constructor(private readonly endpoint: string) {}

  async clients(accountId: string, region: string): Promise<AwsClients> {
    const credentials = await this.credentialsOf(accountId);
    const common = { endpoint: this.endpoint, region, credentials, maxAttempts: 2 };
    return {
      s3: new S3Client({ ...common, forcePathStyle: true }),
      // The Kinesis client speaks HTTP/2 by default (for SubscribeToShard); moto_server only HTTP/1.1.
      kinesis: new KinesisClient({ ...common, requestHandler: new NodeHttpHandler() }),
      firehose: new FirehoseClient(common),
      logs: new CloudWatchLogsClient(common),
      iam: new IAMClient(common),
      kms: new KMSClient(common),
      sts: new STSClient(common),
      glue: new GlueClient(common),
      athena: new AthenaClient(common),
    };
  }

  private credentialsOf(accountId: string): Promise<Credentials> {
    if (!this.credentials.has(accountId)) this.credentials.set(accountId, this.assumeInto(accountId));
    return this.credentials.get(accountId)!;
  }

  private async assumeInto(accountId: string): Promise<Credentials> {
    const sts = new STSClient({ endpoint: this.endpoint, region: "us-east-1", credentials: FAKE });
    const { Credentials: assumed } = await sts.send(
      new AssumeRoleCommand({ RoleArn: emulatorRoleArn(accountId), RoleSessionName: "seclog-emulator-test" }),
    );
    return {
      accessKeyId: assumed!.AccessKeyId!,
      secretAccessKey: assumed!.SecretAccessKey!,
      sessionToken: assumed!.SessionToken!,
    };
  }
}
