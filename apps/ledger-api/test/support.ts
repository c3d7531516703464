import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createApp } from '../src/app.factory';
import { loadConfig } from '../src/config/ledger-config';

export const NOW = '2026-11-23T12:00:00.000Z';

export const tempSqlitePath = () => join(mkdtempSync(join(tmpdir(), 'ledger-e2e-')), 'ledger.sqlite');

/** The real app over real HTTP, on a SQLite file, with a fixed clock. */
export async function startApp(env: Record<string, string> = {}, clock = () => NOW): Promise<NestFastifyApplication> {
  // no timed breach sweeps unless a test asks: it sweeps explicitly through the read side
  const config = loadConfig({ LEDGER_STORE: 'sqlite', LEDGER_SQLITE_PATH: tempSqlitePath(), LEDGER_BREACH_SWEEP_SECONDS: '0', ...env });
  const app = await createApp({ config, clock, logger: false });
  await app.init();
  await app.getHttpAdapter().getInstance().ready();
  return app;
}

export const complaintBody = (extra: object = {}) => ({
  receivedAt: '2024-05-01T10:00:00+01:00',
  channel: 'email',
  tenure: 'LCRA',
  category: 'repairs',
  summary: 'Leak under the kitchen sink reported three times and not repaired',
  resident: { reference: 'RES-1001', name: 'Sam Resident' },
  ...extra,
});
