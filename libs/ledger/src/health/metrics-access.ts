import { createHash, timingSafeEqual } from 'node:crypto';

const digest = (text: string) => createHash('sha256').update(text).digest();

/**
 * Whether a request may read `/metrics` (the API's and the worker's): open, like health, unless
 * LEDGER_METRICS_KEY is set; then only that key as a bearer token, compared in constant time.
 */
export function mayReadMetrics(metricsKey: string | undefined, authorization: string | undefined): boolean {
  return !metricsKey || timingSafeEqual(digest(authorization ?? ''), digest(`Bearer ${metricsKey}`));
}
