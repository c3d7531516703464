#!/usr/bin/env node
// Verifies a complaint-ledger evidence pack with nothing but Node.js (20 or later) and the pack:
//   node verify-pack.mjs pack.zip --public-key key.pem
// It checks every document against its recorded SHA-256, every event against its own hash and the
// one before it in the complaint's chain, every event's inclusion proof (RFC 9162) in the Merkle
// tree whose root the ledger signed, and that signature under the key given. It names what fails.
// Exit status: 0 verified, 1 something failed, 2 could not run. A single file, no dependencies:
// copy it anywhere. What a pack proves and what not: docs/decisions/0024-evidence-packs.md.
/* global console */
import { Buffer } from 'node:buffer';
import { createHash, createPublicKey, verify as verifySignature } from 'node:crypto';
import { readFileSync } from 'node:fs';
import process from 'node:process';
import { inflateRawSync } from 'node:zlib';

const GENESIS = '0'.repeat(64);

/** The entries of a ZIP file, by name: its central directory read, each entry stored or deflated. */
export function readZip(zip) {
  let end = zip.length - 22;
  while (end >= 0 && zip.readUInt32LE(end) !== 0x06054b50) end--;
  if (end < 0) throw new Error('not a ZIP file: no end of central directory');
  const count = zip.readUInt16LE(end + 10);
  let at = zip.readUInt32LE(end + 16);
  const entries = new Map();
  for (let i = 0; i < count; i++) {
    if (zip.readUInt32LE(at) !== 0x02014b50) throw new Error('the ZIP central directory is damaged');
    const method = zip.readUInt16LE(at + 10);
    const compressed = zip.readUInt32LE(at + 20);
    const nameLength = zip.readUInt16LE(at + 28);
    const extra = zip.readUInt16LE(at + 30);
    const comment = zip.readUInt16LE(at + 32);
    const local = zip.readUInt32LE(at + 42);
    const name = zip.subarray(at + 46, at + 46 + nameLength).toString('utf8');
    const dataAt = local + 30 + zip.readUInt16LE(local + 26) + zip.readUInt16LE(local + 28);
    const raw = zip.subarray(dataAt, dataAt + compressed);
    if (method !== 0 && method !== 8) throw new Error(`${name}: compression method ${method} is not one this verifier reads`);
    entries.set(name, () => (method === 0 ? Buffer.from(raw) : inflateRawSync(raw)));
    at += 46 + nameLength + extra + comment;
  }
  return entries;
}

