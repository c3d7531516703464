import type { LedgerLogger } from '../logger';
import type { EventStore } from '@complaint-ledger/event-store';
import { EventRelay, KafkaPublisher, topicNames } from '@complaint-ledger/messaging';
import type { ReadSide } from '@complaint-ledger/projections';
import { Counter, Gauge, type Registry } from 'prom-client';
import type { LedgerConfig } from '../config/ledger-config';
import type { Clock } from '../clock';
import type { DutyLease } from '../duties/lease';
import { keyDerivedFromMasterKey } from './personal-data';

/** The Kafka relay this process runs, or null: no brokers configured, or LEDGER_RELAY=off. */
export function openRelay(
  config: LedgerConfig,
  store: EventStore,
  readSide: ReadSide,
  clock: Clock,
  logger: LedgerLogger,
  registry: Registry,
  figuresServable: () => boolean,
  duties: DutyLease,
  /** The last log position the ledger's verification has passed (-1 while it has not run, or found a break). */
  verifiedThrough: () => number = () => Infinity,
): EventRelay | null {
  if (!config.kafkaBrokers.length || config.LEDGER_RELAY === 'off') return null;
  const published = new Counter({
    name: 'ledger_relay_published_events_total',
    help: 'Ledger events the broker acknowledged',
    registers: [registry],
  });
  const failures = new Counter({
    name: 'ledger_relay_failures_total',
    help: 'Publish attempts that failed (each retried)',
    registers: [registry],
  });
  const { LEDGER_KAFKA_SASL_MECHANISM: mechanism, LEDGER_KAFKA_SASL_USERNAME: username, LEDGER_KAFKA_SASL_PASSWORD: password } = config;
  const publisher = new KafkaPublisher({
    brokers: config.kafkaBrokers,
    clientId: config.LEDGER_KAFKA_CLIENT_ID,
    idempotent: config.LEDGER_KAFKA_IDEMPOTENT,
    compression: config.LEDGER_KAFKA_COMPRESSION,
    retries: config.LEDGER_KAFKA_RETRIES,
    ssl: config.LEDGER_KAFKA_SSL,
    sasl: mechanism && username && password ? { mechanism, username, password } : undefined,
    log: (level, message) => (level === 'error' ? logger.error(message) : logger.warn(message)),
  });
  const relay = new EventRelay({
    store,
    db: readSide.db,
    publisher,
    actorKey: keyDerivedFromMasterKey(config, 'kafka actor pseudonyms'),
    topics: topicNames(config.LEDGER_KAFKA_TOPIC_PREFIX, {
      events: config.LEDGER_KAFKA_TOPIC_EVENTS,
      breaches: config.LEDGER_KAFKA_TOPIC_BREACHES,
      tsm: config.LEDGER_KAFKA_TOPIC_TSM,
      checkpoints: config.LEDGER_KAFKA_TOPIC_CHECKPOINTS,
    }),
    homes: config.homes,
    clock,
    projectionsPosition: () => readSide.runner.position,
    figuresServable,
    onError: (error, attempt, retryInMs) => {
      failures.inc();
      logger.warn(`publishing failed (attempt ${attempt}), retrying in ${retryInMs} ms: ${(error as Error).message}`);
    },
    onRecovered: () => logger.log('publishing again'),
    onNotice: (message) => logger.warn(message),
    onPublished: (events) => published.inc(events),
    // only the duties' holder publishes, from where the last holder stopped: a failover resumes, never republishes
    mayPublish: () => duties.held,
    publishableThrough: verifiedThrough,
    checkpoint: {
      load: (destination) => duties.backend.relayPosition(destination),
      save: (destination, position, rewind) => duties.backend.saveRelayPosition(destination, position, rewind),
    },
  });
  // read when scraped: the relay's own status, nothing kept twice
  const gauges: [name: string, help: string, of: (status: ReturnType<EventRelay['status']>) => number][] = [
    ['ledger_relay_position', 'Log position up to which the broker acknowledged every event', (s) => s.position],
    ['ledger_relay_pending_events', 'Events read and not yet acknowledged', (s) => s.pendingEvents],
    ['ledger_relay_lag_seconds', 'Seconds since the oldest event waiting to be published was recorded', (s) => s.lagSeconds],
  ];
  for (const [name, help, of] of gauges) {
    new Gauge({
      name,
      help,
      registers: [registry],
      collect() {
        this.set(of(relay.status()));
      },
    });
  }
  return relay;
}
