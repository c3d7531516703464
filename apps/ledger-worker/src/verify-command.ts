import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, realpathSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import {
  CheckpointVerifyingKey,
  compareStoredReadModels,
  EventKeyRing,
  isEventStoreConnectionString,
  loadConfig,
  openKeyFileAudit,
  readWitness,
  verifyStoredDocuments,
  verifyStoredLedger,
  type DocumentsVerdict,
  type LedgerVerdict,
  type StoredLedgerVerdict,
} from '@complaint-ledger/ledger';

/** Exit statuses (README, docs/operations.md). */
export const VERIFY_EXIT = { intact: 0, altered: 1, notRun: 2, signaturesNotChecked: 3 } as const;

const USAGE = `usage: npm run verify -- <data folder | ledger.sqlite | esdb://… | kurrentdb://…> [--public-key FILE] [--event-key FILE] [--master-key FILE] [--witness FILE] [--documents FOLDER]
       npm run verify -- <evidence pack .zip> --public-key FILE

Verifies a ledger without changing it: every event against its hash and its MAC, every complaint's
chain, the index of streams, the ledger chain over the whole log, every signed checkpoint (and tree
head) and its signature, the witness file, every data key an event names against the residents'
key file, and every document the log records against the documents folder (the data folder's
documents/, LEDGER_DOCUMENTS_PATH or --documents). Given an evidence pack, runs the pack's verifier
(tools/verify-pack/verify-pack.mjs, which also runs alone with Node and nothing else).

Keys are never taken from inside the folder checked: whoever could alter the ledger could replace
them. The public key (or the signing key, whose public half is used) comes from --public-key or
LEDGER_SIGNING_KEY_FILE; the event keys from --event-key or LEDGER_EVENT_KEY_FILE; the master key
(which opens the key file) from --master-key or LEDGER_MASTER_KEY_FILE; the witness file from
--witness, LEDGER_CHECKPOINT_WITNESS_FILE, or the data folder's checkpoints-witness.jsonl.

Exit status: 0 intact, signatures checked with the public key given; 1 altered; 2 not run;
3 no break found, but the signatures were NOT checked (no public key given from outside the folder).`;

