import { plainToInstance, Transform } from 'class-transformer';
import { IsBoolean, IsIn, IsIP, IsInt, IsUrl, MinLength, IsOptional, IsString, Matches, Max, Min, validateSync } from 'class-validator';
import { checkLandlordTimescales, type AlertSettings, type LandlordTimescales, type Tenure } from '@complaint-ledger/domain';
import type { HomesByYear } from '@complaint-ledger/projections';
import { parseEventStoreConnectionString } from '@complaint-ledger/event-store';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { closestName } from './closest-name';
import { Setting, settingNames } from './setting';

const toInt = ({ value }: { value: unknown }) => (value === undefined || value === '' ? undefined : Number(value));
const toBoolean = ({ value }: { value: unknown }) => (value === 'true' ? true : value === 'false' ? false : value);

/** A whole number from the environment's text, within bounds. */
const WholeNumber =
  (min?: number, max?: number): PropertyDecorator =>
  (target, property) => {
    for (const rule of [Transform(toInt), IsInt(), min === undefined ? null : Min(min), max === undefined ? null : Max(max)])
      rule?.(target, property);
  };

/** `true` or `false` from the environment's text. */
const TrueOrFalse = (): PropertyDecorator => (target, property) => {
  Transform(toBoolean)(target, property);
  IsBoolean({ message: `${String(property)} must be true or false` })(target, property);
};
const TOPIC = /^[A-Za-z0-9._-]{1,200}$/;
const TOPIC_MESSAGE = 'a Kafka topic name: letters, digits, ".", "_" and "-"';

/**
 * Every setting, from the environment, validated once at start-up: the one schema of the
 * configuration. Each property's `@Setting` says what it is for; its validators say what it
 * accepts; its initialiser is its default. docs/configuration.md is generated from this class.
 */
export class LedgerConfig {
  @Setting(
    'Event store',
    'Where events are stored: `sqlite` (an embedded file, the default), `memory` (tests: lost on exit) or `eventstoredb`.',
  )
  @IsIn(['sqlite', 'memory', 'eventstoredb'])
  LEDGER_STORE: 'sqlite' | 'memory' | 'eventstoredb' = 'sqlite';

  @Setting('Event store', 'The SQLite event log. The projections and the data keys go beside it unless set apart.')
  @IsString()
  LEDGER_SQLITE_PATH = './data/ledger.sqlite';

  @Setting(
    'Event store',
    "EventStoreDB/KurrentDB connection string, required with `LEDGER_STORE=eventstoredb`. Its scheme picks the client: `esdb://` or `esdb+discover://` for EventStoreDB (`@eventstore/db-client`), `kurrentdb://`, `kurrent://`, `kdb://` or their `+discover` forms for KurrentDB (`@kurrent/kurrentdb-client`, the one to use with KurrentDB 25 and later). Checked by that client's own parser at start-up. Its `defaultDeadline` (ms, 10,000 by default) bounds every read, append and subscription start.",
  )
  @IsOptional()
  @IsString()
  EVENTSTORE_CONNECTION_STRING?: string;

  @Setting(
    'Event store',
    "With EventStoreDB: how far (ms) this process's clock may be from the store server's before it refuses commands (503 `CLOCK.OFFSET`), pauses its own writes and reports not ready. Each event's record time is the writing process's clock, so replicas on hosts whose clocks disagree would disorder record time across the log. Measured at start and about every 30 s; 0 turns the check off. The default is well beyond what NTP keeps hosts to (milliseconds) and well within any deadline the Code sets. Not used with SQLite (one host, one clock).",
  )
  @WholeNumber(0, 3_600_000)
  LEDGER_MAX_CLOCK_OFFSET_MS = 2000;

  @Setting(
    'Process',
    'In the API process with the SQLite log: commit the log on a writer thread and keep the projections on a thread of their own, so neither holds up the thread serving requests (docs/performance.md). `false` runs both on that thread. The worker has no requests to serve and runs both on its main thread.',
  )
  @TrueOrFalse()
  LEDGER_THREADS = true;

  @Setting('HTTP', "The API's port.")
  @WholeNumber(0, 65535)
  PORT = 3000;

