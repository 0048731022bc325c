import type { GateItemId } from '../../src/resolution/gate.js';
import type { Services } from '../../src/services.js';
import { TECH_LEAD } from './harness.js';

/** Every item ticked by hand, as before items were checked from the record; the tech lead a responder. */
export const MANUAL_GATE = `responders:
  users: [${TECH_LEAD}]
resolution:
  gate:
    evaluated: { sev1: [], sev2: [], sev3: [], sev4: [] }
`;

/** Config with the manual gate plus more `resolution.gate` keys (indented under `gate:`). */
export function manualGateWith(gateKeys: string): string {
  return `${MANUAL_GATE}${gateKeys}`;
}

/** A click on a freshly rendered checklist: the message showed exactly what is ticked now. */
export async function click(
  services: Pick<Services, 'resolution' | 'store'>,
  incidentId: string,
  actor: string,
  selected: readonly GateItemId[],
) {
  const gate = services.resolution.service;
  const state = await gate.gate(await services.store.require(incidentId));
  const seen = state.items.filter((i) => i.mode === 'manual' && i.tick).map((i) => i.id);
  return gate.applyChecklist(incidentId, actor, { seen, selected });
}
