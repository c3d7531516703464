import type { TsmSnapshot } from '@complaint-ledger/messaging';
import { KafkaPublisher, tsmSnapshotMessage, type CurrentFigures } from '@complaint-ledger/messaging';
import { MockKafkaCluster, mockClusterBinary } from '../../../test/kafka/mock-kafka';
import { runDashboardConsumer } from '../src/consumer';
import { Ch02Dashboard } from '../src/dashboard';
import { scaled } from '../../../test/support/timeouts';

const figures = (key: string, responded: number, within: number): CurrentFigures => ({
  key,
  year: 2024,
  tenure: key.endsWith('LCHO') ? 'LCHO' : 'ALL',
  digest: `${responded}/${within}`,
  figures: {
    ch01: { stage1Complaints: responded, stage2Complaints: 0, homes: null, stage1PerThousandHomes: null, stage2PerThousandHomes: null },
    ch02: {
      stage1: { responded, withinTimescale: within, percent: responded ? Math.round((within / responded) * 1000) / 10 : null },
      stage2: { responded: 0, withinTimescale: 0, percent: null },
    },
  },
});
const snapshot = (key: string, responded: number, within: number, position: number) =>
  tsmSnapshotMessage('complaints.tsm.v1', figures(key, responded, within), position, '2025-01-06T09:00:00.000Z');
const parsed = (message: { value: string }) => JSON.parse(message.value) as TsmSnapshot;

describe('the CH02 dashboard (example analytics consumer)', () => {
  it('keeps the latest figure per year and tenure, dropping duplicates and stale redeliveries', () => {
    const dashboard = new Ch02Dashboard();
    const first = parsed(snapshot('2024:ALL', 4, 3, 10));
    const second = parsed(snapshot('2024:ALL', 5, 4, 12));
    expect(dashboard.apply(first)).toBe(true);
    expect(dashboard.apply(second)).toBe(true);
    expect(dashboard.apply(first)).toBe(false); // the same event again
    expect(dashboard.apply({ ...first, eventId: 'redelivered-older' })).toBe(false); // older than what is held
    expect(dashboard.figure('2024:ALL')?.stage1).toEqual({ responded: 5, withinTimescale: 4, percent: 80 });
    expect(dashboard.render()).toEqual(['2024/25 ALL  CH02 stage 1: 80% (4 of 5), stage 2: — (0 of 0)']);
  });
});

const binary = mockClusterBinary();
const describeWithKafka = 'path' in binary ? describe : describe.skip;
if (!('path' in binary)) console.warn(`[skipped] CH02 dashboard over Kafka: ${binary.unavailable}`);

describeWithKafka('the CH02 dashboard over Kafka (mock cluster)', () => {
  jest.setTimeout(scaled(60_000));
  it('consumes complaints.tsm.v1 and shows the live figure once, however often a snapshot is delivered', async () => {
    const cluster = await MockKafkaCluster.start((binary as { path: string }).path, 1, ['complaints.tsm.v1:2']);
    const publisher = new KafkaPublisher({ brokers: cluster.brokers });
    const changes: string[] = [];
    const latest = snapshot('2024:ALL', 10, 9, 20);
    await publisher.publish([snapshot('2024:ALL', 8, 7, 15), latest, latest, snapshot('2024:LCHO', 2, 2, 20)]);
    const { dashboard, consumer } = await runDashboardConsumer({
      brokers: cluster.brokers,
      topic: 'complaints.tsm.v1',
      groupId: 'test-dashboard',
      onChange: (_dashboard, changed) => changes.push(changed.eventId),
    });
    const started = Date.now();
    while (changes.length < 3 && Date.now() - started < scaled(30_000)) await new Promise((resolve) => setTimeout(resolve, 50));
    await new Promise((resolve) => setTimeout(resolve, 300)); // let the duplicate arrive too
    await consumer.disconnect();
    await publisher.close();
    await cluster.stop();
    expect(changes).toHaveLength(3); // the duplicate changed nothing
    expect(dashboard.figure('2024:ALL')?.stage1).toEqual({ responded: 10, withinTimescale: 9, percent: 90 });
    expect(dashboard.figure('2024:LCHO')?.stage1.percent).toBe(100);
  });
});