/** JSON with keys sorted at every depth, undefined members left out: what an event's hash covers. */
export function canonicalJson(value) {
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map((item) => canonicalJson(item) ?? 'null').join(',')}]`;
  const members = Object.keys(value)
    .sort()
    .filter((key) => value[key] !== undefined)
    .map((key) => `${JSON.stringify(key)}:${canonicalJson(value[key])}`);
  return `{${members.join(',')}}`;
}

const sha256 = (bytes) => createHash('sha256').update(bytes).digest();
const hex = (bytes) => Buffer.from(bytes).toString('hex');

/** SHA-256 over the previous hash and the canonical JSON of everything recorded except the hash (the ledger's own definition). */
export function eventHash({ streamId, revision, eventId, type, data, metadata }) {
  const { hash: _hash, ...rest } = metadata;
  const envelope = `{"data":${canonicalJson(data)},"eventId":${JSON.stringify(eventId)},"metadata":${canonicalJson(rest)},"revision":${revision},"streamId":${JSON.stringify(streamId)},"type":${JSON.stringify(type)}}`;
  return hex(sha256(rest.prevHash + envelope));
}

/** An event's leaf in the tree over the log (decision 0022), v1. */
export const eventLeaf = (event) =>
  Buffer.from(
    `complaint-ledger leaf v1\nposition ${event.position}\nstream ${JSON.stringify(event.streamId)}\nrevision ${event.revision}\nhash ${event.metadata.hash}\n`,
  );

const leafHash = (leaf) => sha256(Buffer.concat([Buffer.of(0), leaf]));
const nodeHash = (left, right) => sha256(Buffer.concat([Buffer.of(1), left, right]));

/** RFC 9162 §2.1.3.2: what is wrong with an inclusion proof, or null when it leads to the root. */
export function inclusionProblem(leaf, leafIndex, treeSize, path, root) {
  if (!Number.isSafeInteger(leafIndex) || !Number.isSafeInteger(treeSize) || leafIndex < 0 || leafIndex >= treeSize)
    return `leaf ${leafIndex} is not in a tree of ${treeSize} leaves`;
  if (path.some((hash) => hash.length !== 32)) return 'a hash of the path is not 32 bytes';
  let fn = leafIndex;
  let sn = treeSize - 1;
  let r = leaf;
  for (const p of path) {
    if (sn === 0) return 'the path is longer than the tree needs';
    if (fn % 2 === 1 || fn === sn) {
      r = nodeHash(p, r);
      while (fn % 2 === 0 && fn !== 0) [fn, sn] = [Math.floor(fn / 2), Math.floor(sn / 2)];
    } else {
      r = nodeHash(r, p);
    }
    [fn, sn] = [Math.floor(fn / 2), Math.floor(sn / 2)];
  }
  if (sn !== 0) return 'the path is shorter than the tree needs';
  return r.equals(root) ? null : 'the path does not lead to the signed root';
}

/** The exact bytes a checkpoint's signature covers (statement v2: with the tree head). */
export const checkpointStatement = (head) =>
  `complaint-ledger checkpoint v2\nposition ${head.position}\nevents ${head.events}\nhead ${head.head}\ntree-size ${head.treeSize}\nroot ${head.root}\nat ${head.at}\n`;

function signatureHolds(statement, key, signature) {
  try {
    return verifySignature(null, Buffer.from(statement), key, Buffer.from(String(signature), 'base64'));
  } catch {
    return false; // not an Ed25519 signature at all
  }
}

/** What a pack holds for reading, drawn from the events but signed by nothing: checked by none of the proofs. */
const UNSIGNED = ['complaint-file.pdf', 'README.txt'];

/** What is wrong with an event's inclusion proof in the signed tree (`name` names the event): each a finding. */
function inclusionFailures(name, event, inclusion, head, root) {
  if (!inclusion) return [`${name}: has no inclusion proof`];
  const found = [];
  if (inclusion.position !== event.position || inclusion.streamId !== event.streamId)
    found.push(`${name}: its inclusion proof is for another event`);
  if (inclusion.treeSize !== head.treeSize)
    found.push(`${name}: its inclusion proof is for a tree of ${inclusion.treeSize} events, not the ${head.treeSize} signed`);
  const path = (inclusion.path ?? []).map((h) => Buffer.from(h, 'hex'));
  const problem = inclusionProblem(leafHash(eventLeaf(event)), inclusion.leafIndex, inclusion.treeSize, path, root);
  if (problem) found.push(`${name}: inclusion proof: ${problem}`);
  return found;
}

/**
 * A pack as the ledger knew the complaint before its erasure carries the erasure's own event (recorded
 * later) beside its proof: whether that event is this complaint's erasure, unaltered, in the signed tree.
 */
function erasureProven(proof, head, root, fail, notes) {
  if (!proof.erasure) return false;
  const { event, inclusion } = proof.erasure;
  const name = `the erasure (event ${event?.revision}, recorded after the time the pack shows)`;
  if (event?.type !== 'PersonalDataErased' || event.streamId !== proof.complaintStream) {
    fail(`${name}: not this complaint's erasure`);
    return false;
  }
  if (eventHash(event) !== event.metadata?.hash) {
    fail(`${name}: its content does not match its hash`);
    return false;
  }
  const found = inclusionFailures(name, event, inclusion, head, root);
  found.forEach(fail);
  if (found.length) return false;
  notes.push(`${name}: in the signed tree; what it destroyed is withheld`);
  return true;
}

