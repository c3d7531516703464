import type { Type } from '@nestjs/common';
import { COMMAND_RECORDING, type ComplaintCommand } from '@complaint-ledger/domain';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';

/** The commands a housing system sends over HTTP: every command that records a fact people recorded, and corrections. */
export const ROUTED_COMMANDS = [...Object.values(COMMAND_RECORDING), 'CorrectFact'] as const;
export type RoutedCommand = (typeof ROUTED_COMMANDS)[number];

/** A command's data, as the decider takes it. */
export type DataOf<T extends ComplaintCommand['type']> = Extract<ComplaintCommand, { type: T }>['data'];

/** True when A and B have the same keys and each is assignable to the other: a renamed or missing field is not. */
type SameKeys<A, B> = [Exclude<keyof A, keyof B>, Exclude<keyof B, keyof A>] extends [never, never] ? true : false;
export type SameShape<A, B> = [A] extends [B] ? ([B] extends [A] ? SameKeys<A, B> : false) : false;

/**
 * What the compiler insists on for a route's request DTO: exactly the command's data (less the
 * fields the path carries). A DTO field renamed, added or retyped without the command following
 * fails to compile, instead of reaching the decider without it.
 */
export type CheckedRequest<T extends ComplaintCommand['type'], Body, FromPath extends keyof DataOf<T> = never> =
  SameShape<Body, Omit<DataOf<T>, FromPath>> extends true
    ? Type<Body>
    : { readonly 'the request DTO must have exactly the fields of the command data': Omit<DataOf<T>, FromPath> };

/** One command's HTTP route, as the registry knows it. */
export interface CommandRouteEntry {
  readonly command: RoutedCommand;
  readonly method: 'POST';
  /** The route's path, as Nest and the OpenAPI document write it (`v1/complaints/:id/acknowledgements`). */
  readonly path: string;
  readonly request: Type<object>;
  /** A valid body: offered by "Try it out", recorded by the tests as it stands, the fuzzer's starting point. */
  readonly example: object;
  readonly controller: Type<unknown>;
}

const entries: CommandRouteEntry[] = [];

/** Called by each command's slice (commands/<name>/<name>.http.ts) as it is loaded. */
export function registerCommandRoute(entry: CommandRouteEntry): void {
  if (entries.some((known) => known.command === entry.command)) throw new Error(`${entry.command} has two routes`);
  entries.push(entry);
}

/**
 * Every command route: each command's slice, `commands/<name>/<name>.http.ts`, is loaded from the
 * folder, so adding a command adds no line to the app module. A test asserts that every command
 * type (ROUTED_COMMANDS) has a route, an OpenAPI operation and its events an AsyncAPI message.
 */
export function commandRoutes(): readonly CommandRouteEntry[] {
  const folder = join(__dirname, 'commands');
  for (const slice of readdirSync(folder, { withFileTypes: true }).filter((entry) => entry.isDirectory())) {
    const file = readdirSync(join(folder, slice.name)).find((name) => /^[\w-]+\.http\.(js|ts)$/.test(name));
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- loading each slice registers its route
    if (file) require(join(folder, slice.name, file));
  }
  return [...entries].sort((a, b) => a.path.localeCompare(b.path));
}

/** The request DTO a command takes (a correction's replacement is validated by the same rules as the original). */
export function requestOf(command: RoutedCommand): Type<object> {
  const entry = commandRoutes().find((known) => known.command === command);
  if (!entry) throw new Error(`no route for ${command}`);
  return entry.request;
}
