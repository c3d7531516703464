/**
 * npm run bench:mac — what authenticating events costs a command (decision 0023): the ledger as
 * the service opens it (SQLite with its writer thread, personal data encrypted, the integrity
 * follower verifying each new event), once without LEDGER_EVENT_KEY_FILE and once with it,
 * alternating A/B for BENCH_ROUNDS rounds. Each round sends BENCH_COMPLAINTS complaints through the
 * write path, eight commands each (received, acknowledged, correspondence, responded…), from
 * BENCH_CONCURRENCY writers, and reads the process's CPU (every thread) per command. With a key,
 * each command pays one HMAC when its event is sealed, one when the follower verifies it, and one
 * for each event of its complaint the follower has not yet passed when the command checks its
 * stream before deciding (at most the previous command's); and every event's metadata is some 80
 * bytes longer (the key's id and the MAC), parsed and hashed on every read of its stream.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ComplaintCommand } from '@complaint-ledger/domain';
import { authenticationOf, chain, EventKeyRing, eventKeyOf, sealerOf } from '@complaint-ledger/event-store';
import { Ledger, loadConfig } from '@complaint-ledger/ledger';
import { medianBy } from './support/median';

const complaints = Number(process.env.BENCH_COMPLAINTS ?? 1_500);
const rounds = Number(process.env.BENCH_ROUNDS ?? 3);
const concurrency = Number(process.env.BENCH_CONCURRENCY ?? 8);
const dir = mkdtempSync(join(tmpdir(), 'ledger-bench-mac-'));
const eventKeyFile = join(dir, 'event-keys');
writeFileSync(eventKeyFile, `${randomBytes(32).toString('base64')}\n`, { mode: 0o600 });
const quiet = { log: () => undefined, warn: () => undefined, error: () => undefined };

/** A complaint's life as a housing system sends it: eight commands, the stream growing to eight events. */
function commands(complaintId: string, n: number): ComplaintCommand[] {
  const day = (offset: number, hour = 10) => `2024-05-${String(1 + offset).padStart(2, '0')}T${hour}:00:00+01:00`;
  const letter = (offset: number, direction: 'inbound' | 'outbound') =>
    ({
      type: 'RecordCorrespondence',
      data: { complaintId, occurredAt: day(offset, 11), direction, party: 'resident', channel: 'phone', summary: 'Call' },
    }) as ComplaintCommand;
  return [
    {
      type: 'ReceiveComplaint',
      data: {
        complaintId,
        receivedAt: day(0),
        channel: 'email',
        tenure: 'LCRA',
        category: 'repairs',
        summary: 'Leak under the kitchen sink',
        resident: { reference: `RES-${n}`, name: `Resident ${n}` },
      },
    },
    { type: 'AcknowledgeComplaint', data: { complaintId, stage: 1, acknowledgedAt: day(1), complaintDefinition: 'Leak' } },
    letter(2, 'inbound'),
    letter(3, 'outbound'),
    letter(4, 'inbound'),
    letter(5, 'outbound'),
    letter(6, 'inbound'),
    letter(7, 'outbound'),
  ] as ComplaintCommand[];
}

