/** Test levels by file suffix: *.unit.spec.ts, *.int.spec.ts, *.e2e.spec.ts. */
const swc = [
  '@swc/jest',
  {
    jsc: {
      parser: { syntax: 'typescript', decorators: true },
      transform: { legacyDecorator: true, decoratorMetadata: true },
      target: 'es2022',
    },
  },
];
// content-disposition 3 (via @fastify/static, Swagger UI) ships ESM only: Node loads it natively, Jest needs it compiled.
const esmOnly = ['content-disposition', 'jose', '@seriousme/openapi-schema-validator'];
const swcJs = ['@swc/jest', { jsc: { parser: { syntax: 'ecmascript' }, target: 'es2022' }, module: { type: 'commonjs' } }];
const common = {
  transform: { '^.+\\.ts$': swc, [`node_modules/(${esmOnly.join('|')})/.+\\.js$`]: swcJs },
  transformIgnorePatterns: [`/node_modules/(?!(${esmOnly.join('|')})/)`],
  moduleNameMapper: {
    '^@complaint-ledger/([a-z-]+)$': '<rootDir>/libs/$1/src/index.ts',
  },
  testEnvironment: 'node',
};
module.exports = {
  // no test may fail for a busy machine: the default 5 s is a timing assertion at load 10
  testTimeout: 30_000,
  globalSetup: '<rootDir>/test/support/test-run.cjs',
  projects: [
    { ...common, displayName: 'unit', testMatch: ['<rootDir>/{apps,libs,test}/**/*.unit.spec.ts'] },
    { ...common, displayName: 'int', testMatch: ['<rootDir>/{apps,libs,test}/**/*.int.spec.ts'] },
    { ...common, displayName: 'e2e', testMatch: ['<rootDir>/{apps,libs,test}/**/*.e2e.spec.ts'] },
  ],
};
