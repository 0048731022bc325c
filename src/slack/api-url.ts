/**
 * The Web API base URL as @slack/web-api wants it: with a trailing slash (it appends method names).
 * The one place this is normalised: GovSlack, the local emulator and tests all pass through here.
 */
export function normalizeSlackApiUrl(url: string): string {
  return url.endsWith('/') ? url : `${url}/`;
}