/** `npm run verify`: the auditor's offline check of a copy of the data, or of an EventStoreDB; the exit status. */
export async function verifyCommand(
  args: string[],
  print: (text: string) => void = console.log,
  complain: (text: string) => void = console.error,
  env: NodeJS.ProcessEnv = process.env,
): Promise<number> {
  args = [...args];
  const option = (name: string) => {
    const at = args.indexOf(name);
    if (at < 0) return undefined;
    const value = args[at + 1];
    args.splice(at, 2);
    return value;
  };
  const given = {
    publicKey: option('--public-key') ?? env.LEDGER_SIGNING_KEY_FILE,
    eventKey: option('--event-key') ?? env.LEDGER_EVENT_KEY_FILE,
    masterKey: option('--master-key') ?? env.LEDGER_MASTER_KEY_FILE,
    witness: option('--witness'),
    documents: option('--documents'),
  };
  const target = args[0];
  if (!target || args.length > 1 || target.startsWith('-')) return usage(complain);
  if (target.endsWith('.zip')) return verifyPack(target, given.publicKey, print, complain);

  const folder = !target.includes('://') && existsSync(target) && statSync(target).isDirectory() ? target : null;
  const esdb = isEventStoreConnectionString(target);
  const file = esdb ? target : folder ? join(folder, 'ledger.sqlite') : target;
  if (!esdb && !existsSync(file)) return usage(complain, `no ledger at ${file}`);
  const checked = esdb ? null : (folder ?? dirname(file));
  // a key inside what is checked proves nothing about it: refused, and said so
  const outside = (path: string | undefined, what: string): string | null => {
    if (!path) return null;
    if (checked && inside(path, checked)) {
      complain(`${what} ${path} is inside ${checked}, the folder being checked: not used (give one kept elsewhere)`);
      return null;
    }
    return path;
  };
  const keyFile = outside(given.publicKey, 'the public key');
  const eventKeyFile = outside(given.eventKey, 'the event key file');
  const masterKeyFile = outside(given.masterKey, 'the master key file');
  const beside = (name: string) => (checked && existsSync(join(checked, name)) ? join(checked, name) : undefined);
  const witnessFile = given.witness ?? env.LEDGER_CHECKPOINT_WITNESS_FILE ?? beside('checkpoints-witness.jsonl');

  const key = keyFile ? CheckpointVerifyingKey.fromFile(keyFile) : null;
  const eventKeys = eventKeyFile ? EventKeyRing.fromFile(eventKeyFile) : null;
  const keysPath = beside('keys.sqlite');
  const masterKey = masterKeyFile ? Buffer.from(readFileSync(masterKeyFile, 'utf8').trim(), 'base64') : null;
  const keyStore = keysPath && masterKey?.length === 32 ? openKeyFileAudit(keysPath, masterKey) : null;
  let verdict: StoredLedgerVerdict;
  try {
    verdict = await verifyStoredLedger(file, {
      key,
      witnessed: witnessFile ? readWitness(witnessFile) : [],
      eventKeys,
      keyFile: keyStore?.audit ?? null,
      masterKey: esdb && masterKey?.length === 32 ? masterKey : null,
    });
  } finally {
    keyStore?.close();
  }
  const keyStoreLine = keysLine(verdict, {
    esdb,
    keyFile: keyStore && keysPath ? keysPath : null,
    keysPath: keysPath ?? null,
    masterKey,
    masterKeyFile,
    macsChecked: !!eventKeys,
  });
  const readModels = esdb ? null : await readModelsLine(file, beside('projections.sqlite'), env);
  const documentsFolder = given.documents ?? env.LEDGER_DOCUMENTS_PATH ?? (folder ? join(folder, 'documents') : undefined);
  // documents are checked against what the log records: a log that does not verify (one it cannot even read) says nothing of them
  const documents = documentsFolder && verdict.valid ? await verifyStoredDocuments(file, documentsFolder) : null;
  const documentsTampered = !!documents?.problems.length;
  print(
    report(verdict, {
      key: keyFile,
      witness: witnessFile ?? null,
      eventKey: eventKeyFile,
      keyStore: keyStoreLine,
      readModels,
      documentsTampered,
    }),
  );
  print(documentsReport(documents, documentsFolder, verdict.valid));
  if (!verdict.valid || readModels?.disagree || documentsTampered) return VERIFY_EXIT.altered;
  return key ? VERIFY_EXIT.intact : VERIFY_EXIT.signaturesNotChecked;
}

/** What the report says of the residents' keys: in EventStoreDB, in the key file beside a SQLite log, or why they were not checked. */
function keysLine(
  verdict: StoredLedgerVerdict,
  given: {
    esdb: boolean;
    keyFile: string | null;
    keysPath: string | null;
    masterKey: Buffer | null;
    masterKeyFile: string | null;
    macsChecked: boolean;
  },
): string {
  const { keyStreams } = verdict;
  if (keyStreams) {
    const wraps = keyStreams.wrapsOpened
      ? ` and opening as theirs (master key ${given.masterKeyFile})`
      : ' (no --master-key given: the wraps were not opened)';
    return `in EventStoreDB: ${keyStreams.keyStreams} key streams and ${keyStreams.residents} residents' streams checked as the log's (hashes, links${given.macsChecked ? ', MACs' : ''}), each key bound to its resident${wraps}`;
  }
  if (given.esdb) return 'in EventStoreDB: not checked (the log does not verify)';
  if (given.keyFile)
    return `checked (${given.keyFile}, master key ${given.masterKeyFile}): every data key an event names is there or was erased`;
  if (!given.keysPath) return 'none beside the log';
  const why = given.masterKey
    ? 'the key file predates keys bound to their rows: start the service once to migrate it'
    : 'no --master-key given';
  return `NOT CHECKED (${why})`;
}

function documentsReport(verdict: DocumentsVerdict | null, folder: string | undefined, logVerifies: boolean): string {
  if (!logVerifies) return '  documents:        not checked: the log that records them does not verify';
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
  return run.status ?? VERIFY_EXIT.notRun;
}

