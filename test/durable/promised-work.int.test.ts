import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { defineCommand, defineSubcommand } from '../../src/slack/boundary/command.js';
import {
  type Definition,
  defineAction,
  defineEvent,
  defineMessageShortcut,
  defineView,
  NOT_ACCEPTED,
} from '../../src/slack/boundary/define.js';
import { requestJobId } from '../../src/slack/boundary/durable.js';
import { LISTENERS } from '../../src/slack/listeners/index.js';
import {
  actionArgs,
  commandArgs,
  eventArgs,
  listenerOf,
  shortcutArgs,
  viewArgs,
} from '../helpers/bolt-args.js';
import { buildTestServices, type TestServices } from '../helpers/services.js';

/**
 * Structural: every handler that promises work enqueues a durable job before it replies. Listeners
 * cannot ack or reply themselves (they only declare specs: checked over their sources), every
 * registered listener is built by the boundary and can resume a stored request, and each of the
 * boundary's five builders stores the job in Redis before Slack gets its ack (or, when Redis does
 * not take it, says so instead of promising anything, and runs nothing).
 */

let t: TestServices;
beforeEach(async () => {
  t = await buildTestServices();
});
afterEach(async () => {
  await t.services.requests.drain();
  await t.cleanup();
});

/** An ack that records whether the request's job was already in Redis when Slack got the answer. */
function ackRecorder(key: () => string) {
  const seen: { stored: boolean; response: unknown }[] = [];
  const ack = async (response?: unknown) => {
    const job = await t.services.jobs.job(t.services.requests.job, requestJobId(key()));
    seen.push({ stored: job !== undefined, response });
  };
  return { ack, seen };
}

function sourcesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? sourcesUnder(path) : path.endsWith('.ts') ? [path] : [];
  });
}

