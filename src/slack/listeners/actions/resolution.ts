import type {
  AllMiddlewareArgs,
  BlockAction,
  BlockButtonAction,
  BlockStaticSelectAction,
  CheckboxesAction,
  SlackActionMiddlewareArgs,
} from '@slack/bolt';
import { z } from 'zod';
import { GATE_ITEM_IDS } from '../../../resolution/gate.js';
import { ROOT_CAUSE_CATEGORIES } from '../../../resolution/root-cause.js';
import type { Services } from '../../../services.js';
import { gateOverrideModal } from '../../blocks/resolution.js';
import { userFacingMessage } from '../../user-facing-error.js';

/** The restart gate checklist message: checkboxes, root-cause menu, Resolve and Override buttons. */

const incidentId = z.string().regex(/^[A-Z][A-Z0-9]{0,9}-\d+$/);
const selectedItems = z.array(z.object({ value: z.enum(GATE_ITEM_IDS) }));

async function tell(respond: SlackActionMiddlewareArgs['respond'], text: string): Promise<void> {
  await respond({ response_type: 'ephemeral', replace_original: false, text });
}

/** The incident of the channel the checklist was clicked in (the message carries no other id). */
async function incidentOfChannel(services: Services, body: BlockAction) {
  const channel = body.channel?.id;
  return channel ? services.incidents.findForChannel(channel) : undefined;
}

export function gateChecklistHandler(services: Services) {
  return async function handleGateChecklist({
    ack,
    action,
    body,
    respond,
  }: AllMiddlewareArgs & SlackActionMiddlewareArgs<BlockAction<CheckboxesAction>>): Promise<void> {
    await ack();
    const selected = selectedItems.safeParse(action.selected_options);
    const incident = await incidentOfChannel(services, body);
    if (!selected.success || !incident) return;
    try {
      await services.resolution.service.applyChecklist(
        incident.id,
        body.user.id,
        selected.data.map((o) => o.value),
      );
    } catch (error) {
      await tell(respond, userFacingMessage(error, services.logger));
    }
  };
}

export function rootCauseCategoryHandler(services: Services) {
  return async function handleRootCauseCategory({
    ack,
    action,
    body,
    respond,
  }: AllMiddlewareArgs & SlackActionMiddlewareArgs<BlockStaticSelectAction>): Promise<void> {
    await ack();
    const category = z.enum(ROOT_CAUSE_CATEGORIES).safeParse(action.selected_option?.value);
    const incident = await incidentOfChannel(services, body);
    if (!category.success || !incident) return;
    try {
      await services.resolution.service.setRootCauseCategory(incident.id, body.user.id, category.data);
    } catch (error) {
      await tell(respond, userFacingMessage(error, services.logger));
    }
  };
}

export function gateResolveHandler(services: Services) {
  return async function handleGateResolve({
    ack,
    action,
    body,
    respond,
  }: AllMiddlewareArgs & SlackActionMiddlewareArgs<BlockButtonAction>): Promise<void> {
    await ack();
    const id = incidentId.safeParse(action.value);
    if (!id.success) return;
    try {
      await services.resolution.service.resolve(id.data, body.user.id);
    } catch (error) {
      await tell(respond, userFacingMessage(error, services.logger));
    }
  };
}

/** Opens the reason form; only someone allowed to override gets it (others are told who can). */
export function gateOverrideHandler(services: Services) {
  return async function handleGateOverride({
    ack,
    action,
    body,
    client,
    respond,
  }: AllMiddlewareArgs & SlackActionMiddlewareArgs<BlockButtonAction>): Promise<void> {
    await ack();
    const id = incidentId.safeParse(action.value);
    if (!id.success) return;
    try {
      const incident = await services.store.require(id.data);
      if (!(await services.resolution.service.mayOverride(incident, body.user.id))) {
        await tell(
          respond,
          ':warning: You are not allowed to override the restart gate (see `resolution.gate.override` in the config).',
        );
        return;
      }
      const gate = await services.resolution.service.gate(incident);
      await client.views.open({
        trigger_id: body.trigger_id,
        view: gateOverrideModal(incident, gate.missing, body.channel?.id ?? incident.channelId ?? ''),
      });
    } catch (error) {
      await tell(respond, userFacingMessage(error, services.logger));
    }
  };
}
