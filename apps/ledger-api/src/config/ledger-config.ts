import { plainToInstance, Transform } from 'class-transformer';
import { IsBoolean, IsIn, IsInt, IsUrl, MinLength, IsOptional, IsString, Matches, Max, Min, validateSync } from 'class-validator';
import { checkLandlordTimescales, type LandlordTimescales, type Tenure } from '@complaint-ledger/domain';
import type { HomesByYear } from '@complaint-ledger/projections';
import { dirname, join } from 'node:path';

const toInt = ({ value }: { value: unknown }) => (value === undefined || value === '' ? undefined : Number(value));
const toBoolean = ({ value }: { value: unknown }) => (value === 'true' ? true : value === 'false' ? false : value);
const TOPIC = /^[A-Za-z0-9._-]{1,200}$/;
const TOPIC_MESSAGE = 'a Kafka topic name: letters, digits, ".", "_" and "-"';

/** Every setting, from the environment, validated once at start-up (STYLE.md 12). See .env.example. */
export class LedgerConfig {
  @IsIn(['sqlite', 'memory', 'eventstoredb'])
  LEDGER_STORE: 'sqlite' | 'memory' | 'eventstoredb' = 'sqlite';

  @IsString()
  LEDGER_SQLITE_PATH = './data/ledger.sqlite';

  /**
   * Commit the SQLite log on a writer thread, so the inserts and fsync of each group commit do not
   * hold up the thread serving requests (README "Performance"). `false` commits on that thread.
   */
  @Transform(toBoolean)
  @IsBoolean({ message: 'LEDGER_SQLITE_WRITER_THREAD must be true or false' })
  LEDGER_SQLITE_WRITER_THREAD = true;

  /**
   * Keep the API process's projections on a thread of their own (SQLite log only), so applying
   * events does not hold up the thread serving requests (README "Performance"). `false` keeps them
   * on that thread.
   */
  @Transform(toBoolean)
  @IsBoolean({ message: 'LEDGER_PROJECTIONS_THREAD must be true or false' })
  LEDGER_PROJECTIONS_THREAD = true;

