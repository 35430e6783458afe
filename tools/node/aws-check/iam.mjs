// An AWS account as far as authorisation goes: who holds which access key (a role session and
// the identity policies of its role), the resource policies of queues and other resources, and
// which KMS key encrypts what, with that key's policy. `authorize` answers a request as IAM
// would, evaluated by @cloud-copilot/iam-simulate: the identity policies and the resource's
// policy together (same account), explicit denies first; and for a resource encrypted with a
// KMS key, the key's policy with kms:ViaService and kms:CallerAccount set as the service sets
// them when it calls KMS for the caller.
import { runSimulation } from '@cloud-copilot/iam-simulate';

// The key policy AWS gives its managed keys (alias/aws/<service>): any principal of the account,
// through that service only.
export function awsManagedKeyPolicy(account, service, region) {
  return {
    Version: '2012-10-17',
    Statement: [{
      Sid: 'Allow access through the service for all principals in the account that are authorized to use it',
      Effect: 'Allow', Principal: { AWS: '*' },
      Action: ['kms:Encrypt', 'kms:Decrypt', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:CreateGrant', 'kms:DescribeKey'],
      Resource: '*',
      Condition: { StringEquals: { 'kms:CallerAccount': account, 'kms:ViaService': `${service}.${region}.amazonaws.com` } },
    }],
  };
}

export class Account {
  constructor({ account, region }) {
    this.account = account;
    this.region = region;
    this.principals = new Map();        // access key id -> { arn, credential, policies, unrestricted }
    this.resourcePolicies = new Map();  // resource ARN -> policy document
    this.encryption = new Map();        // resource ARN -> key ARN
    this.keyPolicies = new Map();       // key ARN -> policy document
    this.decisions = new Map();         // cache: the same question gets the same answer
  }

  // `policies`: [{ name, policy }] (inline and attached managed policies alike).
  addPrincipal({ arn, accessKeyId, secretAccessKey, sessionToken = '', policies = [], unrestricted = false }) {
    this.principals.set(accessKeyId, { arn, credential: { secretAccessKey, sessionToken }, policies, unrestricted });
  }

  credentials(accessKeyId) {
    return this.principals.get(accessKeyId)?.credential;
  }

  principal(accessKeyId) {
    return this.principals.get(accessKeyId);
  }

  setResourcePolicy(arn, policy) { this.resourcePolicies.set(arn, policy); }

  encrypt(resourceArn, keyArn, keyPolicy) {
    this.encryption.set(resourceArn, keyArn);
    this.keyPolicies.set(keyArn, keyPolicy);
  }

  // { allowed, reason } for `principal` (an entry of this.principals, or a service principal
  // name such as "sns.amazonaws.com") doing `action` on `resource` with condition `context`.
  async authorize(principal, action, resource, context = {}) {
    if (principal.unrestricted) return { allowed: true };
    const who = typeof principal === 'string' ? principal : principal.arn;
    const key = JSON.stringify([who, action, resource, context]);
    if (!this.decisions.has(key)) this.decisions.set(key, this.simulate(principal, action, resource, context));
    return this.decisions.get(key);
  }

  async simulate(principal, action, resource, context) {
    const service = typeof principal === 'string';
    const resourcePolicy = action.startsWith('kms:') ? this.keyPolicies.get(resource) : this.resourcePolicies.get(resource);
    const answer = await runSimulation({
      identityPolicies: service ? [] : principal.policies,
      serviceControlPolicies: [], resourceControlPolicies: [],
      ...(resourcePolicy ? { resourcePolicy } : {}),
      request: { action, principal: service ? principal : principal.arn,
        resource: { accountId: this.account, resource }, contextVariables: context },
    }, {});
    if (answer.resultType === 'error') {
      throw new Error(`iam: cannot evaluate ${action} on ${resource}: ${JSON.stringify(answer.errors)}`);
    }
    const result = answer.overallResult;
    if (result === 'Allowed') return { allowed: true };
    const where = resourcePolicy ? 'no identity-based or resource-based policy allows' : 'no identity-based policy allows';
    return { allowed: false, reason: result === 'ExplicitlyDenied'
      ? `an explicit deny in a policy applies to the ${action} action`
      : `${where} the ${action} action` };
  }

  // The key use `use` ('encrypt' or 'decrypt') of the key encrypting `resource`, requested by
  // `service` for `principal`; null when the resource is not encrypted with a KMS key.
  async authorizeKeyUse(principal, resource, use) {
    const keyArn = this.encryption.get(resource);
    if (!keyArn) return null;
    const action = use === 'encrypt' ? 'kms:GenerateDataKey' : 'kms:Decrypt';
    const context = { 'kms:ViaService': `${resource.split(':')[2]}.${this.region}.amazonaws.com`, 'kms:CallerAccount': this.account };
    const decision = await this.authorize(principal, action, keyArn, context);
    return { ...decision, action, keyArn };
  }
}