  @Setting(
    'HTTP',
    "The address the API (and the worker's health endpoints) listen on: `0.0.0.0` all IPv4 interfaces, `::` all, `127.0.0.1` this machine only. `LEDGER_LOCAL_SETUP` makes it `127.0.0.1` unless set.",
  )
  @IsIP()
  LEDGER_LISTEN_ADDRESS = '0.0.0.0';

  @Setting(
    'Deadlines',
    "The landlord's closure days that are not working days, comma-separated ISO dates (docs/decisions/0001-working-days.md).",
  )
  @IsOptional()
  @Matches(/^(\d{4}-\d{2}-\d{2})(,\d{4}-\d{2}-\d{2})*$/, { message: 'LEDGER_CLOSURE_DAYS must be a comma-separated list of ISO dates' })
  LEDGER_CLOSURE_DAYS?: string;

  @Setting(
    'Deadlines',
    'A JSON file of bank holidays proclaimed after this release: `{"add": ["YYYY-MM-DD"], "remove": ["YYYY-MM-DD"]}` (docs/decisions/0001-working-days.md). Read at start-up; restart after changing it.',
  )
  @IsOptional()
  @IsString()
  LEDGER_BANK_HOLIDAYS_FILE?: string;

  @Setting('Deadlines', "How far (seconds) a client's clock may run ahead of ours before an instant counts as in the future.")
  @WholeNumber(0, 3600)
  LEDGER_CLOCK_SKEW_SECONDS = 300;

  @Setting(
    'Read side',
    "The projections' SQLite file; by default beside the event log (in memory with `LEDGER_STORE=memory`). One per process.",
  )
  @IsOptional()
  @IsString()
  LEDGER_PROJECTIONS_PATH?: string;

  @Setting(
    'Import',
    "The folder bulk imports keep their journals and reports in (docs/import.md); by default `imports` beside the event log (under the system's temporary folder with `LEDGER_STORE=memory`).",
  )
  @IsOptional()
  @IsString()
  LEDGER_IMPORTS_PATH?: string;

  @Setting(
    'Import',
    "The largest file `POST /v1/imports` takes, in MiB: an upload past it is cut off, removed and answered 413 (a runaway or hostile upload would otherwise fill the imports' disk). `npm run import` reads a file where it is, without this bound.",
  )
  @WholeNumber(1, 1_048_576)
  LEDGER_IMPORT_MAX_MB = 2048;

  @Setting(
    'Read side',
    'Seconds between deadline sweeps (breaches and warnings); 0 turns the detector off in this process (run the worker instead).',
  )
  @WholeNumber(0, 86400)
  LEDGER_BREACH_SWEEP_SECONDS = 60;

  @Setting(
    'Read side',
    'Check the read models against the log this often (seconds), besides at start: they are rebuilt from the log into a scratch file beside them and compared; a mismatch is logged, counted and repaired by a rebuild, and breaches, TSM, the annual report and the list answer 503 meanwhile. 0: at start only.',
  )
  @WholeNumber(0, 604_800)
  LEDGER_READ_MODEL_CHECK_SECONDS = 86_400;

  @Setting('Deadlines', 'Record `DeadlineApproaching` this many working days before a deadline.')
  @WholeNumber(0, 20)
  LEDGER_WARNING_WORKING_DAYS = 2;

  @Setting(
    'Deadlines',
    'Working days after a due day before the sweep declares an unmet deadline breached, so a nightly sync can land first (docs/decisions/0017-breaches-follow-the-facts.md). A deadline met late is a breach whatever this says.',
  )
  @WholeNumber(0, 20)
  LEDGER_BREACH_GRACE_WORKING_DAYS = 0;

  /** What the deadline detector and the alert index work to. */
  get alertSettings(): AlertSettings {
    return { warningWorkingDays: this.LEDGER_WARNING_WORKING_DAYS, breachGraceWorkingDays: this.LEDGER_BREACH_GRACE_WORKING_DAYS };
  }

  @Setting(
    'Process',
    "How long a claim on the ledger's duties lasts (the Kafka relay, deadline sweeps, checkpoint signing, retention): one process at a time runs them, and another takes over within about this long after the holder stops. On one host (the SQLite log) the holder keeps them until it ends, however it ends; this is then how often the others try.",
  )
  @WholeNumber(3, 600)
  LEDGER_DUTIES_LEASE_SECONDS = 15;

