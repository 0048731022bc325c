import { z } from 'zod';
import { approversSchema } from '../comms/config.js';
import { type ConfigurableGateItemId, EVALUABLE_ITEM_IDS, GATE_ITEM_IDS } from './gate.js';

/** The `resolution:` section of the config file: restart gate, postmortem template, corrective actions. */

const gateItemList = z.array(z.enum(GATE_ITEM_IDS)).refine((items) => new Set(items).size === items.length, {
  message: 'lists an item twice',
});

const DEFAULT_REQUIRED: Record<'sev1' | 'sev2' | 'sev3' | 'sev4', ConfigurableGateItemId[]> = {
  sev1: [...GATE_ITEM_IDS],
  // changed guardrails may follow a SEV2 as a corrective action instead of gating the restart
  sev2: GATE_ITEM_IDS.filter((item) => item !== 'guardrails'),
  sev3: ['contained', 'records-identified', 'rollback', 'owner-assigned'],
  sev4: [],
};

/** Checked from the record by default: everything Quell has the facts for except "records identified". */
const DEFAULT_EVALUATED: ConfigurableGateItemId[] = EVALUABLE_ITEM_IDS.filter(
  (item) => item !== 'records-identified',
);

const evaluatedList = gateItemList.refine(
  (items) => items.every((item) => (EVALUABLE_ITEM_IDS as readonly string[]).includes(item)),
  {
    message: `only these items can be checked from the record: ${EVALUABLE_ITEM_IDS.join(', ')}`,
  },
);

export const resolutionConfigSchema = z
  .strictObject({
    gate: z
      .strictObject({
        /** Checklist items that must be ticked before an incident of each severity may be resolved. */
        required: z
          .strictObject({
            sev1: gateItemList.default(DEFAULT_REQUIRED.sev1),
            sev2: gateItemList.default(DEFAULT_REQUIRED.sev2),
            sev3: gateItemList.default(DEFAULT_REQUIRED.sev3),
            sev4: gateItemList.default(DEFAULT_REQUIRED.sev4),
          })
          .prefault({}),
        /**
         * Items checked against Quell's own records instead of ticked (containment runs, evidence
         * bundles, corrective actions, the confirmed root cause, the rollback inventory). They cannot
         * be ticked by hand, only overridden with a reason by someone allowed to override.
         */
        evaluated: z
          .strictObject({
            sev1: evaluatedList.default(DEFAULT_EVALUATED),
            sev2: evaluatedList.default(DEFAULT_EVALUATED),
            sev3: evaluatedList.default(DEFAULT_EVALUATED),
            sev4: evaluatedList.default(DEFAULT_EVALUATED),
          })
          .prefault({}),
        /** Who may tick `approval` (the severity owner's sign-off). */
        approvers: approversSchema.prefault({ roles: ['commander'] }),
        /** Who may resolve with required items missing, or accept an evaluated item, by writing a reason (recorded). */
        override: approversSchema.prefault({ roles: ['commander'] }),
      })
      .prefault({}),
    postmortem: z
      .strictObject({
        /** Liquid template of the postmortem draft (Markdown), relative to the working directory. */
        template: z.string().min(1).default('templates/postmortem.md.liquid'),
        /** Draft and post the postmortem in the channel when the incident is resolved. */
        onResolve: z.boolean().default(true),
      })
      .prefault({}),
  })
  .prefault({});

export type ResolutionConfig = z.output<typeof resolutionConfigSchema>;
