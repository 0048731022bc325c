import type { z } from 'zod';

/**
 * Checks shared by config entries that configure a built-in plugin (a containment adapter, a
 * forensics collector): its nested settings issues and its secret slots are reported the same way.
 */

/** Re-reports a nested schema's issues under `prefix` (e.g. `settings`, `args`). */
export function addIssuesUnder(
  ctx: z.RefinementCtx,
  prefix: string,
  issues: readonly z.core.$ZodIssue[],
): void {
  for (const issue of issues)
    ctx.addIssue({ code: 'custom', path: [prefix, ...issue.path.map(String)], message: issue.message });
}

/**
 * Every mapped slot must be one the plugin declares, and every required slot must be mapped;
 * `missing` words the second problem (each section keeps its own wording).
 */
export function checkSecretSlots(
  ctx: z.RefinementCtx,
  plugin: { id: string; secrets: { required: readonly string[]; optional?: readonly string[] } },
  mapped: Readonly<Record<string, string>>,
  missing: (slot: string) => string,
): void {
  const slots = [...plugin.secrets.required, ...(plugin.secrets.optional ?? [])];
  for (const slot of Object.keys(mapped))
    if (!slots.includes(slot))
      ctx.addIssue({
        code: 'custom',
        path: ['secrets', slot],
        message: `${plugin.id} has no secret "${slot}"; its secrets are ${slots.join(', ') || '(none)'}`,
      });
  for (const slot of plugin.secrets.required)
    if (!mapped[slot]) ctx.addIssue({ code: 'custom', path: ['secrets', slot], message: missing(slot) });
}
