import { createHash, randomUUID } from 'node:crypto';
import { onceOnlyKeyOf, type ComplaintEvent } from '@complaint-ledger/domain';
import { canonicalJson, uuidFrom } from '@complaint-ledger/event-store';
import { IdempotencyKeyReused } from './refusals';

/** How a retry of a request is recognised: the client's `Idempotency-Key`, or the request itself. */
export interface RetryIdentity {
  /** The client's Idempotency-Key, if it sent one. */
  readonly idempotencyKey?: string;
  /** What was asked: the method, the path and the body as received. */
  readonly request: { readonly method: string; readonly path: string; readonly body: unknown };
}

/** A retry identity made into what the events carry: the key, and the request's hash to tell a reused key. */
export interface RetryKey {
  readonly key: string;
  /** Absent for a key derived from the request: the key is the request's hash. */
  readonly requestHash?: string;
  /** An import's key: it names the fact, not the credential's request (docs/import.md). */
  readonly imported?: true;
}

/**
 * With the client's Idempotency-Key: the key, and the request's hash (so the key reused with
 * another request is refused). Without one, a key derived from the credential and the request:
 * the identical request from the same credential is the same request, retried (a client that got
 * no answer, or 503 "outcome unknown", sends it again and it is recorded once). The hash of a
 * client key keeps its earlier shape (method, path, body; the path in lower case, as every id the ledger gives is), so keys stored before compare equal.
 */
export function retryKeyOf(actor: string, retry: RetryIdentity, imported: boolean): RetryKey {
  // the derived keys' prefix is the ledger's: a client key in it could stand in for another credential's request;
  // the import's prefix is the ledger's too, and only an import (a request with provenance) uses it
  if (retry.idempotencyKey?.startsWith(DERIVED)) throw new IdempotencyKeyReused();
  if ((retry.idempotencyKey?.startsWith(IMPORT_KEY_PREFIX) ?? false) !== imported) throw new IdempotencyKeyReused();
  // ids in a path are the same in any case (a complaint's is found so): the same request with its id in capitals is the same request
  const request = { method: retry.request.method, path: retry.request.path.toLowerCase(), body: retry.request.body ?? null };
  if (imported) return { key: retry.idempotencyKey!, requestHash: sha256(canonicalJson(request)), imported: true };
  if (retry.idempotencyKey) return { key: retry.idempotencyKey, requestHash: sha256(canonicalJson(request)) };
  return { key: `${DERIVED}${sha256(canonicalJson({ actor, request }))}` };
}

const DERIVED = 'derived:';
/** The prefix of an imported fact's retry key (libs/ledger/src/import/rows.ts makes them). */
export const IMPORT_KEY_PREFIX = 'import:';

/**
 * With a retry key the ids derive from it (and the request's hash), so concurrent retries of one
 * request collapse in the store, while the same key sent at once with another body makes other
 * ids: that request loses the race on the revision, re-reads, and is refused as a reused key
 * rather than told "replayed". A fact recorded once per complaint (an alert, an erasure) derives its
 * id from what makes it unique, so racing writers collide instead of recording it twice; anything
 * else gets a random id.
 */
export function eventIdOf(stream: string, event: ComplaintEvent, index: number, retry: RetryKey | undefined): string {
  if (retry) return uuidFrom(`${stream}|${retry.key}|${retry.requestHash ?? ''}|${index}`);
  const once = onceOnlyKeyOf(event);
  return once ? uuidFrom(`${stream}|${once}`) : randomUUID();
}

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');