  @IsOptional()
  @Matches(/^(esdb|esdb\+discover|kurrentdb|kurrentdb\+discover|kdb|kdb\+discover):\/\//, {
    message: 'EVENTSTORE_CONNECTION_STRING must start with esdb:// or kurrentdb://',
  })
  EVENTSTORE_CONNECTION_STRING?: string;

  @Transform(toInt)
  @IsInt()
  @Min(0)
  @Max(65535)
  PORT = 3000;

  @IsOptional()
  @Matches(/^(\d{4}-\d{2}-\d{2})(,\d{4}-\d{2}-\d{2})*$/, { message: 'LEDGER_CLOSURE_DAYS must be a comma-separated list of ISO dates' })
  LEDGER_CLOSURE_DAYS?: string;

  @Transform(toInt)
  @IsInt()
  @Min(0)
  @Max(3600)
  LEDGER_CLOCK_SKEW_SECONDS = 300;

  /** The projections' SQLite file; by default beside the event log (or in memory with LEDGER_STORE=memory). */
  @IsOptional()
  @IsString()
  LEDGER_PROJECTIONS_PATH?: string;

  /** Seconds between breach sweeps; 0 turns the detector off in this process (run ledger-worker instead). */
  @Transform(toInt)
  @IsInt()
  @Min(0)
  @Max(86400)
  LEDGER_BREACH_SWEEP_SECONDS = 60;

  @Transform(toInt)
  @IsInt()
  @Min(0)
  @Max(20)
  LEDGER_WARNING_WORKING_DAYS = 2;

  /** Homes per reporting year and tenure for CH01, e.g. `2024:LCRA=12000,2024:LCHO=850`. */
  @IsOptional()
  @Matches(/^\d{4}:(LCRA|LCHO)=\d+(,\d{4}:(LCRA|LCHO)=\d+)*$/, {
    message: 'LEDGER_HOMES must be a comma-separated list of YEAR:TENURE=HOMES, e.g. 2024:LCRA=12000,2024:LCHO=850',
  })
  LEDGER_HOMES?: string;

  /** Kafka bootstrap brokers, comma-separated host:port; unset, nothing is published. */
  @IsOptional()
  @Matches(/^[^\s,:]+:\d+(,[^\s,:]+:\d+)*$/, { message: 'LEDGER_KAFKA_BROKERS must be a comma-separated list of host:port' })
  LEDGER_KAFKA_BROKERS?: string;

  @IsString()
  LEDGER_KAFKA_CLIENT_ID = 'complaint-ledger';

  /** Put before each topic name, e.g. `acme.` gives `acme.complaints.events.v1`. */
  @Matches(/^[A-Za-z0-9._-]*$/, { message: 'LEDGER_KAFKA_TOPIC_PREFIX may hold only letters, digits, ".", "_" and "-"' })
  LEDGER_KAFKA_TOPIC_PREFIX = '';

  @IsOptional() @Matches(TOPIC, { message: TOPIC_MESSAGE }) LEDGER_KAFKA_TOPIC_EVENTS?: string;
  @IsOptional() @Matches(TOPIC, { message: TOPIC_MESSAGE }) LEDGER_KAFKA_TOPIC_BREACHES?: string;
  @IsOptional() @Matches(TOPIC, { message: TOPIC_MESSAGE }) LEDGER_KAFKA_TOPIC_TSM?: string;

  /** The idempotent producer; turn off only for brokers that cannot support it (README). */
  @Transform(toBoolean)
  @IsBoolean({ message: 'LEDGER_KAFKA_IDEMPOTENT must be true or false' })
  LEDGER_KAFKA_IDEMPOTENT = true;

  /** kafkajs's retries of one batch (exponential backoff from 300 ms) before the relay backs off itself. */
  @Transform(toInt)
  @IsInt()
  @Min(0)
  @Max(20)
  LEDGER_KAFKA_RETRIES = 5;

  @IsIn(['gzip', 'none'])
  LEDGER_KAFKA_COMPRESSION: 'gzip' | 'none' = 'gzip';

  @Transform(toBoolean)
  @IsBoolean({ message: 'LEDGER_KAFKA_SSL must be true or false' })
  LEDGER_KAFKA_SSL = false;

  @IsOptional()
  @IsIn(['plain', 'scram-sha-256', 'scram-sha-512'])
  LEDGER_KAFKA_SASL_MECHANISM?: 'plain' | 'scram-sha-256' | 'scram-sha-512';

  @IsOptional() @IsString() LEDGER_KAFKA_SASL_USERNAME?: string;
  @IsOptional() @IsString() LEDGER_KAFKA_SASL_PASSWORD?: string;

  /** Whether this process runs the Kafka relay (when brokers are set): off in API replicas beside a worker. */
  @IsIn(['on', 'off'])
  LEDGER_RELAY: 'on' | 'off' = 'on';

  /** The worker's health endpoints (GET /health/live, /health/ready); 0 turns them off. */
  @Transform(toInt)
  @IsInt()
  @Min(0)
  @Max(65535)
  LEDGER_WORKER_PORT = 3001;

  // --- security and privacy (README "Security and privacy") ---

  /** `name:role:key` entries, comma-separated; roles joined by `+` for a key with several. */
  @IsOptional() @IsString() LEDGER_API_KEYS?: string;

  /** A file of `name:role:key` lines, re-read when it changes. */
  @IsOptional() @IsString() LEDGER_API_KEYS_FILE?: string;

  @IsOptional() @IsUrl({ require_tld: false, protocols: ['https', 'http'] }) LEDGER_JWT_JWKS_URL?: string;
  @IsOptional() @IsString() LEDGER_JWT_ISSUER?: string;
  @IsOptional() @IsString() LEDGER_JWT_AUDIENCE?: string;
  @IsString() LEDGER_JWT_ROLES_CLAIM = 'roles';

  /** When set, GET /metrics needs `Authorization: Bearer <this>`; otherwise it is open like health. */
  @IsOptional() @IsString() @MinLength(24, { message: 'LEDGER_METRICS_KEY must be at least 24 characters' }) LEDGER_METRICS_KEY?: string;

  /** The master key wrapping each resident's data key: 32 bytes, base64. */
  @IsOptional()
  @Matches(/^[A-Za-z0-9+/]{43}=$/, { message: 'LEDGER_MASTER_KEY must be 32 bytes in base64 (openssl rand -base64 32)' })
  LEDGER_MASTER_KEY?: string;

  /** The same, read from a file (e.g. a mounted secret). */
  @IsOptional() @IsString() LEDGER_MASTER_KEY_FILE?: string;

  /** Where residents' wrapped data keys are kept, apart from the events (default beside the log). */
  @IsOptional() @IsString() LEDGER_KEYS_PATH?: string;

  /** Years after a complaint's closure before its resident's personal data is erased; 0: never. */
  @Transform(toInt)
  @IsInt()
  @Min(0)
  @Max(100)
  LEDGER_RETENTION_YEARS = 6;

  /** Requests per minute per client address. */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  LEDGER_RATE_LIMIT_PER_MINUTE = 1200;

  /** Behind a reverse proxy, take the client address (for rate limits) from X-Forwarded-For. */
  @Transform(toBoolean)
  @IsBoolean({ message: 'LEDGER_TRUST_PROXY must be true or false' })
  LEDGER_TRUST_PROXY = false;

  /** Browser origins allowed by CORS, comma-separated; empty: CORS closed. */
  @IsOptional() @IsString() LEDGER_CORS_ORIGINS?: string;

  @Transform(toInt) @IsOptional() @IsInt() LEDGER_STAGE1_ACKNOWLEDGEMENT_DAYS?: number;
  @Transform(toInt) @IsOptional() @IsInt() LEDGER_STAGE1_RESPONSE_DAYS?: number;
  @Transform(toInt) @IsOptional() @IsInt() LEDGER_STAGE1_EXTENSION_DAYS?: number;
  @Transform(toInt) @IsOptional() @IsInt() LEDGER_STAGE2_ACKNOWLEDGEMENT_DAYS?: number;
  @Transform(toInt) @IsOptional() @IsInt() LEDGER_STAGE2_RESPONSE_DAYS?: number;
  @Transform(toInt) @IsOptional() @IsInt() LEDGER_STAGE2_EXTENSION_DAYS?: number;

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

