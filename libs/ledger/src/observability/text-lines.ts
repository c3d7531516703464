/** What every line carries, so the text form leaves it out or puts it in its place. */
const ENVELOPE = new Set(['time', 'level', 'service', 'pid', 'hostname', 'context', 'msg']);

/**
 * A JSON log line as a person reads it at a terminal: `12:04:31.207 INFO  [ledger] message key=value`,
 * an error's stack on the lines below. The same line and fields as the JSON form, laid out for eyes.
 */
export function textLine(json: string): string {
  let line: Record<string, unknown>;
  try {
    line = JSON.parse(json) as Record<string, unknown>;
  } catch {
    return json;
  }
  const time = typeof line.time === 'string' ? line.time.slice(11, 23) : '';
  const level = String(line.level ?? '')
    .toUpperCase()
    .padEnd(5);
  const context = line.context ? `[${String(line.context)}] ` : '';
  const { stack, err, ...rest } = line as { stack?: unknown; err?: { stack?: unknown } };
  const trace = typeof stack === 'string' ? stack : typeof err?.stack === 'string' ? err.stack : '';
  const fields = Object.entries(rest)
    .filter(([key]) => !ENVELOPE.has(key))
    .map(([key, value]) => `${key}=${typeof value === 'string' ? value : JSON.stringify(value)}`);
  return `${time} ${level} ${context}${String(line.msg ?? '')}${fields.length ? ` ${fields.join(' ')}` : ''}\n${trace ? `${trace}\n` : ''}`;
}
