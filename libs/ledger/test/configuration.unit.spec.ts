import { readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { configurationTable } from '../src/config/configuration-table';
import { settingNames } from '../src/config/setting';
import { LedgerConfig, loadConfig } from '../src';

const doc = resolve(__dirname, '../../../docs/configuration.md');

describe('the configuration schema', () => {
  it('docs/configuration.md is the table generated from it (npm run docs:config writes it)', () => {
    if (process.env.UPDATE_DOCS === 'true') writeFileSync(doc, configurationTable());
    expect(readFileSync(doc, 'utf8')).toBe(configurationTable());
  });

  it('names every setting with a default (a property without @Setting would be silently unknown)', () => {
    expect(settingNames()).toEqual(expect.arrayContaining(Object.keys(new LedgerConfig())));
  });

  it('refuses an unknown LEDGER_* name with the closest setting', () => {
    expect(() => loadConfig({ LEDGER_MASTER_KEY_FIEL: '/run/secrets/key' })).toThrow(
      /LEDGER_MASTER_KEY_FIEL: not a setting of the ledger; did you mean LEDGER_MASTER_KEY_FILE\?/,
    );
  });
});
