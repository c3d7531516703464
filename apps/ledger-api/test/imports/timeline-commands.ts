import type { ComplaintEvent, PersonCommand } from '@complaint-ledger/domain';
import { COMMAND_RECORDING } from '@complaint-ledger/domain';

/** One fact of a worked timeline as a housing system sends it: the command, and the landlord's remedy references it names. */
export interface TimelineCommand {
  readonly kind: PersonCommand['type'];
  /** The command's data as a request body (no complaint id: the path, or the import's reference, names it). */
  readonly data: Record<string, unknown>;
  /** For an offer (or a response's remedies, in order): the landlord's remedy references; for a completion, the one completed. */
  readonly remedies: readonly string[];
}

const without = (data: object, ...keys: string[]) =>
  Object.fromEntries(Object.entries(data).filter(([key, value]) => !keys.includes(key) && value !== undefined));

/**
 * The commands that record a worked timeline's events (libs/domain/test/support/timelines.ts): each
 * event's data is its command's, less what the decider adds. A response's remedies are the
 * RemedyOffered events it names, offered with it; a remedy offered alone is an OfferRemedy.
 */
export function commandsOf(events: readonly ComplaintEvent[]): TimelineCommand[] {
  const offeredWithResponse = new Set<string>();
  const commands: TimelineCommand[] = [];
  for (const event of events) {
    const kind = COMMAND_RECORDING[event.type as keyof typeof COMMAND_RECORDING];
    if (!kind) throw new Error(`${event.type} is not a fact people record`);
    const data = event.data as Record<string, unknown>;
    switch (event.type) {
      case 'Responded': {
        const ids = (data.remedyIds as string[]) ?? [];
        const remedies = ids.map((id) => {
          const offer = events.find((other) => other.type === 'RemedyOffered' && other.data.remedyId === id)!;
          offeredWithResponse.add(id);
          return without(offer.data, 'complaintId', 'remedyId', 'offeredAt', 'stage');
        });
        commands.push({
          kind,
          data: { ...without(data, 'complaintId', 'remedyIds'), ...(remedies.length ? { remedies } : {}) },
          remedies: ids,
        });
        break;
      }
      case 'RemedyOffered':
        if (!offeredWithResponse.has(data.remedyId as string))
          commands.push({ kind, data: without(data, 'complaintId', 'remedyId', 'stage'), remedies: [data.remedyId as string] });
        break;
      case 'RemedyCompleted':
        commands.push({ kind, data: without(data, 'complaintId', 'remedyId'), remedies: [data.remedyId as string] });
        break;
      default:
        commands.push({ kind, data: without(data, 'complaintId'), remedies: [] });
    }
  }
  return commands;
}
