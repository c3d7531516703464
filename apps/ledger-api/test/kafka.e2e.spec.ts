import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { kcatInstalled, MockKafkaCluster, mockClusterBinary } from '../../../test/kafka/mock-kafka';
import type { Ledger } from '@complaint-ledger/ledger';
import { WorkingCalendar, workingDaysLate } from '@complaint-ledger/domain';
import { LEDGER } from '../src/infrastructure/tokens';
import { complaintBody, startApp, api } from './support';
import { scaled } from '../../../test/support/timeouts';

/**
 * The service as `npm start` runs it with Kafka configured: commands over HTTP, the relay in the
 * same process with its production producer settings (idempotent), librdkafka's mock cluster as the
 * broker, kcat reading.
 */
const binary = mockClusterBinary();
const describeWithKafka = 'path' in binary && kcatInstalled() ? describe : describe.skip;
if (!('path' in binary)) console.warn(`[skipped] Kafka e2e: ${binary.unavailable}`);
else if (!kcatInstalled()) console.warn('[skipped] Kafka e2e: kcat is not installed (apt-get install kcat, as .ci/run does)');
jest.setTimeout(scaled(60_000));

describeWithKafka('POST /v1/complaints reaches Kafka; a broker outage is reported and recovered from', () => {
  let cluster: MockKafkaCluster;
  let app: NestFastifyApplication;
  const http = () => api(app);
  const relay = async () => (await http().get('/health/ready').expect(200)).body.checks.relay as Record<string, unknown>;

  beforeAll(async () => {
    cluster = await MockKafkaCluster.start((binary as { path: string }).path, 1, [
      'e2e.complaints.events.v1:2',
      'e2e.complaints.breaches.v1',
      'e2e.complaints.tsm.v1',
    ]);
    app = await startApp({
      LEDGER_KAFKA_BROKERS: cluster.brokers.join(','),
      LEDGER_KAFKA_TOPIC_PREFIX: 'e2e.',
      LEDGER_KAFKA_RETRIES: '1',
    });
  });
  afterAll(async () => {
    await app?.close();
    await cluster?.stop();
  });

  it('publishes what the API recorded, keeps taking commands while the broker is down, then catches up', async () => {
    const first = (await http().post('/v1/complaints').send(complaintBody()).expect(201)).body.id as string;
    await until(async () => (await relay()).status === 'publishing' && (await relay()).position === 1);

    await cluster.down(-1);
    const second = (await http().post('/v1/complaints').send(complaintBody()).expect(201)).body.id as string; // durable regardless
    await until(async () => (await relay()).status === 'backing-off' && (await relay()).pendingEvents === 1);
    expect(await relay()).toMatchObject({ position: 1, lastError: expect.stringMatching(/Kafka did not acknowledge/) });

    await cluster.up(-1);
    await until(async () => (await relay()).status === 'publishing' && (await relay()).pendingEvents === 0, scaled(30_000));
    expect((await relay()).position).toBe(2);

    const { stdout } = await promisify(execFile)(
      'kcat',
      ['-C', '-b', cluster.brokers.join(','), '-t', 'e2e.complaints.events.v1', '-o', 'beginning', '-e', '-q', '-f', '%k\n'],
      { timeout: scaled(30_000) },
    );
    expect(new Set(stdout.trim().split('\n'))).toEqual(new Set([first, second]));

    // the relay's own metrics: what the broker acknowledged, the failed attempts of the outage, nothing pending
    const metrics = (await http().get('/metrics').expect(200)).text;
    const value = (name: string) => Number(new RegExp(`^${name} (\\S+)$`, 'm').exec(metrics)?.[1]);
    expect(value('ledger_relay_published_events_total')).toBeGreaterThanOrEqual(2);
    expect(value('ledger_relay_failures_total')).toBeGreaterThanOrEqual(1);
    expect(value('ledger_relay_position')).toBe(2);
    expect(value('ledger_relay_pending_events')).toBe(0);
    expect(value('ledger_relay_lag_seconds')).toBe(0);
  });

  it('a breach disproved by a later-recorded on-time acknowledgement is retracted on the breaches topic (decision 0017)', async () => {
    const ledger = app.get<Ledger>(LEDGER);
    const sweep = async () => {
      await ledger.readSide.runner.catchUp();
      return ledger.sweep();
    };
    const id = (
      await http()
        .post('/v1/complaints')
        .send(complaintBody({ receivedAt: '2024-05-01T10:00:00+01:00' }))
        .expect(201)
    ).body.id as string;
    await sweep(); // never acknowledged nor answered: two breaches
    await http()
      .post(`/v1/complaints/${id}/acknowledgements`)
      .send({ stage: 1, acknowledgedAt: '2024-05-03T10:00:00+01:00', complaintDefinition: 'The leak' })
      .expect(200);
    await sweep(); // the acknowledgement's breach retracted; the response's moved with it (retracted, recorded anew)
    const published = async () => {
      const { stdout } = await promisify(execFile)(
        'kcat',
        ['-C', '-b', cluster.brokers.join(','), '-t', 'e2e.complaints.breaches.v1', '-o', 'beginning', '-e', '-q', '-f', '%s\n'],
        { timeout: scaled(30_000) },
      );
      return stdout
        .split('\n')
        .filter((line) => line.trim()) // nothing published yet is an empty answer
        .map(
          (line) =>
            JSON.parse(line) as {
              complaintId: string;
              eventType: string;
              data: { kind: string; deadlineKey: string; reason?: string; dueAt: string; detectedAt?: string; workingDaysLate?: number };
            },
        )
        .filter((message) => message.complaintId === id);
    };
    await until(async () => (await published()).length === 5);
    const acknowledgement = (await published()).filter((message) => message.data.kind === 'acknowledgement');
    expect(acknowledgement.map((message) => [message.eventType, message.data.reason])).toEqual([
      ['DeadlineBreached', undefined],
      ['BreachRetracted', 'met_on_time'],
    ]);
    expect(acknowledgement[1]!.data.deadlineKey).toBe(acknowledgement[0]!.data.deadlineKey);
    // the breach says how late it was when detected, counted by the ledger's own calendar (due Thu 9 May 2024, unmet)
    const { dueAt, detectedAt, workingDaysLate: late } = acknowledgement[0]!.data;
    expect(late).toBe(workingDaysLate(dueAt, detectedAt!, new WorkingCalendar()));
    expect(late).toBeGreaterThan(400);
  });
});

async function until(condition: () => Promise<boolean>, timeoutMs = scaled(30_000)): Promise<void> {
  const started = Date.now();
  while (!(await condition())) {
    if (Date.now() - started > timeoutMs) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
