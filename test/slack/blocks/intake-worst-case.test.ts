/**
 * The alert card and the decision-deadline reminder at their worst: the longest summary, labels
 * and links a sender may send, a long playbook, Enterprise (`W…`) ids. Slack must accept them
 * (the emulator's strict validator) and a sender's text must never become a live mention or link.
 */
import { describe, expect, it } from 'vitest';
import { validateMessageBlocks } from '../../../src/local/emulator/validate/index.js';
import { intakeViews } from '../../../src/slack/blocks/intake.js';

const views = intakeViews();
const hostile = '<!channel> <@W01ABCDEFGH> <https://evil.example|click> ';

describe('alert card at its limits', () => {
  it('stays within Slack limits with the longest inputs and echoes no live mention or link', () => {
    const card = views.alertCard({
      incidentId: 'INCIDENTXY-123456',
      ruleId: 'r'.repeat(60),
      source: 's'.repeat(40),
      severity: 'sev1',
      drill: false,
      summary: hostile.repeat(400),
      labels: Object.fromEntries(
        Array.from({ length: 60 }, (_, i) => [`label_${i}_${'k'.repeat(80)}`, hostile.repeat(20)]),
      ),
      url: `https://alertmanager.example.com/${'path/'.repeat(600)}`,
      fires: { count: 1_000_000, firstAt: new Date(0), lastAt: new Date() },
      resolvedAt: new Date(),
      playbook: {
        name: 'p'.repeat(60),
        description: hostile.repeat(100),
        actions: Array.from({ length: 40 }, (_, i) => ({
          name: `action-${i}-${'a'.repeat(50)}`,
          irreversible: i % 3 === 0,
          undoable: i % 2 === 0,
        })),
        autoRun: {
          ran: Array.from({ length: 40 }, (_, i) => `action-${i}-${'a'.repeat(50)}`),
          skipped: Array.from({ length: 40 }, (_, i) => `action-${i}-${'a'.repeat(50)}`),
        },
      },
    });
    expect(validateMessageBlocks(card.blocks)).toEqual({ ok: true });
    const shown = JSON.stringify(card);
    expect(shown).not.toContain('<!channel>');
    expect(shown).not.toContain('<@W01ABCDEFGH>');
    expect(shown).not.toContain('<https://evil.example|click>');
    expect(card.text.length).toBeLessThanOrEqual(40_000);
  });

  it('the decision-deadline reminder names an Enterprise commander and passes the validator', () => {
    const message = views.decisionOverdue({
      incidentId: 'INCIDENTXY-123456',
      ruleId: 'r'.repeat(60),
      deadlineMs: 15 * 60_000,
      commander: 'W01ABCDEFGH',
    });
    expect(validateMessageBlocks(message.blocks)).toEqual({ ok: true });
    expect(JSON.stringify(message)).toContain('<@W01ABCDEFGH>');
  });
});
