// The fences between the parts of the house (docs/architecture.md) that an import's resolved path
// cannot show: who appends to the store, who names a read model's table. Who may import whom is
// dependency-cruiser's (.dependency-cruiser.cjs). Shared by eslint.config.mjs and the test that
// proves each one fires (test/fences.unit.spec.ts).
const onlyTheCoreAppends = {
  selector: "CallExpression[callee.property.name='append']",
  message: 'Only the application core (libs/ledger, its write path) appends to the event store: send a command through it.',
};
const readModelTablesStayInProjections = {
  selector: 'Literal[value=/\\brm_\\w+/], TemplateElement[value.raw=/\\brm_\\w+/]',
  message: "Only libs/projections knows the read models' tables: ask it through a function.",
};
const syntax = (...restrictions) => ({ 'no-restricted-syntax': ['error', ...restrictions] });

module.exports = [
  // One no-restricted-syntax setting per area (a later one would replace an earlier one for a file).
  {
    files: ['apps/*/src/**/*.ts', 'libs/messaging/src/**/*.ts', 'libs/privacy/src/**/*.ts'],
    rules: syntax(onlyTheCoreAppends, readModelTablesStayInProjections),
  },
  { files: ['libs/projections/src/**/*.ts'], rules: syntax(onlyTheCoreAppends) },
  { files: ['libs/ledger/src/**/*.ts', 'libs/event-store/src/**/*.ts'], rules: syntax(readModelTablesStayInProjections) },
  {
    // Only the projections library knows the read models' tables and how they are opened.
    files: ['apps/*/src/**/*.ts', 'libs/*/src/**/*.ts'],
    ignores: ['libs/projections/src/**', 'libs/domain/src/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [
            {
              name: '@complaint-ledger/projections',
              importNames: ['tableOf', 'openReadModelDatabase', 'prepareTable', 'dumpReadModels'],
              message: "Only libs/projections knows the read models' tables: ask it through a function.",
            },
          ],
        },
      ],
    },
  },
];
