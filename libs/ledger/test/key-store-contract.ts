import type { KeyStore } from '@complaint-ledger/privacy';

/**
 * What every key store does (decision 0028), whether its keys are in a file on one host or in
 * EventStoreDB: `replica()` opens another store on the same keys, as a second process would; each
 * call to `replica` in a test shares the keys of the others from that test.
 */
export function keyStoreContract(replica: () => KeyStore | Promise<KeyStore>): void {
  const NOW = '2024-05-01T10:00:00.000Z';

  /** The subject's key as a store gives it, loaded first and made durable, as the write path does. */
  const keyOf = async (keys: KeyStore, subject: string) => {
    await keys.loadSubject(subject);
    const key = keys.keyFor(subject, NOW);
    await keys.durable();
    return key;
  };
  const found = async (keys: KeyStore, id: string) => {
    await keys.load([id]);
    return keys.find(id);
  };

  it('gives each resident a key of their own, the same one each time, and finds it by id', async () => {
    const keys = await replica();
    const first = await keyOf(keys, 'RES-1');
    expect(first.key).toHaveLength(32);
    expect(await keyOf(keys, 'RES-1')).toEqual(first);
    expect((await keyOf(keys, 'RES-2')).id).not.toBe(first.id);
    expect(await found(keys, first.id)).toEqual(first.key);
    expect(await found(keys, 'no-such-key')).toBeNull();
  });

  it('a key made durable by one process is the one another uses and finds', async () => {
    const [a, b] = [await replica(), await replica()];
    const made = await keyOf(a, 'RES-SHARED');
    expect(await found(b, made.id)).toEqual(made.key);
    expect(await keyOf(b, 'RES-SHARED')).toEqual(made);
  });

  it('erasure destroys every key of the resident at once in the erasing process, remembers who and why, and is not done twice', async () => {
    const keys = await replica();
    const old = await keyOf(keys, 'RES-GONE');
    const other = await keyOf(keys, 'RES-STAYS');
    expect(await keys.erase('RES-GONE', '2024-06-01T00:00:00.000Z', 'api-key:admin', 'request')).toBe(true);
    expect(await found(keys, old.id)).toBeNull();
    expect(await found(keys, other.id)).toEqual(other.key);
    await keys.loadSubject('RES-GONE');
    expect(keys.erasure('RES-GONE')).toEqual({
      subject: 'RES-GONE',
      erasedAt: '2024-06-01T00:00:00.000Z',
      actor: 'api-key:admin',
      reason: 'request',
    });
    expect(await keys.erase('RES-GONE', '2024-06-02T00:00:00.000Z', 'api-key:admin', 'request')).toBe(false);
    const afterwards = await keyOf(keys, 'RES-GONE'); // personal data given after an erasure has a new key
    expect(afterwards.id).not.toBe(old.id);
    expect(await found(keys, old.id)).toBeNull();
  });

  it('an erasure through one process is seen by another once it asks the store again', async () => {
    const [a, b] = [await replica(), await replica()];
    const made = await keyOf(b, 'RES-ERASED-ELSEWHERE');
    await a.erase('RES-ERASED-ELSEWHERE', '2024-06-01T00:00:00.000Z', 'ledger:retention', 'retention');
    expect(await found(b, made.id)).toBeNull();
    expect((await keyOf(b, 'RES-ERASED-ELSEWHERE')).id).not.toBe(made.id);
  });

  it('knows a resident it gave a key or whose erasure it recorded, and no other (an erasure of nobody says so: decision 0023)', async () => {
    const [a, b] = [await replica(), await replica()];
    await keyOf(a, 'RES-KNOWN');
    await a.erase('RES-ERASED-ONLY', '2024-06-01T00:00:00.000Z', 'api-key:admin', 'request');
    for (const subject of ['RES-KNOWN', 'RES-ERASED-ONLY', 'RES-NOBODY']) await b.loadSubject(subject);
    expect(b.knows('RES-KNOWN')).toBe(true);
    expect(b.knows('RES-ERASED-ONLY')).toBe(true);
    expect(b.knows('RES-NOBODY')).toBe(false);
  });

  it('a key its erasure destroyed is accounted for, and the store is not reported altered', async () => {
    const keys = await replica();
    const altered: unknown[] = [];
    keys.onAltered((error) => altered.push(error));
    const { id } = await keyOf(keys, 'RES-ACCOUNTED');
    await keys.erase('RES-ACCOUNTED', '2024-06-01T00:00:00.000Z', 'api-key:admin', 'request');
    expect(await found(keys, id)).toBeNull();
    expect(keys.accountsFor(id)).toBe(true);
    expect(keys.alteration).toBeNull();
    expect(altered).toEqual([]);
  });

  it('a resident never seen can be erased: the erasure is remembered', async () => {
    const keys = await replica();
    expect(await keys.erase('RES-NEVER', '2024-06-01T00:00:00.000Z', 'api-key:admin', 'request')).toBe(true);
    await keys.loadSubject('RES-NEVER');
    expect(keys.erasure('RES-NEVER')?.erasedAt).toBe('2024-06-01T00:00:00.000Z');
  });
}