  @Setting(
    'HTTP',
    "The longest a read-model query (a list, breaches, TSM, the annual report) may take, in seconds: past it the client is answered 503 QUERY.TIMEOUT and the API's query thread, busy in a statement nothing can interrupt, is replaced.",
  )
  @WholeNumber(1, 3600)
  LEDGER_QUERY_SECONDS = 30;

  @Setting(
    'HTTP',
    'Minutes without a request after which a console sign-in ends (the console at /console); a sign-in never outlives 8 hours.',
  )
  @WholeNumber(1, 480)
  LEDGER_CONSOLE_IDLE_MINUTES = 15;

  @Setting('Read side', 'Homes per reporting year and tenure for TSM CH01, e.g. `2024:LCRA=12000,2024:LCHO=850`.')
  @IsOptional()
  @Matches(/^\d{4}:(LCRA|LCHO)=\d+(,\d{4}:(LCRA|LCHO)=\d+)*$/, {
    message: 'LEDGER_HOMES must be a comma-separated list of YEAR:TENURE=HOMES, e.g. 2024:LCRA=12000,2024:LCHO=850',
  })
  LEDGER_HOMES?: string;

  @Setting('Kafka', 'Bootstrap brokers, comma-separated `host:port`; unset, nothing is published.')
  @IsOptional()
  @Matches(/^[^\s,:]+:\d+(,[^\s,:]+:\d+)*$/, { message: 'LEDGER_KAFKA_BROKERS must be a comma-separated list of host:port' })
  LEDGER_KAFKA_BROKERS?: string;

  @Setting('Kafka', 'The Kafka client id.')
  @IsString()
  LEDGER_KAFKA_CLIENT_ID = 'complaint-ledger';

  @Setting('Kafka', 'Put before each topic name, e.g. `acme.` gives `acme.complaints.events.v1`.')
  @Matches(/^[A-Za-z0-9._-]*$/, { message: 'LEDGER_KAFKA_TOPIC_PREFIX may hold only letters, digits, ".", "_" and "-"' })
  LEDGER_KAFKA_TOPIC_PREFIX = '';

  @Setting('Kafka', "The events topic's name, instead of `complaints.events.v1`.")
  @IsOptional()
  @Matches(TOPIC, { message: TOPIC_MESSAGE })
  LEDGER_KAFKA_TOPIC_EVENTS?: string;

  @Setting('Kafka', "The breaches topic's name, instead of `complaints.breaches.v1`.")
  @IsOptional()
  @Matches(TOPIC, { message: TOPIC_MESSAGE })
  LEDGER_KAFKA_TOPIC_BREACHES?: string;

  @Setting('Kafka', "The TSM snapshots topic's name, instead of `complaints.tsm.v1` (make it compacted).")
  @IsOptional()
  @Matches(TOPIC, { message: TOPIC_MESSAGE })
  LEDGER_KAFKA_TOPIC_TSM?: string;

  @Setting('Kafka', "The ledger checkpoints topic's name, instead of `complaints.checkpoints.v1` (keep it for ever: `retention.ms=-1`).")
  @IsOptional()
  @Matches(TOPIC, { message: TOPIC_MESSAGE })
  LEDGER_KAFKA_TOPIC_CHECKPOINTS?: string;

  @Setting('Kafka', 'The idempotent producer; turn off only for brokers that cannot support it.')
  @TrueOrFalse()
  LEDGER_KAFKA_IDEMPOTENT = true;

  @Setting('Kafka', "kafkajs's retries of one batch (backing off from 300 ms) before the relay backs off itself.")
  @WholeNumber(0, 20)
  LEDGER_KAFKA_RETRIES = 5;

  @Setting('Kafka', 'Message compression.')
  @IsIn(['gzip', 'none'])
  LEDGER_KAFKA_COMPRESSION: 'gzip' | 'none' = 'gzip';

  @Setting('Kafka', 'TLS to the brokers.')
  @TrueOrFalse()
  LEDGER_KAFKA_SSL = false;

