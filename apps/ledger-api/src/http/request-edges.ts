import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { problemType, ProblemException, type ProblemDetails } from './problem';
import { securityHeadersOver } from './security-headers';

/**
 * What the HTTP edge refuses before any route sees a request, each as problem+json with a title a
 * person can act on: a body that is not JSON (415), nested too deeply (400) or malformed (400); a
 * URL that is not valid (400) or too long (414); headers too large (431).
 */

export const BODY_LIMIT_BYTES = 256 * 1024;
/** Our deepest request body is four levels; 32 leaves room and stops bodies built to exhaust the stack. */
export const MAX_JSON_DEPTH = 32;

/** A title for a status: the few the edge produces by name, otherwise HTTP's reason phrase. */
const TITLES: Record<number, string> = {
  404: 'Not found',
  413: 'Body too large',
  414: 'URL too long',
  415: 'Unsupported media type',
  429: 'Too many requests',
  431: 'Headers too large',
};
export const titleOf = (status: number) => TITLES[status] ?? STATUS_CODES[status] ?? 'Error';

const refusal = (status: number, code: string, title: string, detail: string): ProblemDetails => ({
  type: problemType(code),
  title,
  status,
  detail,
  code,
});

/** The deepest nesting of arrays and objects in a JSON text, counted without parsing (no recursion). */
export function jsonDepth(text: string): number {
  let depth = 0;
  let deepest = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c)
        i++; // a backslash escapes the next character
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x7b || c === 0x5b) deepest = Math.max(deepest, ++depth);
    else if (c === 0x7d || c === 0x5d) depth--;
  }
  return deepest;
}

/**
 * Bodies are JSON, and only JSON: Fastify's own text and Nest's form parsers are removed, so any
 * other content type is 415 rather than a string or a form handed to validation. The JSON parser
 * is Fastify's (which refuses `__proto__` and `constructor.prototype`), behind a depth check.
 */
export function acceptOnlyJson(fastify: FastifyInstance): void {
  const parse = fastify.getDefaultJsonParser('error', 'error');
  fastify.removeAllContentTypeParsers();
  fastify.addContentTypeParser(
    /^application\/([\w.-]+\+)?json\b/i, // application/json, and JSON media types such as application/merge-patch+json
    { parseAs: 'string', bodyLimit: BODY_LIMIT_BYTES },
    (request, body, done) => {
      const charset = charsetOtherThanUtf8(request.headers['content-type']);
      if (charset) {
        // JSON is UTF-8 (RFC 8259 §8.1): a body said to be another charset would be read as something it is not
        const detail = `The body is sent as ${charset}: JSON is read as UTF-8 only.`;
        return done(new ProblemException(refusal(415, 'BODY.UNSUPPORTED_MEDIA_TYPE', titleOf(415), detail)), undefined);
      }
      const text = body as string;
      if (jsonDepth(text) > MAX_JSON_DEPTH) {
        const detail = `The body nests objects or arrays more than ${MAX_JSON_DEPTH} levels deep.`;
        return done(new ProblemException(refusal(400, 'BODY.TOO_DEEP', 'JSON nested too deeply', detail)), undefined);
      }
      parse(request, text, (error, value) => {
        if (!error) return done(null, value);
        const detail = `The body is not valid JSON: ${error.message}`;
        done(new ProblemException(refusal(400, 'BODY.MALFORMED_JSON', 'Malformed JSON', detail)), undefined);
      });
    },
  );
}

/** The charset a Content-Type names when it is not UTF-8 (which the API reads, bodies and files alike), else null. */
export function charsetOtherThanUtf8(contentType: string | undefined): string | null {
  const charset = /;\s*charset="?([^";\s]+)/i.exec(contentType ?? '')?.[1];
  return charset && !/^(utf-?8|us-ascii)$/i.test(charset) ? charset : null; // ASCII is UTF-8's first half
}

/**
 * The console's sign-in form is the one HTML form posted to the service: a URL-encoded body is
 * read for /console only, as a flat object of strings; anywhere else it is 415 like any non-JSON body.
 */
