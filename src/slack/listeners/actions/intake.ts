import { z } from 'zod';
import { INCIDENT_ID_PATTERN } from '../../../incidents/model.js';
import { decodeText } from '../../boundary/codec.js';
import { defineAction } from '../../boundary/define.js';
import { ACTIONS } from '../../ids.js';

/** `<incident id>|playbook|<name>` or `<incident id>|action|<name>` (src/intake/presenter.ts). */
const runValue = z
  .string()
  .regex(
    new RegExp(`${INCIDENT_ID_PATTERN.source.slice(0, -1)}\\|(playbook|action)\\|[a-z0-9][a-z0-9_-]{0,59}$`),
  )
  .transform((value) => {
    const [incidentId, kind, name] = value.split('|') as [string, 'playbook' | 'action', string];
    return { incidentId, kind, name };
  });

/**
 * Run on an alert card's suggested playbook (or one of its actions): containment's own request, so
 * the presser is authorized (refusals recorded) and sees containment's confirmation, only they.
 */
export const intakeRunAction = defineAction({
  actionId: ACTIONS.intakeRun,
  parse: (element) => decodeText(runValue, element.value),
  stale: ':warning: This Run button no longer names a playbook Quell understands; use `/contain` instead.',
  incident: { from: 'payload', id: (value) => value.incidentId },
  async run(ctx) {
    await ctx.reply.tell(
      await ctx.deps.containment.requestRun({
        incident: ctx.incident,
        user: ctx.user,
        kind: ctx.value.kind,
        name: ctx.value.name,
        args: {},
        dryRun: false,
      }),
    );
  },
});