describe('promised work is a job before the reply', () => {
  it('listeners declare specs only: none acks, queues or answers Slack outside the boundary', () => {
    const files = sourcesUnder('src/slack/listeners');
    expect(files.length).toBeGreaterThan(10);
    for (const file of files) {
      const source = readFileSync(file, 'utf8');
      expect(source, file).not.toMatch(/\back\s*\(/);
      expect(source, file).not.toMatch(/\.later\s*\(|requests\.accept\s*\(|acceptWork\s*\(/);
      // Bolt's types only: its ack and respond are the boundary's
      expect(source, file).not.toMatch(/^import \{[^}]*\} from '@slack\/bolt'/m);
    }
  });

  it('every registered listener is the boundary’s and can resume a stored request on any replica', () => {
    const keys = LISTENERS.map((d: Definition) => d.key);
    expect(new Set(keys).size).toBe(keys.length);
    for (const definition of LISTENERS) {
      expect(definition.key).toBe(`${definition.kind} ${definition.id}`);
      expect(typeof definition.resume).toBe('function');
    }
  });

  it('a command: the job is stored before the ack says "Working on it…"', async () => {
    let ran = 0;
    const set = {
      command: '/quelltest',
      title: 'test',
      subcommands: [
        defineSubcommand({
          name: 'work',
          usage: '/quelltest work',
          summary: 'promises work',
          parse: () => undefined,
          ackReply: () => 'Working on it…',
          run: async () => {
            ran += 1;
          },
        }),
      ],
    };
    const call = commandArgs('/quelltest', 'work', {
      triggerId: '13345224609.738474920.8088930838d88f008e0',
    });
    const { ack, seen } = ackRecorder(() => '13345224609.738474920.8088930838d88f008e0');
    await listenerOf(defineCommand(set as never), t.services)({ ...(call.args as object), ack } as never);
    expect(seen).toEqual([
      { stored: true, response: { response_type: 'ephemeral', text: 'Working on it…' } },
    ]);
    await t.services.requests.drain();
    expect(ran).toBe(1);
  });

  it('a button, a form, a message shortcut and an event: stored before the ack', async () => {
    let ran = 0;
    const work = async () => {
      ran += 1;
    };
    const action = actionArgs('quell_test_button', { value: 'go' });
    const actionKey = () => {
      const a = (action.args as { action: { action_id: string; action_ts: string } }).action;
      return `action-${a.action_id}-${a.action_ts}`;
    };
    const actionAck = ackRecorder(actionKey);
    await listenerOf(
      defineAction({ actionId: 'quell_test_button', parse: (e) => e.value, stale: 'stale', run: work }),
      t.services,
    )({ ...(action.args as object), ack: actionAck.ack } as never);
    expect(actionAck.seen.map((s) => s.stored)).toEqual([true]);

    const view = viewArgs('quell_test_form', { metadata: {}, id: 'V0TESTFORM1' });
    const viewAck = ackRecorder(() => 'view-V0TESTFORM1-quell_test_form');
    await listenerOf(
      defineView({
        callbackId: 'quell_test_form',
        metadata: z.object({}),
        channelOf: () => undefined,
        form: () => ({ ok: true, data: {} }),
        run: work,
      }),
      t.services,
    )({ ...(view.args as object), ack: viewAck.ack } as never);
    expect(viewAck.seen.map((s) => s.stored)).toEqual([true]);

    const shortcut = shortcutArgs(
      'quell_test_shortcut',
      { ts: '1712000000.000100', text: 'hi' },
      { triggerId: 'trig-77' },
    );
    const shortcutAck = ackRecorder(() => 'shortcut-trig-77');
    await listenerOf(
      defineMessageShortcut({ callbackId: 'quell_test_shortcut', run: work }),
      t.services,
    )({
      ...(shortcut.args as object),
      ack: shortcutAck.ack,
    } as never);
    expect(shortcutAck.seen.map((s) => s.stored)).toEqual([true]);

    // Bolt acks events itself; what matters is that the event id is the job id (a retry adds nothing)
    const event = eventArgs({ type: 'app_home_opened', user: 'U0ALICE' }, { eventId: 'Ev0STRUCTURE1' });
    const eventListener = listenerOf(defineEvent({ event: 'app_home_opened', run: work }), t.services);
    await eventListener(event.args);
    await eventListener(event.args);
    expect(
      await t.services.jobs.job(t.services.requests.job, requestJobId('event-Ev0STRUCTURE1')),
    ).toBeDefined();

    await t.services.requests.drain();
    await t.services.jobs.idle(['interactive']);
    expect(ran).toBe(4);
  });

  it('when Redis does not take the job, nothing is promised and nothing runs', async () => {
    let ran = 0;
    // the job runtime's queue connection fails fast: this is what Redis being away looks like to it
    t.services.jobs.queue('interactive');
    await t.services.connections.close(100, { keepRequestPath: true });
    const set = {
      command: '/quelltest',
      title: 'test',
      subcommands: [
        defineSubcommand({
          name: 'work',
          usage: '/quelltest work',
          summary: 'promises work',
          parse: () => undefined,
          ackReply: () => 'Working on it…',
          run: async () => {
            ran += 1;
          },
        }),
      ],
    };
    const call = commandArgs('/quelltest', 'work');
    await listenerOf(defineCommand(set as never), t.services)(call.args);
    expect(call.ack).toHaveBeenCalledWith({ response_type: 'ephemeral', text: NOT_ACCEPTED });
    const button = actionArgs('quell_test_button', { value: 'go' });
    await listenerOf(
      defineAction({
        actionId: 'quell_test_button',
        parse: (e) => e.value,
        stale: 'stale',
        run: async () => {
          ran += 1;
        },
      }),
      t.services,
    )(button.args);
    expect(button.ack).toHaveBeenCalledTimes(1);
    expect(button.respond).toHaveBeenCalledWith(expect.objectContaining({ text: NOT_ACCEPTED }));
    expect(ran).toBe(0);
  }, 20_000);
});
