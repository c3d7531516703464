import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import { COMPLAINT_EVENT_TYPES } from '@complaint-ledger/domain';
import type { RecordedEvent } from '@complaint-ledger/event-store';
import { DEFAULT_TOPICS, integrationEventOf, messageHeaders, messagesOf, SCHEMA_IDS, tsmSnapshotMessage } from '../src';
import complaintEventSchema from '../contracts/complaint-event.v1.schema.json';
import tsmSnapshotSchema from '../contracts/tsm-snapshot.v1.schema.json';
import checkpointSchema from '../contracts/ledger-checkpoint.v1.schema.json';

const ajv = addFormats(new Ajv2020({ allErrors: true, strict: false }));
const validEvent = ajv.compile(complaintEventSchema);
const validSnapshot = ajv.compile(tsmSnapshotSchema);
const validCheckpoint = ajv.compile(checkpointSchema);

describe('the published JSON schemas (libs/messaging/contracts)', () => {
  it("are each named by the id a message's ce_dataschema gives (docs/integration.md, schema names)", () => {
    const ids = [complaintEventSchema, checkpointSchema, tsmSnapshotSchema].map((schema) => schema.$id);
    const headers = (['event', 'checkpoint', 'tsm'] as const).map(
      (kind) => messageHeaders({ eventType: 'T', eventId: 'e', correlationId: 'c', time: 't', subject: 's', kind }).ce_dataschema,
    );
    expect(headers).toEqual(ids);
    expect(ids).toEqual([SCHEMA_IDS.event, SCHEMA_IDS.checkpoint, SCHEMA_IDS.tsm]);
  });

  it('describe every integration event the relay publishes', () => {
    const event: RecordedEvent = {
      streamId: 'complaint-c1',
      revision: 0,
      position: 1,
      eventId: '0b7f6f0e-3a53-4bb2-9f3e-0c5f1f2a8f11',
      type: 'ComplaintReceived',
      data: { complaintId: 'c1', resident: { reference: 'R', name: 'Ada' } },
      metadata: {
        occurredAt: '2025-01-06T09:00:00.000Z',
        recordedAt: '2025-01-06T09:00:01.000Z',
        actor: 'housing-system',
        correlationId: 'corr',
        causationId: 'cause',
        schemaVersion: 1,
        prevHash: '0'.repeat(64),
        hash: 'ab'.repeat(32),
      },
    };
    expect(validEvent(integrationEventOf(event))).toBe(true);
    // nothing outside the contract: every field the relay sends is one the schema names (the schema itself is
    // open, so that fields added within v1 do not break a consumer validating with it)
    expect(Object.keys(integrationEventOf(event)).filter((field) => !(field in complaintEventSchema.properties))).toEqual([]);
  });

  it('describe the signed checkpoints the relay publishes on their own topic, keyed "ledger"', () => {
    const checkpoint = {
      position: 41,
      events: 41,
      head: 'cd'.repeat(32),
      at: '2025-01-06T09:01:00.000Z',
      keyId: 'ab'.repeat(8),
      signature: 'c2ln',
    };
    const event: RecordedEvent = {
      streamId: 'ledger-checkpoints',
      revision: 3,
      position: 42,
      eventId: '0b7f6f0e-3a53-4bb2-9f3e-0c5f1f2a8f12',
      type: 'LedgerCheckpointed',
      data: checkpoint,
      metadata: {
        occurredAt: checkpoint.at,
        recordedAt: '2025-01-06T09:01:00.100Z',
        actor: 'ledger:checkpointer',
        correlationId: 'corr',
        schemaVersion: 1,
        prevHash: '0'.repeat(64),
        hash: 'ef'.repeat(32),
      },
    };
    const messages = messagesOf(event, DEFAULT_TOPICS);
    expect(messages.map((m) => [m.topic, m.key])).toEqual([['complaints.checkpoints.v1', 'ledger']]);
    const body = JSON.parse(messages[0]!.value) as { checkpoint: object };
    expect(validCheckpoint(body)).toBe(true);
    expect(body.checkpoint).toEqual(checkpoint);
    expect(validCheckpoint({ ...body, checkpoint: { ...checkpoint, head: 'not hex' } })).toBe(false);
    // a signed tree head (decision 0024) is the same message with the tree's size and root
    const treeHead = { ...checkpoint, treeSize: 41, root: 'ab'.repeat(32) };
    const published = JSON.parse(messagesOf({ ...event, data: treeHead }, DEFAULT_TOPICS)[0]!.value) as { checkpoint: object };
    expect(validCheckpoint(published)).toBe(true);
    expect(published.checkpoint).toEqual(treeHead);
    expect(validCheckpoint({ ...published, checkpoint: { ...treeHead, root: 'short' } })).toBe(false);
  });

  it('accept every event type the domain records, and a type added later (consumers ignore what they do not know)', () => {
    const pattern = new RegExp(complaintEventSchema.properties.eventType.pattern);
    for (const type of [...COMPLAINT_EVENT_TYPES, 'CorrectionRecorded']) expect(type).toMatch(pattern);
  });

  it('describe TSM snapshots', () => {
    const figures = {
      ch01: { stage1Complaints: 3, stage2Complaints: 1, homes: 1000, stage1PerThousandHomes: 3, stage2PerThousandHomes: 1 },
      ch02: { stage1: { responded: 2, withinTimescale: 1, percent: 50 }, stage2: { responded: 0, withinTimescale: 0, percent: null } },
    };
    const message = tsmSnapshotMessage(
      'complaints.tsm.v1',
      { key: '2024:LCRA', year: 2024, tenure: 'LCRA', figures, digest: 'd' },
      7,
      '2025-01-06T09:00:00.000Z',
    );
    expect(validSnapshot(JSON.parse(message.value))).toBe(true);
    expect(validSnapshot({ ...JSON.parse(message.value), tenure: 'Private' })).toBe(false);
  });
});
