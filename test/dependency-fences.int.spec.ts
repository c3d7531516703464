import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { scaled } from './support/timeouts';

const ROOT = resolve(__dirname, '..');
const CONFIG = join(ROOT, '.dependency-cruiser.cjs');
const depcruise = join(ROOT, 'node_modules/dependency-cruiser/bin/dependency-cruise.mjs');

/** A broken rule: an import, or a circle (`to` is then the way back: `a.ts → b.ts → from`). */
interface Violation {
  rule: string;
  from: string;
  to: string;
}
interface Reported {
  rule: { name: string };
  from: string;
  to: string;
  cycle?: { name: string }[];
}
const violationOf = ({ rule, from, to, cycle }: Reported): Violation => ({
  rule: rule.name,
  from,
  to: cycle ? cycle.map((m) => m.name).join(' → ') : to,
});

/** The project's rules over the folders of `cwd` (the repository, or a made-up house laid out like it): every violation. */
function cruise(cwd: string, folders: string[], ...options: string[]): Violation[] {
  const run = spawnSync(process.execPath, [depcruise, '--config', CONFIG, '--output-type', 'json', ...options, ...folders], {
    cwd,
    encoding: 'utf8',
    maxBuffer: 256 * 1024 * 1024, // the report of the whole repository is several MB: the default 1 MB cuts it short
  });
  if (!run.stdout) throw new Error(`dependency-cruiser failed: ${run.stderr}`);
  return (JSON.parse(run.stdout) as { summary: { violations: Reported[] } }).summary.violations.map(violationOf);
}

/**
 * A house of made-up modules with the repository's layout and its own tsconfig (so the aliases
 * and the base URL resolve as here) and node_modules (a link, as in a worktree), in a temporary
 * folder: nothing is written into the repository, where lint, tsc and Jest would see it.
 */
function house(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'fences-'));
  for (const name of ['tsconfig.json', 'tsconfig.base.json']) copyFileSync(join(ROOT, name), join(dir, name));
  symlinkSync(join(ROOT, 'node_modules'), join(dir, 'node_modules'));
  for (const [path, code] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), code);
  }
  return dir;
}

const imports = (...specifiers: string[]) =>
  specifiers.map((s, i) => `import * as m${i} from '${s}';\nexport const x${i} = m${i};\n`).join('');

/** Each floor as the house drawing (docs/architecture.md) allows it to import: none of this is a violation. */
const drawing = {
  'libs/domain/src/index.ts': imports('luxon', './calendar'),
  'libs/domain/src/calendar.ts': 'export const calendar = 1;\n',
  'libs/event-store/src/index.ts': 'export const store = 1;\n',
  'libs/projections/src/index.ts': imports('@complaint-ledger/domain', '@complaint-ledger/event-store'),
  'libs/messaging/src/index.ts': imports('@complaint-ledger/projections', '@complaint-ledger/domain', '@complaint-ledger/event-store'),
  'libs/privacy/src/index.ts': imports('@complaint-ledger/domain', '@complaint-ledger/event-store'),
  'libs/ledger/src/index.ts': imports(
    '@complaint-ledger/projections',
    '@complaint-ledger/messaging',
    '@complaint-ledger/privacy',
    '@complaint-ledger/domain',
    '@complaint-ledger/event-store',
    './write/loop',
  ),
  'libs/ledger/src/write/loop.ts': imports('../../../domain/src'),
  'apps/ledger-api/src/main.ts': imports('@complaint-ledger/ledger', '@complaint-ledger/domain', './app', 'node:http'),
  'apps/ledger-api/src/app.ts': imports('../../../libs/ledger/src'),
  'apps/ledger-worker/src/main.ts': imports('@complaint-ledger/ledger'),
  'apps/ch02-dashboard/src/main.ts': imports('@complaint-ledger/messaging', '@complaint-ledger/ledger', '@complaint-ledger/domain'),
  'apps/events-consumer/src/main.ts': imports('@complaint-ledger/messaging'),
  // tests, benchmarks and tools are not apps: they set up whatever they exercise
  'apps/ledger-api/test/store.spec.ts': imports('@complaint-ledger/event-store', '../src/app'),
  'libs/projections/test/store.spec.ts': imports('@complaint-ledger/event-store', '@complaint-ledger/projections'),
  'bench/store.bench.ts': imports('@complaint-ledger/event-store', '@complaint-ledger/projections'),
};

