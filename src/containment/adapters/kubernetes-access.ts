import { readFileSync } from 'node:fs';
import type { PlanContext } from '../contract.js';

/**
 * How the adapter reaches the API server: a bearer token from the `token` secret or from a file read
 * on every call (projected service-account tokens and cloud tokens rotate), and the CA bundle that
 * signs the server's certificate. In a pod (`inCluster: true`) both come from the service account's
 * mount, https://kubernetes.io/docs/tasks/run-application/access-api-from-pod/ ("Directly accessing
 * the REST API": `/var/run/secrets/kubernetes.io/serviceaccount/token` and `ca.crt`, the server at
 * `https://kubernetes.default.svc`).
 */
export const SERVICE_ACCOUNT_DIR = '/var/run/secrets/kubernetes.io/serviceaccount';
export const IN_CLUSTER_API_SERVER = 'https://kubernetes.default.svc';

export interface AccessSettings {
  inCluster: boolean;
  tokenFile?: string | undefined;
  caFile?: string | undefined;
}

export function tokenFileOf(settings: AccessSettings): string | undefined {
  return settings.tokenFile ?? (settings.inCluster ? `${SERVICE_ACCOUNT_DIR}/token` : undefined);
}

export function caFileOf(settings: AccessSettings): string | undefined {
  return settings.caFile ?? (settings.inCluster ? `${SERVICE_ACCOUNT_DIR}/ca.crt` : undefined);
}

/**
 * The Authorization header. For a plan (shown to people, kept in the audit) a file token is named,
 * never read; for a request it is read now, so a rotated token is used as soon as it is written.
 */
export function authorization(ctx: PlanContext<AccessSettings, unknown>, forPlan: boolean): string {
  const file = tokenFileOf(ctx.settings);
  if (file) {
    if (forPlan) return `Bearer [token read from ${file}]`;
    const token = readFileSync(file, 'utf8').trim();
    if (!token) throw new Error(`the Kubernetes token file ${file} is empty`);
    return `Bearer ${token}`;
  }
  if (!ctx.secrets.token)
    throw new Error('kubernetes needs a token: map the token secret, or set settings.tokenFile or inCluster');
  return `Bearer ${ctx.secrets.token}`;
}

/** The CA bundle to trust, read on each call (a rotated bundle is picked up too). */
export function caBundle(settings: AccessSettings): string | undefined {
  const file = caFileOf(settings);
  return file ? readFileSync(file, 'utf8') : undefined;
}
