/**
 * `tsc` fails when a builder returns a block Slack's types reject. rejected-blocks.ts holds one
 * such case per `@ts-expect-error`; `npx tsc --noEmit` (part of `npm test`) fails if any of them
 * stops being an error. This test compiles the fixture twice with the TypeScript compiler: as
 * written it is clean, and with the directives removed every case is an error on its line and no other line has one.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const FIXTURE = resolve('test/slack/blocks/rejected-blocks.ts');
const DIRECTIVE = /^\s*\/\/ @ts-expect-error.*$/;

function compilerOptions(): ts.CompilerOptions {
  const config = ts.readConfigFile(resolve('tsconfig.json'), ts.sys.readFile);
  return ts.parseJsonConfigFileContent(config.config, ts.sys, resolve('.')).options;
}

/** Type errors of the fixture, with its text replaced by `text`. */
function fixtureErrors(text: string): { line: number; message: string }[] {
  const options = compilerOptions();
  const host = ts.createCompilerHost(options);
  const readFile = host.readFile.bind(host);
  host.readFile = (file) => (resolve(file) === FIXTURE ? text : readFile(file));
  const getSourceFile = host.getSourceFile.bind(host);
  host.getSourceFile = (file, language, onError) =>
    resolve(file) === FIXTURE
      ? ts.createSourceFile(file, text, language, true)
      : getSourceFile(file, language, onError);
  const program = ts.createProgram([FIXTURE], options, host);
  const source = program.getSourceFile(FIXTURE)!;
  return ts.getPreEmitDiagnostics(program, source).map((d) => ({
    line: source.getLineAndCharacterOfPosition(d.start ?? 0).line,
    message: ts.flattenDiagnosticMessageText(d.messageText, '\n'),
  }));
}

describe('typed Block Kit builders', () => {
  const original = readFileSync(FIXTURE, 'utf8');
  const lines = original.split('\n');
  const directiveLines = lines.flatMap((line, i) => (DIRECTIVE.test(line) ? [i] : []));

  it('compiles cleanly as written: every builder returns Slack’s types, every rejected case is expected', () => {
    expect(directiveLines.length).toBeGreaterThanOrEqual(6);
    expect(fixtureErrors(original)).toEqual([]);
  });

  it('without the @ts-expect-error lines, each rejected block is a type error on its own line, and nothing else is', () => {
    // blank the directive lines so every other line keeps its number
    const stripped = lines.map((line) => (DIRECTIVE.test(line) ? '' : line)).join('\n');
    const errors = fixtureErrors(stripped);
    const errorLines = [...new Set(errors.map((e) => e.line))].sort((a, b) => a - b);
    expect(errorLines).toEqual(directiveLines.map((l) => l + 1));
  });
}, 120_000);
