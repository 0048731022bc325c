import { z } from 'zod';
import { type CollectContext, defineCollector, fillTemplate, joinUrl, withQuery } from '../contract.js';

/**
 * `kubernetes`: the agent's Deployment as it is now and its previous revision, recent events, and
 * its pods' logs in the window. Docs (API reference v1.30+):
 * https://kubernetes.io/docs/reference/kubernetes-api/workload-resources/deployment-v1/ (`GET
 * /apis/apps/v1/namespaces/{ns}/deployments/{name}`), .../replica-set-v1/ (a Deployment's revisions
 * are its ReplicaSets, annotated `deployment.kubernetes.io/revision`), .../cluster-resources/event-v1/
 * (`GET /api/v1/namespaces/{ns}/events?fieldSelector=involvedObject.name=…&limit=&continue=`), and
 * .../workload-resources/pod-v1/ ("read log of the specified Pod": `GET
 * /api/v1/namespaces/{ns}/pods/{pod}/log?timestamps=true&sinceTime=<RFC 3339>&limitBytes=`).
 * Least privilege: a Role with `get,list` on deployments, replicasets, events, pods and `pods/log`.
 */
const settingsSchema = z.strictObject({
  apiServer: z.url(),
  namespace: z.string().min(1),
  /** The agent's Deployment, e.g. `{agent.name}`. */
  deployment: z.string().min(1).default('{agent.name}'),
  container: z.string().optional(),
  /** PEM CA bundle of a private-CA cluster. */
  ca: z.string().optional(),
  maxLogBytesPerPod: z.number().int().min(1024).default(5_000_000),
  eventPageSize: z.number().int().min(1).max(500).default(200),
});
type Settings = z.output<typeof settingsSchema>;

const meta = z.looseObject({
  name: z.string(),
  annotations: z.record(z.string(), z.string()).optional(),
});
const deployment = z.looseObject({
  metadata: meta,
  spec: z.looseObject({
    selector: z.looseObject({ matchLabels: z.record(z.string(), z.string()).default({}) }),
  }),
});
const list = z.looseObject({
  items: z.array(z.looseObject({ metadata: meta })),
  metadata: z.looseObject({ continue: z.string().optional() }).optional(),
});

type Ctx = Pick<CollectContext<Settings>, 'settings' | 'window' | 'agent'>;
const REVISION = 'deployment.kubernetes.io/revision';

const names = (ctx: Ctx) => ({
  ns: encodeURIComponent(ctx.settings.namespace),
  name: fillTemplate(ctx.settings.deployment, ctx.window, ctx.agent),
});
const deploymentUrl = (ctx: Ctx) => {
  const { ns, name } = names(ctx);
  return joinUrl(
    ctx.settings.apiServer,
    `apis/apps/v1/namespaces/${ns}/deployments/${encodeURIComponent(name)}`,
  );
};

