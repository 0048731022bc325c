import { describe, expect, it } from 'vitest';
import { MASK, maskTranscriptSecrets } from '../../src/evidence/mask.js';

/**
 * The readable views' secret masking: no false negative on each documented kind, no false positive
 * on ordinary incident chatter. Fixtures are shaped like the real credentials (AWS's documented
 * example keys, Slack's webhook format), never real ones.
 */
const SECRETS: [kind: string, text: string, secret: string][] = [
  ['Slack bot token', 'token is xoxb-1111-2222-abcdefghijklmnop ok', 'xoxb-1111-2222-abcdefghijklmnop'],
  ['Slack refresh token', 'xoxe-1-My0xLTExMjM0NTY3ODkw leaked', 'xoxe-1-My0xLTExMjM0NTY3ODkw'],
  ['Slack app token', 'xapp-1-A0123-4567890-abcdef0123', 'xapp-1-A0123-4567890-abcdef0123'],
  [
    'Slack webhook URL',
    'posted to https://hooks.slack.com/services/T0AB12CD3/B0EF45GH6/aBcDeFgHiJkLmNoPqRsTuVwX by the agent',
    'aBcDeFgHiJkLmNoPqRsTuVwX',
  ],
  [
    'Slack workflow trigger',
    'https://hooks.slack.com/triggers/T0AB12CD3/1234567890/0123456789abcdef0123456789abcdef',
    '0123456789abcdef0123456789abcdef',
  ],
  ['AWS access key id', 'AKIAIOSFODNN7EXAMPLE', 'AKIAIOSFODNN7EXAMPLE'],
  [
    'AWS secret key (env style)',
    'AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
    'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
  ],
  [
    'AWS secret key (ini style)',
    'aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
    'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
  ],
  [
    'AWS secret key (JSON)',
    '{"SecretAccessKey": "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"}',
    'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
  ],
  [
    'AWS key pair pasted together',
    'AKIAIOSFODNN7EXAMPLE wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
    'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
  ],
  ['Postgres URL password', 'DATABASE_URL=postgres://app:s3cr3t-P4ss@db.internal:5432/app', 's3cr3t-P4ss'],
  ['MySQL URL password', 'mysql://root:hunter2@10.0.0.5/crm', 'hunter2'],
  ['MongoDB SRV password', 'mongodb+srv://agent:Zx9%40pass@cluster0.mongodb.net/db', 'Zx9%40pass'],
  ['Redis URL password', 'rediss://default:AVNS_k3y-value@cache:6380', 'AVNS_k3y-value'],
  ['client_secret', 'client_secret: 8f3e2a9c41b7d0e6f5a3', '8f3e2a9c41b7d0e6f5a3'],
  ['client-secret JSON', '"client_secret":"GOCSPX-abcdefghijklmnop"', 'GOCSPX-abcdefghijklmnop'],
  ['password', 'password: hunter2!', 'hunter2!'],
  ['api key', 'api_key=sk_live_51H8abcdefghijklmnop', 'sk_live_51H8abcdefghijklmnop'],
  ['OpenAI key', 'OPENAI_API_KEY is sk-proj-abcdefghijklmnopqrstuvwx', 'sk-proj-abcdefghijklmnopqrstuvwx'],
  ['GitHub token', 'ghp_abcdefghijklmnopqrstuvwxyz0123456789', 'ghp_abcdefghijklmnopqrstuvwxyz0123456789'],
  [
    'GitHub fine-grained',
    'github_pat_11ABCDEFG0123456789_abcdefghijklmnopqrstuvwxyz',
    'github_pat_11ABCDEFG0123456789_abcdefghijklmnopqrstuvwxyz',
  ],
  ['Google API key', 'AIzaSyA-abcdefghijklmnopqrstuvwxyz01234', 'AIzaSyA-abcdefghijklmnopqrstuvwxyz01234'],
  [
    'JWT',
    'Authorization: eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U',
    'eyJhbGciOiJIUzI1NiJ9',
  ],
  ['Bearer', 'curl -H "Authorization: Bearer abc.def.ghi123456"', 'abc.def.ghi123456'],
  [
    'private key',
    '-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA\n-----END RSA PRIVATE KEY-----',
    'MIIEowIBAAKCAQEA',
  ],
];

/** Ordinary incident chatter that must come through untouched. */
const CHATTER = [
  'token: expired-yesterday',
  'the token expired yesterday, rotating now',
  'password reset flow is broken for SSO users',
  'password: rotated-this-morning',
  'secret: none',
  'api key was rotated at 14:02 UTC',
  'client_secret rotation is planned for Friday',
  'the AKIA prefix means a long-term key; ours was ASIA (temporary)',
  'reverted commit e83c5163316f89bfbde7d9ab23ca2e25604af290 on main',
  'sha256 of the export: 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08',
  'connect with postgres://db.internal:5432/app (no credentials in the URL)',
  'see https://hooks.slack.com/ docs for webhooks',
  'correlation id corr-7f3a9b, run 4211, trace 0af7651916cd43dd8448eb211c80319c',
  'https://example.com/path?user=alice&page=2',
  'ssh://git@github.com/acme/agent.git',
  'Refunded $40,000 to 3,000 customers between 14:02 and 14:09 UTC',
  'token budget: 120000 per run',
  'the model hit max_tokens=4096',
];

describe('masking secrets in readable views', () => {
  it.each(SECRETS)('masks %s', (_kind, text, secret) => {
    const masked = maskTranscriptSecrets(text);
    expect(masked).not.toContain(secret);
    expect(masked).toContain(MASK);
  });

  it.each(CHATTER)('leaves ordinary chatter alone: %s', (text) => {
    expect(maskTranscriptSecrets(text)).toBe(text);
  });

  it('keeps the words around a secret, so the transcript still reads', () => {
    expect(maskTranscriptSecrets('DATABASE_URL=postgres://app:s3cr3t-P4ss@db.internal:5432/app')).toBe(
      'DATABASE_URL=postgres://app:[REDACTED]@db.internal:5432/app',
    );
    expect(maskTranscriptSecrets('aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY')).toBe(
      'aws_secret_access_key = [REDACTED]',
    );
  });
});
