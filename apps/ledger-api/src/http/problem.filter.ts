import { ArgumentsHost, Catch, ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import { StoreUnavailable, WrongExpectedRevision } from '@complaint-ledger/event-store';
import { CommandRefused, IdempotencyKeyReused, RevisionMismatch } from '@complaint-ledger/ledger';
import { domainProblem, idempotencyKeyReused, preconditionFailed } from '../complaints/complaint-problems';
import type { FastifyReply } from 'fastify';
import { problemType, ProblemException, type ProblemDetails } from './problem';

const UNAVAILABLE = { title: 'Event store unavailable', detail: 'Nothing was recorded; retry later.' };
const UNAVAILABLE_UNTIL_RESTART = {
  title: 'Storage unavailable until restart',
  detail:
    'Nothing was recorded. This instance could not make a write durable and takes no more until it is restarted ' +
    '(GET /health/ready says which store); send the command to another instance, or retry after the restart.',
};

/** One place maps every failure to application/problem+json; no stack trace ever leaves. */
@Catch()
export class ProblemFilter implements ExceptionFilter {
  private readonly logger = new Logger('ProblemFilter');

  catch(exception: unknown, host: ArgumentsHost): void {
    const reply = host.switchToHttp().getResponse<FastifyReply>();
    const problem = this.toProblem(exception);
    if (problem.status >= 500) this.logger.error(exception instanceof Error ? exception.stack : String(exception));
    void reply.status(problem.status).header('content-type', 'application/problem+json').send(problem);
  }

  private toProblem(exception: unknown): ProblemDetails {
    if (exception instanceof ProblemException) return exception.problem;
    if (exception instanceof CommandRefused) return domainProblem(exception.reason).problem;
    if (exception instanceof RevisionMismatch) return preconditionFailed(exception.expected, exception.actual).problem;
    if (exception instanceof IdempotencyKeyReused) return idempotencyKeyReused().problem;
    if (exception instanceof WrongExpectedRevision) {
      return {
        type: problemType('CONCURRENCY.CONFLICT'),
        title: 'Concurrent change',
        status: 409,
        detail: 'The complaint changed while this command was being decided; retry it.',
      };
    }
    if (exception instanceof StoreUnavailable) {
      // until a restart a retry here fails the same way, so the client is sent elsewhere rather than back
      const { title, detail } = exception.untilRestart ? UNAVAILABLE_UNTIL_RESTART : UNAVAILABLE;
      return { type: problemType('STORE.UNAVAILABLE'), title, status: 503, detail };
    }
    if (exception instanceof HttpException) {
      const status = exception.getStatus();
      const body = exception.getResponse();
      const detail = typeof body === 'string' ? body : ((body as { message?: string | string[] }).message ?? exception.message);
      return {
        type: 'about:blank',
        title: exception.name.replace(/Exception$/, '').replace(/([a-z])([A-Z])/g, '$1 $2'),
        status,
        detail: Array.isArray(detail) ? detail.join('; ') : detail,
      };
    }
    // Fastify's own errors (malformed JSON, body too large, wrong content type) carry a statusCode.
    const statusCode = (exception as { statusCode?: number }).statusCode;
    if (statusCode && statusCode >= 400 && statusCode < 500) {
      return { type: 'about:blank', title: 'Bad request', status: statusCode, detail: (exception as Error).message };
    }
    return { type: 'about:blank', title: 'Internal error', status: 500, detail: 'An unexpected error occurred; nothing was recorded.' };
  }
}
