/** Drops `undefined` keys, so events serialise to the same canonical JSON (and hash) every time. */
export function definedOnly<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}
