import type { AnyAdapter } from '../contract.js';
import { anthropicAdapter } from './anthropic.js';
import { awsEcsAdapter } from './aws-ecs.js';
import { awsIamKeyAdapter } from './aws-iam-key.js';
import { awsLambdaAdapter } from './aws-lambda.js';
import { awsRoleSessionsAdapter } from './aws-role-sessions.js';
import { bullmqAdapter } from './bullmq.js';
import { entraServicePrincipalAdapter } from './entra-service-principal.js';
import { entraUserSessionsAdapter } from './entra-user-sessions.js';
import { gcpServiceAccountAdapter } from './gcp-service-account.js';
import { githubAdapter } from './github.js';
import { githubAppAdapter } from './github-app.js';
import { googleOauthAdapter } from './google-oauth.js';
import { kubernetesAdapter } from './kubernetes.js';
import { launchdarklyAdapter } from './launchdarkly.js';
import { launchdarklyApprovalModeAdapter } from './launchdarkly-approval-mode.js';
import { litellmAdapter } from './litellm.js';
import { litellmCapsAdapter } from './litellm-caps.js';
import { openaiAdapter } from './openai.js';
import { recordingAdapter } from './recording.js';
import { unleashAdapter } from './unleash.js';
import { unleashVariantsAdapter } from './unleash-variants.js';
import { webhookAdapter } from './webhook.js';

/** Every built-in adapter, by id: the one place an adapter is registered. */
export const BUILT_IN_ADAPTERS: ReadonlyMap<string, AnyAdapter> = new Map(
  [
    webhookAdapter,
    litellmAdapter,
    launchdarklyAdapter,
    unleashAdapter,
    kubernetesAdapter,
    bullmqAdapter,
    anthropicAdapter,
    openaiAdapter,
    githubAdapter,
    githubAppAdapter,
    litellmCapsAdapter,
    launchdarklyApprovalModeAdapter,
    entraServicePrincipalAdapter,
    entraUserSessionsAdapter,
    googleOauthAdapter,
    gcpServiceAccountAdapter,
    unleashVariantsAdapter,
    awsIamKeyAdapter,
    awsRoleSessionsAdapter,
    awsLambdaAdapter,
    awsEcsAdapter,
    recordingAdapter,
  ].map((adapter) => [adapter.id, adapter as AnyAdapter]),
);
