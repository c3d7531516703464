import { Inject, type Provider, type Type } from '@nestjs/common';
import { Command, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import type { ComplaintCommand } from '@complaint-ledger/domain';
import type { CommandOutcome, CommandRequest, Ledger } from '@complaint-ledger/ledger';
import { LEDGER } from '../infrastructure/tokens';

/** A command on its way through Nest's CommandBus: one class per command type, carrying the ledger's request. */
export abstract class LedgerCommand extends Command<CommandOutcome> {
  constructor(readonly request: CommandRequest) {
    super();
  }
}

const messages = new Map<ComplaintCommand['type'], Type<LedgerCommand>>();
const handlers: Type<ICommandHandler>[] = [];

/**
 * The bus message for a command type, made once. Its @CommandHandler hands it to the ledger's one
 * write path (`ledger.write`): the bus routes by class, the core decides. Nest never builds a write
 * path of its own, so the queue per complaint holds between HTTP commands and the ledger's own
 * writers (the sweep, erasure, checkpoints), which use the same instance.
 */
export function messageFor(type: ComplaintCommand['type']): Type<LedgerCommand> {
  let message = messages.get(type);
  if (message) return message;
  message = class extends LedgerCommand {};
  Object.defineProperty(message, 'name', { value: `${type}Command` });
  @CommandHandler(message)
  class Handler implements ICommandHandler<LedgerCommand, CommandOutcome> {
    constructor(@Inject(LEDGER) readonly ledger: Ledger) {}
    execute(command: LedgerCommand): Promise<CommandOutcome> {
      return this.ledger.write.execute(command.request);
    }
  }
  Object.defineProperty(Handler, 'name', { value: `${type}Handler` });
  messages.set(type, message);
  handlers.push(Handler);
  return message;
}

/** The handler of each command type given: the app module provides them, so the bus knows them before the first request. */
export function commandHandlers(types: readonly ComplaintCommand['type'][]): Provider[] {
  for (const type of types) messageFor(type);
  return [...handlers];
}
