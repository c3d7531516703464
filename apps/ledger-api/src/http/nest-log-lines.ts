import type { LoggerService } from '@nestjs/common';
import type { Logger } from 'pino';

/** Nest's start-up chatter (modules loaded, each route mapped): for looking into a fault, not for every start. */
const CHATTER = new Set(['InstanceLoader', 'RoutesResolver', 'RouterExplorer', 'NestFactory', 'NestApplication']);

type Level = 'debug' | 'info' | 'warn' | 'error' | 'fatal';

/**
 * Nest's log lines (its own, and every `new Logger(context)` in the app) as the service's: pino
 * lines with the context as a field. Nest passes the context last, and an error's stack before it.
 */
export class NestLogLines implements LoggerService {
  constructor(private readonly root: Logger) {}

  log(message: unknown, ...params: unknown[]): void {
    this.write('info', message, params);
  }
  error(message: unknown, ...params: unknown[]): void {
    this.write('error', message, params);
  }
  warn(message: unknown, ...params: unknown[]): void {
    this.write('warn', message, params);
  }
  debug(message: unknown, ...params: unknown[]): void {
    this.write('debug', message, params);
  }
  verbose(message: unknown, ...params: unknown[]): void {
    this.write('debug', message, params);
  }
  fatal(message: unknown, ...params: unknown[]): void {
    this.write('fatal', message, params);
  }

  private write(level: Level, message: unknown, params: unknown[]): void {
    const context = params.length > 0 && typeof params.at(-1) === 'string' ? (params.at(-1) as string) : 'nest';
    const stack = level === 'error' && typeof params[0] === 'string' && params.length > 1 ? params[0] : undefined;
    const quieter = level === 'info' && CHATTER.has(context) ? 'debug' : level;
    if (message instanceof Error) this.root[quieter]({ context, err: message }, message.message);
    else if (message !== null && typeof message === 'object') this.root[quieter]({ context, ...message });
    else this.root[quieter]({ context, ...(stack ? { stack } : {}) }, String(message));
  }
}
