import { ledgerApiCases } from './ledger-api.cases';

describe('committing on the writer thread (LEDGER_SQLITE_WRITER_THREAD=true)', () =>
  ledgerApiCases({ LEDGER_SQLITE_WRITER_THREAD: 'true' }));
