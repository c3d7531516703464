import { ledgerApiCases } from './ledger-api.cases';

ledgerApiCases({});
