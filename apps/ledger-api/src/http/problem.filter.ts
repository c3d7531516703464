import { ArgumentsHost, Catch, ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import {
  ClockOffset,
  CommandRefused,
  ComplaintAltered,
  ComplaintNotFound,
  DocumentGone,
  DocumentNotFound,
  DocumentTampered,
  DocumentTooLarge,
  NoSuchTreeHead,
  NotYetSigned,
  UnsupportedDocument,
  ComplaintNotYet,
  IdempotencyKeyReused,
  KeyStoreAltered,
  ReadModelsRepairing,
  ResidentNotFound,
  InvalidCursor,
  LedgerBroken,
  LedgerStillVerifying,
  QueryBusy,
  QueryTimedOut,
  ReadModelsBehind,
  RevisionMismatch,
  StoreUnavailable,
  UnreadableEvent,
  WrongExpectedRevision,
} from '@complaint-ledger/ledger';
import { complaintNotFound, domainProblem, idempotencyKeyReused, notYet, preconditionFailed } from '../complaints/complaint-problems';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { invalidRequest, problemType, ProblemException, type ProblemDetails } from './problem';
import { BODY_LIMIT_BYTES, titleOf } from './request-edges';

const UNAVAILABLE = { title: 'Event store unavailable', detail: 'Nothing was recorded; retry later.' };
const OUTCOME_UNKNOWN = {
  title: 'Outcome unknown',
  detail:
    'The store did not confirm this write: it may or may not have been recorded. Send the same request again, with the ' +
    'same Idempotency-Key if it had one (without one, the ledger recognises the identical request from the same ' +
    'credential): it is recorded at most once, and the answer says what is recorded.',
};
const UNAVAILABLE_UNTIL_RESTART = {
  title: 'Storage unavailable until restart',
  detail:
    'Nothing was recorded. This instance could not make a write durable and takes no more until it is restarted ' +
    '(GET /health/ready says which store); send the command to another instance, or retry after the restart.',
};

const EDGE_DETAILS: Record<number, string> = {
  413: `The body is larger than ${BODY_LIMIT_BYTES / 1024} KB; nothing was recorded.`,
  415: 'Send the body as JSON, with Content-Type: application/json.',
  429: 'Too many requests from this client; wait for the number of seconds in Retry-After, then retry.',
};

const coded = (code: string, title: string, status: number, detail: string): ProblemDetails => ({
  type: problemType(code),
  title,
  status,
  code,
  detail,
});

/** One place maps every failure to application/problem+json; no stack trace ever leaves. */
@Catch()
export class ProblemFilter implements ExceptionFilter {
  private readonly logger = new Logger('ProblemFilter');

  catch(exception: unknown, host: ArgumentsHost): void {
    const reply = host.switchToHttp().getResponse<FastifyReply>();
    const request = host.switchToHttp().getRequest<FastifyRequest>();
    const problem = this.toProblem(exception);
    if (exception instanceof QueryBusy || exception instanceof QueryTimedOut || exception instanceof ReadModelsBehind)
      void reply.header('retry-after', '1');
    if (exception instanceof LedgerStillVerifying) void reply.header('retry-after', '5');
    // a client that went away before its body arrived is no fault here: the request's own line says it was aborted
    const clientWentAway = request.raw.destroyed && !request.raw.complete;
    if (problem.status >= 500 && !clientWentAway) this.logger.error(exception instanceof Error ? exception.stack : String(exception));
    void reply.status(problem.status).header('content-type', 'application/problem+json').send(problem);
  }

  private toProblem(exception: unknown): ProblemDetails {
    const known = problemOf(exception);
    if (known) return known;
    if (exception instanceof HttpException) {
      // Nest's and Fastify's own refusals (404, 413, 415, 429…): titled by their status, with a detail that says what to do
      const status = exception.getStatus();
      const body = exception.getResponse();
      const message = typeof body === 'string' ? body : ((body as { message?: string | string[] }).message ?? exception.message);
      return {
        type: 'about:blank',
        title: titleOf(status),
        status,
        detail: EDGE_DETAILS[status] ?? (Array.isArray(message) ? message.join('; ') : message),
      };
    }
    // not known to have failed before writing: a command's outcome is unknown, and said so
    const detail = 'An unexpected error occurred. For a command, send the same request again to learn whether it was recorded.';
    return { type: 'about:blank', title: 'Internal error', status: 500, detail };
  }
}

/**
 * What the service says of a failure the client can act on: the ledger's refusals and its store's
 * states as problem+json. Null for anything else (an internal error, answered 500). The console
 * shows the same as a page.
 */
export function problemOf(exception: unknown): ProblemDetails | null {
  if (exception instanceof ProblemException) return exception.problem;
  if (exception instanceof ComplaintNotFound) return complaintNotFound(exception.complaintId).problem;
  if (exception instanceof ComplaintNotYet) return notYet(exception).problem;
  if (exception instanceof InvalidCursor) {
    return invalidRequest([{ field: 'cursor', rule: 'isCursor', message: 'cursor must be a nextCursor returned by this endpoint' }])
      .problem;
  }
  if (exception instanceof CommandRefused) return domainProblem(exception.reason).problem;
  if (exception instanceof RevisionMismatch) return preconditionFailed(exception.expected, exception.actual).problem;
  if (exception instanceof IdempotencyKeyReused) return idempotencyKeyReused().problem;
  if (exception instanceof LedgerBroken) {
    const detail = `${exception.message}. Nothing was recorded: this ledger takes no writes until the break is examined; reads go on.`;
    return coded('LEDGER.INTEGRITY_BROKEN', 'Ledger integrity broken', 503, detail);
  }
  if (exception instanceof LedgerStillVerifying) {
    const detail = `${exception.message}. Nothing was recorded or shown from it; ask again once GET /health/ready says the integrity check is intact.`;
    return coded('LEDGER.VERIFYING', 'Ledger still verifying', 503, detail);
  }
  if (exception instanceof ClockOffset) {
    // this instance's alone: another whose clock agrees with the store's takes the command
    const detail = `${exception.message}. Nothing was recorded: this instance records nothing until its clock is set right (GET /health/ready shows the offset); send the command to another instance.`;
    return coded('CLOCK.OFFSET', 'Clock out of bounds', 503, detail);
  }
  if (exception instanceof WrongExpectedRevision) {
    return {
      type: problemType('CONCURRENCY.CONFLICT'),
      title: 'Concurrent change',
      status: 409,
      detail: 'The complaint changed while this command was being decided; retry it.',
    };
  }
  if (exception instanceof ResidentNotFound) return coded('RESIDENT.NOT_FOUND', 'Not found', 404, exception.message);
  if (exception instanceof ReadModelsRepairing) return coded('READ_MODELS.REPAIRING', 'Read models being rebuilt', 503, exception.message);
  // the read side's own states, each answered with Retry-After: never a 500 telling the client to send the same again
  if (exception instanceof ReadModelsBehind)
    return coded('READ_MODELS.BEHIND', 'Read models behind', 503, `${exception.message}: ask again shortly (minPosition)`);
  if (exception instanceof QueryBusy) return coded('QUERY.BUSY', 'Too many queries', 503, `${exception.message}: ask again shortly`);
  if (exception instanceof QueryTimedOut)
    return coded('QUERY.TIMEOUT', 'Query took too long', 503, `${exception.message} (LEDGER_QUERY_SECONDS): narrow it, or ask again`);
  if (exception instanceof KeyStoreAltered) {
    const detail = `${exception.message}. Nothing was destroyed or recorded: the ledger takes no writes until the key file is examined (docs/operations.md).`;
    return coded('LEDGER.KEY_FILE_ALTERED', 'Key file altered', 503, detail);
  }
  if (exception instanceof ComplaintAltered) {
    const detail = `${exception.message}. It is not shown from an altered record; an auditor sees its integrity at GET /v1/complaints/${exception.complaintId}/integrity and the ledger's at GET /v1/ledger/integrity.`;
    return coded('LEDGER.RECORD_ALTERED', 'Record altered', 409, detail);
  }
  if (exception instanceof UnreadableEvent) {
    // the record itself is damaged, on every instance alike: no retry helps, so not a 5xx to retry elsewhere
    const detail = `${exception.message}. An auditor can see the ledger's verdict at GET /v1/ledger/integrity.`;
    return coded('LEDGER.EVENT_UNREADABLE', 'Record damaged', 409, detail);
  }
  if (exception instanceof DocumentTooLarge)
    return coded('DOCUMENT.TOO_LARGE', 'Document too large', 413, `${exception.message}; nothing was kept.`);
  if (exception instanceof UnsupportedDocument)
    return coded(
      'DOCUMENT.UNSUPPORTED_TYPE',
      'Unsupported document type',
      415,
      `${exception.message} (told from its bytes); nothing was kept.`,
    );
  if (exception instanceof DocumentNotFound) return coded('DOCUMENT.NOT_FOUND', 'Not found', 404, exception.message);
  if (exception instanceof DocumentGone) return coded('DOCUMENT.ERASED', 'Erased', 410, exception.message);
  if (exception instanceof DocumentTampered) {
    // the record names a document the store no longer holds as it was: tampering, on every instance alike
    const detail = `${exception.message}. It is not served; an auditor sees it in GET /v1/complaints/{id}/integrity and npm run verify.`;
    return coded('DOCUMENT.TAMPERED', 'Document tampered with', 409, detail);
  }
  if (exception instanceof NoSuchTreeHead) return coded('LEDGER.NO_SUCH_TREE_HEAD', 'Not found', 404, exception.message);
  if (exception instanceof NotYetSigned) return coded('LEDGER.NOT_YET_SIGNED', 'Not yet signed', 503, exception.message);
  if (exception instanceof StoreUnavailable && exception.outcome === 'unknown') {
    return coded('STORE.OUTCOME_UNKNOWN', OUTCOME_UNKNOWN.title, 503, OUTCOME_UNKNOWN.detail);
  }
  if (exception instanceof StoreUnavailable) {
    // until a restart a retry here fails the same way, so the client is sent elsewhere rather than back
    const { title, detail } = exception.untilRestart ? UNAVAILABLE_UNTIL_RESTART : UNAVAILABLE;
    return { type: problemType('STORE.UNAVAILABLE'), title, status: 503, detail };
  }
  return null;
}
