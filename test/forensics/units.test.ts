import { describe, expect, it } from 'vitest';
import { ConfigError, parseConfigText } from '../../src/config/load.js';
import { createForensicsService, maskForReading, timelineMarkdown } from '../../src/forensics/index.js';
import { parseCollectArgs } from '../../src/slack/listeners/commands/incident/forensics.js';
import { SECRET_PROMPT } from './fixtures.js';

describe('masking collected prompts for reading', () => {
  it('masks the secret, the e-mail and the card number, keeps the words', () => {
    const masked = maskForReading(SECRET_PROMPT);
    expect(masked).not.toContain('jane.doe@example.com');
    expect(masked).not.toContain('4111 1111 1111 1111');
    expect(masked).not.toContain('sk_live_51HxAbCdEfGhIjKlMnOpQr');
    expect(masked).toContain('Refund');
  });

  it('masks international and North American phone numbers', () => {
    expect(maskForReading('call +44 20 7946 0958 or (415) 555-0132 now')).toBe(
      'call [REDACTED] or [REDACTED] now',
    );
  });

  it('leaves order numbers, timestamps and non-Luhn digit runs alone', () => {
    const text = 'order A-17 at 2026-11-21T13:08:00Z amount 1200 ref 1234 5678 9012 3456';
    expect(maskForReading(text)).toBe(text);
  });

  it('the readable timeline masks inputs and marks the first unauthorized call', () => {
    const md = timelineMarkdown(
      'INC-7',
      [
        {
          id: '00000000000000a1',
          at: '2026-11-21T13:08:00.000Z',
          kind: 'tool_call',
          name: 'delete_records',
          correlation: { trace_id: 't' },
          input: 'email bob@example.org | drop',
          source: { collector: 'traces', file: 'forensics/traces/r/traces.json' },
        },
      ],
      '00000000000000a1',
    );
    expect(md).not.toContain('bob@example.org');
    expect(md).toContain('delete_records **← first unauthorized action**');
    expect(md).toContain('\\|');
  });
});

describe('forensics config', () => {
  const yaml = (collectors: string) => `forensics:\n  collectors:\n${collectors}`;

  it('names an unknown collector and a bad setting with their paths', () => {
    expect(() => parseConfigText(yaml('    logs:\n      collector: splunk\n'), 'quell.yml')).toThrow(
      /forensics\.collectors\.logs\.collector.*unknown collector "splunk"/s,
    );
    expect(() =>
      parseConfigText(
        yaml(
          '    gw:\n      collector: litellm\n      settings: { baseUrl: not-a-url }\n      secrets: { masterKey: LITELLM_KEY }\n',
        ),
        'quell.yml',
      ),
    ).toThrow(/forensics\.collectors\.gw\.settings\.baseUrl/);
    expect(() =>
      parseConfigText(
        yaml('    gw:\n      collector: litellm\n      settings: { baseUrl: "https://llm" }\n'),
        'quell.yml',
      ),
    ).toThrow(/needs the secret "masterKey"/);
  });

  it('langfuse refuses a collector with no filter (it would take every user)', () => {
    expect(() =>
      parseConfigText(
        yaml('    lf:\n      collector: langfuse\n      secrets: { publicKey: LF_PK, secretKey: LF_SK }\n'),
        'quell.yml',
      ),
    ).toThrow(/at least one of userId, sessionId or tags/);
  });

  it('a secret variable that is not set stops start-up naming the collector, slot and variable', () => {
    const config = parseConfigText(
      yaml(
        '    gw:\n      collector: litellm\n      settings: { baseUrl: "https://llm", keyHash: "' +
          'a'.repeat(64) +
          '" }\n      secrets: { masterKey: LITELLM_KEY }\n',
      ),
      'quell.yml',
    );
    expect(config.forensics.lookBack).toBe(3_600_000);
    expect(config.forensics.collectors.gw?.auto).toEqual(['sev1', 'sev2']);
    expect(() => createForensicsService({ config, env: {} } as never)).toThrow(ConfigError);
    expect(() => createForensicsService({ config, env: {} } as never)).toThrow(
      /forensics\.collectors\.gw\.secrets\.masterKey: environment variable LITELLM_KEY is not set/,
    );
  });
});

describe('/incident collect arguments', () => {
  const now = new Date('2026-11-21T14:00:00Z');
  it('takes a collector and --since as a duration or a time', () => {
    expect(parseCollectArgs('', now)).toEqual({});
    expect(parseCollectArgs('gateway --since 2h', now)).toEqual({
      collector: 'gateway',
      since: '2026-11-21T12:00:00.000Z',
    });
    expect(parseCollectArgs('--since 2026-11-21T09:30:00Z', now)).toEqual({
      since: '2026-11-21T09:30:00.000Z',
    });
  });
  it('refuses what it cannot read, saying how to write it', () => {
    expect(() => parseCollectArgs('--since', now)).toThrow(/needs a duration/);
    expect(() => parseCollectArgs('--since yesterday', now)).toThrow(/neither a duration/);
    expect(() => parseCollectArgs('gateway traces', now)).toThrow(/don't understand "traces"/);
  });
});
