/** What the Done-when feeds through every field a person can type. */
export const HOSTILE = [
  '<!channel>',
  '<!here>',
  '<!subteam^S1|x>',
  '<@U123>',
  '<https://x.example|y>',
  '{{ incident.title }} {% if x %}',
] as const;
export const HOSTILE_TEXT = `Agent ${HOSTILE.join(' ')} done`;

/** A live Slack mention or masked link: what no message Quell posts may build from people's text. */
export const LIVE = /<(!channel|!here|!everyone|!subteam\^|@U123|https?:\/\/[^>|]*\|)/;