/** The drawing again, plus one module per forbidden import: the rule each should break, and where it points once resolved. */
const breaches: Record<string, { file: string; code: string; violations: Omit<Violation, 'rule'>[] }[]> = {
  'no-app-imports-another-app': [
    {
      file: 'apps/ledger-worker/src/relative.ts',
      code: imports('../../ledger-api/src/app'),
      violations: [{ from: 'apps/ledger-worker/src/relative.ts', to: 'apps/ledger-api/src/app.ts' }],
    },
    {
      // not relative: through tsconfig's base URL, which a syntactic rule misses
      file: 'apps/ledger-worker/src/base-url.ts',
      code: imports('apps/ledger-api/src/app'),
      violations: [{ from: 'apps/ledger-worker/src/base-url.ts', to: 'apps/ledger-api/src/app.ts' }],
    },
    {
      file: 'apps/ledger-api/test/worker.spec.ts',
      code: imports('../../ledger-worker/src/main'),
      violations: [{ from: 'apps/ledger-api/test/worker.spec.ts', to: 'apps/ledger-worker/src/main.ts' }],
    },
  ],
  'no-circular': [
    {
      file: 'libs/messaging/src/relay.ts',
      code: imports('./topics'),
      violations: [{ from: 'libs/messaging/src/relay.ts', to: 'libs/messaging/src/topics.ts → libs/messaging/src/relay.ts' }],
    },
    // the circle is reported once, from where it was found
    { file: 'libs/messaging/src/topics.ts', code: imports('./relay'), violations: [] },
  ],
  'domain-is-pure': [
    {
      file: 'libs/domain/src/reads-the-log.ts',
      code: imports('@complaint-ledger/event-store'),
      violations: [{ from: 'libs/domain/src/reads-the-log.ts', to: 'libs/event-store/src/index.ts' }],
    },
    {
      file: 'libs/domain/src/reads-a-file.ts',
      code: imports('node:fs'),
      violations: [{ from: 'libs/domain/src/reads-a-file.ts', to: 'fs' }],
    },
  ],
  'event-store-floor': [
    {
      file: 'libs/event-store/src/knows-complaints.ts',
      code: imports('@complaint-ledger/domain'),
      violations: [{ from: 'libs/event-store/src/knows-complaints.ts', to: 'libs/domain/src/index.ts' }],
    },
  ],
  'projections-floor': [
    {
      file: 'libs/projections/src/publishes.ts',
      code: imports('@complaint-ledger/messaging', '../../../apps/ledger-api/src/app'),
      violations: [
        { from: 'libs/projections/src/publishes.ts', to: 'apps/ledger-api/src/app.ts' },
        { from: 'libs/projections/src/publishes.ts', to: 'libs/messaging/src/index.ts' },
      ],
    },
  ],
  'messaging-floor': [
    {
      file: 'libs/messaging/src/keys.ts',
      code: imports('@complaint-ledger/privacy'),
      violations: [{ from: 'libs/messaging/src/keys.ts', to: 'libs/privacy/src/index.ts' }],
    },
  ],
  'privacy-floor': [
    {
      file: 'libs/privacy/src/lists.ts',
      code: imports('@complaint-ledger/projections'),
      violations: [{ from: 'libs/privacy/src/lists.ts', to: 'libs/projections/src/index.ts' }],
    },
  ],
  'only-apps-import-the-core': [
    {
      file: 'libs/event-store/test/core.spec.ts',
      code: imports('../../ledger/src'),
      violations: [{ from: 'libs/event-store/test/core.spec.ts', to: 'libs/ledger/src/index.ts' }],
    },
    {
      // an island: nothing imports it, so it closes no circle (that is no-circular's, below)
      file: 'libs/projections/src/asks-the-core.ts',
      code: imports('@complaint-ledger/ledger'),
      violations: [{ from: 'libs/projections/src/asks-the-core.ts', to: 'libs/ledger/src/index.ts' }],
    },
  ],
  'apps-import-only-the-core': [
    {
      file: 'apps/ledger-api/src/reads-the-log.ts',
      code: imports('@complaint-ledger/event-store', '@complaint-ledger/projections'),
      violations: [
        { from: 'apps/ledger-api/src/reads-the-log.ts', to: 'libs/event-store/src/index.ts' },
        { from: 'apps/ledger-api/src/reads-the-log.ts', to: 'libs/projections/src/index.ts' },
      ],
    },
    {
      // past the facade
      file: 'apps/ledger-api/src/deep.ts',
      code: imports('../../../libs/ledger/src/write/loop'),
      violations: [{ from: 'apps/ledger-api/src/deep.ts', to: 'libs/ledger/src/write/loop.ts' }],
    },
    {
      file: 'apps/ledger-worker/src/publishes.ts',
      code: imports('@complaint-ledger/messaging'),
      violations: [{ from: 'apps/ledger-worker/src/publishes.ts', to: 'libs/messaging/src/index.ts' }],
    },
  ],
  'kafka-examples-import-only-messaging': [
    {
      file: 'apps/events-consumer/src/reads-the-log.ts',
      code: imports('@complaint-ledger/event-store'),
      violations: [{ from: 'apps/events-consumer/src/reads-the-log.ts', to: 'libs/event-store/src/index.ts' }],
    },
  ],
};

