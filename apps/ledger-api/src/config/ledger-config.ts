import { plainToInstance, Transform } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsString, Matches, Max, Min, validateSync } from 'class-validator';
import { checkLandlordTimescales, type LandlordTimescales } from '@complaint-ledger/domain';

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

  @Transform(toInt) @IsOptional() @IsInt() LEDGER_STAGE1_ACKNOWLEDGEMENT_DAYS?: number;
  @Transform(toInt) @IsOptional() @IsInt() LEDGER_STAGE1_RESPONSE_DAYS?: number;
  @Transform(toInt) @IsOptional() @IsInt() LEDGER_STAGE1_EXTENSION_DAYS?: number;
  @Transform(toInt) @IsOptional() @IsInt() LEDGER_STAGE2_ACKNOWLEDGEMENT_DAYS?: number;
  @Transform(toInt) @IsOptional() @IsInt() LEDGER_STAGE2_RESPONSE_DAYS?: number;
  @Transform(toInt) @IsOptional() @IsInt() LEDGER_STAGE2_EXTENSION_DAYS?: number;

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
