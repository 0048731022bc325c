import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';

/** Shared pieces for benchmarks: percentiles, and a minimal always-ok Slack Web API on loopback. */

export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const index = Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1);
  return sorted[Math.max(0, index)]!;
}

export function summarize(samples: readonly number[]) {
  const sorted = [...samples].sort((a, b) => a - b);
  return {
    p50: percentile(sorted, 50),
    p99: percentile(sorted, 99),
    max: sorted.at(-1) ?? Number.NaN,
    n: sorted.length,
  };
}

export function fullMember(id: string) {
  return {
    id,
    team_id: 'T0BENCH',
    name: id.toLowerCase(),
    deleted: false,
    is_bot: false,
    is_admin: false,
    is_owner: false,
    is_restricted: false,
    is_ultra_restricted: false,
    profile: { real_name: id, display_name: id },
  };
}

export function ms(value: number): string {
  return `${value.toFixed(2)} ms`;
}

/**
 * Answers every Web API method with a plausible ok response and counts calls. Benchmarks use it so
 * that Slack's own latency (which Quell does not control) stays out of the figures.
 */
export async function startOkSlackApi(
  /** Sees each call's method and raw body (benchmarks that time what reached the channel). */
  onCall?: (method: string, body: string) => void,
): Promise<{
  url: string;
  calls: Map<string, number>;
  close(): Promise<void>;
}> {
  const calls = new Map<string, number>();
  let seq = 0;
  const server: Server = createServer((req, res) => {
    const method = (req.url ?? '').replace(/^\/api\//, '').split('?')[0] ?? '';
    calls.set(method, (calls.get(method) ?? 0) + 1);
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      onCall?.(method, raw);
      seq++;
      const body =
        method === 'conversations.create'
          ? { ok: true, channel: { id: `C${String(seq).padStart(8, '0')}`, name: `inc-${seq}` } }
          : method === 'chat.postMessage'
            ? { ok: true, ts: `1700000000.${String(seq).padStart(6, '0')}`, channel: 'C0' }
            : method === 'users.info'
              ? // the permission model looks people up: everyone is a full member here
                { ok: true, user: fullMember(new URLSearchParams(raw).get('user') ?? 'U0BENCH') }
              : { ok: true };
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}/api/`,
    calls,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/**
 * The benchmarked worker runs as production runs Quell: plain `node` on the dist/ build, with no
 * TypeScript loader in the process (tsx's in-process transpiler and its source cache alone add about
 * 40 MB of RSS, which production never pays). Builds dist/ when stale (`npm start` does the same),
 * then transpiles bench/workers/<name>.ts, the worker's own few lines, to dist/bench-workers/<name>.js
 * with its `../../src/` imports pointed at the built modules. Returns the worker's path.
 */
export async function productionWorker(name: string): Promise<string> {
  const build = spawnSync(process.execPath, ['src/cli/build.mjs', '--if-stale'], { stdio: 'inherit' });
  if (build.status !== 0) throw new Error('the dist/ build failed (errors above): the worker cannot run');
  // loaded here only: the compiler is large, and only the benchmark's parent process needs it
  const { default: ts } = await import('typescript');
  const source = readFileSync(`bench/workers/${name}.ts`, 'utf8');
  const { outputText } = ts.transpileModule(source, {
    compilerOptions: {
      module: ts.ModuleKind.ESNext,
      target: ts.ScriptTarget.ES2022,
      verbatimModuleSyntax: true,
    },
    fileName: `${name}.ts`,
  });
  mkdirSync('dist/bench-workers', { recursive: true });
  const path = `dist/bench-workers/${name}.js`;
  writeFileSync(path, outputText.replaceAll("from '../../src/", "from '../"));
  return path;
}
