import { hostname } from 'node:os';
import pino, { type DestinationStream, type Logger } from 'pino';
import type { LedgerConfig } from '../config/ledger-config';
import type { LoggerFactory } from '../logger';
import { textLine } from './text-lines';

export type LogSettings = Pick<LedgerConfig, 'LEDGER_LOG_FORMAT' | 'LEDGER_LOG_LEVEL'>;

/** Before the configuration is read (or when it cannot be): what the settings default to. */
const DEFAULTS: LogSettings = { LEDGER_LOG_FORMAT: 'auto', LEDGER_LOG_LEVEL: 'info' };

export interface Logging {
  /** The core's log port, one child per context (`ledger`, `kafka-relay`, …). */
  readonly loggers: LoggerFactory;
  /** For lines with fields of their own (the API's line per request). */
  readonly root: Logger;
}

/**
 * The service's log lines, through pino: one JSON object a line on standard output (`time`,
 * `level`, `service`, `context`, `msg`, and the line's own fields), or text for a person at a
 * terminal. What is logged never carries personal data: messages name events, positions,
 * settings and counts, and the API's request lines name the route, never the path or the body
 * (docs/operations.md, "Monitoring").
 */
export function openLogging(service: string, settings: LogSettings = DEFAULTS, output: NodeJS.WritableStream = process.stdout): Logging {
  const text =
    settings.LEDGER_LOG_FORMAT === 'text' ||
    (settings.LEDGER_LOG_FORMAT === 'auto' && (output as { isTTY?: boolean }).isTTY === true && process.env.NODE_ENV !== 'production');
  // standard output written synchronously, so the line before a process.exit is not lost
  const json: DestinationStream = output === process.stdout ? pino.destination({ fd: 1, sync: true }) : output;
  const destination: DestinationStream = text ? { write: (line) => void output.write(textLine(line)) } : json;
  const root = pino(
    {
      level: settings.LEDGER_LOG_LEVEL,
      base: { service, pid: process.pid, hostname: hostname() },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
    },
    destination,
  );
  const loggers: LoggerFactory = (context) => {
    const child = root.child({ context });
    return { log: (message) => child.info(message), warn: (message) => child.warn(message), error: (message) => child.error(message) };
  };
  return { loggers, root };
}

/**
 * Node's own warnings (a deprecation, an experimental feature) as log lines, instead of Node's
 * text on standard error. One is known and harmless: on Node 24 kafkajs 2.2.4 schedules a check
 * with a negative delay when a connection first answers (tulios/kafkajs#1751, open), which Node
 * runs after 1 ms as every Node before 24 did silently; it is logged at debug level only.
 */
export function logProcessWarnings(logger: Logger): void {
  process.removeAllListeners('warning'); // Node's own printer
  process.on('warning', (warning) => {
    if (warning.name === 'TimeoutNegativeWarning' && /[\\/]kafkajs[\\/]/.test(warning.stack ?? '')) {
      logger.debug({ context: 'node', warning: warning.name, upstream: 'https://github.com/tulios/kafkajs/issues/1751' }, warning.message);
      return;
    }
    logger.warn({ context: 'node', warning: warning.name }, warning.message);
  });
}
