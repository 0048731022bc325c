import { defineCommand, type Subcommand, type SubcommandSet } from '../../../boundary/command.js';
import { audiencesSubcommand, historySubcommand } from './audiences.js';
import { draftSubcommand } from './draft.js';
import { rootCauseSubcommand } from './root-cause.js';
import { talkingPointsSubcommand } from './talking-points.js';

/** Every `/comms` subcommand, in the order `/comms help` lists them. */
export const COMMS_SUBCOMMANDS: readonly Subcommand<never>[] = [
  draftSubcommand,
  talkingPointsSubcommand,
  audiencesSubcommand,
  historySubcommand,
  rootCauseSubcommand,
] as Subcommand<never>[];

export const COMMS_COMMAND: SubcommandSet = {
  command: '/comms',
  title: 'Quell comms: drafted from templates, linted, approved, kept',
  subcommands: COMMS_SUBCOMMANDS,
};

/** `/comms <subcommand> ...` */
export const commsCommand = defineCommand(COMMS_COMMAND);
