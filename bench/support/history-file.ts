import { createWriteStream } from 'node:fs';
import { once } from 'node:events';

const CATEGORIES = ['repairs', 'damp and mould', 'anti-social behaviour', 'service charges', 'staff conduct'];
const CHANNELS = ['phone', 'email', 'letter', 'web'];
const DECISIONS = ['upheld', 'partly_upheld', 'not_upheld'];
const DAY = 86_400_000;
const cell = (text: string) => (/[",\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text);

/** The facts each generated complaint has: received, acknowledged, a call, the stage 1 response. */
export const FACTS_PER_COMPLAINT = 4;

/**
 * A landlord's history in the ledger's import format (docs/import.md), generated: `complaints`
 * complaints (references `${prefix}-0000000`…), each from a resident of their own, spread over
 * 2023–2025, written as a stream. For the import benchmark and the tests that need a file big
 * enough to be interrupted.
 */
export async function writeHistory(path: string, complaints: number, prefix = 'HMS'): Promise<void> {
  const out = createWriteStream(path);
  const write = async (line: string) => void (out.write(line) || (await once(out, 'drain')));
  await write(
    'complaint,kind,at,channel,tenure,category,summary,resident.reference,resident.name,stage,complaintDefinition,decision,reasons,outstandingActions,escalationRightsGiven,direction,party\n',
  );
  const start = Date.parse('2023-01-02T09:00:00Z');
  const spread = (3 * 365 * DAY) / complaints;
  for (let i = 0; i < complaints; i++) {
    const received = start + Math.floor(i * spread);
    const at = (offsetDays: number) => new Date(received + offsetDays * DAY).toISOString();
    const ref = `${prefix}-${String(i).padStart(7, '0')}`;
    await write(
      `${ref},ReceiveComplaint,${at(0)},${CHANNELS[i % CHANNELS.length]},${i % 7 ? 'LCRA' : 'LCHO'},${CATEGORIES[i % CATEGORIES.length]},${cell(`Complaint ${i}: the repair reported on ${at(-14).slice(0, 10)} was not done`)},${prefix}-RES-${i},Resident ${i},,,,,,,,\n` +
        `${ref},AcknowledgeComplaint,${at(2)},,,,,,,1,${cell(`Repair ${i} outstanding; resident wants it done`)},,,,,,\n` +
        `${ref},RecordCorrespondence,${at(4)},phone,,,${cell(`Resident ${i} called for an update`)},,,,,,,,,inbound,resident\n` +
        `${ref},RespondToComplaint,${at(9)},,,,,,,1,,${DECISIONS[i % DECISIONS.length]},${cell(`Decision on complaint ${i}`)},[],true,,\n`,
    );
  }
  out.end();
  await once(out, 'finish');
}
