import type { IdSighting, IdSource } from './id-floor.js';
import { seqOf } from './id-floor.js';

/** A channel Quell itself created, as the workspace lists it (archived ones included). */
export interface CreatedChannel {
  id: string;
  name: string;
  /** The channel's description, which Quell sets to "Incident INC-7: <title>" (channel-setup.ts). */
  purpose?: string;
  archived: boolean;
}

/** Every channel Quell's bot user created, page by page, at the workspace's pace. */
export interface CreatedChannels {
  pages(): AsyncIterable<readonly CreatedChannel[]>;
}

/** `[DRILL] Incident INC-7: title`: the purpose channel-setup.ts writes. */
const PURPOSE_ID = /(?:^|\s)Incident ([A-Z][A-Z0-9]{0,9}-\d+):/;

/**
 * The ids of the incident channels Quell created: from the purpose it set, and from the channel
 * name when `channels.namePattern` carries `{id}` (a purpose edited by someone still leaves the name).
 */
export class IncidentChannelIds implements IdSource {
  readonly name = 'Slack incident channels';
  private readonly nameId?: RegExp;

  constructor(
    private readonly channels: CreatedChannels,
    namePattern: string,
  ) {
    this.nameId = nameIdPattern(namePattern);
  }

  async highest(idPrefix: string): Promise<IdSighting | undefined> {
    let best: IdSighting | undefined;
    for await (const page of this.channels.pages())
      for (const channel of page) {
        const seq = this.seqIn(channel, idPrefix);
        if (seq !== undefined && (!best || seq > best.seq))
          best = {
            id: `${idPrefix}-${seq}`,
            seq,
            where: `Slack channel #${channel.name}${channel.archived ? ', archived' : ''}`,
          };
      }
    return best;
  }

  private seqIn(channel: CreatedChannel, idPrefix: string): number | undefined {
    const fromPurpose = PURPOSE_ID.exec(channel.purpose ?? '')?.[1];
    const purposeSeq = fromPurpose ? seqOf(fromPurpose, idPrefix) : undefined;
    const named = this.nameId?.exec(channel.name)?.groups;
    const nameSeq = named?.prefix === idPrefix.toLowerCase() ? Number(named.seq) : undefined;
    if (purposeSeq === undefined) return nameSeq;
    return nameSeq === undefined ? purposeSeq : Math.max(purposeSeq, nameSeq);
  }
}

/**
 * A regex for the id inside names made from `pattern` (channel-name.ts lower-cases `INC-7` to
 * `inc-7`); undefined when the pattern has no `{id}`. The other tokens match what they can become;
 * a `-2` suffix for a taken name follows the whole name.
 */
export function nameIdPattern(pattern: string): RegExp | undefined {
  if (!pattern.includes('{id}')) return undefined;
  let used = false;
  const source = pattern
    .toLowerCase()
    .split(/(\{[a-z]+\})/)
    .map((part) => {
      if (part === '{id}') {
        if (used) return '[a-z0-9]+-\\d+';
        used = true;
        return '(?<prefix>[a-z][a-z0-9]{0,9})-(?<seq>\\d+)';
      }
      if (part === '{yyyymmdd}') return '\\d{8}';
      if (part === '{sev}') return 'sev\\d';
      if (part === '{slug}') return '[a-z0-9-]*?';
      return part.replace(/[^a-z0-9_-]+/g, '-').replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    })
    .join('');
  return new RegExp(`^${source}(?:-\\d+)?$`);
}
