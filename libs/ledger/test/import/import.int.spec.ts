import { join } from 'node:path';
import { complaintIdOf, type Ledger } from '../../src';
import { EXAMPLES, importFile, openLedger } from './support';

let ledger: Ledger;
beforeEach(() => (ledger = openLedger()));
afterEach(() => ledger.close());

describe('importing a good file', () => {
  it('records every row of the example file', async () => {
    const { status, rows } = await importFile(ledger, join(EXAMPLES, 'example.csv'));
    expect(status).toMatchObject({ status: 'done', rows: { total: 13, accepted: 13, refused: 0, skipped: 0 } });
    expect([...rows.values()].every((row) => row.outcome === 'accepted')).toBe(true);
    const history = await ledger.queries.complaints.history(complaintIdOf('CMP-1001'));
    expect(history.map((event) => event.type)).toEqual([]);
  });
});
