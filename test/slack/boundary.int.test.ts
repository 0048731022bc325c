import { describe, expect, it } from 'vitest';
import { BOUNDARY } from '../../src/slack/boundary/define.js';
import { ACTIONS, COMMANDS, SHORTCUTS, VIEWS } from '../../src/slack/ids.js';
import { LISTENERS, registerListeners } from '../../src/slack/listeners/index.js';
import {
  actionArgs,
  commandArgs,
  eventArgs,
  recordingApp,
  shortcutArgs,
  slackPlatformError,
  viewArgs,
} from '../helpers/bolt-args.js';
import { useServices } from './services-env.js';

/**
 * Every registered listener goes through the boundary: it is built by it (marked), it acks before
 * anything else, and a failure reaches the person through the one reply policy even when Slack
 * refuses the response_url and the ephemeral (Quell not in the channel): by DM.
 */

const USER = 'U0ALICE';
const OUTSIDE = 'C0NOTQUELLS';
const refuseEphemeral = { 'chat.postEphemeral': () => Promise.reject(slackPlatformError('not_in_channel')) };

const env = useServices();

function registered() {
  const { app, registrations } = recordingApp();
  registerListeners(app, env.services);
  return registrations;
}

describe('the Slack boundary, structurally', () => {
  it('registers a boundary-built listener for every command, action, view, shortcut and event', () => {
    const registrations = registered();
    expect(registrations).toHaveLength(LISTENERS.length);
    for (const r of registrations)
      expect((r.listener as unknown as Record<symbol, string>)[BOUNDARY]).toBe(r.kind);
    const ids = (kind: string) => registrations.filter((r) => r.kind === kind).map((r) => r.id);
    expect(ids('command').sort()).toEqual(Object.values(COMMANDS).sort());
    const actionIds = ids('action').filter((id): id is string => typeof id === 'string');
    expect(actionIds.sort()).toEqual([...new Set(Object.values(ACTIONS))].sort());
    // and one catch-all for action ids nobody claims
    const unknown = ids('action').filter((id) => id instanceof RegExp) as RegExp[];
    expect(unknown).toHaveLength(1);
    expect(unknown[0]!.test('quell_from_an_older_release')).toBe(true);
    for (const id of actionIds) expect(unknown[0]!.test(id), id).toBe(false);
    // the home tab is published, never submitted
    expect(ids('view').sort()).toEqual(
      Object.values(VIEWS)
        .filter((v) => v !== VIEWS.home)
        .sort(),
    );
    expect(ids('shortcut')).toEqual([{ callback_id: SHORTCUTS.addToTimeline, type: 'message_action' }]);
    expect(ids('event').sort()).toEqual(['app_home_opened', 'message']);
  });

  it('every command acks first, and a failure after the ack reaches the person by DM when Slack refuses the rest', async () => {
    const needsIncident: Record<string, string> = {
      [COMMANDS.incident]: 'note the agent is looping',
      [COMMANDS.comms]: 'history',
      [COMMANDS.contain]: 'status',
    };
    for (const r of registered().filter((x) => x.kind === 'command')) {
      const id = r.id as string;
      const call = commandArgs(id, needsIncident[id]!, {
        user: USER,
        channel: OUTSIDE,
        respondFails: true,
        stubs: refuseEphemeral,
      });
      await r.listener(call.args);
      await env.services.requests.drain();
      expect(call.ack, id).toHaveBeenCalledTimes(1);
      expect(call.ack.mock.invocationCallOrder[0]).toBeLessThan(call.respond.mock.invocationCallOrder[0]!);
      const [dm] = call.callsTo('chat.postMessage');
      expect(dm?.params, id).toMatchObject({ channel: USER });
      expect(String(dm?.params.text), id).toContain('works inside an incident channel');
    }
  });

  it('every action acks first and answers a stale or forged value where the person is, changing nothing', async () => {
    for (const r of registered().filter((x) => x.kind === 'action')) {
      const call = actionArgs(
        r.id as string,
        { value: 'not{json', selected_option: { value: 'nope' }, selected_options: [{ value: 'nope' }] },
        { user: USER, channel: OUTSIDE, respondFails: true, stubs: refuseEphemeral },
      );
      await r.listener(call.args);
      await env.services.requests.drain();
      expect(call.ack, String(r.id)).toHaveBeenCalledTimes(1);
      expect(call.ack.mock.invocationCallOrder[0]).toBeLessThan(call.respond.mock.invocationCallOrder[0]!);
      // response_url refused, ephemeral refused: the DM is the last way, and it is taken
      const tried = call.calls.map((c) => c.method);
      expect(tried, String(r.id)).toEqual(['chat.postEphemeral', 'chat.postMessage']);
      expect(call.callsTo('chat.postMessage')[0]!.params.channel).toBe(USER);
    }
    expect(env.slack.calls).toEqual([]);
  });

  it('an action id no listener claims is acked and answered', async () => {
    const catchAll = registered().find((r) => r.id instanceof RegExp)!;
    const call = actionArgs('quell_from_an_older_release', { value: 'x' }, { channel: OUTSIDE });
    await catchAll.listener(call.args);
    expect(call.ack).toHaveBeenCalledTimes(1);
    expect(call.respond).toHaveBeenCalledWith({
      response_type: 'ephemeral',
      replace_original: false,
      text: ':warning: This button is not one Quell knows (any more); nothing was changed.',
    });
  });

  it('every view answers bad private_metadata on the form itself, or by DM when the form has no input', async () => {
    for (const r of registered().filter((x) => x.kind === 'view')) {
      const onForm = viewArgs(r.id as string, {
        metadata: '{not json',
        blocks: [{ type: 'input', block_id: 'first_field' }],
      });
      await r.listener(onForm.args);
      expect(onForm.ack, String(r.id)).toHaveBeenCalledWith({
        response_action: 'errors',
        errors: { first_field: expect.stringContaining('out of date') },
      });
      const noInputs = viewArgs(r.id as string, { metadata: '[1,2' });
      await r.listener(noInputs.args);
      await env.services.requests.drain();
      expect(noInputs.ack).toHaveBeenCalledWith();
      expect(noInputs.callsTo('chat.postMessage')[0]?.params, String(r.id)).toMatchObject({ channel: USER });
    }
    expect(env.slack.calls).toEqual([]);
  });

  it('the shortcut acks first; outside an incident channel the person is told by DM when nothing else works', async () => {
    const [r] = registered().filter((x) => x.kind === 'shortcut');
    const call = shortcutArgs(
      SHORTCUTS.addToTimeline,
      { ts: '1.2', text: 'look' },
      {
        channel: OUTSIDE,
        respondFails: true,
        stubs: refuseEphemeral,
      },
    );
    await r!.listener(call.args);
    await env.services.requests.drain();
    expect(call.ack).toHaveBeenCalledTimes(1);
    expect(String(call.callsTo('chat.postMessage')[0]?.params.text)).toContain(
      'works inside an incident channel',
    );
  });

  it('events never throw: a failing handler is logged, not an unhandled rejection', async () => {
    for (const r of registered().filter((x) => x.kind === 'event')) {
      const broken = eventArgs(
        r.id === 'message'
          ? { type: 'message', subtype: 'message_changed', channel: 'C1', event_ts: 'x' }
          : { type: 'app_home_opened', tab: 'home', user: USER },
        { stubs: { 'views.publish': () => Promise.reject(slackPlatformError('invalid_auth')) } },
      );
      await expect(r.listener(broken.args)).resolves.toBeUndefined();
    }
  });
});