/** Reads and validates the configuration; throws one message listing every bad value. */
export function loadConfig(env: Record<string, string | undefined>): LedgerConfig {
  const known = Object.keys(new LedgerConfig()).concat(Object.values(TIMESCALE_ENV), [
    'EVENTSTORE_CONNECTION_STRING',
    'LEDGER_CLOSURE_DAYS',
    'LEDGER_PROJECTIONS_PATH',
    'LEDGER_HOMES',
    'LEDGER_KAFKA_BROKERS',
    'LEDGER_KAFKA_TOPIC_EVENTS',
    'LEDGER_KAFKA_TOPIC_BREACHES',
    'LEDGER_KAFKA_TOPIC_TSM',
    'LEDGER_KAFKA_SASL_MECHANISM',
    'LEDGER_KAFKA_SASL_USERNAME',
    'LEDGER_KAFKA_SASL_PASSWORD',
    'LEDGER_API_KEYS',
    'LEDGER_API_KEYS_FILE',
    'LEDGER_JWT_JWKS_URL',
    'LEDGER_JWT_ISSUER',
    'LEDGER_JWT_AUDIENCE',
    'LEDGER_METRICS_KEY',
    'LEDGER_MASTER_KEY',
    'LEDGER_MASTER_KEY_FILE',
    'LEDGER_KEYS_PATH',
    'LEDGER_CORS_ORIGINS',
  ]);
  const relevant = Object.fromEntries(
    Object.entries(env).filter(([key, value]) => known.includes(key) && value !== undefined && value !== ''),
  );
  const config = plainToInstance(LedgerConfig, relevant);
  const problems = validateSync(config).flatMap((error) =>
    Object.values(error.constraints ?? {}).map((message) => `${error.property}: ${message}`),
  );
  // D9: landlords may set shorter timescales, never longer.
  for (const problem of checkLandlordTimescales(config.landlordTimescales))
    problems.push(`${TIMESCALE_ENV[problem.setting]}: ${problem.message}`);
  if (config.LEDGER_STORE === 'eventstoredb' && !config.EVENTSTORE_CONNECTION_STRING) {
    problems.push('EVENTSTORE_CONNECTION_STRING: required when LEDGER_STORE=eventstoredb (e.g. esdb://localhost:2113?tls=false)');
  }
  if (config.LEDGER_KAFKA_SASL_MECHANISM && !(config.LEDGER_KAFKA_SASL_USERNAME && config.LEDGER_KAFKA_SASL_PASSWORD)) {
    problems.push('LEDGER_KAFKA_SASL_USERNAME: required with LEDGER_KAFKA_SASL_MECHANISM (and LEDGER_KAFKA_SASL_PASSWORD)');
  }
  if (config.LEDGER_JWT_JWKS_URL && !config.LEDGER_JWT_ISSUER) {
    problems.push('LEDGER_JWT_ISSUER: required with LEDGER_JWT_JWKS_URL (tokens are checked against both)');
  }
  if (problems.length) throw new Error(`invalid configuration:\n  - ${problems.join('\n  - ')}`);
  return config;
}
