import { createHash, createPrivateKey, createPublicKey, sign, verify, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { checkpointStatement, type Checkpoint, type LedgerHead, type TreeHead } from '@complaint-ledger/domain';

/** A public key that checks checkpoints, and its id as checkpoints name it. */
export class CheckpointVerifyingKey {
  readonly keyId: string;

  constructor(readonly publicKey: KeyObject) {
    if (publicKey.asymmetricKeyType !== 'ed25519') throw new Error('the checkpoint key must be an Ed25519 key');
    this.keyId = createHash('sha256')
      .update(publicKey.export({ type: 'spki', format: 'der' }))
      .digest('hex')
      .slice(0, 16);
  }

  /** From a PEM file holding the public key, or the private key (whose public half is taken). */
  static fromFile(path: string): CheckpointVerifyingKey {
    const pem = readFileSync(path, 'utf8');
    return new CheckpointVerifyingKey(pem.includes('PRIVATE KEY') ? createPublicKey(createPrivateKey(pem)) : createPublicKey(pem));
  }

  get pem(): string {
    return this.publicKey.export({ type: 'spki', format: 'pem' }).toString();
  }

  verifies(checkpoint: Checkpoint): boolean {
    return this.verifiesStatement(checkpointStatement(checkpoint), checkpoint);
  }

  /** Whether `signed` carries this key's signature over `statement`. */
  verifiesStatement(statement: string, signed: { readonly keyId: string; readonly signature: string }): boolean {
    if (signed.keyId !== this.keyId) return false;
    try {
      return verify(null, Buffer.from(statement), this.publicKey, Buffer.from(signed.signature, 'base64'));
    } catch {
      return false;
    }
  }
}

/**
 * The ledger's signing key (Ed25519, PEM, `LEDGER_SIGNING_KEY_FILE`): kept apart from the data, so
 * whoever can change the data folder still cannot sign a checkpoint over what they changed.
 */
export class CheckpointSigningKey {
  readonly verifying: CheckpointVerifyingKey;

  private constructor(private readonly privateKey: KeyObject) {
    this.verifying = new CheckpointVerifyingKey(createPublicKey(privateKey));
  }

  static fromFile(path: string): CheckpointSigningKey {
    return new CheckpointSigningKey(createPrivateKey(readFileSync(path, 'utf8')));
  }

  /** A checkpoint of the ledger chain's head, and with `tree` a signed tree head too (statement v2). */
  sign(head: LedgerHead, at: string, tree?: TreeHead): Checkpoint {
    const statement = { position: head.position, events: head.events, head: head.head, at, ...tree };
    return { ...statement, ...this.signStatement(checkpointStatement(statement)) };
  }

  /** The key's id and its signature over `statement` (a checkpoint's, or a verified mark's). */
  signStatement(statement: string): { keyId: string; signature: string } {
    return { keyId: this.verifying.keyId, signature: sign(null, Buffer.from(statement), this.privateKey).toString('base64') };
  }
}
