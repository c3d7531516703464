import { ESLint } from 'eslint';
import { resolve } from 'node:path';
import tseslint from 'typescript-eslint';
// eslint-disable-next-line @typescript-eslint/no-require-imports
const fences = require('../tools/eslint/fences.cjs');

const root = resolve(__dirname, '..');

/** The lint fences between the parts of the house (docs/architecture.md) must actually fire; who imports whom: dependency-fences.int.spec.ts. */
describe('architecture fences (lint)', () => {
  // The project's own rule objects, without loading eslint.config.mjs (Jest cannot import ESM configs).
  const eslint = new ESLint({
    cwd: root,
    overrideConfigFile: true,
    overrideConfig: [{ files: ['**/*.ts'], languageOptions: { parser: tseslint.parser } }, ...fences],
  });
  const lint = async (file: string, code: string) => {
    const [result] = await eslint.lintText(code, { filePath: resolve(root, file) });
    return result!.messages.map((m) => m.message);
  };

  it.each([
    'apps/ledger-api/src/example.ts',
    'libs/projections/src/example.ts',
    'libs/privacy/src/example.ts',
    'libs/messaging/src/example.ts',
  ])('appending to the store outside the core is refused (%s)', async (file) => {
    const code = "export const write = (store: { append(...a: unknown[]): void }) => store.append('complaint-1', [], 'any');";
    expect(await lint(file, code)).toEqual([expect.stringContaining('Only the application core (libs/ledger')]);
  });

  it('the core and the store themselves may append', async () => {
    const code = "export const write = (store: { append(...a: unknown[]): void }) => store.append('complaint-1', [], 'any');";
    expect(await lint('libs/ledger/src/example.ts', code)).toEqual([]);
    expect(await lint('libs/event-store/src/example.ts', code)).toEqual([]);
  });

  it.each([
    ['libs/privacy/src/example.ts', "export const sql = 'SELECT key FROM rm_complaints';"],
    ['libs/ledger/src/example.ts', 'export const sql = (r: string) => `SELECT doc FROM rm_complaints WHERE key = ${r}`;'],
    ['apps/ledger-api/src/example.ts', "import { tableOf } from '@complaint-ledger/projections';\nexport const t = tableOf;"],
  ])("naming a read model's table outside libs/projections is refused (%s)", async (file, code) => {
    expect(await lint(file, code)).toEqual([expect.stringContaining("Only libs/projections knows the read models' tables")]);
  });

  it('libs/projections itself may name its tables', async () => {
    expect(await lint('libs/projections/src/example.ts', "export const sql = 'SELECT key FROM rm_complaints';")).toEqual([]);
  });
});
