import { describe, expect, it } from 'vitest';
import { DEFAULT_BANNED_PHRASES } from '../../src/comms/config.js';
import { lintMessage } from '../../src/comms/lint.js';

const lint = (text: string, ownMentions: string[] = ['U0CMD12345']) =>
  lintMessage(text, {
    external: false,
    bannedPhrases: DEFAULT_BANNED_PHRASES,
    facts: { open: true, sideEffects: true, rootCauseConfirmed: false, ownMentions },
  }).filter((f) => f.rule === 'live-markup');

describe('comms lint: live mentions and masked links', () => {
  it('flags channel and group pings, other people’s mentions and masked links as errors', () => {
    const findings = lint('<!channel> <!here> <!everyone> <!subteam^S1|x> <@U123> <https://x.example|y>');
    expect(findings.map((f) => [f.level, f.message.split(' would')[0]!.split(' is a link')[0]])).toEqual([
      ['error', '`<!channel>`'],
      ['error', '`<!here>`'],
      ['error', '`<!everyone>`'],
      ['error', '`<!subteam^S1|x>`'],
      ['error', '`<@U123>`'],
      ['error', '`<https://x.example|y>`'],
    ]);
  });

  it('lets Quell’s own role mentions, channel links, dates, plain links and braces through', () => {
    expect(
      lint(
        'Led by <@U0CMD12345> in <#C0123> <!date^1700000000^{date}|x> <https://status.example> {{ x }} {% y %}',
      ),
    ).toEqual([]);
  });
});