  @Setting('Kafka', 'SASL mechanism, with `LEDGER_KAFKA_SASL_USERNAME` and `LEDGER_KAFKA_SASL_PASSWORD`.')
  @IsOptional()
  @IsIn(['plain', 'scram-sha-256', 'scram-sha-512'])
  LEDGER_KAFKA_SASL_MECHANISM?: 'plain' | 'scram-sha-256' | 'scram-sha-512';

  @Setting('Kafka', 'SASL user name.')
  @IsOptional()
  @IsString()
  LEDGER_KAFKA_SASL_USERNAME?: string;

  @Setting('Kafka', 'SASL password.')
  @IsOptional()
  @IsString()
  LEDGER_KAFKA_SASL_PASSWORD?: string;

  @Setting('Kafka', 'Whether this process runs the Kafka relay (when brokers are set): `off` in API replicas beside a worker.')
  @IsIn(['on', 'off'])
  LEDGER_RELAY: 'on' | 'off' = 'on';

  @Setting('Process', "The worker's health endpoints (`GET /health/live`, `/health/ready`); 0 turns them off.")
  @WholeNumber(0, 65535)
  LEDGER_WORKER_PORT = 3001;

  @Setting(
    'Security and privacy',
    'API keys: `name:role:key` entries, comma-separated; several roles joined by `+`. Keys of 24 characters or more.',
  )
  @IsOptional()
  @IsString()
  LEDGER_API_KEYS?: string;

  @Setting('Security and privacy', 'A file of `name:role:key` lines, re-read when it changes (keys added and revoked without a restart).')
  @IsOptional()
  @IsString()
  LEDGER_API_KEYS_FILE?: string;

  @Setting(
    'Security and privacy',
    "The identity provider's JWKS URL: bearer JWTs are accepted when set. `https://`, except on this machine (`localhost`, `127.0.0.1`, `::1`).",
  )
  @IsOptional()
  @IsUrl({ require_tld: false, protocols: ['https', 'http'] })
  LEDGER_JWT_JWKS_URL?: string;

  @Setting('Security and privacy', 'The JWT issuer (required with `LEDGER_JWT_JWKS_URL`).')
  @IsOptional()
  @IsString()
  LEDGER_JWT_ISSUER?: string;

  @Setting('Security and privacy', 'The JWT audience, if tokens must name one.')
  @IsOptional()
  @IsString()
  LEDGER_JWT_AUDIENCE?: string;

  @Setting('Security and privacy', 'The JWT claim that holds the roles.')
  @IsString()
  LEDGER_JWT_ROLES_CLAIM = 'roles';

  @Setting(
    'Security and privacy',
    'The longest lifetime (seconds, `iat` to `exp`) a JWT may have; tokens must carry `exp` and may not be issued in the future (60 s tolerance).',
  )
  @WholeNumber(60)
  LEDGER_JWT_MAX_LIFETIME_SECONDS = 86_400;

  @Setting('Security and privacy', 'When set, `GET /metrics` needs `Authorization: Bearer <this>`; otherwise it is open like health.')
  @IsOptional()
  @IsString()
  @MinLength(24, { message: 'LEDGER_METRICS_KEY must be at least 24 characters' })
  LEDGER_METRICS_KEY?: string;

  @Setting('Security and privacy', "The master key wrapping each resident's data key: 32 bytes in base64 (`openssl rand -base64 32`).")
  @IsOptional()
  @Matches(/^[A-Za-z0-9+/]{43}=$/, { message: 'LEDGER_MASTER_KEY must be 32 bytes in base64 (openssl rand -base64 32)' })
  LEDGER_MASTER_KEY?: string;

  @Setting('Security and privacy', 'The master key read from a file (e.g. a mounted secret).')
  @IsOptional()
  @IsString()
  LEDGER_MASTER_KEY_FILE?: string;

  @Setting(
    'Security and privacy',
    "Where residents' wrapped data keys are kept, apart from the events (default beside the log). With `LEDGER_STORE=eventstoredb` the keys are in EventStoreDB instead, and a file found where this names (from an earlier version) is moved into it at start, then deleted (decision 0028).",
  )
  @IsOptional()
  @IsString()
  LEDGER_KEYS_PATH?: string;