const FOLDERS = ['apps', 'libs', 'bench'];
/** What npm run lint:deps cruises. */
const REPOSITORY = ['apps', 'libs', 'bench', 'tools', 'test'];
const byEdge = (a: Violation, b: Violation) => `${a.rule} ${a.from} ${a.to}`.localeCompare(`${b.rule} ${b.from} ${b.to}`);

describe('architecture fences (dependency-cruiser, on resolved paths)', () => {
  const houses: string[] = [];
  let found: Violation[];
  let cyclesThroughTheCore: Violation[];

  beforeAll(() => {
    const extra = Object.values(breaches).flatMap((cases) => cases.map(({ file, code }) => [file, code]));
    houses.push(house({ ...drawing, ...Object.fromEntries(extra) }));
    found = cruise(houses[0]!, FOLDERS);
    // libs/projections importing the core, in a house where the core imports libs/projections
    houses.push(house({ ...drawing, 'libs/projections/src/index.ts': imports('@complaint-ledger/ledger') }));
    cyclesThroughTheCore = cruise(houses[1]!, FOLDERS);
  }, scaled(60_000));
  afterAll(() => houses.forEach((dir) => rmSync(dir, { recursive: true, force: true })));

  it('the house as drawn passes: each floor imports the floors below it, tests and benchmarks what they exercise', () => {
    const dir = house(drawing);
    houses.push(dir);
    expect(cruise(dir, FOLDERS)).toEqual([]);
  });

  it.each(Object.keys(breaches))('%s fires on each import it forbids, and only there', (rule) => {
    const expected = breaches[rule]!.flatMap((c) => c.violations.map((v) => ({ rule, ...v })));
    expect(found.filter((v) => v.rule === rule).sort(byEdge)).toEqual(expected.sort(byEdge));
  });

  it('no import breaks a rule it was not written for', () => {
    expect(found.filter((v) => !(v.rule in breaches))).toEqual([]);
  });

  it('libs/projections importing libs/ledger is refused twice: the core is only for apps, and it closes a circle', () => {
    expect(cyclesThroughTheCore.sort(byEdge)).toEqual(
      [
        { rule: 'no-circular', from: 'libs/ledger/src/index.ts', to: 'libs/projections/src/index.ts → libs/ledger/src/index.ts' },
        // and through libs/messaging, which imports libs/projections
        {
          rule: 'no-circular',
          from: 'libs/ledger/src/index.ts',
          to: 'libs/messaging/src/index.ts → libs/projections/src/index.ts → libs/ledger/src/index.ts',
        },
        { rule: 'only-apps-import-the-core', from: 'libs/projections/src/index.ts', to: 'libs/ledger/src/index.ts' },
      ].sort(byEdge),
    );
  });

  describe('the repository', () => {
    it('passes, as npm run lint runs it, with no exception', () => {
      const run = spawnSync('npm', ['run', '-s', 'lint:deps'], { cwd: ROOT, encoding: 'utf8' });
      expect(run.stdout + run.stderr).toContain('no dependency violations found');
      expect(run.status).toBe(0);
      expect(cruise(ROOT, REPOSITORY)).toEqual([]);
    });
  });
});
