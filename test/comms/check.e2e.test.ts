import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkCommsTemplates } from '../../src/comms/check.js';
import { testConfig } from '../helpers/services.js';

function quell(args: string[]) {
  const result = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', ...args], {
    encoding: 'utf8',
    env: { PATH: process.env.PATH ?? '' },
    timeout: 20_000,
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** A copy of the shipped templates that a test may break. */
function templatesCopy(): string {
  const dir = mkdtempSync(join(tmpdir(), 'quell-comms-'));
  for (const file of readdirSync('templates/comms'))
    copyFileSync(join('templates/comms', file), join(dir, file));
  return dir;
}

describe('quell config check and start-up validate comms templates', () => {
  it('passes the shipped templates', () => {
    expect(checkCommsTemplates(testConfig('x'))).toBe(
      'comms: 6 templates OK in templates/comms (customer, engineering, executive, legal, status-page, support)',
    );
  });

  it('fails naming the file and line of a misspelt field, with a non-zero exit', () => {
    const dir = templatesCopy();
    const file = join(dir, 'customer.liquid');
    writeFileSync(file, readFileSync(file, 'utf8').replace('{{ update.impact }}', '{{ update.impakt }}'));
    const config = join(dir, 'quell.config.yml');
    writeFileSync(config, `comms:\n  templatesDir: ${dir}\n`);
    const result = quell(['config', 'check', config]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(
      `${file}:13: unknown field "update.impakt" (did you mean update.impact?)`,
    );
    expect(result.stdout).toBe('');
  });

  it('refuses config for an audience that has no template', () => {
    const config = testConfig('x', 'comms:\n  audiences:\n    custmer:\n      destination: none\n');
    expect(() => checkCommsTemplates(config)).toThrow(
      'comms.audiences names "custmer" but templates/comms has no template for it',
    );
  });
});
