import { metrics } from './metrics.js';

// biome-ignore lint/suspicious/noExplicitAny: Bolt's argument types differ per surface
type Listener = (args: any) => Promise<void>;

const RECEIVED_AT = 'quellReceivedAt';

/** Global Bolt middleware: notes when a request arrived, before the middleware chain (replay guard…) runs. */
export async function noteReceivedAt(args: { context: Record<string, unknown>; next: () => Promise<void> }) {
  args.context[RECEIVED_AT] ??= Date.now();
  await args.next();
}

/**
 * Wraps a boundary listener so its first `ack` is timed from arrival and counted by surface and
 * name (the subcommand, action id or callback id: code-defined, so the label stays bounded).
 */
export function timeAcks<F extends Listener>(surface: string, listener: F): F {
  const timed = (async (args: Record<string, unknown> & { ack?: (...a: unknown[]) => Promise<void> }) => {
    const ack = args.ack;
    if (!ack) return listener(args);
    const context = args.context as Record<string, unknown> | undefined;
    const start = typeof context?.[RECEIVED_AT] === 'number' ? (context[RECEIVED_AT] as number) : Date.now();
    let measured = false;
    const timedAck = async (...ackArgs: unknown[]) => {
      try {
        await ack(...ackArgs);
      } finally {
        if (!measured) {
          measured = true;
          try {
            metrics.ack(surface, requestName(surface, args), Date.now() - start);
          } catch {
            // measuring never fails a request
          }
        }
      }
    };
    return listener({ ...args, ack: timedAck });
  }) as F;
  return timed;
}

function requestName(surface: string, args: Record<string, unknown>): string | undefined {
  const payload = args as {
    command?: { command?: string; text?: string };
    action?: { action_id?: string };
    view?: { callback_id?: string };
    shortcut?: { callback_id?: string };
  };
  if (surface === 'command' && payload.command) {
    const word = (payload.command.text ?? '').trim().split(/\s+/)[0]?.toLowerCase() ?? '';
    // the subcommand is the first word when it looks like one; free text is never a label
    const subcommand = /^[a-z][a-z-]{0,30}$/.test(word) ? ` ${word}` : '';
    return `${payload.command.command ?? ''}${subcommand}`;
  }
  return payload.action?.action_id ?? payload.view?.callback_id ?? payload.shortcut?.callback_id;
}
