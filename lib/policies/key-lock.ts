import { PolicyStatement } from "../iam/policy";

/** Sid of the locked key policy's deny: the change guard recognises a locked key by it (lib/changes.ts). */
export const KEY_LOCK_SID = "NobodyDisablesDeletesOrUnlocksTheKey";

/**
 * A deleted or disabled key makes every object it encrypts unreadable, Object
 * Lock or not; so for COMPLIANCE mode nobody may disable the key, schedule its
 * deletion, or change this policy to allow either. An explicit deny in a key
 * policy applies to every principal, the account root included ("Default key
 * policy", AWS KMS Developer Guide: without a statement that allows it, the
 * key becomes unmanageable; https://docs.aws.amazon.com/kms/latest/developerguide/key-policy-default.html).
 * Creating or putting such a policy needs `BypassPolicyLockoutSafetyCheck`:
 * without it "the key policy must allow the principal that is making the
 * PutKeyPolicy request to make a subsequent PutKeyPolicy request", and the
 * flag is for exactly this: "Use this parameter only when you intend to
 * prevent the principal that is making the request from making a subsequent
 * PutKeyPolicy request on the KMS key" (AWS KMS API Reference, CreateKey and
 * PutKeyPolicy, https://docs.aws.amazon.com/kms/latest/APIReference/API_PutKeyPolicy.html;
 * aws_kms_key `bypass_policy_lockout_safety_check`). Rotation, tags,
 * description and grants still work; encrypt and decrypt are unaffected.
 */
export function lockedKeyStatement(): PolicyStatement {
  return {
    Sid: KEY_LOCK_SID,
    Effect: "Deny",
    Principal: { AWS: "*" },
    Action: ["kms:DisableKey", "kms:PutKeyPolicy", "kms:ScheduleKeyDeletion"],
    Resource: "*",
  };
}
