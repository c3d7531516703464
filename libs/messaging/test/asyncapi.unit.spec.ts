import Ajv from 'ajv';
import addFormats from 'ajv-formats';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { COMPLAINT_EVENT_TYPES } from '@complaint-ledger/domain';
import { asyncApiDocument } from '../../../tools/contracts/asyncapi';
import { ALERT_TYPES, DEFAULT_TOPICS } from '../src';

/**
 * The AsyncAPI 3.0 document (libs/messaging/contracts/asyncapi.json) is generated from the topics,
 * the domain's event types and the schemas, validates against the AsyncAPI 3.0.0 JSON Schema, and
 * every reference in it resolves.
 */
const contracts = join(__dirname, '..', 'contracts');
const FILE = join(contracts, 'asyncapi.json');
const generated = asyncApiDocument();
if (process.env.UPDATE_CONTRACTS) writeFileSync(FILE, `${JSON.stringify(generated, null, 2)}\n`);
const committed = JSON.parse(readFileSync(FILE, 'utf8')) as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- a JSON document walked by path

it('is the document generated from the topics and the event types (npm run contracts:generate writes it)', () => {
  expect(committed).toEqual(generated);
});

it('is a valid AsyncAPI 3.0.0 document', () => {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- the AsyncAPI initiative's own JSON Schemas
  const specs = require('@asyncapi/specs') as { schemas: Record<string, object> };
  // the AsyncAPI schema brings its own copy of draft-07, so ajv's is left out
  const ajv = addFormats(new Ajv({ allErrors: true, strict: false, validateSchema: false, meta: false }));
  const validate = ajv.compile(specs.schemas['3.0.0']!);
  expect(validate(committed) ? null : validate.errors).toBeNull();
  // and it is a check that can fail: AsyncAPI 2's "publish" is no operation action in 3.0
  const asInVersion2 = {
    ...committed,
    operations: { ...committed.operations, publishEvents: { ...committed.operations.publishEvents, action: 'publish' } },
  };
  expect(validate(asInVersion2)).toBe(false);
});

it('describes every topic, every event type on the events topic, and the alerts on the breaches topic', () => {
  expect(Object.values(committed.channels as Record<string, { address: string }>).map((channel) => channel.address)).toEqual(
    Object.values(DEFAULT_TOPICS),
  );
  expect(Object.keys(committed.channels.events.messages)).toEqual([...COMPLAINT_EVENT_TYPES]);
  expect(Object.keys(committed.channels.breaches.messages)).toEqual([...ALERT_TYPES]);
  expect(committed.channels.events.bindings.kafka.topicConfiguration).toMatchObject({ 'retention.ms': -1 });
  expect(committed.channels.tsm.bindings.kafka.topicConfiguration).toEqual({ 'cleanup.policy': ['compact'] });
});

it('every reference resolves, in this document or in a schema file beside it', () => {
  const refs: string[] = [];
  const walk = (node: unknown): void => {
    if (Array.isArray(node)) node.forEach(walk);
    else if (node && typeof node === 'object')
      for (const [key, value] of Object.entries(node)) {
        if (key === '$ref') refs.push(String(value));
        else walk(value);
      }
  };
  walk(committed);
  expect(refs.length).toBeGreaterThan(50);
  const at = (document: unknown, pointer: string) =>
    pointer
      .split('/')
      .filter(Boolean)
      .reduce<unknown>((node, step) => (node as Record<string, unknown> | undefined)?.[step.replace(/~1/g, '/')], document);
  for (const ref of refs) {
    const [file, pointer = ''] = ref.split('#');
    const document = file
      ? existsSync(join(contracts, file))
        ? JSON.parse(readFileSync(join(contracts, file), 'utf8'))
        : undefined
      : committed;
    expect([ref, at(document, pointer)]).toEqual([ref, expect.anything()]);
  }
});
