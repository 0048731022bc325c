/** `s3://bucket/prefix/` → its bucket and key prefix (ending in `/`); undefined if not one. */
export function parseS3Url(url: string): { bucket: string; prefix: string } | undefined {
  const match = /^s3:\/\/([a-z0-9][a-z0-9.-]{1,61}[a-z0-9])\/?(.*)$/.exec(url);
  if (!match) return undefined;
  const rest = match[2]!.replace(/^\/+/, '');
  return { bucket: match[1]!, prefix: rest === '' || rest.endsWith('/') ? rest : `${rest}/` };
}