  @Setting(
    'Security and privacy',
    "With `LEDGER_STORE=eventstoredb`, where residents' keys are shared by every replica: how long (seconds) a replica remembers a key, or a resident's lack of one, before asking the store again. The bound within which an erasure through one replica takes effect on the others (decision 0028).",
  )
  @WholeNumber(0, 3600)
  LEDGER_KEY_CACHE_SECONDS = 5;

  @Setting(
    'Integrity',
    "The ledger's Ed25519 signing key (PEM, PKCS#8; `openssl genpkey -algorithm ed25519`), kept apart from the data: it signs the ledger's checkpoints. Unset, this process verifies but signs none.",
  )
  @IsOptional()
  @IsString()
  LEDGER_SIGNING_KEY_FILE?: string;

  @Setting(
    'Integrity',
    'The keys that authenticate every event this ledger writes (HMAC-SHA-256, docs/decisions/0023-authenticated-events.md): a file of 32-byte keys in base64, one a line (`openssl rand -base64 32`); the last authenticates new events, each verifies those written under it. Kept apart from the data like the signing key; every process that writes the log needs the same file. Unset, events are written unauthenticated, which verification then refuses once the log holds an authenticated one.',
  )
  @IsOptional()
  @IsString()
  LEDGER_EVENT_KEY_FILE?: string;

  @Setting('Integrity', 'Sign a checkpoint once this many events are unsigned; 0: this process signs none (API replicas beside a worker).')
  @WholeNumber(0)
  LEDGER_CHECKPOINT_EVERY_EVENTS = 1000;

  @Setting('Integrity', '…or once the oldest unsigned event has waited this many seconds.')
  @WholeNumber(1, 86_400)
  LEDGER_CHECKPOINT_SECONDS = 60;

  @Setting(
    'Integrity',
    'A file outside the data folder (another disk, a share, a write-once store) where each checkpoint is also appended: verification then also notices a log cut back to before one.',
  )
  @IsOptional()
  @IsString()
  LEDGER_CHECKPOINT_WITNESS_FILE?: string;

  @Setting(
    'Integrity',
    'Where the ledger keeps, signed, how far its last verification got, so a start verifies only what follows it (default beside the log; none with `LEDGER_STORE=memory`). Needs the signing key.',
  )
  @IsOptional()
  @IsString()
  LEDGER_VERIFIED_MARK_PATH?: string;

  @Setting(
    'Integrity',
    'After a start that verified only what follows the mark, verify the whole log again in the background (finds a change made to the older part while the service was stopped). Turn off only where `npm run verify` runs on a schedule instead.',
  )
  @TrueOrFalse()
  LEDGER_VERIFY_WHOLE_LOG_AT_START = true;

  @Setting(
    'Integrity',
    'While running, verify the whole log again this often (seconds; at most a day), besides at start and whenever something other than this process writes to the SQLite log (its `data_version` moves): a change made behind the service is found within this time at the latest.',
  )
  @WholeNumber(60, 86_400)
  LEDGER_VERIFY_WHOLE_LOG_SECONDS = 86_400;

  @Setting(
    'Documents',
    "Where documents attached to complaints are kept, each encrypted under its resident's data key (default: the folder `documents` beside the log, with EventStoreDB beside the read models; a temporary folder with `LEDGER_STORE=memory`). Back it up with the log (`npm run backup` does).",
  )
  @IsOptional()
  @IsString()
  LEDGER_DOCUMENTS_PATH?: string;

  @Setting('Documents', 'The largest document accepted, in MB (an upload over it is refused, and nothing of it is kept).')
  @WholeNumber(1, 1024)
  LEDGER_DOCUMENT_MAX_MB = 25;

  @Setting('Documents', "The landlord's name, as the evidence pack's complaint file names it.")
  @IsOptional()
  @IsString()
  @MinLength(1)
  LEDGER_LANDLORD_NAME?: string;

  @Setting('Security and privacy', "Years after a resident's last complaint closed before the worker erases their personal data; 0: never.")
  @WholeNumber(0, 100)
  LEDGER_RETENTION_YEARS = 6;

