import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { SpanKind } from '@opentelemetry/api';
import { InMemorySpanExporter, type ReadableSpan } from '@opentelemetry/sdk-trace-node';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { startTracing, type Tracing } from '@complaint-ledger/ledger';
import { kcatInstalled, MockKafkaCluster, mockClusterBinary } from '../../../test/kafka/mock-kafka';
import { api, complaintBody, startApp } from './support';

/**
 * One command followed from the HTTP request to the Kafka produce as one OpenTelemetry trace: the
 * service as `npm start` runs it with Kafka configured (the relay in the same process), tracing to
 * an in-memory exporter, librdkafka's mock cluster as the broker, kcat reading the message back
 * with its W3C `traceparent` header.
 */
const binary = mockClusterBinary();
const describeWithKafka = 'path' in binary && kcatInstalled() ? describe : describe.skip;
if (!('path' in binary)) console.warn(`[skipped] tracing to Kafka: ${binary.unavailable}`);
else if (!kcatInstalled()) console.warn('[skipped] tracing to Kafka: kcat is not installed (apt-get install kcat, as .ci/run does)');
jest.setTimeout(60_000);

const TOPIC = 'trace.complaints.events.v1';

describeWithKafka('a traced command', () => {
  let cluster: MockKafkaCluster;
  let app: NestFastifyApplication;
  let tracing: Tracing;
  const exporter = new InMemorySpanExporter();

  beforeAll(async () => {
    cluster = await MockKafkaCluster.start((binary as { path: string }).path, 1, [
      TOPIC,
      'trace.complaints.breaches.v1',
      'trace.complaints.tsm.v1',
    ]);
    tracing = startTracing('complaint-ledger-api', { LEDGER_TRACES_SAMPLE_PERCENT: 100 }, { exporter })!;
    app = await startApp({
      LEDGER_KAFKA_BROKERS: cluster.brokers.join(','),
      LEDGER_KAFKA_TOPIC_PREFIX: 'trace.',
      LEDGER_KAFKA_RETRIES: '1',
    });
  });
  afterAll(async () => {
    await app?.close();
    await tracing?.shutdown();
    await cluster?.stop();
  });

  it('is one trace from the HTTP request through the write path and the store append to the Kafka produce, whose context the message carries', async () => {
    const id = (await api(app).post('/v1/complaints').send(complaintBody()).expect(201)).body.id as string;
    const produce = await spanWhere((span) => span.kind === SpanKind.PRODUCER && span.attributes['messaging.kafka.message.key'] === id);

    // parent by parent, from the produce up to the request: every span in one trace
    expect(ancestry(produce).map((span) => span.name)).toEqual([
      `send ${TOPIC}`,
      'event-store.append',
      'ledger.write ReceiveComplaint',
      'POST /v1/complaints',
    ]);
    const [, append, write, request] = ancestry(produce);
    expect(new Set(ancestry(produce).map((span) => span.spanContext().traceId)).size).toBe(1);
    expect(request!.kind).toBe(SpanKind.SERVER);
    expect(request!.parentSpanContext).toBeUndefined(); // the request began the trace
    expect(request!.attributes).toMatchObject({ 'http.route': '/v1/complaints', 'http.response.status_code': 201 });
    expect(write!.attributes).toMatchObject({ 'ledger.command': 'ReceiveComplaint', 'ledger.complaint_id': id, 'ledger.recorded': 1 });
    expect(append!.attributes).toMatchObject({
      'ledger.stream': `complaint-${id}`,
      'ledger.expected_revision': 'no_stream',
      'ledger.events': 1,
    });
    expect(produce.attributes).toMatchObject({ 'messaging.system': 'kafka', 'messaging.destination.name': TOPIC });

    // the message on the topic names the produce span: a consumer that traces continues from it
    const { traceId, spanId } = produce.spanContext();
    expect(await headersOf(id)).toContain(`traceparent=00-${traceId}-${spanId}-01`);
  });

  it("continues the caller's trace when the request carries a W3C traceparent", async () => {
    const caller = { traceId: '4bf92f3577b34da6a3ce929d0e0e4736', spanId: '00f067aa0ba902b7' };
    const id = (
      await api(app).post('/v1/complaints').set('traceparent', `00-${caller.traceId}-${caller.spanId}-01`).send(complaintBody()).expect(201)
    ).body.id as string;
    const produce = await spanWhere((span) => span.kind === SpanKind.PRODUCER && span.attributes['messaging.kafka.message.key'] === id);
    const request = ancestry(produce).at(-1)!;
    expect(request.name).toBe('POST /v1/complaints');
    expect(request.spanContext().traceId).toBe(caller.traceId);
    expect(request.parentSpanContext?.spanId).toBe(caller.spanId);
    expect(produce.spanContext().traceId).toBe(caller.traceId);
  });

  /** The finished span that `test` picks, once the relay has published and the exporter has it. */
  async function spanWhere(test: (span: ReadableSpan) => boolean): Promise<ReadableSpan> {
    const started = Date.now();
    for (;;) {
      await tracing.flush();
      const found = exporter.getFinishedSpans().find(test);
      if (found) return found;
      if (Date.now() - started > 30_000)
        throw new Error(
          `no such span among ${exporter
            .getFinishedSpans()
            .map((span) => span.name)
            .join(', ')}`,
        );
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  /** The span, its parent, its parent's parent… as far as the spans finished here go. */
  function ancestry(span: ReadableSpan): ReadableSpan[] {
    const bySpanId = new Map(exporter.getFinishedSpans().map((one) => [one.spanContext().spanId, one]));
    const chain = [span];
    for (let parent = span.parentSpanContext; parent && bySpanId.has(parent.spanId); parent = chain.at(-1)!.parentSpanContext)
      chain.push(bySpanId.get(parent.spanId)!);
    return chain;
  }

  /** The headers of the complaint's message on the events topic, as kcat prints them. */
  async function headersOf(complaintId: string): Promise<string> {
    const { stdout } = await promisify(execFile)(
      'kcat',
      ['-C', '-b', cluster.brokers.join(','), '-t', TOPIC, '-o', 'beginning', '-e', '-q', '-f', '%k %h\n'],
      { timeout: 20_000 },
    );
    return stdout.split('\n').find((line) => line.startsWith(`${complaintId} `)) ?? '';
  }
});
