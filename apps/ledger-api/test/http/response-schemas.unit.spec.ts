import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { RESPONSE_TYPES, responseSchemas } from '../../../../tools/contracts/response-schemas';

/**
 * The OpenAPI schemas of the API's response bodies are generated from the types the controllers
 * return (apps/ledger-api/src/http/responses.ts): a change to those types without
 * `npm run contracts:generate` fails here.
 */
const FILE = join(__dirname, '..', '..', 'src', 'http', 'response-schemas.json');
const generated = responseSchemas();
if (process.env.UPDATE_CONTRACTS) writeFileSync(FILE, `${JSON.stringify(generated, null, 2)}\n`);
const committed = JSON.parse(readFileSync(FILE, 'utf8')) as Record<string, object>;

it('are the schemas generated from the response types (npm run contracts:generate writes them)', () => {
  expect(committed).toEqual(generated);
});

it('name every response type, and every type they use', () => {
  expect(Object.keys(committed)).toEqual(expect.arrayContaining([...RESPONSE_TYPES, 'Finding', 'TsmReport']));
  const refs = [...JSON.stringify(committed).matchAll(/"\$ref":"#\/components\/schemas\/([^"]+)"/g)].map((match) => match[1]!);
  expect(refs.filter((name) => !(name in committed))).toEqual([]);
});
