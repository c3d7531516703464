import { plainToInstance, Transform } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsString, Matches, Max, Min, validateSync } from 'class-validator';
import { checkLandlordTimescales, type LandlordTimescales, type Tenure } from '@complaint-ledger/domain';
import type { HomesByYear } from '@complaint-ledger/projections';
import { dirname, join } from 'node:path';

const toInt = ({ value }: { value: unknown }) => (value === undefined || value === '' ? undefined : Number(value));

/** Every setting, from the environment, validated once at start-up (STYLE.md 12). See .env.example. */
export class LedgerConfig {
  @IsIn(['sqlite', 'memory', 'eventstoredb'])
  LEDGER_STORE: 'sqlite' | 'memory' | 'eventstoredb' = 'sqlite';

  @IsString()
  LEDGER_SQLITE_PATH = './data/ledger.sqlite';

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
  if (problems.length) throw new Error(`invalid configuration:\n  - ${problems.join('\n  - ')}`);
  return config;
}
