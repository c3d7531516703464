import { Command, CommandHandler, type ICommandHandler } from '@nestjs/cqrs';
import { ComplaintCommandService, type CommandOutcome, type CommandRequest } from './complaint-command.service';

/** The one Nest command: a domain command on its way to the store. Nothing durable rides the bus. */
export class RecordComplaintFact extends Command<CommandOutcome> {
  constructor(readonly request: CommandRequest) {
    super();
  }
}

@CommandHandler(RecordComplaintFact)
export class RecordComplaintFactHandler implements ICommandHandler<RecordComplaintFact> {
  constructor(private readonly service: ComplaintCommandService) {}

  execute({ request }: RecordComplaintFact): Promise<CommandOutcome> {
    return this.service.execute(request);
  }
}