async function run(label: 'without' | 'with', round: number): Promise<{ usPerCommand: number; commandsPerSecond: number }> {
  const config = loadConfig({
    LEDGER_SQLITE_PATH: join(dir, `${label}-${round}`, 'ledger.sqlite'),
    LEDGER_MASTER_KEY: randomBytes(32).toString('base64'),
    LEDGER_BREACH_SWEEP_SECONDS: '0',
    LEDGER_RETENTION_YEARS: '0',
    LEDGER_READ_MODEL_CHECK_SECONDS: '0',
    ...(label === 'with' ? { LEDGER_EVENT_KEY_FILE: eventKeyFile } : {}),
  });
  const ledger = Ledger.open(config, { role: 'worker', clock: () => new Date().toISOString(), loggers: () => quiet });
  await ledger.start();
  await ledger.verification;
  let next = 0;
  let sent = 0;
  const cpu = process.cpuUsage();
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      for (let n = next++; n < complaints; n = next++) {
        const complaintId = randomUUID();
        for (const command of commands(complaintId, n)) {
          const result = await ledger.write.execute({ complaintId, command, actor: 'bench', correlationId: randomUUID() });
          if (!result.recorded.length) throw new Error(`nothing recorded: ${JSON.stringify(result)}`);
          sent++;
        }
      }
    }),
  );
  const used = process.cpuUsage(cpu);
  const seconds = (performance.now() - started) / 1000;
  if (round === rounds && label === 'with') await timeReadModelCheck(ledger);
  await ledger.close();
  return { usPerCommand: (used.user + used.system) / sent, commandsPerSecond: sent / seconds };
}

/** One check of the read models against the log, as the schedule runs it: rebuilt into a scratch file and compared. */
async function timeReadModelCheck(ledger: Ledger): Promise<void> {
  await ledger.readSide.runner.catchUp();
  const started = performance.now();
  const found = await ledger.readModels.check('the benchmark');
  const seconds = (performance.now() - started) / 1000;
  const events = found.position ?? 0; // SQLite's positions count from 1
  console.log(
    `a read-model check up to position ${events}: ${seconds.toFixed(2)} s (${Math.round(events / seconds)} events/s), ${found.status}`,
  );
}

/** The MAC alone: µs to make one (sealing) and to check one (verifying), over a real event's hash. */
function micro(): { sealUs: number; checkUs: number } {
  const key = eventKeyOf(randomBytes(32));
  const ring = new EventKeyRing([key]);
  const sealer = sealerOf(key);
  const event = chain('complaint-x', 0, { eventId: randomUUID(), type: 'T', data: {}, metadata: {} as never }, '0'.repeat(64), '', sealer);
  const n = 200_000;
  const time = (work: () => unknown) => {
    for (let i = 0; i < n / 10; i++) work(); // warm
    const started = process.cpuUsage();
    for (let i = 0; i < n; i++) work();
    const used = process.cpuUsage(started);
    return (used.user + used.system) / n;
  };
  return {
    sealUs: time(() => sealer.mac(event.metadata.hash)),
    checkUs: time(() => authenticationOf(event, ring)),
  };
}

async function main(): Promise<void> {
  const { sealUs, checkUs } = micro();
  console.log(`one MAC made: ${sealUs.toFixed(2)} µs CPU; one checked: ${checkUs.toFixed(2)} µs CPU`);
  await run('without', 0); // warm-up: the JIT, the page cache
  const results: Record<'without' | 'with', { usPerCommand: number; commandsPerSecond: number }[]> = { without: [], with: [] };
  for (let round = 1; round <= rounds; round++) {
    results.without.push(await run('without', round));
    results.with.push(await run('with', round));
  }
  const median = (label: 'without' | 'with') => medianBy(results[label], (r) => r.usPerCommand);
  const without = median('without');
  const withKey = median('with');
  console.table(
    (['without', 'with'] as const).map((label) => ({
      'event key': label,
      'CPU µs per command (median)': Math.round(median(label).usPerCommand),
      'commands/s': Math.round(median(label).commandsPerSecond),
      'every round (µs)': results[label].map((r) => Math.round(r.usPerCommand)).join(', '),
    })),
  );
  const share = (100 * (withKey.usPerCommand - without.usPerCommand)) / withKey.usPerCommand;
  // per command: one MAC made, one checked by the follower, at most one more when the command checks its stream
  const perCommandUs = sealUs + checkUs * 2;
  console.log(
    `the HMACs a command pays for: ${perCommandUs.toFixed(1)} µs, ${((100 * perCommandUs) / without.usPerCommand).toFixed(1)} % of a command's CPU without them; ` +
      `measured A/B difference: ${share.toFixed(1)} % (target under 10 %)`,
  );
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
