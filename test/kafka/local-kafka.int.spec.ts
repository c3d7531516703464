import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { connect } from 'node:net';
import { createInterface } from 'node:readline';
import { promisify } from 'node:util';
import type { ComplaintIntegrationEvent } from '@complaint-ledger/messaging';
import { runEventsConsumer } from '../../apps/events-consumer/src/consumer';
import { api, complaintBody, startApp } from '../../apps/ledger-api/test/support';
import { startLocalKafka, type LocalKafka } from '../../tools/kafka-local/kafka-local';
import { kcatInstalled, mockClusterBinary } from './mock-kafka';
import { exited, releaseBuildLock, ROOT, takeBuildLock } from '../support/processes';
import { scaled } from '../support/timeouts';

/**
 * A newcomer's path with no Docker, as the README tells it: `npm run kafka:local`, the ledger
 * started with the line it prints, a command over HTTP, and the message seen with kcat and with
 * the example consumer of the events topic; and that consumer without a broker says so in one
 * line and tries again.
 */
const binary = mockClusterBinary();
const describeWithKafka = 'path' in binary && kcatInstalled() ? describe : describe.skip;
if (!('path' in binary)) console.warn(`[skipped] kafka:local: ${binary.unavailable}`);
else if (!kcatInstalled()) console.warn('[skipped] kafka:local: kcat is not installed (apt-get install kcat, as .ci/run does)');
jest.setTimeout(scaled(60_000));

describeWithKafka('npm run kafka:local, then the ledger and the example consumer on it', () => {
  let kafka: LocalKafka;
  let app: NestFastifyApplication;
  beforeAll(async () => {
    kafka = await startLocalKafka();
    // the settings exactly as the printed line gives them
    const line = kafka.instructions.split('\n').find((text) => text.trim().endsWith('npm start'))!;
    const env = Object.fromEntries([...line.matchAll(/(LEDGER_\w+)=(\S+)/g)].map((match) => [match[1]!, match[2]!]));
    expect(env).toEqual({ LEDGER_KAFKA_BROKERS: kafka.bootstrap, LEDGER_KAFKA_IDEMPOTENT: 'false' });
    app = await startApp(env);
  });
  afterAll(async () => {
    await app?.close();
    await kafka?.stop();
  });

  it('prints the bootstrap address and the four topics', () => {
    expect(kafka.instructions).toMatch(new RegExp(`listening on ${kafka.bootstrap}\\n`));
    for (const topic of ['complaints.events.v1', 'complaints.breaches.v1', 'complaints.tsm.v1', 'complaints.checkpoints.v1'])
      expect(kafka.instructions).toContain(topic);
  });

  it('a complaint recorded over HTTP is seen with kcat and with the example consumer', async () => {
    const id = (await api(app).post('/v1/complaints').send(complaintBody()).expect(201)).body.id as string;
    const seen: ComplaintIntegrationEvent[] = [];
    const consumer = await runEventsConsumer({
      brokers: [kafka.bootstrap],
      topic: kafka.topics.events,
      groupId: 'local-kafka-test',
      say: () => undefined,
      onEvent: (event) => void seen.push(event),
    });
    try {
      const until = Date.now() + scaled(30_000);
      while (!seen.some((event) => event.complaintId === id) && Date.now() < until)
        await new Promise((resolve) => setTimeout(resolve, 100));
      expect(seen.find((event) => event.complaintId === id)).toMatchObject({ eventType: 'ComplaintReceived', revision: 0 });
    } finally {
      await consumer?.disconnect();
    }
    const kcat = kafka.instructions
      .split('\n')
      .find((text) => text.trim().startsWith('kcat'))!
      .trim();
    const args = kcat
      .split(' ')
      .slice(1)
      .filter((arg) => !arg.startsWith("'") && !arg.endsWith("'") && arg !== '-f');
    const { stdout } = await promisify(execFile)('kcat', [...args, '-o', 'beginning', '-e', '-q', '-f', '%k\n'], {
      timeout: scaled(30_000),
    });
    expect(stdout.split('\n')).toContain(id);
  });
});

describe('the example consumer with no broker to reach', () => {
  it('says so in one line, without a stack trace, and tries again until stopped', async () => {
    const lines: string[] = [];
    const stop = new AbortController();
    const consumer = runEventsConsumer({
      brokers: ['127.0.0.1:1'],
      topic: 'complaints.events.v1',
      groupId: 'nobody',
      retryMs: 100,
      signal: stop.signal,
      say: (line) => void lines.push(line),
      onEvent: () => undefined,
    });
    const until = Date.now() + scaled(30_000);
    while (lines.length < 2 && Date.now() < until) await new Promise((resolve) => setTimeout(resolve, 50));
    stop.abort();
    expect(await consumer).toBeNull();
    expect(lines.length).toBeGreaterThanOrEqual(2);
    for (const line of lines) {
      expect(line).toMatch(/^no Kafka broker reachable at 127\.0\.0\.1:1 \(.+\); trying again in 0 s$/);
      expect(line).not.toMatch(/\n|at .*\.js/);
    }
  });
});

(('path' in binary ? describe : describe.skip) as jest.Describe)('npm run kafka:local, sent SIGTERM', () => {
  let npm: ChildProcess | undefined;
  afterAll(() => {
    // whatever it left behind, in its own process group (npm was started as its leader)
    if (npm?.pid) {
      try {
        process.kill(-npm.pid, 'SIGKILL');
      } catch {
        // the group is gone: nothing was left
      }
    }
  });

  it('stops its broker: the address it printed refuses connections once npm has gone', async () => {
    takeBuildLock(); // the script compiles into dist/, where other tests' services are loading files
    let bootstrap: string;
    try {
      npm = spawn('npm', ['run', '-s', 'kafka:local'], { cwd: ROOT, detached: true, stdio: ['ignore', 'pipe', 'inherit'] });
      const lines = createInterface({ input: npm.stdout! });
      bootstrap = await new Promise<string>((resolve, reject) => {
        lines.on('line', (line) => {
          const match = /listening on (\S+)$/.exec(line);
          if (match) resolve(match[1]!);
        });
        npm!.once('exit', (code) => reject(new Error(`npm run kafka:local exited (${code}) before its broker listened`)));
      });
    } finally {
      releaseBuildLock();
    }
    const [host, port] = bootstrap.split(':');
    const accepts = () =>
      new Promise<boolean>((resolve) => {
        const socket = connect(Number(port), host!, () => {
          socket.destroy();
          resolve(true);
        });
        socket.once('error', () => resolve(false));
      });
    expect(await accepts()).toBe(true);
    npm.kill('SIGTERM'); // npm alone, as a terminal's or a process manager's stop does
    await exited(npm);
    const until = Date.now() + scaled(30_000);
    while ((await accepts()) && Date.now() < until) await new Promise((resolve) => setTimeout(resolve, 100));
    expect(await accepts()).toBe(false);
  });
});