export const kubernetesCollector = defineCollector<Settings>({
  id: 'kubernetes',
  summary: "The agent's Deployment (now and previous revision), events and pod logs",
  docs: 'https://kubernetes.io/docs/reference/kubernetes-api/workload-resources/pod-v1/',
  settingsSchema,
  secrets: { required: [], optional: ['token'] },
  plan: (ctx) => {
    const { ns, name } = names(ctx);
    const base = ctx.settings.apiServer;
    return [
      { method: 'GET', url: deploymentUrl(ctx), what: 'the Deployment now' },
      {
        method: 'GET',
        url: joinUrl(base, `apis/apps/v1/namespaces/${ns}/replicasets?labelSelector=<its selector>`),
        what: 'its revisions (ReplicaSets)',
      },
      {
        method: 'GET',
        url: withQuery(joinUrl(base, `api/v1/namespaces/${ns}/events`), {
          fieldSelector: `involvedObject.name=${name}`,
        }),
        what: 'its events',
      },
      {
        method: 'GET',
        url: joinUrl(
          base,
          `api/v1/namespaces/${ns}/pods/<pod>/log?timestamps=true&sinceTime=${ctx.window.from.toISOString()}`,
        ),
        what: 'each pod’s log since the window start',
      },
    ];
  },
  async collect(ctx) {
    const { settings, secrets, http, out, window } = ctx;
    const { ns, name } = names(ctx);
    const headers: Record<string, string> = secrets.token ? { authorization: `Bearer ${secrets.token}` } : {};
    const get = <T>(url: string, schema: z.ZodType<T>) =>
      http.request(
        { method: 'GET', url, headers, idempotent: true, ...(settings.ca ? { ca: settings.ca } : {}) },
        schema,
      );
    const q = (url: string, what: string) => ({ method: 'GET', url, what });

    const depUrl = deploymentUrl(ctx);
    const dep = await get(depUrl, deployment);
    await out.page('deployment.json', JSON.stringify(dep.data), q(depUrl, 'the Deployment now'));
    const selector = Object.entries(dep.data.spec.selector.matchLabels)
      .map(([k, v]) => `${k}=${v}`)
      .join(',');

    const rsUrl = withQuery(joinUrl(settings.apiServer, `apis/apps/v1/namespaces/${ns}/replicasets`), {
      labelSelector: selector,
    });
    const rs = await get(rsUrl, list);
    await out.page('replicasets.json', JSON.stringify(rs.data), q(rsUrl, 'its ReplicaSets'));
    const current = Number(dep.data.metadata.annotations?.[REVISION] ?? Number.NaN);
    const previous = rs.data.items
      .filter((i) => Number(i.metadata.annotations?.[REVISION]) < current)
      .sort(
        (a, b) => Number(b.metadata.annotations?.[REVISION]) - Number(a.metadata.annotations?.[REVISION]),
      )[0];
    if (previous)
      await out.page('previous-revision.json', JSON.stringify(previous), q(rsUrl, 'the previous revision'));
    else
      out.gap(
        'previous revision',
        `no ReplicaSet with a revision below ${Number.isNaN(current) ? '(unknown)' : current}`,
      );

    let cont: string | undefined;
    for (let n = 1; ; n++) {
      const evUrl = withQuery(joinUrl(settings.apiServer, `api/v1/namespaces/${ns}/events`), {
        fieldSelector: `involvedObject.name=${name}`,
        limit: settings.eventPageSize,
        continue: cont,
      });
      const ev = await get(evUrl, list);
      await out.page(
        `events.page-${String(n).padStart(4, '0')}.json`,
        JSON.stringify(ev.data),
        q(evUrl, `events page ${n}`),
      );
      if (!out.count(ev.data.items.length)) return;
      cont = ev.data.metadata?.continue || undefined;
      if (!cont) break;
    }

    const podsUrl = withQuery(joinUrl(settings.apiServer, `api/v1/namespaces/${ns}/pods`), {
      labelSelector: selector,
    });
    const pods = await get(podsUrl, list);
    await out.page('pods.json', JSON.stringify(pods.data), q(podsUrl, 'its pods'));
    for (const pod of pods.data.items) {
      const logUrl = withQuery(
        joinUrl(
          settings.apiServer,
          `api/v1/namespaces/${ns}/pods/${encodeURIComponent(pod.metadata.name)}/log`,
        ),
        {
          timestamps: 'true',
          sinceTime: window.from.toISOString(),
          limitBytes: settings.maxLogBytesPerPod,
          container: settings.container,
        },
      );
      const log = await get(logUrl, z.unknown());
      const text =
        typeof log.data === 'string' ? log.data : log.data === undefined ? '' : JSON.stringify(log.data);
      await out.stream(`logs/${pod.metadata.name}.log`, text, q(logUrl, `log of ${pod.metadata.name}`));
      const lines = text ? text.split('\n').filter(Boolean).length : 0;
      if (Buffer.byteLength(text) >= settings.maxLogBytesPerPod)
        out.gap(
          `log of ${pod.metadata.name} beyond ${settings.maxLogBytesPerPod} bytes`,
          'limitBytes reached',
        );
      if (!out.count(lines)) return;
    }
  },
});
