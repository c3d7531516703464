// The fences between the floors of the house (docs/architecture.md), checked on resolved paths:
// an import counts wherever it points, whatever its spelling (a relative path, `apps/...` through
// the base URL, an `@complaint-ledger/*` alias). Run by `npm run lint:deps`; each rule is shown
// firing by test/dependency-fences.int.spec.ts. What a resolved path cannot say (who appends, who
// names a read model's table) stays in eslint (tools/eslint/fences.cjs).

/** Our own code: an import outside these (a Node module, an npm package) is not a floor's business. */
const ours = '^(apps|libs|bench|tools|test)/';
/** A library's sources (its tests may reach further: they set its floor up). */
const src = (...libs) => `^libs/(${libs.join('|')})/src/`;
/** What a floor may import besides itself: the floors below it, as the house drawing shows. */
const floor = (name, lib, below, why) => ({
  name,
  comment: why,
  severity: 'error',
  from: { path: src(lib) },
  // libs/ledger is left to only-apps-import-the-core, so an import of it is reported once; a
  // package installed beside a library (its own node_modules) is an npm package, not a floor
  to: { path: ours, pathNot: [src(lib, ...below), src('ledger'), '/node_modules/'] },
});

module.exports = {
  forbidden: [
    {
      name: 'no-app-imports-another-app',
      comment: 'Apps never import each other: what they share lives in a library (libs/ledger for the wiring).',
      severity: 'error',
      from: { path: '^apps/([^/]+)/' },
      to: { path: '^apps/', pathNot: '^apps/$1/' },
    },
    {
      name: 'no-circular',
      comment: 'No module reaches itself through its imports: floors only look down, and within one a circle has no first file.',
      severity: 'error',
      from: { path: ours },
      to: { circular: true },
    },
    {
      name: 'domain-is-pure',
      comment: 'libs/domain imports nothing but itself and luxon: none of our code, no Node module (principle 3).',
      severity: 'error',
      from: { path: src('domain') },
      to: { pathNot: [src('domain'), '^node_modules/(@types/)?luxon/'] },
    },
    floor('event-store-floor', 'event-store', [], 'libs/event-store stands on nothing of ours: the log knows no complaint.'),
    floor('projections-floor', 'projections', ['domain', 'event-store'], 'libs/projections reads the log and folds with the domain.'),
    floor(
      'messaging-floor',
      'messaging',
      ['projections', 'domain', 'event-store'],
      'libs/messaging relays the log and publishes what the projections compute.',
    ),
    floor('privacy-floor', 'privacy', ['domain', 'event-store'], "libs/privacy keeps residents' keys beside the log."),
    {
      name: 'only-apps-import-the-core',
      comment: 'libs/ledger is the top library floor: no other library (nor its tests) imports it, only apps do.',
      severity: 'error',
      from: { path: '^libs/', pathNot: '^libs/ledger/' },
      to: { path: src('ledger') },
    },
    {
      name: 'apps-import-only-the-core',
      comment:
        'An app imports only @complaint-ledger/ledger (the facade) and @complaint-ledger/domain (its types), besides its own files. ' +
        'Another app is no-app-imports-another-app.',
      severity: 'error',
      from: { path: '^apps/[^/]+/src/', pathNot: '^apps/(events-consumer|ch02-dashboard)/' },
      to: { path: ours, pathNot: ['^apps/', '^libs/(ledger|domain)/src/index\\.ts$'] },
    },
    {
      name: 'kafka-examples-import-only-messaging',
      comment:
        'The example Kafka consumers (events-consumer, ch02-dashboard) read the published messages: they may import ' +
        '@complaint-ledger/messaging besides the core and the domain.',
      severity: 'error',
      from: { path: '^apps/(events-consumer|ch02-dashboard)/src/' },
      to: { path: ours, pathNot: ['^apps/', '^libs/(ledger|domain|messaging)/src/index\\.ts$'] },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^dist/' },
    // a type-only import is an import: it ties the floors together as much as a value does
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    // node_modules may be a link to another checkout's: luxon stays node_modules/luxon, not that checkout's path
    preserveSymlinks: true,
    enhancedResolveOptions: { extensions: ['.ts', '.js', '.cjs', '.json'] },
  },
};
