import { readFileSync } from 'node:fs';

/** Quell's version, from its package.json (recorded in every manifest). */
export const QUELL_VERSION: string = (() => {
  try {
    return (
      JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }
    ).version;
  } catch {
    return 'unknown';
  }
})();
