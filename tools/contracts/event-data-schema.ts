import {
  COMPLAINT_EVENT_TYPES,
  isPersonFact,
  PERSONAL_DATA_PATHS,
  type ComplaintEvent,
  type ComplaintEventType,
} from '@complaint-ledger/domain';
import { SCHEMA_IDS } from '@complaint-ledger/messaging';
import { byName, schemaGenerator, type Schema } from './schema-generator';

/**
 * The JSON Schema of every event type's `data` as Kafka consumers receive it
 * (libs/messaging/contracts/event-data.v1.schema.json), generated from the domain's own types
 * (libs/domain/src/complaint/events.ts), so it cannot drift from them:
 *   - each event type's data under `$defs/<EventType>`, the types they share beside them;
 *   - personal data left out, as the relay leaves it out (PERSONAL_DATA_PATHS);
 *   - objects open to new fields (no `additionalProperties: false`): fields may be added within v1,
 *     and consumers ignore what they do not know (docs/integration.md, compatibility).
 */
export function eventDataSchema(): Schema {
  const generated = schemaGenerator('libs/domain/src/complaint/events.ts', { type: 'ComplaintEvent', topRef: true }).createSchema(
    'ComplaintEvent',
  );
  const definitions = generated.definitions as Record<string, Schema>;
  const eventTypes = ((definitions.ComplaintEvent!.anyOf as Schema[]) ?? []).map((member) => String(member.$ref).split('/').pop()!);
  const $defs: Record<string, Schema> = {};
  for (const [name, definition] of Object.entries(definitions)) {
    if (name === 'ComplaintEvent' || name === 'ComplaintEventType') continue; // the union itself, and its names (eventType says them)
    $defs[name] = eventTypes.includes(name) ? ((definition.properties as Schema).data as Schema) : definition;
  }
  for (const [type, paths] of Object.entries(PERSONAL_DATA_PATHS) as [ComplaintEventType, readonly string[]][])
    for (const path of paths) leaveOut($defs, $defs[type]!, path.split('.'));
  // the generator cannot resolve an Exclude<> over the union's names: the domain's own test says which they are
  $defs.PersonFactType = {
    type: 'string',
    enum: COMPLAINT_EVENT_TYPES.filter((type) => isPersonFact({ type } as ComplaintEvent)),
    description: $defs.PersonFactType!.description,
  };
  // a correction's replacement is the data of the type it corrects (correctedType)
  const corrected = ($defs.FactCorrected!.properties as Schema).replacement as Schema;
  delete corrected.$ref;
  Object.assign(corrected, {
    type: 'object',
    description: "The replacement fact's data: the schema under $defs named by correctedType (its personal data left out too).",
  });
  const open = reshape($defs) as Record<string, Schema>;
  return {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    $id: SCHEMA_IDS.eventData,
    title: "Complaint events' data (version 1)",
    description:
      "The `data` of each event type as published on complaints.events.v1 (the message's `eventType` names which), generated from the domain's types with personal data left out. Objects are open: fields may be added within v1, and consumers ignore fields they do not know. Do not edit: npm run contracts:generate.",
    $defs: byName(open),
  };
}

/** Removes a personal-data path from a data schema (following shared types it passes through). */
function leaveOut($defs: Record<string, Schema>, schema: Schema, path: readonly string[]): void {
  const target = schema.$ref ? $defs[String(schema.$ref).split('/').pop()!]! : schema;
  const properties = target.properties as Record<string, Schema> | undefined;
  if (!properties) return;
  const [head, ...rest] = path;
  if (!rest.length) {
    delete properties[head!];
    if (Array.isArray(target.required)) target.required = target.required.filter((name) => name !== head);
    return;
  }
  if (properties[head!]) leaveOut($defs, properties[head!]!, rest);
}

/** draft-07 references to 2020-12 `$defs`, and every object opened to new fields. */
function reshape(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(reshape);
  if (!node || typeof node !== 'object') return node;
  const out: Schema = {};
  for (const [key, value] of Object.entries(node as Schema)) {
    if (key === 'additionalProperties' && value === false) continue;
    out[key] = key === '$ref' ? String(value).replace('#/definitions/', '#/$defs/') : reshape(value);
  }
  return out;
}
