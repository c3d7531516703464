import { spawnSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { CheckpointVerifyingKey, readWitness, verifyStoredDocuments, verifyStoredLedger } from '@complaint-ledger/ledger';
import type { DocumentsVerdict, LedgerVerdict } from '@complaint-ledger/ledger';

const USAGE = `usage: npm run verify -- <data folder | ledger.sqlite | esdb://…> [--public-key FILE] [--witness FILE] [--documents FOLDER]
       npm run verify -- <evidence pack .zip> --public-key FILE

Verifies a ledger without changing it: every event against its hash, every complaint's chain, the
ledger chain over the whole log, every signed checkpoint (and tree head) and its signature, the
witness file, and every document the log records against the documents folder (the data folder's
documents/, LEDGER_DOCUMENTS_PATH or --documents). Given an evidence pack, runs the pack's
verifier (tools/verify-pack/verify-pack.mjs, which also runs alone with Node and nothing else).
The public key (or the signing key, whose public half is used) defaults to LEDGER_SIGNING_KEY_FILE,
then the data folder's local-signing-key.pem; the witness file to LEDGER_CHECKPOINT_WITNESS_FILE,
then the data folder's checkpoints-witness.jsonl. Exit status: 0 intact, 1 altered, 2 not run.`;

/** `npm run verify`: the auditor's offline check of a copy of the data, or of an EventStoreDB; the exit status. */
export async function verifyCommand(
  args: string[],
  print: (text: string) => void = console.log,
  complain: (text: string) => void = console.error,
): Promise<number> {
  args = [...args];
  const option = (name: string) => {
    const at = args.indexOf(name);
    if (at < 0) return undefined;
    const value = args[at + 1];
    args.splice(at, 2);
    return value;
  };
  const publicKeyFile = option('--public-key');
  const witnessOption = option('--witness');
  const documentsOption = option('--documents');
  const target = args[0];
  if (!target || args.length > 1 || target.startsWith('-')) return usage(complain);
  if (target.endsWith('.zip')) return verifyPack(target, publicKeyFile, print, complain);

  const folder = !target.includes('://') && existsSync(target) && statSync(target).isDirectory() ? target : null;
  const beside = (file: string) => (folder && existsSync(join(folder, file)) ? join(folder, file) : undefined);
  const keyFile = publicKeyFile ?? process.env.LEDGER_SIGNING_KEY_FILE ?? beside('local-signing-key.pem');
  const witnessFile = witnessOption ?? process.env.LEDGER_CHECKPOINT_WITNESS_FILE ?? beside('checkpoints-witness.jsonl');
  const key = keyFile ? CheckpointVerifyingKey.fromFile(keyFile) : null;
  const witnessed = witnessFile ? readWitness(witnessFile) : [];

  const esdb = target.startsWith('esdb://') || target.startsWith('esdb+discover://');
  const file = esdb ? target : folder ? join(folder, 'ledger.sqlite') : target;
  if (!esdb && !existsSync(file)) return usage(complain, `no ledger at ${file}`);
  const verdict = await verifyStoredLedger(file, { key, witnessed });
  const documentsFolder = documentsOption ?? process.env.LEDGER_DOCUMENTS_PATH ?? (folder ? join(folder, 'documents') : undefined);
  const documents = documentsFolder ? await verifyStoredDocuments(file, documentsFolder) : null;
  print(report(verdict, { key: keyFile ?? null, witness: witnessFile ?? null }));
  print(documentsReport(documents, documentsFolder));
  return verdict.valid && !documents?.problems.length ? 0 : 1;
}

function documentsReport(verdict: DocumentsVerdict | null, folder: string | undefined): string {
  if (!verdict) return '  documents:        no documents folder given: documents not checked';
  const lines = [
    `  documents:        ${verdict.checked} recorded, checked against ${folder}: ${verdict.problems.length ? 'TAMPERED' : 'all present and unaltered'}`,
  ];
  for (const problem of verdict.problems)
    lines.push(
      `                    ${problem.problem}: document ${problem.documentId} (${problem.streamId}, revision ${problem.revision}): ${problem.detail}`,
    );
  return lines.join('\n');
}

/** An evidence pack: its own verifier, found beside this program in the repository, run with this Node. */
function verifyPack(
  pack: string,
  publicKeyFile: string | undefined,
  print: (text: string) => void,
  complain: (text: string) => void,
): number {
  if (!publicKeyFile)
    return usage(complain, 'an evidence pack is verified against the public key the landlord publishes: --public-key FILE');
  const run = spawnSync(process.execPath, [packVerifier(), pack, '--public-key', publicKeyFile], { encoding: 'utf8' });
  if (run.stdout) print(run.stdout.trimEnd());
  if (run.stderr) complain(run.stderr.trimEnd());
  return run.status ?? 2;
}

/** tools/verify-pack/verify-pack.mjs, from the source tree or the build (dist/) alike. */
function packVerifier(): string {
  for (let folder = __dirname; folder !== dirname(folder); folder = dirname(folder)) {
    const candidate = join(folder, 'tools/verify-pack/verify-pack.mjs');
    if (existsSync(candidate)) return candidate;
  }
  throw new Error('tools/verify-pack/verify-pack.mjs is not in this installation');
}

function report(verdict: LedgerVerdict, used: { key: string | null; witness: string | null }): string {
  const { head, checkpoints, break: found } = verdict;
  const lines = [
    found ? 'ALTERED: the ledger does not verify' : 'INTACT: the ledger verifies',
    `  events checked:   ${head.events} in ${verdict.streams} streams, up to position ${head.position}`,
    `  ledger chain:     ${head.head}`,
    `  checkpoints:      ${checkpoints.found} found, ${checkpoints.verified} signatures verified` +
      (used.key ? ` (key ${used.key})` : ' (NO PUBLIC KEY GIVEN: signatures not checked)'),
    checkpoints.latest
      ? `  latest:           position ${checkpoints.latest.position}, ${checkpoints.latest.events} events, signed ${checkpoints.latest.at}; ${verdict.eventsAfterLatestCheckpoint} events after it not yet signed`
      : '  latest:           none: deleting whole complaints or their last events would not show',
    `  witness file:     ${used.witness ?? 'none given'}`,
  ];
  if (found) {
    lines.push(
      `  first break:      ${found.kind} at position ${found.position}` +
        (found.streamId ? ` (${found.streamId}, revision ${found.revision})` : ''),
      `                    ${found.detail}`,
    );
  }
  return lines.join('\n');
}

function usage(complain: (text: string) => void, problem?: string): number {
  complain(problem ? `${problem}\n\n${USAGE}` : USAGE);
  return 2;
}
