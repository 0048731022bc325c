import { defineCommand, type Subcommand, type SubcommandSet } from '../../../boundary/command.js';
import { affectedSubcommand } from './affected.js';
import { archiveSubcommand } from './archive.js';
import {
  agentSubcommand,
  noteSubcommand,
  roleSubcommand,
  severitySubcommand,
  statusSubcommand,
} from './changes.js';
import { declareSubcommand } from './declare.js';
import { agentTimelineSubcommand, collectSubcommand } from './forensics.js';
import { obligationSubcommand, obligationsSubcommand } from './obligation.js';
import { privateSubcommand } from './private.js';
import {
  actionSubcommand,
  actionsSubcommand,
  postmortemSubcommand,
  reactivatePlanSubcommand,
  resolveSubcommand,
  triageSubcommand,
} from './resolution.js';
import { timelineSubcommand } from './timeline.js';
import { updateSubcommand } from './update.js';

/** Every `/incident` subcommand, in the order `/incident help` lists them. */
export const INCIDENT_SUBCOMMANDS: readonly Subcommand<never>[] = [
  declareSubcommand,
  severitySubcommand,
  statusSubcommand,
  roleSubcommand,
  agentSubcommand,
  noteSubcommand,
  timelineSubcommand,
  archiveSubcommand,
  collectSubcommand,
  agentTimelineSubcommand,
  privateSubcommand,
  updateSubcommand,
  triageSubcommand,
  resolveSubcommand,
  reactivatePlanSubcommand,
  affectedSubcommand,
  postmortemSubcommand,
  actionSubcommand,
  actionsSubcommand,
  obligationSubcommand,
  obligationsSubcommand,
] as Subcommand<never>[];

export const INCIDENT_COMMAND: SubcommandSet = {
  command: '/incident',
  title: 'Quell: incident response for misbehaving AI agents',
  subcommands: INCIDENT_SUBCOMMANDS,
  footer:
    'Also: `/contain` stops the agent (kill switches, keys, flags, queues), `/comms help` drafts audience messages.',
};

/** `/incident <subcommand> ...` */
export const incidentCommand = defineCommand(INCIDENT_COMMAND);
