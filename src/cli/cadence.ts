/** A cadence as an operator reads it: 1 s → "every 1 s", 90 s → "every 1 min 30 s", 2 h → "every 2 h". */
export function describeCadence(ms: number | null): string {
  if (ms === null) return 'no updates';
  const parts: string[] = [];
  let rest = Math.round(ms / 1000);
  for (const [unit, seconds] of [
    ['d', 86_400],
    ['h', 3_600],
    ['min', 60],
    ['s', 1],
  ] as const) {
    if (rest >= seconds) {
      parts.push(`${Math.floor(rest / seconds)} ${unit}`);
      rest %= seconds;
    }
  }
  return `every ${parts.join(' ') || `${ms} ms`}`;
}