  @Setting(
    'Security and privacy',
    "On a developer's machine only (`npm start` sets it): make local API keys and a master key beside the data when none are configured.",
  )
  @TrueOrFalse()
  LEDGER_LOCAL_SETUP = false;

  @Setting(
    'HTTP',
    'Requests per minute per client address, counted by each process: N API replicas allow N times this (put a shared limit in the proxy in front).',
  )
  @WholeNumber(1)
  LEDGER_RATE_LIMIT_PER_MINUTE = 1200;

  @Setting('HTTP', 'Behind a reverse proxy, take the client address (for rate limits) from `X-Forwarded-For`.')
  @TrueOrFalse()
  LEDGER_TRUST_PROXY = false;

  @Setting('HTTP', 'Browser origins allowed by CORS, comma-separated; empty: CORS closed.')
  @IsOptional()
  @IsString()
  LEDGER_CORS_ORIGINS?: string;

  @Setting('Process', "The JavaScript heap's bound in MB, applied by the launcher `deploy/node.sh` (docs/performance.md).")
  @WholeNumber(64)
  LEDGER_HEAP_MB = 256;

  @Setting(
    'Monitoring',
    'How log lines are written to standard output: `json` (one JSON object a line), `text` (for a person at a terminal), or `auto`: text when standard output is a terminal and `NODE_ENV` is not `production`, JSON otherwise (docs/operations.md, "Monitoring").',
  )
  @IsIn(['auto', 'json', 'text'])
  LEDGER_LOG_FORMAT: 'auto' | 'json' | 'text' = 'auto';

  @Setting('Monitoring', 'The least severe log lines written: `debug` adds what is only useful when looking for a fault.')
  @IsIn(['debug', 'info', 'warn', 'error'])
  LEDGER_LOG_LEVEL: 'debug' | 'info' | 'warn' | 'error' = 'info';

  @Setting(
    'Monitoring',
    'Send OpenTelemetry traces to this OTLP/HTTP endpoint (JSON), e.g. `http://otel-collector:4318/v1/traces`; headers such as credentials from the standard `OTEL_EXPORTER_OTLP_HEADERS`. Unset, nothing is traced and no trace context is recorded with events or sent to Kafka.',
  )
  @IsOptional()
  @IsUrl({ require_tld: false, require_protocol: true, protocols: ['https', 'http'] })
  LEDGER_OTLP_TRACES_URL?: string;

  @Setting(
    'Monitoring',
    "Percentage of the traces this process begins that are recorded; a request carrying a `traceparent` follows its caller's decision.",
  )
  @WholeNumber(0, 100)
  LEDGER_TRACES_SAMPLE_PERCENT = 100;

  @Setting(
    'Deadlines',
    "The landlord's own stage 1 acknowledgement timescale in working days: shorter than the Code's, never longer. Deadlines, alerts, breaches and findings follow it; CH02 stays by the Code's own timescales (docs/decisions/0009-landlord-timescales.md).",
  )
  @IsOptional()
  @WholeNumber()
  LEDGER_STAGE1_ACKNOWLEDGEMENT_DAYS?: number;

  @Setting('Deadlines', 'The same for the stage 1 response.')
  @IsOptional()
  @WholeNumber()
  LEDGER_STAGE1_RESPONSE_DAYS?: number;

  @Setting('Deadlines', 'The same for a stage 1 extension.')
  @IsOptional()
  @WholeNumber()
  LEDGER_STAGE1_EXTENSION_DAYS?: number;

  @Setting('Deadlines', 'The same for the stage 2 acknowledgement.')
  @IsOptional()
  @WholeNumber()
  LEDGER_STAGE2_ACKNOWLEDGEMENT_DAYS?: number;

  @Setting('Deadlines', 'The same for the stage 2 response.')
  @IsOptional()
  @WholeNumber()
  LEDGER_STAGE2_RESPONSE_DAYS?: number;

  @Setting('Deadlines', 'The same for a stage 2 extension.')
  @IsOptional()
  @WholeNumber()
  LEDGER_STAGE2_EXTENSION_DAYS?: number;

