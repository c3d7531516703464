import type { Schema } from './schema-generator';

/**
 * What in `current` would break a consumer built against `released` (docs/integration.md,
 * compatibility). Within a major version the ledger may add optional fields, new event types and
 * new `$defs`; it may not remove or rename a field, make a required field optional, change a
 * field's type, format or constant, or add a value to a closed list (`enum`), since a consumer
 * that switches on the values it knows would meet one it does not. Tightening is allowed (a
 * consumer still gets what it expects). Each finding names the path and the change.
 */
export function breakingChanges(released: Schema, current: Schema, path = '#'): string[] {
  const found: string[] = [];
  const types = (schema: Schema) => (schema.type === undefined ? null : ([] as unknown[]).concat(schema.type));
  const [was, now] = [types(released), types(current)];
  if (was && (!now || now.some((type) => !was.includes(type))))
    found.push(`${path}: type ${JSON.stringify(was)} became ${JSON.stringify(now)}`);
  for (const keyword of ['format', 'const', '$ref'] as const)
    if (released[keyword] !== undefined && JSON.stringify(released[keyword]) !== JSON.stringify(current[keyword]))
      found.push(`${path}: ${keyword} ${JSON.stringify(released[keyword])} became ${JSON.stringify(current[keyword])}`);
  if (Array.isArray(released.enum)) {
    const added = Array.isArray(current.enum)
      ? current.enum.filter((value) => !(released.enum as unknown[]).includes(value))
      : ['(any value)'];
    if (added.length) found.push(`${path}: enum gained ${JSON.stringify(added)}`);
  }
  const required = (schema: Schema) => (Array.isArray(schema.required) ? (schema.required as string[]) : []);
  for (const name of required(released)) if (!required(current).includes(name)) found.push(`${path}: ${name} is no longer required`);
  // every named schema released (a property, a definition) must still be there, and compatible
  const named = (schema: Schema, group: string) => (schema[group] ?? {}) as Record<string, Schema>;
  for (const group of ['properties', '$defs', 'definitions'] as const) {
    for (const [name, was] of Object.entries(named(released, group))) {
      const now = named(current, group)[name];
      found.push(...(now ? breakingChanges(was, now, `${path}/${group}/${name}`) : [`${path}/${group}/${name}: removed`]));
    }
  }
  if (released.items && typeof released.items === 'object')
    found.push(
      ...(current.items ? breakingChanges(released.items as Schema, current.items as Schema, `${path}/items`) : [`${path}/items: removed`]),
    );
  return found;
}
