import { join } from 'node:path';
import { createGenerator, type Config } from 'ts-json-schema-generator';

/** A JSON Schema node, as the contract tools read and write it. */
export type Schema = { [key: string]: unknown };

/**
 * JSON Schema from the project's own TypeScript (`file`, relative to the repository), with the
 * settings every contract shares: exported types, their doc comments, no second type check.
 */
export const schemaGenerator = (file: string, options: Partial<Config> = {}) =>
  createGenerator({
    path: join(__dirname, '..', '..', file),
    tsconfig: join(__dirname, '..', '..', 'tsconfig.json'),
    skipTypeCheck: true,
    expose: 'export',
    jsDoc: 'extended',
    ...options,
  });

/** The same record with its names in order, so a regenerated file changes only where a schema did. */
export const byName = <T>(record: Record<string, T>): Record<string, T> =>
  Object.fromEntries(
    Object.keys(record)
      .sort()
      .map((name) => [name, record[name]!]),
  );
