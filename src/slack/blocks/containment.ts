import type { Button, ConfirmationDialog, SectionBlock } from '@slack/types';
import type { Block, ChatMessage } from '../../chat/port.js';
import type { ContainmentRun } from '../../containment/model.js';
import type {
  Catalog,
  ConfirmationView,
  ContainmentPresenter,
  DriftAlert,
  ExecutionReport,
  StepReport,
} from '../../containment/presenter.js';
import { ACTIONS } from '../ids.js';
import { confirmDialog } from './confirm.js';
import {
  BUTTON_TEXT_LIMIT,
  context,
  divider,
  escapeText,
  header,
  lineSections,
  MESSAGE_BLOCK_LIMIT,
  plain,
  section,
  slackDate,
} from './format.js';

/** Block Kit for containment: pure functions, unit-tested. */

const MAX_BLOCKS = MESSAGE_BLOCK_LIMIT;

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

const seconds = (ms: number | undefined) => (ms === undefined ? '' : `${(ms / 1000).toFixed(2)} s`);

function button(
  text: string,
  actionId: string,
  value: string,
  style?: 'primary' | 'danger',
  confirm?: ConfirmationDialog,
): Button {
  return {
    type: 'button',
    text: plain(text, BUTTON_TEXT_LIMIT),
    action_id: actionId,
    value,
    ...(style ? { style } : {}),
    ...(confirm ? { confirm } : {}),
  };
}

function catalog(catalog: Catalog): ChatMessage {
  if (!catalog.actions.length)
    return {
      text: 'No containment actions are configured.',
      blocks: [
        section(
          '*No containment actions are configured.*\nAdd them under `containment.actions` in the Quell config file (README, "Containment"), then restart Quell.',
        ),
      ],
    };
  const actionLines = catalog.actions.map((a) => {
    const flags = [a.irreversible ? '*irreversible*' : a.undoable ? 'undoable' : 'no undo', a.adapter].join(
      ' · ',
    );
    const what = a.description ? `${escapeText(a.description)}\n    ` : '';
    return `• \`${a.name}\` — ${what}_${escapeText(a.target)}_ (${flags})`;
  });
  const playbookLines = catalog.playbooks.map((p) => {
    const steps = p.groups.map((g) => (g.length > 1 ? `[${g.join(' + ')}]` : g[0])).join(' → ');
    const what = p.description ? `${escapeText(p.description)}\n    ` : '';
    return `• \`${p.name}\` — ${what}${steps}${p.irreversible ? ' (*includes irreversible steps*)' : ''}`;
  });
  const blocks: Block[] = [header('Containment controls'), ...lineSections(['*Actions*', ...actionLines])];
  if (playbookLines.length)
    blocks.push(...lineSections(['*Playbooks* (steps in [ ] run in parallel)', ...playbookLines]));
  blocks.push(
    context(
      '`/contain &lt;action&gt; [key=value ...]` · `/contain playbook &lt;name&gt;` · add `--dry-run` to only see the requests · `/contain status` · `/contain undo &lt;run-id&gt;`',
    ),
  );
  return {
    text: `Containment: ${plural(catalog.actions.length, 'action')}, ${plural(catalog.playbooks.length, 'playbook')}`,
    blocks: blocks.slice(0, MAX_BLOCKS),
  };
}

