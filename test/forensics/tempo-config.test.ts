import { describe, expect, it } from 'vitest';
import { parseConfigText } from '../../src/config/load.js';
import { createForensicsService } from '../../src/forensics/index.js';

/** The `tempo` entry of `forensics.collectors`: settings and the auth secrets they imply, checked with the file. */
const yaml = (entry: string) =>
  `forensics:\n  collectors:\n    traces:\n      collector: tempo\n${entry
    .split('\n')
    .map((l) => `      ${l}`)
    .join('\n')}\n`;
const parse = (entry: string) => parseConfigText(yaml(entry), 'quell.yml');

describe('tempo collector config', () => {
  it('takes a multi-tenant, basic-auth Tempo and reads its password from the environment', () => {
    const config = parse(
      'settings: { baseUrl: "https://tempo-prod-10.grafana.net/tempo", tenant: agents-prod, username: "812345" }\nsecrets: { password: TEMPO_TOKEN }',
    );
    expect(config.forensics.collectors.traces?.settings).toMatchObject({ tenant: 'agents-prod' });
    expect(() => createForensicsService({ config, env: {} } as never)).toThrow(
      /forensics\.collectors\.traces\.secrets\.password: environment variable TEMPO_TOKEN is not set/,
    );
  });

  it('refuses a TraceQL query and logfmt tags together', () => {
    expect(() =>
      parse('settings: { baseUrl: "https://tempo", query: "{ true }", tags: "service.name=a" }'),
    ).toThrow(
      /forensics\.collectors\.traces\.settings\.query.*query \(TraceQL\) or tags \(logfmt\), not both/s,
    );
  });

  it('basic auth needs both halves, and is not mixed with a token', () => {
    expect(() => parse('settings: { baseUrl: "https://tempo", username: "812345" }')).toThrow(
      /secrets\.password.*username needs the password secret/s,
    );
    expect(() =>
      parse('settings: { baseUrl: "https://tempo" }\nsecrets: { password: TEMPO_PASSWORD }'),
    ).toThrow(/secrets\.password.*needs settings\.username/s);
    expect(() =>
      parse(
        'settings: { baseUrl: "https://tempo", username: "u" }\nsecrets: { token: TEMPO_TOKEN, password: TEMPO_PASSWORD }',
      ),
    ).toThrow(/a token \(bearer\) or username and password \(basic\), not both/);
  });

  it('refuses a tenant id Tempo would refuse, and an unknown secret slot', () => {
    expect(() => parse('settings: { baseUrl: "https://tempo", tenant: "a/b" }')).toThrow(
      /settings\.tenant.*tenant ids are letters, digits/s,
    );
    expect(() => parse('settings: { baseUrl: "https://tempo", tenant: ".." }')).toThrow(
      /cannot be "\." or "\.\."/,
    );
    expect(() => parse('settings: { baseUrl: "https://tempo" }\nsecrets: { apiKey: TEMPO_KEY }')).toThrow(
      /tempo has no secret "apiKey"; its secrets are token, password/,
    );
  });
});
