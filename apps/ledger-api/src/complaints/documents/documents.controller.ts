import { Controller, Get, HttpCode, Inject, Param, Post, Query, Req, Res } from '@nestjs/common';
import { ApiBody, ApiConsumes, ApiOperation, ApiProduces, ApiResponse, ApiTags } from '@nestjs/swagger';
import { Readable } from 'node:stream';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { DIRECTIONS, DOCUMENT_KINDS } from '@complaint-ledger/domain';
import type { AttachedDocument, ComplaintDocuments } from '../../http/responses';
import type { Ledger } from '@complaint-ledger/ledger';
import { Roles } from '../../auth/roles';
import { RevealsPersonalData } from '../../http/reveal';
import { Instant, OneOf, Text } from '../../http/dto-fields';
import { KnownAtQuery, pointInTimeOf } from '../../http/point-in-time';
import { problemType, ProblemException } from '../../http/problem';
import { complaintIdPipe, correlationIdOf, documentIdPipe, idempotencyKeyOf, principalOf } from '../../http/request-context';
import { CLOCK, LEDGER, type Clock } from '../../infrastructure/tokens';

/** What the sender says of a document; its type, size and hash the ledger finds from its bytes. */
export class AttachDocumentQuery {
  @Text(true, 300, "The document's title as a person would give it (kept encrypted, like all free text)") title!: string;
  @OneOf(DOCUMENT_KINDS) kind!: (typeof DOCUMENT_KINDS)[number];
  @OneOf(DIRECTIONS) direction!: (typeof DIRECTIONS)[number];
  @Instant(true, "The document's own date (a letter's, a report's; a bare date is London midnight)") dated!: string;
}

/**
 * Documents on a complaint's record (Code 5.12): a streamed upload (the body is the document's
 * bytes, `application/octet-stream`, never held whole), the list, and the download, whose bytes
 * are checked against their recorded SHA-256 before any is sent.
 */
@ApiTags('documents')
@Controller('v1/complaints/:id/documents')
export class DocumentsController {
  constructor(
    @Inject(LEDGER) private readonly ledger: Ledger,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  private get documents() {
    const documents = this.ledger.evidence.documents;
    if (!documents) throw new Error('documents need the master key');
    return documents;
  }

  @Post()
  @HttpCode(201)
  @Roles('case_handler')
  @ApiConsumes('application/octet-stream')
  @ApiResponse({
    status: 201,
    description: 'Attached: the complaint, its revision (also the ETag), and what the ledger found the document to be',
  })
  @ApiResponse({ status: 409, description: "Not possible in the complaint's current state (problem+json)" })
  @ApiResponse({ status: 422, description: 'An impossible value (problem+json)' })
  @ApiBody({
    schema: { type: 'string', format: 'binary' },
    description: 'The document itself: PDF, image, .eml, Office document or plain text',
  })
  @ApiOperation({
    summary:
      "Attach a document to the complaint's record (Code 5.12): the body is its bytes, streamed; its type is told from them; over LEDGER_DOCUMENT_MAX_MB is 413 — DocumentAttached",
    operationId: 'AttachDocument',
  })
  async attach(
    @Param('id', complaintIdPipe) id: string,
    @Query() query: AttachDocumentQuery,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<AttachedDocument> {
    const limit = this.documents.maxBytes;
    const declared = Number(request.headers['content-length'] ?? NaN);
    if (declared > limit) {
      // refused before a byte is read: the connection is closed rather than drained
      void reply.header('connection', 'close');
      throw new ProblemException({
        type: problemType('DOCUMENT.TOO_LARGE'),
        title: 'Document too large',
        status: 413,
        code: 'DOCUMENT.TOO_LARGE',
        detail: `a document may be at most ${limit} bytes (LEDGER_DOCUMENT_MAX_MB); nothing was kept.`,
      });
    }
    const content = request.body as AsyncIterable<Uint8Array> | undefined;
    if (!content || typeof (content as { [Symbol.asyncIterator]?: unknown })[Symbol.asyncIterator] !== 'function') {
      throw new ProblemException({
        type: problemType('BODY.UNSUPPORTED_MEDIA_TYPE'),
        title: 'Unsupported media type',
        status: 415,
        detail: "Send the document's bytes as the body, with Content-Type: application/octet-stream.",
      });
    }
    const idempotencyKey = idempotencyKeyOf(request);
    const attached = await this.documents.attach({
      complaintId: id,
      ...query,
      content,
      actor: principalOf(request),
      correlationId: correlationIdOf(request),
      retry: { ...(idempotencyKey ? { idempotencyKey } : {}), method: request.method, path: request.url.split('?')[0]! },
    });
    void reply.header('etag', `"${attached.revision}"`);
    if (attached.replayed) void reply.header('idempotent-replayed', 'true');
    const { id: complaintId, revision, documentId, sha256, bytes, mediaType } = attached;
    return { id: complaintId, revision, documentId, sha256, bytes, mediaType };
  }

  @Get()
  @RevealsPersonalData()
  @Roles('case_handler', 'auditor')
  @ApiOperation({
    operationId: 'ListComplaintDocuments',
    summary: "The documents on the complaint's record (by knownAt, if given): each one's hash, size, type, title, kind, direction and date",
  })
  async list(@Param('id', complaintIdPipe) id: string, @Query() query: KnownAtQuery): Promise<ComplaintDocuments> {
    return { id, documents: await this.documents.documentsOf(id, pointInTimeOf(query, this.clock()).knownAt) };
  }

  @Get(':documentId')
  @RevealsPersonalData()
  @Roles('case_handler', 'auditor')
  @ApiProduces('application/octet-stream')
  @ApiResponse({
    status: 200,
    description: 'The document, as attached (its type in Content-Type, its SHA-256 in X-Content-SHA256)',
    schema: { type: 'string', format: 'binary' },
  })
  @ApiResponse({ status: 410, description: "The document's resident was erased: it can no longer be read (problem+json)" })
  @ApiOperation({
    operationId: 'GetComplaintDocument',
    summary:
      "A document's bytes, checked against its recorded SHA-256 first: one missing or altered is never served (409 DOCUMENT.TAMPERED), one whose resident was erased is gone (410)",
  })
  async download(
    @Param('id', complaintIdPipe) id: string,
    @Param('documentId', documentIdPipe) documentId: string,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    const { record, content } = await this.documents.open(id, documentId);
    void reply
      .header('content-type', record.mediaType)
      .header('content-length', record.bytes)
      .header('content-disposition', `attachment; filename="document-${record.documentId}"`)
      .header('digest', `sha-256=${Buffer.from(record.sha256, 'hex').toString('base64')}`)
      .header('x-content-sha256', record.sha256);
    return reply.send(Readable.from(content));
  }
}
