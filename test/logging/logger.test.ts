import { describe, expect, it } from 'vitest';
import { createLogger, maskSecrets } from '../../src/logging/logger.js';

function capture() {
  const lines: string[] = [];
  const logger = createLogger('info', { write: (line: string) => lines.push(line) });
  return { logger, lines };
}

describe('structured logs', () => {
  it('writes JSON lines', () => {
    const { logger, lines } = capture();
    logger.info({ incident: 'INC-3' }, 'declared');
    expect(JSON.parse(lines[0]!)).toMatchObject({
      level: 30,
      app: 'quell',
      incident: 'INC-3',
      msg: 'declared',
    });
  });

  it('censors secret fields by name', () => {
    const { logger, lines } = capture();
    logger.info(
      { token: 'abc', config: { password: 'hunter2' }, req: { headers: { authorization: 'Basic x' } } },
      'x',
    );
    const line = lines[0]!;
    expect(line).not.toContain('abc');
    expect(line).not.toContain('hunter2');
    expect(line).not.toContain('Basic x');
  });

  it('scrubs token-shaped strings wherever they appear, including error messages', () => {
    const { logger, lines } = capture();
    logger.error(
      { err: new Error('call failed for xoxb-1234-5678-abcdEFGH with Bearer eyJhbGciOi.abc.def') },
      'oops',
    );
    logger.info('key sk-ant-admin01-ABCDEFGHIJKLMNOPQRSTUV and xapp-1-A0-123-abc leaked');
    const all = lines.join('\n');
    for (const secret of ['xoxb-1234', 'eyJhbGciOi', 'sk-ant-admin01', 'xapp-1-A0'])
      expect(all).not.toContain(secret);
    expect(all).toContain('[REDACTED]');
  });

  it('leaves ordinary text alone', () => {
    expect(maskSecrets('INC-4 sev1 declared by U024BE7LH in C024BE91L')).toBe(
      'INC-4 sev1 declared by U024BE7LH in C024BE91L',
    );
  });
});
