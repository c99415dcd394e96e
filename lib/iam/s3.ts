import { PolicyDocument, policyDocument, PolicyStatement } from "./policy";

/** Denies every request that does not arrive over TLS, whoever makes it. */
export function denyInsecureTransport(bucketArn: string): PolicyStatement {
  return {
    Sid: "DenyInsecureTransport",
    Effect: "Deny",
    Principal: "*",
    Action: "s3:*",
    Resource: [bucketArn, `${bucketArn}/*`],
    Condition: { Bool: { "aws:SecureTransport": "false" } },
  };
}

export function tlsOnlyPolicy(bucketArn: string): PolicyDocument {
  return policyDocument(denyInsecureTransport(bucketArn));
}