  get projectionsPath(): string {
    if (this.LEDGER_PROJECTIONS_PATH) return this.LEDGER_PROJECTIONS_PATH;
    if (this.LEDGER_STORE === 'memory') return ':memory:';
    if (this.LEDGER_STORE === 'sqlite') return join(dirname(this.LEDGER_SQLITE_PATH), 'projections.sqlite');
    return './data/projections.sqlite';
  }

  get homes(): HomesByYear {
    const homes: Record<number, Partial<Record<Tenure, number>>> = {};
    for (const entry of this.LEDGER_HOMES ? this.LEDGER_HOMES.split(',') : []) {
      const [, year, tenure, count] = /^(\d{4}):(LCRA|LCHO)=(\d+)$/.exec(entry)!;
      (homes[Number(year)] ??= {})[tenure as Tenure] = Number(count);
    }
    return homes;
  }

  get verifiedMarkPath(): string | undefined {
    if (this.LEDGER_VERIFIED_MARK_PATH) return this.LEDGER_VERIFIED_MARK_PATH;
    if (this.LEDGER_STORE === 'memory') return undefined;
    if (this.LEDGER_STORE === 'sqlite') return join(dirname(this.LEDGER_SQLITE_PATH), 'verified-mark.json');
    return './data/verified-mark.json';
  }

  /** The documents' folder; undefined with the memory store (Ledger.open makes a temporary one). */
  get documentsPath(): string | undefined {
    if (this.LEDGER_DOCUMENTS_PATH) return this.LEDGER_DOCUMENTS_PATH;
    if (this.LEDGER_STORE === 'memory') return undefined;
    if (this.LEDGER_STORE === 'sqlite') return join(dirname(this.LEDGER_SQLITE_PATH), 'documents');
    return join(dirname(this.projectionsPath === ':memory:' ? './data/projections.sqlite' : this.projectionsPath), 'documents');
  }

  /** The Merkle tree over the log, derived from it (proofs are made from it): beside the log, or with EventStoreDB beside the read models. */
  get merklePath(): string {
    if (this.LEDGER_STORE === 'memory') return ':memory:';
    if (this.LEDGER_STORE === 'sqlite') return join(dirname(this.LEDGER_SQLITE_PATH), 'merkle.sqlite');
    return this.projectionsPath === ':memory:' ? ':memory:' : join(dirname(this.projectionsPath), 'merkle.sqlite');
  }

  get importsPath(): string {
    if (this.LEDGER_IMPORTS_PATH) return this.LEDGER_IMPORTS_PATH;
    if (this.LEDGER_STORE === 'memory') return join(tmpdir(), `ledger-imports-${process.pid}`);
    if (this.LEDGER_STORE === 'sqlite') return join(dirname(this.LEDGER_SQLITE_PATH), 'imports');
    return './data/imports';
  }

  get keysPath(): string {
    if (this.LEDGER_KEYS_PATH) return this.LEDGER_KEYS_PATH;
    if (this.LEDGER_STORE === 'memory') return ':memory:';
    if (this.LEDGER_STORE === 'sqlite') return join(dirname(this.LEDGER_SQLITE_PATH), 'keys.sqlite');
    return './data/keys.sqlite';
  }

  get corsOrigins(): string[] {
    return this.LEDGER_CORS_ORIGINS ? this.LEDGER_CORS_ORIGINS.split(',').map((origin) => origin.trim()) : [];
  }

  get kafkaBrokers(): string[] {
    return this.LEDGER_KAFKA_BROKERS ? this.LEDGER_KAFKA_BROKERS.split(',') : [];
  }

  get closureDays(): string[] {
    return this.LEDGER_CLOSURE_DAYS ? this.LEDGER_CLOSURE_DAYS.split(',') : [];
  }

  get landlordTimescales(): LandlordTimescales {
    return {
      stage1AcknowledgementDays: this.LEDGER_STAGE1_ACKNOWLEDGEMENT_DAYS,
      stage1ResponseDays: this.LEDGER_STAGE1_RESPONSE_DAYS,
      stage1ExtensionDays: this.LEDGER_STAGE1_EXTENSION_DAYS,
      stage2AcknowledgementDays: this.LEDGER_STAGE2_ACKNOWLEDGEMENT_DAYS,
      stage2ResponseDays: this.LEDGER_STAGE2_RESPONSE_DAYS,
      stage2ExtensionDays: this.LEDGER_STAGE2_EXTENSION_DAYS,
    };
  }
}

