import { execFileSync, spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync, mkdirSync, renameSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

// beside this file, also when it runs compiled under dist/ (npm run kafka:local)
const HERE = existsSync(join(__dirname, 'mock-cluster.c')) ? __dirname : join(__dirname, '..', '..', '..', 'test', 'kafka');
const SOURCE = join(HERE, 'mock-cluster.c');
const BINARY = join(HERE, '.bin', 'mock-cluster');

/**
 * The path of the compiled harness, compiling it if needed, or why it cannot be had (no C
 * compiler, or librdkafka's headers missing: `apt-get install librdkafka-dev`, as .ci/run does).
 */
export function mockClusterBinary(): { path: string } | { unavailable: string } {
  if (existsSync(BINARY) && statSync(BINARY).mtimeMs >= statSync(SOURCE).mtimeMs) return { path: BINARY };
  mkdirSync(join(HERE, '.bin'), { recursive: true });
  const partial = `${BINARY}.${process.pid}`;
  try {
    execFileSync('cc', ['-O1', '-o', partial, SOURCE, '-lrdkafka'], { stdio: 'pipe' });
    renameSync(partial, BINARY); // atomic: test files compiling at once never run a half-written binary
    return { path: BINARY };
  } catch (error) {
    const stderr = String((error as { stderr?: Buffer }).stderr ?? (error as Error).message);
    return {
      unavailable: `librdkafka's mock cluster could not be built (${stderr.split('\n')[0]}); install librdkafka-dev (apt-get install librdkafka-dev), as .ci/run does`,
    };
  }
}

/** A running mock cluster: a real Kafka-protocol broker set in a child process. */
export class MockKafkaCluster {
  private readonly replies: string[] = [];
  private waiting: ((line: string) => void)[] = [];

  private constructor(
    private readonly child: ChildProcessWithoutNullStreams,
    readonly brokers: string[],
    lines: AsyncIterable<string>,
  ) {
    void (async () => {
      for await (const line of lines) {
        const waiter = this.waiting.shift();
        if (waiter) waiter(line);
        else this.replies.push(line);
      }
    })();
  }

  /** Starts `brokerCount` brokers with the topics (`name` or `name:partitions`) already created. */
  static async start(binary: string, brokerCount: number, topics: readonly string[]): Promise<MockKafkaCluster> {
    letKafkajsFindTheMockController();
    const child = spawn(binary, [String(brokerCount), ...topics]);
    const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
    const first = await Promise.race([
      lines.next(),
      new Promise<never>((_, reject) => child.once('exit', (code) => reject(new Error(`mock cluster exited with ${code}`)))),
    ]);
    const match = /^bootstrap (.+)$/.exec(String(first.value));
    if (!match) throw new Error(`mock cluster said: ${String(first.value)}`);
    return new MockKafkaCluster(child, match[1]!.split(','), { [Symbol.asyncIterator]: () => lines });
  }

  /** Takes a broker (or all, -1) down: connections drop and new ones are refused. */
  down(broker = -1): Promise<void> {
    return this.command(`down ${broker}`);
  }

  up(broker = -1): Promise<void> {
    return this.command(`up ${broker}`);
  }

  createTopic(name: string, partitions = 1): Promise<void> {
    return this.command(`topic ${name} ${partitions}`);
  }

  async stop(): Promise<void> {
    if (this.child.exitCode !== null) return;
    const exited = new Promise((resolve) => this.child.once('exit', resolve));
    this.child.stdin.end();
    await exited;
  }

  private async command(line: string): Promise<void> {
    this.child.stdin.write(`${line}\n`);
    const reply = this.replies.shift() ?? (await new Promise<string>((resolve) => this.waiting.push(resolve)));
    if (reply !== 'ok') throw new Error(`mock cluster: ${line}: ${reply}`);
  }
}

/**
 * The broker Kafka tests run against: an external Kafka when KAFKA_BROKERS is set (`docker
 * compose up -d kafka`, then `KAFKA_BROKERS=localhost:29092 npm run test:integration`; topics
 * are created with kafkajs's admin client, and outages cannot be staged), otherwise librdkafka's
 * mock cluster. Null, with the reason printed, when neither is available.
 */
export interface TestBroker {
  readonly brokers: string[];
  readonly kind: 'external' | 'mock';
  createTopic(name: string, partitions: number): Promise<void>;
  /** Only the mock cluster can take its brokers down and up. */
  readonly outages: Pick<MockKafkaCluster, 'down' | 'up'> | null;
  stop(): Promise<void>;
}

export function testBrokerAvailability(): { available: true } | { available: false; reason: string } {
  if (process.env.KAFKA_BROKERS) return { available: true };
  const binary = mockClusterBinary();
  return 'path' in binary ? { available: true } : { available: false, reason: binary.unavailable };
}

/** The mock cluster's controller found for kafkajs (mock-controller.cjs says why): in this process, and counted. */
// eslint-disable-next-line @typescript-eslint/no-require-imports -- plain CommonJS, so that services started as processes preload it too
const controller = require('./mock-controller.cjs') as { mockController: { fallbacks: number }; letKafkajsFindTheMockController(): void };
export const { mockController, letKafkajsFindTheMockController } = controller;

/** NODE_OPTIONS for a service a test starts as its own process against the mock cluster. */
export const MOCK_CONTROLLER_PRELOAD = `--require ${join(__dirname, 'mock-controller-preload.cjs')}`;

export async function startTestBroker(mockBrokers = 3): Promise<TestBroker> {
  const external = process.env.KAFKA_BROKERS;
  if (external) {
    const { Kafka, logLevel } = await import('kafkajs');
    const admin = new Kafka({ brokers: external.split(','), clientId: 'ledger-tests', logLevel: logLevel.NOTHING }).admin();
    await admin.connect();
    return {
      brokers: external.split(','),
      kind: 'external',
      createTopic: async (topic, numPartitions) =>
        void (await admin.createTopics({ topics: [{ topic, numPartitions }], waitForLeaders: true })),
      outages: null,
      stop: () => admin.disconnect(),
    };
  }
  const binary = mockClusterBinary();
  if (!('path' in binary)) throw new Error(binary.unavailable);
  const cluster = await MockKafkaCluster.start(binary.path, mockBrokers, []);
  return {
    brokers: cluster.brokers,
    kind: 'mock',
    createTopic: (name, partitions) => cluster.createTopic(name, partitions),
    outages: cluster,
    stop: () => cluster.stop(),
  };
}

/** Whether kcat (Debian's `kcat`, a third-party Kafka client) is on the PATH. */
export function kcatInstalled(): boolean {
  try {
    execFileSync('kcat', ['-V'], { stdio: 'pipe' });
    return true;
  } catch {
    return false;
  }
}
