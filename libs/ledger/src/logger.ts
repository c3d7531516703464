/**
 * Where the core says what it did and what went wrong: a port, so the core does not depend on a
 * framework. The apps give it the service's log lines (observability/logging.ts: pino, JSON or
 * text); the default writes one plain line per message, errors and warnings to stderr.
 */
export interface LedgerLogger {
  log(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

/** Loggers by what speaks (`ledger`, `kafka-relay`). */
export type LoggerFactory = (context: string) => LedgerLogger;

export const plainLoggers: LoggerFactory = (context) => ({
  log: (message) => process.stdout.write(`[${context}] ${message}\n`),
  warn: (message) => process.stderr.write(`[${context}] WARN ${message}\n`),
  error: (message) => process.stderr.write(`[${context}] ERROR ${message}\n`),
});
