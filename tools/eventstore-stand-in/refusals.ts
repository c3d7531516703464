import * as grpc from '@grpc/grpc-js';
import type * as shared from '@eventstore/db-client/generated/shared_pb';

/** How the stand-in behaves: as a server should, or as one that fails in a way a real cluster can. */
export type StandInMode =
  | 'serving'
  | 'silent' // accepts every call and never answers (a hung node, a black-holed network)
  | 'refusing' // every call fails as a node that is not ready or shutting down does (UNAVAILABLE)
  | 'denied' // every call fails for want of rights (an ACL, a wrong user)
  | 'not-leader'; // every call is redirected to another node, as after a leader election

export type Leader = { readonly host: string; readonly port: number };

/** A gRPC status as a node sends it: a code, its text, and the `exception` metadata the clients read. */
export function withStatus(code: grpc.status, details: string, exception: Record<string, string> = {}): grpc.StatusObject & Error {
  const metadata = new grpc.Metadata();
  for (const [key, value] of Object.entries(exception)) metadata.set(key, value);
  return Object.assign(new Error(details), { code, details, metadata });
}

/** How a node in `mode` ends a whole call (null: it serves it). A call it never answers (`silent`) is the caller's to hang. */
export function callRefusal(mode: Exclude<StandInMode, 'silent'>, leader: Leader): (grpc.StatusObject & Error) | null {
  switch (mode) {
    case 'serving':
      return null;
    case 'refusing':
      return withStatus(grpc.status.UNAVAILABLE, 'Server Is Not Ready');
    case 'denied':
      return withStatus(grpc.status.PERMISSION_DENIED, 'Access denied.', { exception: 'access-denied' });
    case 'not-leader':
      return withStatus(grpc.status.NOT_FOUND, 'Leader info available', {
        exception: 'not-leader',
        'leader-endpoint-host': leader.host,
        'leader-endpoint-port': String(leader.port),
      });
  }
}

/** A UUID in either of the protocol's forms, as text. */
export function uuidOf(uuid: shared.UUID): string {
  if (uuid.hasString()) return uuid.getString();
  // the structured form: two signed 64-bit halves
  const structured = uuid.getStructured()!;
  const hex = (value: string) => BigInt.asUintN(64, BigInt(value)).toString(16).padStart(16, '0');
  const all = hex(structured.getMostSignificantBits()) + hex(structured.getLeastSignificantBits());
  return `${all.slice(0, 8)}-${all.slice(8, 12)}-${all.slice(12, 16)}-${all.slice(16, 20)}-${all.slice(20)}`;
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