function confirmation(view: ConfirmationView): ChatMessage {
  const irreversible = view.groups.flat().filter((s) => s.irreversible);
  const dry = view.dryRun
    ? view.drill
      ? ' — DRILL: dry run, nothing will be sent'
      : ' — dry run, nothing will be sent'
    : '';
  const lines = view.groups.map((group, i) => {
    const prefix = view.groups.length > 1 ? `${i + 1}. ` : '';
    const parallel = group.length > 1 ? ' _(in parallel)_' : '';
    return `${prefix}${group.map((s) => `\`${s.action}\`: ${escapeText(s.target)}`).join('\n    ')}${parallel}`;
  });
  const blocks: Block[] = [section(`*${escapeText(view.title)}*${dry}\n${lines.join('\n')}`)];
  if (irreversible.length && !view.dryRun)
    blocks.push(
      section(
        `:warning: *IRREVERSIBLE:* ${irreversible.map((s) => `*${escapeText(s.consequence ?? `${s.action} cannot be undone.`)}*`).join('\n')}`,
      ),
    );
  const confirmLabel =
    view.kind === 'undo'
      ? 'Undo'
      : view.dryRun
        ? 'Dry run'
        : irreversible.length
          ? 'Run: I accept it is irreversible'
          : 'Run';
  // Slack's own second dialog: the irreversible consequence has to be acknowledged twice
  const secondDialog =
    irreversible.length && !view.dryRun
      ? confirmDialog({
          title: 'This cannot be undone',
          text: irreversible
            .map((s) => escapeText(s.consequence ?? `${s.action} cannot be undone.`))
            .join('\n'),
          mrkdwn: true,
          confirm: 'Delete for good',
          deny: 'Keep it',
        })
      : undefined;
  const confirmButton = button(confirmLabel, ACTIONS.containmentConfirm, view.token, 'danger', secondDialog);
  blocks.push({
    type: 'actions',
    block_id: 'containment_confirm',
    elements: [confirmButton, button('Cancel', ACTIONS.containmentCancel, view.token)],
  });
  blocks.push(
    context('Only you see this. The result is posted in the channel and recorded on the timeline.'),
  );
  return {
    text: `${view.title}: confirm or cancel${irreversible.length ? ' (IRREVERSIBLE)' : ''}`,
    blocks,
  };
}

function stepLine(step: StepReport): string {
  const name = `*${step.action}*${step.runId ? ` \`${step.runId}\`` : ''}`;
  const time = step.durationMs !== undefined ? ` · ${seconds(step.durationMs)}` : '';
  switch (step.state) {
    case 'pending':
      return `:white_circle: ${name} — waiting · ${escapeText(step.target)}`;
    case 'running':
      return `:hourglass_flowing_sand: ${name} — running · ${escapeText(step.target)}`;
    case 'dry_run': {
      const sends = (step.wouldSend ?? []).map((r) => `\`${r.method} ${escapeText(r.url)}\``).join(', ');
      return `:test_tube: ${name} — dry run, nothing sent · would send ${sends}`;
    }
    case 'failed':
      return `:x: ${name} — *failed*: ${escapeText(step.error ?? 'unknown error')}${time}`;
    case 'ok': {
      const effective = step.verify?.effectiveBy
        ? `; effective on every proxy by ${slackDate(step.verify.effectiveBy, '{time_secs}')}, verified again then`
        : '';
      const verify = step.verify
        ? step.verify.outcome === 'verified'
          ? ` · :white_check_mark: verified (${escapeText(step.verify.observed)})${effective}`
          : step.verify.outcome === 'not_verified'
            ? ` · :warning: *not verified* (${escapeText(step.verify.observed)})`
            : ` · :warning: *could not verify*: ${escapeText(step.verify.observed)}`
        : '';
      return `:large_green_circle: ${name} — ok: ${escapeText(step.detail ?? '')}${verify}${time}`;
    }
  }
}

