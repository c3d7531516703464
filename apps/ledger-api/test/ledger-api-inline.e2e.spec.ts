import { ledgerApiCases } from './ledger-api.cases';

// The default runs both threads (ledger-api.e2e.spec.ts); this runs every case with neither.
describe('committing and projecting on the thread that serves requests (LEDGER_THREADS=false)', () =>
  ledgerApiCases({ LEDGER_THREADS: 'false' }));
