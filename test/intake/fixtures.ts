/**
 * Alertmanager webhook payloads (version "4"), shaped as the `<webhook_config>` section of
 * https://prometheus.io/docs/alerting/latest/configuration/#webhook_config documents them: version,
 * groupKey, truncatedAlerts, status, receiver, groupLabels, commonLabels, commonAnnotations,
 * externalURL, alerts[] (status, labels, annotations, startsAt, endsAt, generatorURL, fingerprint).
 */
export function alertmanagerPayload(
  options: {
    fingerprint?: string;
    startsAt?: string;
    status?: 'firing' | 'resolved';
    alertname?: string;
    agent?: string;
  } = {},
) {
  const status = options.status ?? 'firing';
  const labels = {
    alertname: options.alertname ?? 'PromptInjectionDetected',
    agent: options.agent ?? 'helpdesk-agent',
    model: 'gpt-4.1',
    env: 'production',
    severity: 'critical',
  };
  const annotations = {
    summary: `Prompt injection detected in ${labels.agent}'s tool calls`,
    description: 'The guardrail flagged 12 tool calls carrying injected instructions in 5 minutes.',
  };
  return {
    version: '4',
    groupKey: `{}/{severity="critical"}:{alertname="${labels.alertname}"}`,
    truncatedAlerts: 0,
    status,
    receiver: 'quell',
    groupLabels: { alertname: labels.alertname },
    commonLabels: labels,
    commonAnnotations: annotations,
    externalURL: 'http://alertmanager.example.org:9093',
    alerts: [
      {
        status,
        labels,
        annotations,
        startsAt: options.startsAt ?? '2026-12-01T14:02:00Z',
        endsAt: status === 'resolved' ? '2026-12-01T14:30:00Z' : '0001-01-01T00:00:00Z',
        generatorURL:
          'http://prometheus.example.org:9090/graph?g0.expr=guardrail_injections_total+%3E+10&g0.tab=1',
        fingerprint: options.fingerprint ?? '1a30ba71cca2921f',
      },
    ],
  };
}
