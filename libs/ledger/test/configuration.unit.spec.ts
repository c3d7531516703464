import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { complianceRulesFrom } from '../src/open/read-side';
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

  it("refuses an EventStoreDB or KurrentDB connection string its client would refuse, in the client's words, at start-up", () => {
    const store = { LEDGER_STORE: 'eventstoredb' };
    expect(() => loadConfig({ ...store, EVENTSTORE_CONNECTION_STRING: 'esdb://localhost:2113?defaultDeadline=soon' })).toThrow(
      /EVENTSTORE_CONNECTION_STRING: .*expected Integer/,
    );
    expect(() => loadConfig({ ...store, EVENTSTORE_CONNECTION_STRING: 'kurrentdb://localhost:port' })).toThrow(
      /EVENTSTORE_CONNECTION_STRING: Unexpected .*, expected /,
    );
    expect(() => loadConfig({ ...store, EVENTSTORE_CONNECTION_STRING: 'tcp://localhost:1113' })).toThrow(
      /EVENTSTORE_CONNECTION_STRING: Unexpected "tcp:\/\/", expected esdb:\/\/ .* kurrentdb:\/\//,
    );
    expect(loadConfig({ ...store, EVENTSTORE_CONNECTION_STRING: 'esdb://localhost:2113?tls=false&defaultDeadline=3000' })).toBeDefined();
    expect(
      loadConfig({ ...store, EVENTSTORE_CONNECTION_STRING: 'kurrentdb://localhost:2113?tls=false&defaultDeadline=3000' }),
    ).toBeDefined();
  });
});

describe("the operator's bank-holiday file (LEDGER_BANK_HOLIDAYS_FILE)", () => {
  const dir = mkdtempSync(join(tmpdir(), 'holidays-'));
  const file = (name: string, content: string) => {
    const path = join(dir, name);
    writeFileSync(path, content);
    return loadConfig({ LEDGER_STORE: 'memory', LEDGER_BANK_HOLIDAYS_FILE: path });
  };

  it('given a proclaimed day and a cancelled one, the calendar follows them', () => {
    const { calendar } = complianceRulesFrom(file('ok.json', '{"add": ["2031-06-06"], "remove": ["2031-05-26"]}'));
    expect(calendar.isWorkingDay('2031-06-06')).toBe(false);
    expect(calendar.isWorkingDay('2031-05-26')).toBe(true);
  });

  it.each([
    ['not JSON', '{add:', /cannot be read as JSON/],
    ['a date that is not ISO', '{"add": ["06/06/2031"]}', /"add" must be a list of ISO dates/],
    ['an unknown key', '{"add": [], "extra": []}', /only "add" and "remove"/],
    ['a list instead of an object', '["2031-06-06"]', /only "add" and "remove"/],
  ])('refuses %s at start-up, naming the file', (name, content, message) => {
    expect(() => complianceRulesFrom(file(`${name}.json`, content))).toThrow(message);
  });
});
