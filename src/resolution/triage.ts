import type { Severity } from '../incidents/model.js';

/**
 * Severity triage from side effects, never from model confidence. Pure and table-tested: the same
 * answers always give the same suggestion and the same reason.
 */

export const TRIAGE_QUESTIONS = [
  'dataLeftBoundary',
  'moneyMoved',
  'externalMessaged',
  'reversible',
  'agentRunning',
  'similarQueued',
] as const;
export type TriageQuestion = (typeof TRIAGE_QUESTIONS)[number];

export const TRIAGE_QUESTION_TEXT: Record<TriageQuestion, string> = {
  dataLeftBoundary: 'Did data leave a boundary (another tenant, a third party, the public)?',
  moneyMoved: 'Did money move (payments, refunds, purchases, spend)?',
  externalMessaged: 'Were people outside the company messaged?',
  reversible: 'Can everything the agent did be reversed?',
  agentRunning: 'Is the agent still running?',
  similarQueued: 'Are similar runs queued or scheduled?',
};

export const TRIAGE_ANSWERS = ['yes', 'no', 'unsure'] as const;
export type TriageAnswer = (typeof TRIAGE_ANSWERS)[number];
export type TriageAnswers = Record<TriageQuestion, TriageAnswer>;

export interface TriageSuggestion {
  severity: Severity;
  /** Why, in one or two sentences a declarer can check against what they know. */
  reason: string;
}

/**
 * "Unsure" counts as the worse answer: yes for a harm, no for "reversible". Blast radius first
 * (data, money → SEV1; external messages or irreversible effects → SEV2), then activity: a SEV2
 * whose agent is still acting, or has more runs queued, becomes SEV1; an internal, reversible
 * effect is SEV3 while the agent can still act and SEV4 once it has stopped.
 */
export function suggestSeverity(answers: TriageAnswers): TriageSuggestion {
  const yes = (q: TriageQuestion) => answers[q] !== 'no';
  const unsure = TRIAGE_QUESTIONS.filter((q) => answers[q] === 'unsure');
  const assumed = unsure.length
    ? ` Unsure answers were taken as the worse case (${unsure.map(shortName).join(', ')}).`
    : '';
  const irreversible = answers.reversible !== 'yes';
  const active = yes('agentRunning') || yes('similarQueued');
  const activity = [
    yes('agentRunning') && 'the agent is still running',
    yes('similarQueued') && 'similar runs are queued',
  ]
    .filter(Boolean)
    .join(' and ');

  const sev1Harms = [
    yes('dataLeftBoundary') && 'data left a boundary',
    yes('moneyMoved') && 'money moved',
  ].filter(Boolean);
  if (sev1Harms.length)
    return { severity: 'sev1', reason: `${capitalize(sev1Harms.join(' and '))}.${assumed}` };

  const sev2Harms = [
    yes('externalMessaged') && 'people outside the company were messaged',
    irreversible && 'not everything can be reversed',
  ].filter(Boolean);
  if (sev2Harms.length) {
    if (active)
      return {
        severity: 'sev1',
        reason: `${capitalize(sev2Harms.join(' and '))}, and ${activity}: the harm may still be growing.${assumed}`,
      };
    return {
      severity: 'sev2',
      reason: `${capitalize(sev2Harms.join(' and '))}; the agent has stopped.${assumed}`,
    };
  }
  if (active)
    return {
      severity: 'sev3',
      reason: `Internal and reversible so far, but ${activity}: contain it before it repeats.${assumed}`,
    };
  return {
    severity: 'sev4',
    reason: `Internal, reversible, and the agent has stopped with nothing queued: record and watch.${assumed}`,
  };
}

function shortName(question: TriageQuestion): string {
  return {
    dataLeftBoundary: 'data',
    moneyMoved: 'money',
    externalMessaged: 'external messages',
    reversible: 'reversible',
    agentRunning: 'still running',
    similarQueued: 'runs queued',
  }[question];
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
