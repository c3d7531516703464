// The fences between the parts of the house (docs/architecture.md), enforced by lint. Shared by
// eslint.config.mjs and the test that proves each one fires (tools/eslint/fences.unit.spec.ts).
const { dirname, relative, resolve, sep } = require('node:path');

const appOf = (path) => {
  const parts = relative(process.cwd(), path).split(sep);
  return parts[0] === 'apps' && parts.length > 2 ? parts[1] : null;
};

/** An app never imports another app: what they share lives in a library (libs/ledger for the wiring). */
const noImportOfAnotherApp = {
  meta: {
    type: 'problem',
    messages: {
      other: 'apps/{{from}} imports apps/{{to}}: apps never import each other; move what they share into a library (libs/ledger).',
    },
  },
  create(context) {
    const from = appOf(context.filename);
    if (!from) return {};
    const check = (node) => {
      const spec = node.source && node.source.value;
      if (typeof spec !== 'string' || !spec.startsWith('.')) return;
      const to = appOf(resolve(dirname(context.filename), spec));
      if (to && to !== from) context.report({ node, messageId: 'other', data: { from, to } });
    };
    return { ImportDeclaration: check, ExportNamedDeclaration: check, ExportAllDeclaration: check, ImportExpression: check };
  },
};

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
  { plugins: { fences: { rules: { 'no-import-of-another-app': noImportOfAnotherApp } } } },
  { files: ['apps/**/*.ts'], rules: { 'fences/no-import-of-another-app': 'error' } },
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