export function acceptConsoleForms(fastify: FastifyInstance): void {
  fastify.addContentTypeParser(
    /^application\/x-www-form-urlencoded\b/i,
    { parseAs: 'string', bodyLimit: 8 * 1024 },
    (request, body, done) => {
      if (!request.url.startsWith('/console/')) {
        const detail = 'Send the body as JSON (Content-Type: application/json).';
        return done(new ProblemException(refusal(415, 'BODY.UNSUPPORTED_MEDIA_TYPE', titleOf(415), detail)), undefined);
      }
      done(null, Object.fromEntries(new URLSearchParams(body as string)));
    },
  );
}

/** The media types of an import file (docs/import.md): CSV, and JSON Lines under its usual names. */
export const IMPORT_MEDIA_TYPES = ['text/csv', 'application/x-ndjson', 'application/jsonl'] as const;

/**
 * An import's file is the one body the service takes as a stream: handed to the route unread, so
 * it is written to disk as it arrives and never held whole (the body limit is for JSON bodies).
 * Only `POST /v1/imports` takes it; anywhere else it is 415 like any non-JSON body.
 */
export function acceptImportUploads(fastify: FastifyInstance): void {
  fastify.addContentTypeParser(/^(text\/csv|application\/(x-)?ndjson|application\/jsonl)\b/i, (request, payload, done) => {
    if (request.method !== 'POST' || request.url.split('?')[0] !== '/v1/imports') {
      payload.resume(); // drained, not read into memory
      const detail = 'Send the body as JSON (Content-Type: application/json); files are imported at POST /v1/imports.';
      return done(new ProblemException(refusal(415, 'BODY.UNSUPPORTED_MEDIA_TYPE', titleOf(415), detail)), undefined);
    }
    done(null, payload);
  });
}

/** Problems for what Fastify's router refuses before routing (a bad URL, an over-long path segment). */
export function frameworkErrorProblem(error: { code?: string; statusCode?: number; message: string }): ProblemDetails {
  if (error.code === 'FST_ERR_BAD_URL')
    return refusal(400, 'URL.INVALID', 'Invalid URL', 'The URL is not valid: a percent-encoding does not decode.');
  if (error.code === 'FST_ERR_MAX_PARAM_LENGTH')
    return refusal(414, 'URL.TOO_LONG', titleOf(414), 'A segment of the URL path is longer than any this API accepts.');
  const status = error.statusCode ?? 400;
  return refusal(status, 'REQUEST.REFUSED', titleOf(status), error.message);
}

/** Refused before the hooks that set every answer's security headers: they are set here, as on any other answer. */
export function sendFrameworkError(error: Error, request: FastifyRequest, reply: FastifyReply): void {
  const problem = frameworkErrorProblem(error);
  void reply
    .headers(securityHeadersOver(request.protocol))
    .status(problem.status)
    .header('content-type', 'application/problem+json')
    .send(problem);
}

/** Node's parser refuses a request before Fastify has one (headers too large, a malformed request line): answer in problem+json too. */
export function clientErrorHandler(error: NodeJS.ErrnoException, socket: Socket): void {
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  const status = error.code === 'HPE_HEADER_OVERFLOW' ? 431 : error.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? 408 : 400;
  const detail =
    status === 431
      ? 'The request headers are larger than this server accepts (16 KB in all).'
      : status === 408
        ? 'The request did not arrive in time.'
        : 'The request could not be parsed as HTTP.';
  const body = JSON.stringify(refusal(status, status === 431 ? 'HEADERS.TOO_LARGE' : 'REQUEST.MALFORMED', titleOf(status), detail));
  if (socket.writable) {
    socket.write(
      `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nContent-Type: application/problem+json\r\n` +
        `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    );
  }
  socket.destroy(error);
}

/**
 * A document's upload is its bytes as the body (`application/octet-stream`), handed on as the
 * stream it is, never read whole here: the ledger checks its size and type as it streams
 * (POST /v1/complaints/{id}/documents). Anywhere else such a body is 415 like any non-JSON one.
 */
export function acceptDocumentUploads(fastify: FastifyInstance): void {
  fastify.addContentTypeParser(/^application\/octet-stream\b/i, (request, payload, done) => {
    if (request.method !== 'POST' || !/^\/v1\/complaints\/[^/?]+\/documents(\?|$)/.test(request.url)) {
      const detail = 'Send the body as JSON (Content-Type: application/json).';
      return done(new ProblemException(refusal(415, 'BODY.UNSUPPORTED_MEDIA_TYPE', titleOf(415), detail)), undefined);
    }
    done(null, payload);
  });
}
