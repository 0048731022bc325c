/** Slack's limits for conversations and pins (docs methods/conversations.create, setTopic, pins.add). */

/** conversations.setTopic / setPurpose: "too_long" past 250 characters. */
export const TOPIC_LIMIT = 250;
/** pins.add: "too_many_pins" past 100 pins in a channel. */
export const MAX_PINS = 100;

/** Channel names: lower-case letters, digits, `-` and `_`, at most 80 characters. */
export function channelNameError(name: string | undefined): string | undefined {
  if (name === undefined || name.trim() === '') return 'invalid_name_required';
  if (name.length > 80) return 'invalid_name_maxlength';
  if (!/^[a-z0-9_-]+$/.test(name)) return 'invalid_name_specials';
  if (/^[-_]+$/.test(name)) return 'invalid_name_punctuation';
  return undefined;
}
