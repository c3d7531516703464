import type { PersonalDataCipher } from '@complaint-ledger/privacy';

/** A cipher that encrypts nothing and never waits for keys: for tests of the write path where encryption is not what is tested. */
export const clearTextCipher = (keysDurable: () => Promise<void> | null = () => null): PersonalDataCipher =>
  ({
    protect: (event: { data: object }) => event.data,
    loadKeysOf: () => null,
    keysDurable,
  }) as unknown as PersonalDataCipher;
