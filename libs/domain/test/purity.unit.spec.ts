import { ESLint } from 'eslint';
import { resolve } from 'node:path';
import tseslint from 'typescript-eslint';
// eslint-disable-next-line @typescript-eslint/no-require-imports
const domainPurity = require('../../../tools/eslint/domain-purity.cjs');

/** The rule that keeps libs/domain pure must actually fire (docs/architecture.md, principle 3). */
describe('libs/domain purity lint rule', () => {
  // The project's own rule object, without loading eslint.config.mjs (Jest cannot import ESM configs).
  const eslint = new ESLint({
    cwd: resolve(__dirname, '../../..'),
    overrideConfigFile: true,
    overrideConfig: [{ files: ['**/*.ts'], languageOptions: { parser: tseslint.parser } }, domainPurity],
  });
  const lint = async (code: string) => {
    const [result] = await eslint.lintText(code, { filePath: resolve(__dirname, '../src/complaint/example.ts') });
    return result!.messages.map((m) => m.ruleId);
  };

  it.each([
    ["import { readFileSync } from 'fs';\nexport const x = readFileSync;", 'no-restricted-imports'],
    ["import { readFileSync } from 'node:fs';\nexport const x = readFileSync;", 'no-restricted-imports'],
    ["import { Injectable } from '@nestjs/common';\nexport const x = Injectable;", 'no-restricted-imports'],
    ['export const now = Date.now();', 'no-restricted-syntax'],
    ['export const now = new Date();', 'no-restricted-syntax'],
    ["import { DateTime } from 'luxon';\nexport const now = DateTime.now();", 'no-restricted-syntax'],
    ['export const id = Math.random();', 'no-restricted-syntax'],
    ['export const env = process.env.PORT;', 'no-restricted-globals'],
  ])('rejects %s', async (code, rule) => {
    expect(await lint(code)).toContain(rule);
  });

  it('allows luxon and pure code', async () => {
    expect(await lint("import { DateTime } from 'luxon';\nexport const d = DateTime.fromISO('2024-05-01');")).toEqual([]);
  });
});