/** tools/verify-pack/verify-pack.mjs, from the source tree or the build (dist/) alike. */
function packVerifier(): string {
  for (let folder = __dirname; folder !== dirname(folder); folder = dirname(folder)) {
    const candidate = join(folder, 'tools/verify-pack/verify-pack.mjs');
    if (existsSync(candidate)) return candidate;
  }
  throw new Error('tools/verify-pack/verify-pack.mjs is not in this installation');
}

/**
 * The read models beside the log rebuilt from it (in a temporary folder) and compared, under the
 * calendar and timescales of this environment's settings: the service's, for an honest answer.
 */
async function readModelsLine(
  logPath: string,
  projectionsPath: string | undefined,
  env: NodeJS.ProcessEnv,
): Promise<{ line: string; disagree: boolean } | null> {
  if (!projectionsPath) return null;
  try {
    const found = await compareStoredReadModels(logPath, projectionsPath, loadConfig(env));
    const other = found.otherVersion.length ? `; ${found.otherVersion.join(', ')} built by another version, not compared` : '';
    if (found.mismatched.length)
      return {
        line: `DISAGREE WITH THE LOG: ${found.mismatched.join(', ')} at position ${found.position} are not what replaying the log gives (altered behind the projections; a start of the service rebuilds them)${other}`,
        disagree: true,
      };
    return { line: `agree with the log at position ${found.position} (rebuilt and compared)${other}`, disagree: false };
  } catch (error) {
    return { line: `NOT CHECKED (${(error as Error).message})`, disagree: false };
  }
}

/** Whether `path` is `folder` or inside it, links resolved. */
function inside(path: string, folder: string): boolean {
  const real = (p: string) => (existsSync(p) ? realpathSync(p) : resolve(p));
  const within = relative(real(folder), real(path));
  return within === '' || (!within.startsWith('..') && !within.startsWith('/'));
}

function report(
  verdict: LedgerVerdict,
  used: {
    key: string | null;
    witness: string | null;
    eventKey: string | null;
    keyStore: string;
    readModels: { line: string; disagree: boolean } | null;
    documentsTampered: boolean;
  },
): string {
  const { head, checkpoints, authentication, break: found } = verdict;
  const headline = found
    ? 'ALTERED: the ledger does not verify'
    : used.readModels?.disagree
      ? 'ALTERED: the read models beside the log disagree with it (the log itself verifies)'
      : used.documentsTampered
        ? 'ALTERED: documents the log records are missing or altered (the log itself verifies)'
        : used.key
          ? 'INTACT: the ledger verifies'
          : 'NOT VERIFIED: no break found, but the checkpoints\u2019 signatures were NOT checked (no public key given from outside the folder): whoever altered the log could have re-signed it';
  const lines = [
    headline,
    `  events checked:   ${head.events} in ${verdict.streams} streams, up to position ${head.position}`,
    `  ledger chain:     ${head.head}`,
    `  checkpoints:      ${checkpoints.found} found, ${checkpoints.verified} signatures verified` +
      (used.key ? ` (key ${used.key})` : ' (NO PUBLIC KEY GIVEN: signatures not checked)'),
    checkpoints.latest
      ? `  latest:           position ${checkpoints.latest.position}, ${checkpoints.latest.events} events, signed ${checkpoints.latest.at}; ${verdict.eventsAfterLatestCheckpoint} events after it not yet signed`
      : '  latest:           none: deleting whole complaints or their last events would not show',
    `  event MACs:       ${macLine(authentication, used.eventKey)}`,
    `  key file:         ${used.keyStore}`,
    `  witness file:     ${used.witness ?? 'none given'}`,
    ...(used.readModels ? [`  read models:      ${used.readModels.line}`] : []),
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

function macLine(authentication: LedgerVerdict['authentication'], keyFile: string | null): string {
  const since =
    authentication.from === null ? 'no authenticated event in the log' : `every event from position ${authentication.from} authenticated`;
  const before = authentication.unauthenticated ? `; ${authentication.unauthenticated} earlier events written before event keys` : '';
  return authentication.checked
    ? `checked (keys ${keyFile}): ${since}${before}`
    : `NOT CHECKED (no --event-key given): only that no event after the first authenticated one lacks a MAC; ${since}${before}`;
}

function usage(complain: (text: string) => void, problem?: string): number {
  complain(problem ? `${problem}\n\n${USAGE}` : USAGE);
  return VERIFY_EXIT.notRun;
}
