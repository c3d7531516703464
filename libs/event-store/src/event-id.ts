import { hash as oneShotHash } from 'node:crypto';

/**
 * A UUID (version 8, RFC 9562) derived from a name: the same name always gives the same id, so a
 * retried write carries the same event id and the store recognises it (idempotency by event id).
 */
export function uuidFrom(name: string): string {
  const hex = oneShotHash('sha256', name, 'hex');
  const variant = ((parseInt(hex[16]!, 16) & 0x3) | 0x8).toString(16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-8${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}