function report(report: ExecutionReport): ChatMessage {
  const steps = report.groups.flat();
  const failed = steps.filter((s) => s.state === 'failed').length;
  const notVerified = steps.filter((s) => s.state === 'ok' && s.verify?.outcome !== 'verified').length;
  const dry = report.dryRun ? (report.drill ? '[DRILL] ' : '[DRY RUN] ') : '';
  const state = !report.finished
    ? 'running'
    : failed
      ? `${failed} of ${steps.length} failed`
      : notVerified
        ? `done, ${notVerified} not verified`
        : report.dryRun
          ? 'dry run complete, nothing sent'
          : report.kind === 'undo'
            ? 'undone'
            : report.kind === 'reapply'
              ? 're-applied, verified'
              : 'done, all verified';
  const blocks: Block[] = [
    section(
      `*${dry}Containment: ${escapeText(report.title)}* — ${state} · by <@${report.by}>${report.finished ? ` · ${seconds(report.durationMs)}` : ''}`,
    ),
  ];
  for (const [i, group] of report.groups.entries()) {
    for (const step of group) {
      if (blocks.length >= MAX_BLOCKS - 3) break;
      const line = `${report.groups.length > 1 ? `${i + 1}. ` : ''}${stepLine(step)}`;
      const block: SectionBlock = section(line);
      if (step.state === 'failed' && step.runId && report.kind !== 'undo' && report.kind !== 'reapply')
        block.accessory = button('Retry', ACTIONS.containmentRetry, `${report.incidentId}|${step.runId}`);
      blocks.push(block);
    }
  }
  const undoable = steps.filter((s) => s.state === 'ok' && s.undoable && report.kind !== 'undo');
  const hints = [
    undoable.length
      ? `Undo: ${report.playbookRunId ? `\`/contain undo ${report.playbookRunId}\` (all) or ` : ''}${undoable.map((s) => `\`/contain undo ${s.runId}\``).join(', ')}`
      : '',
    steps.some((s) => s.state === 'ok' && s.irreversible)
      ? '*Irreversible steps ran: they cannot be undone.*'
      : '',
    '`/contain status` lists controls in force',
  ].filter(Boolean);
  blocks.push(context(hints.join(' · ')));
  return { text: `${dry}Containment ${report.title}: ${state}`, blocks };
}

const STATUS_LABEL: Record<ContainmentRun['status'], string> = {
  dry_run: 'dry run',
  running: 'running',
  in_force: 'in force',
  failed: 'failed',
  undone: 'undone',
  undo_failed: 'in force (undo failed)',
};

function status(incidentId: string, runs: ContainmentRun[]): ChatMessage {
  if (!runs.length)
    return {
      text: `No containment controls are in force for ${incidentId}.`,
      blocks: [
        section(
          `*No containment controls are in force for ${incidentId}.*\n\`/contain\` lists what can be run.`,
        ),
      ],
    };
  const lines = runs.map((run) => {
    const verify = run.check?.driftSince
      ? `:rotating_light: *DRIFT since ${slackDate(run.check.driftSince, '{time}')}*: ${escapeText(run.check.observed)}`
      : run.check
        ? `${run.check.outcome === 'verified' ? 'holds' : `*${run.check.outcome.replace('_', ' ')}*`} at ${slackDate(run.check.at, '{time}')} (${escapeText(run.check.observed)})`
        : run.verify
          ? run.verify.outcome === 'verified'
            ? `verified (${escapeText(run.verify.observed)})`
            : `*${run.verify.outcome.replace('_', ' ')}*`
          : '';
    const undo = run.irreversible
      ? 'irreversible'
      : run.undoable
        ? `undo: \`/contain undo ${run.id}\``
        : 'no undo';
    return `• \`${run.id}\` *${run.action}* — ${STATUS_LABEL[run.status]} since ${slackDate(run.execute?.at ?? run.startedAt, '{time}')} by <@${run.confirmedBy}> · ${escapeText(run.target)}${verify ? ` · ${verify}` : ''} · ${undo}`;
  });
  return {
    text: `${runs.length} containment control(s) in force for ${incidentId}`,
    blocks: [header(`Controls in force: ${incidentId}`), ...lineSections(lines), divider].slice(
      0,
      MAX_BLOCKS,
    ),
  };
}

/** A control in force stopped holding: what was seen, where, and one click to put it back. */
function drift(alert: DriftAlert): ChatMessage {
  const playbook = alert.playbook
    ? ` (playbook ${escapeText(alert.playbook.name)} \`${alert.playbook.id}\`)`
    : '';
  return {
    text: `Containment drift: ${alert.action} (${alert.runId}) no longer holds`,
    blocks: [
      section(
        `:rotating_light: *Containment no longer holds: ${escapeText(alert.action)}* \`${alert.runId}\`${playbook}\n${escapeText(alert.target)}\nRead back ${slackDate(alert.since, '{time}')}: ${escapeText(alert.observed)}`,
      ),
      {
        type: 'actions',
        block_id: 'containment_drift',
        elements: [button('Re-apply', ACTIONS.containmentReapply, alert.token, 'danger')],
      },
      context(
        'Someone or something reversed this control (a manual change, a GitOps sync, an unblock). Re-apply runs it again on the same target; undo still restores the state from before the incident.',
      ),
    ],
  };
}

export function containmentViews(): ContainmentPresenter {
  return { catalog, confirmation, report, status, drift };
}