const TIMESCALE_ENV: Record<keyof LandlordTimescales, string> = {
  stage1AcknowledgementDays: 'LEDGER_STAGE1_ACKNOWLEDGEMENT_DAYS',
  stage1ResponseDays: 'LEDGER_STAGE1_RESPONSE_DAYS',
  stage1ExtensionDays: 'LEDGER_STAGE1_EXTENSION_DAYS',
  stage2AcknowledgementDays: 'LEDGER_STAGE2_ACKNOWLEDGEMENT_DAYS',
  stage2ResponseDays: 'LEDGER_STAGE2_RESPONSE_DAYS',
  stage2ExtensionDays: 'LEDGER_STAGE2_EXTENSION_DAYS',
};

/**
 * Reads and validates the configuration; throws one message listing every bad value. A `LEDGER_*`
 * name the schema does not know is refused with the closest known name, so a typo never passes
 * unnoticed as a default.
 */
export function loadConfig(env: Record<string, string | undefined>): LedgerConfig {
  const known = settingNames();
  const problems: string[] = [];
  for (const name of Object.keys(env)
    .filter((key) => key.startsWith('LEDGER_') && !known.includes(key))
    .sort()) {
    const closest = closestName(name, known);
    problems.push(`${name}: not a setting of the ledger${closest ? `; did you mean ${closest}?` : ''}`);
  }
  const relevant = Object.fromEntries(
    Object.entries(env).filter(([key, value]) => known.includes(key) && value !== undefined && value !== ''),
  );
  const config = plainToInstance(LedgerConfig, relevant);
  for (const error of validateSync(config))
    for (const message of Object.values(error.constraints ?? {})) problems.push(`${error.property}: ${message}`);
  // Landlords may set shorter timescales, never longer (docs/decisions/0009-landlord-timescales.md).
  for (const problem of checkLandlordTimescales(config.landlordTimescales))
    problems.push(`${TIMESCALE_ENV[problem.setting]}: ${problem.message}`);
  if (config.LEDGER_STORE === 'eventstoredb' && !config.EVENTSTORE_CONNECTION_STRING) {
    problems.push('EVENTSTORE_CONNECTION_STRING: required when LEDGER_STORE=eventstoredb (e.g. kurrentdb://localhost:2113?tls=false)');
  }
  if (config.EVENTSTORE_CONNECTION_STRING) {
    try {
      parseEventStoreConnectionString(config.EVENTSTORE_CONNECTION_STRING);
    } catch (error) {
      problems.push(`EVENTSTORE_CONNECTION_STRING: ${(error as Error).message}`);
    }
  }
  if (config.LEDGER_KAFKA_SASL_MECHANISM && !(config.LEDGER_KAFKA_SASL_USERNAME && config.LEDGER_KAFKA_SASL_PASSWORD)) {
    problems.push('LEDGER_KAFKA_SASL_USERNAME: required with LEDGER_KAFKA_SASL_MECHANISM (and LEDGER_KAFKA_SASL_PASSWORD)');
  }
  if (config.LEDGER_JWT_JWKS_URL && !fetchedSafely(config.LEDGER_JWT_JWKS_URL)) {
    problems.push('LEDGER_JWT_JWKS_URL: must be https:// (plain http only on localhost): the keys it serves decide who may sign in');
  }
  if (config.LEDGER_JWT_JWKS_URL && !config.LEDGER_JWT_ISSUER) {
    problems.push('LEDGER_JWT_ISSUER: required with LEDGER_JWT_JWKS_URL (tokens are checked against both)');
  }
  if (problems.length) throw new Error(`invalid configuration:\n  - ${problems.join('\n  - ')}`);
  return config;
}

/** https, or plain http to this machine only (a test identity provider, a sidecar). */
function fetchedSafely(url: string): boolean {
  const { protocol, hostname } = new URL(url);
  return protocol === 'https:' || (protocol === 'http:' && ['localhost', '127.0.0.1', '[::1]'].includes(hostname));
}