/** Verifies a pack (its bytes) under a public key (PEM); every finding, and whether all held. */
export function verifyPack(zipBytes, publicKeyPem) {
  const failures = [];
  const notes = [];
  const fail = (what) => failures.push(what);
  let entries;
  try {
    entries = readZip(zipBytes);
  } catch (error) {
    return { ok: false, failures: [`the pack cannot be read: ${error.message}`], notes };
  }
  const read = (name) => {
    const entry = entries.get(name);
    if (!entry) throw new Error(`the pack has no ${name}`);
    try {
      return entry();
    } catch (error) {
      throw new Error(`${name} cannot be read from the pack: ${error.message}`, { cause: error });
    }
  };
  let proof;
  let events;
  try {
    proof = JSON.parse(read('proof.json').toString('utf8'));
    events = read('events.jsonl')
      .toString('utf8')
      .split('\n')
      .filter((line) => line.trim())
      .map((line, n) => {
        try {
          return JSON.parse(line);
        } catch {
          throw new Error(`events.jsonl line ${n + 1} is not JSON`);
        }
      });
  } catch (error) {
    return { ok: false, failures: [error.message], notes };
  }

  // the signature, under the key given (never the one the pack carries)
  const head = proof.signedTreeHead ?? {};
  let key;
  try {
    key = createPublicKey(publicKeyPem);
  } catch (error) {
    return { ok: false, failures: [`the public key cannot be read: ${error.message}`], notes };
  }
  const der = key.export({ type: 'spki', format: 'der' });
  const fingerprint = hex(sha256(der));
  notes.push(`public key fingerprint (SHA-256): ${fingerprint}`);
  if (head.keyId !== fingerprint.slice(0, 16))
    fail(`signature: the tree head is signed by key ${head.keyId}, not the key given (${fingerprint.slice(0, 16)})`);
  else {
    if (!signatureHolds(checkpointStatement(head), key, head.signature))
      fail(`signature: the signed tree head (${head.treeSize} events, signed ${head.at}) does not verify under the key given`);
  }
  const root = Buffer.from(String(head.root ?? ''), 'hex');

  // each event: its own hash, its link to the one before, its inclusion in the signed tree
  const byRevision = new Map(events.map((event) => [event.revision, event]));
  const inclusions = new Map((proof.inclusions ?? []).map((inclusion) => [inclusion.revision, inclusion]));
  let previous = null;
  for (const event of events) {
    const name = `event ${event.revision} (${event.type})`;
    if (event.streamId !== proof.complaintStream) fail(`${name}: belongs to ${event.streamId}, not this complaint`);
    if (eventHash(event) !== event.metadata?.hash) fail(`${name}: its content does not match its hash`);
    const expectedPrev = previous ? previous.metadata.hash : GENESIS;
    if ((previous ? previous.revision + 1 : 0) !== event.revision)
      fail(`${name}: does not follow revision ${previous ? previous.revision : 'none'} (an event is missing)`);
    else if (event.metadata?.prevHash !== expectedPrev) fail(`${name}: does not link to the hash of the event before it`);
    previous = event;
    inclusionFailures(name, event, inclusions.get(event.revision), head, root).forEach(fail);
  }
  for (const revision of inclusions.keys())
    if (!byRevision.has(revision)) fail(`proof: an inclusion proof for event ${revision}, which the pack does not hold`);

  // each document: recorded by an event, in the pack, with the bytes the event's hash names
  const attached = events.filter((event) => event.type === 'DocumentAttached');
  const listed = new Map((proof.documents ?? []).map((document) => [document.documentId, document]));
  const withheld = new Map((proof.withheld ?? []).map((document) => [document.documentId, document]));
  const erased = events.some((event) => event.type === 'PersonalDataErased') || erasureProven(proof, head, root, fail, notes);
  for (const event of attached) {
    const { documentId, sha256: recorded, bytes } = event.data;
    const document = listed.get(documentId);
    if (!document) {
      if (withheld.has(documentId) && erased)
        notes.push(`document ${documentId} (event ${event.revision}) withheld: its resident was erased`);
      else fail(`document ${documentId} (event ${event.revision}): not in the pack`);
      continue;
    }
    let content;
    try {
      content = read(document.file);
    } catch (error) {
      fail(`document ${document.file}: ${error.message}`);
      continue;
    }
    const found = hex(sha256(content));
    if (found !== recorded || content.length !== bytes)
      fail(`document ${document.file}: its SHA-256 is ${found}, not the ${recorded} event ${event.revision} recorded`);
  }
  for (const [documentId, document] of listed)
    if (!attached.some((event) => event.data.documentId === documentId))
      fail(`document ${document.file}: no event of this complaint records it`);
  // every entry is accounted for: a file slipped in beside the documents is a forgery a reader could take for one
  const known = new Set(['proof.json', 'events.jsonl', ...UNSIGNED, ...[...listed.values()].map((document) => document.file)]);
  for (const name of entries.keys())
    if (!known.has(name) && !name.endsWith('/')) fail(`${name}: in the pack, but nothing the ledger signed names it`);
  // nor does the proof show that no later event of the complaint was left out: said, with where the pack ends
  if (events.length)
    notes.push(
      `the pack ends at event ${events.at(-1).revision}: that no later event of this complaint was left out is not proven here (compare with the ledger's)`,
    );
  // what the proof does not cover is said, so no one takes the readable file for the checked record
  notes.push(
    `${UNSIGNED.filter((name) => entries.has(name)).join(' and ')}: not checked (written from the events for reading; the record is events.jsonl and the documents)`,
  );

  const ok = failures.length === 0;
  notes.unshift(
    `${events.length} events of ${proof.complaintStream}, ${attached.length} documents; signed tree head: ${head.treeSize} events, root ${String(head.root).slice(0, 16)}…, signed ${head.at}`,
  );
  return { ok, failures, notes };
}

function main(argv) {
  const args = [...argv];
  const at = args.indexOf('--public-key');
  const keyFile = at >= 0 ? args[at + 1] : undefined;
  if (at >= 0) args.splice(at, 2);
  if (args.length !== 1 || !keyFile) {
    console.error('usage: node verify-pack.mjs <pack.zip> --public-key <key.pem>');
    return 2;
  }
  let zip;
  let pem;
  try {
    zip = readFileSync(args[0]);
    pem = readFileSync(keyFile, 'utf8');
  } catch (error) {
    console.error(`cannot read: ${error.message}`);
    return 2;
  }
  const { ok, failures, notes } = verifyPack(zip, pem);
  console.log(ok ? 'VERIFIED: the pack is what the ledger signed' : 'NOT VERIFIED: the pack is not what the ledger signed');
  for (const note of notes) console.log(`  ${note}`);
  for (const failure of failures) console.log(`  FAILED: ${failure}`);
  return ok ? 0 : 1;
}

if (import.meta.url === `file://${process.argv[1]}` || process.argv[1]?.endsWith('verify-pack.mjs'))
  process.exitCode = main(process.argv.slice(2));
