import { EventStoreDbStandIn } from './stand-in';

/**
 * `npm run eventstore:stand-in [-- --port N] [--older]`: the repository's EventStoreDB stand-in as a
 * process of its own (tests start it so, to kill the ledger's processes beside a store that
 * outlives them). It prints its connection string on the first line (`esdb://`; the same with
 * `kurrentdb://` for the KurrentDB client), then serves until SIGINT or SIGTERM. `--older` makes it
 * a server from before 21.10 (no ServerFeatures, so the clients append with `Append`, not
 * `BatchAppend`). It keeps events in memory: for tests and trying things out, never for data.
 */
async function main(): Promise<void> {
  const at = process.argv.indexOf('--port');
  const port = at >= 0 ? Number(process.argv[at + 1]) : Number(process.env.STAND_IN_PORT ?? 0);
  if (!Number.isInteger(port) || port < 0 || port > 65_535) throw new Error(`--port must be a port number, not ${process.argv[at + 1]}`);
  const standIn = await EventStoreDbStandIn.start({ port, server: process.argv.includes('--older') ? 'older' : 'current' });
  process.stdout.write(`${standIn.connectionString}\n`);
  process.stderr.write('EventStoreDB stand-in serving (events kept in memory only); Ctrl-C to stop\n');
  const stop = () => void standIn.stop().then(() => process.exit(0));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((error: unknown) => {
  process.stderr.write(`the stand-in could not start: ${(error as Error).message}\n`);
  process.exit(1);
});
