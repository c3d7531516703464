import { PassThrough } from 'node:stream';
import { logProcessWarnings, openLogging, type LogSettings } from '../src/observability/logging';

/** An output that says it is a terminal (or not), and what was written to it. */
function output(isTTY: boolean) {
  const stream = Object.assign(new PassThrough(), { isTTY });
  let text = '';
  stream.on('data', (chunk: Buffer) => (text += chunk.toString()));
  return { stream, text: () => text };
}

const settings = (format: LogSettings['LEDGER_LOG_FORMAT'], level: LogSettings['LEDGER_LOG_LEVEL'] = 'info'): LogSettings => ({
  LEDGER_LOG_FORMAT: format,
  LEDGER_LOG_LEVEL: level,
});

/** Runs `work` with NODE_ENV set as given, then puts it back. */
function withNodeEnv(value: string | undefined, work: () => void): void {
  const before = process.env.NODE_ENV;
  if (value === undefined) delete process.env.NODE_ENV;
  else process.env.NODE_ENV = value;
  try {
    work();
  } finally {
    process.env.NODE_ENV = before;
  }
}

describe('log lines', () => {
  it('are one JSON object a line in production, even on a terminal', () => {
    const out = output(true);
    withNodeEnv('production', () => openLogging('complaint-ledger-api', settings('auto'), out.stream).loggers('ledger').log('started'));
    expect(JSON.parse(out.text())).toMatchObject({ level: 'info', service: 'complaint-ledger-api', context: 'ledger', msg: 'started' });
    expect(JSON.parse(out.text()).time).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
  });

  it('are text on a terminal in development, and JSON anywhere else', () => {
    const terminal = output(true);
    const pipe = output(false);
    withNodeEnv(undefined, () => {
      openLogging('complaint-ledger-api', settings('auto'), terminal.stream).root.warn(
        { context: 'http', status: 503 },
        'GET /v1/complaints 503',
      );
      openLogging('complaint-ledger-api', settings('auto'), pipe.stream).root.warn(
        { context: 'http', status: 503 },
        'GET /v1/complaints 503',
      );
    });
    expect(terminal.text()).toMatch(/^\d{2}:\d{2}:\d{2}\.\d{3} WARN {2}\[http\] GET \/v1\/complaints 503 status=503\n$/);
    expect(JSON.parse(pipe.text())).toMatchObject({ level: 'warn', context: 'http', status: 503 });
  });

  it('are as LEDGER_LOG_FORMAT says when it says, and none below LEDGER_LOG_LEVEL', () => {
    const terminal = output(true);
    withNodeEnv(undefined, () => {
      const { loggers } = openLogging('complaint-ledger-worker', settings('json', 'warn'), terminal.stream);
      loggers('ledger').log('a sweep recorded nothing');
      loggers('ledger').warn('publishing failed');
    });
    expect(
      terminal
        .text()
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line) as object),
    ).toEqual([expect.objectContaining({ level: 'warn', msg: 'publishing failed' })]);
    const pipe = output(false);
    openLogging('complaint-ledger-worker', settings('text'), pipe.stream).loggers('ledger').log('started');
    expect(pipe.text()).toMatch(/ INFO {2}\[ledger\] started\n$/);
  });
});

describe("Node's warnings", () => {
  const listeners = process.listeners('warning');
  afterEach(() => {
    process.removeAllListeners('warning');
    for (const listener of listeners) process.on('warning', listener);
  });

  /** A warning as Node emits it, raised from `file`. */
  const warning = (name: string, message: string, file: string) =>
    Object.assign(new Error(message), {
      name,
      stack: `${name}: ${message}\n    at setTimeout (node:timers:120:19)\n    at f (${file}:317:37)`,
    });

  it("go through the log, kafkajs's negative timeout on Node 24 (tulios/kafkajs#1751) at debug level only", async () => {
    const at = (level: LogSettings['LEDGER_LOG_LEVEL']) => {
      const out = output(false);
      logProcessWarnings(openLogging('complaint-ledger-api', settings('json', level), out.stream).root);
      return out;
    };
    const info = at('info');
    process.emit(
      'warning',
      warning('TimeoutNegativeWarning', '-1 is a negative number.', '/app/node_modules/kafkajs/src/network/requestQueue/index.js'),
    );
    process.emit('warning', warning('DeprecationWarning', 'Buffer() is deprecated', '/app/dist/libs/ledger/src/x.js'));
    expect(
      info
        .text()
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line) as object),
    ).toEqual([expect.objectContaining({ level: 'warn', context: 'node', warning: 'DeprecationWarning', msg: 'Buffer() is deprecated' })]);
    const debug = at('debug');
    process.emit(
      'warning',
      warning('TimeoutNegativeWarning', '-1 is a negative number.', '/app/node_modules/kafkajs/src/network/requestQueue/index.js'),
    );
    process.emit('warning', warning('TimeoutNegativeWarning', '-5 is a negative number.', '/app/dist/libs/ledger/src/x.js'));
    expect(
      debug
        .text()
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line) as object),
    ).toEqual([
      expect.objectContaining({
        level: 'debug',
        warning: 'TimeoutNegativeWarning',
        upstream: 'https://github.com/tulios/kafkajs/issues/1751',
      }),
      expect.objectContaining({ level: 'warn', warning: 'TimeoutNegativeWarning', msg: '-5 is a negative number.' }),
    ]);
  });
});
