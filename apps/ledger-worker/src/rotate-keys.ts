import { rotateMasterKey, RotationRefused } from '@complaint-ledger/ledger';

const USAGE = `usage: npm run keys:rotate

Re-wraps every resident's data key under a new master key (docs/operations.md, "Keys"). The old
key is the service's own (LEDGER_MASTER_KEY or LEDGER_MASTER_KEY_FILE), the new one is given in
LEDGER_NEW_MASTER_KEY or LEDGER_NEW_MASTER_KEY_FILE (32 bytes in base64: openssl rand -base64 32).
Every process of the service must be stopped. Then start them all with the new key as
LEDGER_MASTER_KEY, and destroy the old one. Console sign-ins (sealed under a key derived from the
master key) end: everyone signs in again. Exit status: 0 rotated, 1 failed, 2 refused (nothing
changed).`;

/** `npm run keys:rotate` (docs/decisions/0030-master-key-rotation.md). */
async function main(args: string[]): Promise<number> {
  if (args.length) {
    console.error(USAGE);
    return 1;
  }
  const rotated = await rotateMasterKey(process.env, (line) => console.log(line));
  console.log(
    `rotated: ${rotated.keys} keys in ${rotated.where} are wrapped under master key ${rotated.to}; ` +
      `start every process with it as LEDGER_MASTER_KEY, then destroy master key ${rotated.from}`,
  );
  return 0;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    const refused = error instanceof RotationRefused;
    console.error(`${refused ? 'rotation refused' : 'rotation failed'}: ${(error as Error).message}`);
    process.exit(refused ? 2 : 1);
  },
);
