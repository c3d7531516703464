import { Body, Controller, Get, HttpCode, Inject, Param, Post, Put, Query, Req, Res, StreamableFile } from '@nestjs/common';
import { ApiBody, ApiConsumes, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import { Matches } from 'class-validator';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { createReadStream } from 'node:fs';
import type { Readable } from 'node:stream';
import { ImportRefused, MAPPING_NAME, MappingInvalid, type Ledger, type SourceFormat } from '@complaint-ledger/ledger';
import { Roles } from '../auth/roles';
import { OneOf, Text } from '../http/dto-fields';
import { invalidRequest, ProblemException, problemType } from '../http/problem';
import { principalOf } from '../http/request-context';
import type { ImportAccepted, ImportStatusBody, MappingSaved } from '../http/responses';
import { LEDGER } from '../infrastructure/tokens';
import { charsetOtherThanUtf8, IMPORT_MEDIA_TYPES } from '../http/request-edges';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export class ImportQuery {
  @Text(false, 64, "The name of a mapping kept with PUT /v1/imports/mappings/{name}; without it, the ledger's own format (docs/import.md)")
  @Matches(MAPPING_NAME, { message: 'mapping must be a mapping\'s name: letters, digits, ".", "_" and "-"' })
  mapping?: string;

  @OneOf(['true', 'false'], false, 'Decide every row and record nothing (default false)')
  dryRun?: 'true' | 'false';

  @Text(false, 200, "The file's name, as the report names it (default: upload.csv or upload.jsonl)")
  name?: string;
}

const notFound = (id: string) =>
  new ProblemException({
    type: problemType('IMPORT.NOT_FOUND'),
    title: 'No such import',
    status: 404,
    detail: `No import ${id} is known to this ledger.`,
    code: 'IMPORT.NOT_FOUND',
  });

/**
 * Bulk import of a landlord's history (docs/import.md): the file streamed to disk as it arrives,
 * then imported in the background by the ledger's import engine (the one `npm run import` uses),
 * every row through the write path; its progress and report here.
 */
@ApiTags('imports')
@Controller('v1/imports')
export class ImportsController {
  constructor(@Inject(LEDGER) private readonly ledger: Ledger) {}

  @Post()
  @HttpCode(202)
  @Roles('admin')
  @ApiOperation({
    operationId: 'ImportHistory',
    summary:
      "Import a landlord's history: CSV (text/csv) or JSON Lines (application/x-ndjson), one row per fact, streamed; answers at once with the import's id, its progress at GET /v1/imports/{id}",
  })
  @ApiConsumes(...IMPORT_MEDIA_TYPES)
  @ApiBody({ schema: { type: 'string', format: 'binary' } })
  async start(
    @Query() query: ImportQuery,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<ImportAccepted> {
    const body = request.body as Readable | undefined;
    if (!body || typeof body[Symbol.asyncIterator] !== 'function')
      throw new ProblemException({
        type: problemType('BODY.UNSUPPORTED_MEDIA_TYPE'),
        title: 'Unsupported media type',
        status: 415,
        detail: `Send the file as the body, as ${IMPORT_MEDIA_TYPES.join(' or ')}.`,
        code: 'BODY.UNSUPPORTED_MEDIA_TYPE',
      });
    const contentType = request.headers['content-type'] ?? '';
    const charset = charsetOtherThanUtf8(contentType);
    if (charset)
      throw new ProblemException({
        type: problemType('BODY.UNSUPPORTED_MEDIA_TYPE'),
        title: 'Unsupported media type',
        status: 415,
        detail: `The file is sent as ${charset}: the ledger reads UTF-8 only (what it records is kept for ever). Export it as UTF-8.`,
        code: 'BODY.UNSUPPORTED_MEDIA_TYPE',
      });
    const format: SourceFormat = /csv/i.test(contentType) ? 'csv' : 'jsonl';
    const mapping = query.mapping ? this.ledger.imports.mappingNamed(query.mapping) : null;
    if (query.mapping && !mapping)
      throw invalidRequest([
        {
          field: 'mapping',
          rule: 'mappingKept',
          message: `no mapping named ${query.mapping}: PUT it to /v1/imports/mappings/${query.mapping} first`,
        },
      ]);
    try {
      const run = await this.ledger.imports.receive(body, query.name ?? `upload.${format}`, {
        mapping,
        dryRun: query.dryRun === 'true',
        actor: principalOf(request),
        format,
      });
      void reply.header('location', `/v1/imports/${run.id}`);
      return { id: run.id, status: `/v1/imports/${run.id}`, resumed: run.status().resumed > 0 };
    } catch (error) {
      if (error instanceof ImportRefused && error.reason === 'too-large')
        throw new ProblemException({
          type: problemType('IMPORT.TOO_LARGE'),
          title: 'File too large',
          status: 413,
          detail: error.message,
          code: 'IMPORT.TOO_LARGE',
        });
      if (error instanceof ImportRefused)
        throw new ProblemException({
          type: problemType('IMPORT.RUNNING'),
          title: 'Being imported',
          status: 409,
          detail: error.message,
          code: 'IMPORT.RUNNING',
        });
      throw error;
    }
  }

  @Get(':id')
  @Roles('admin', 'auditor')
  @ApiOperation({
    operationId: 'GetImport',
    summary: "An import's progress (rows, rows/s, time to go) and, once it has ended, its counts and report",
  })
  status(@Param('id') id: string): ImportStatusBody {
    const status = UUID.test(id) ? this.ledger.imports.status(id) : null;
    if (!status) throw notFound(id);
    const ended = status.status === 'done';
    return {
      ...status,
      ...(ended
        ? { reports: { html: `/v1/imports/${id}/report`, csv: `/v1/imports/${id}/report.csv`, breaches: `/v1/imports/${id}/breaches.csv` } }
        : {}),
    };
  }

  @Get(':id/report')
  @Roles('admin', 'auditor')
  @ApiProduces('text/html')
  @ApiOperation({
    operationId: 'GetImportReport',
    summary: 'The report as a page: counts, refusals by rule with their provisions, the deadlines the history shows breached',
  })
  report(@Param('id') id: string): StreamableFile {
    return this.file(id, 'html', 'text/html; charset=utf-8');
  }

  @Get(':id/report.csv')
  @Roles('admin', 'auditor')
  @ApiProduces('text/csv')
  @ApiOperation({
    operationId: 'ExportImportReport',
    summary: 'The report a row at a time: accepted, refused or skipped, with the field, the rule and the Code provision',
  })
  reportCsv(@Param('id') id: string): StreamableFile {
    return this.file(id, 'csv', 'text/csv; charset=utf-8');
  }

  @Get(':id/breaches.csv')
  @Roles('admin', 'auditor')
  @ApiProduces('text/csv')
  @ApiOperation({
    operationId: 'ExportImportBreaches',
    summary: 'Every deadline the imported history shows missed or met late',
  })
  breachesCsv(@Param('id') id: string): StreamableFile {
    return this.file(id, 'breaches', 'text/csv; charset=utf-8');
  }

  @Put('mappings/:name')
  @Roles('admin')
  @ApiOperation({
    operationId: 'SaveImportMapping',
    summary: "Keep a mapping (the landlord's columns and code lists, docs/import.md) under a name, for uploads to name",
  })
  @ApiBody({ schema: { type: 'object', description: 'A mapping: columns, codes, dates, constants, delimiter (docs/import.md)' } })
  saveMapping(@Param('name') name: string, @Body() body: unknown): MappingSaved {
    if (!MAPPING_NAME.test(name))
      throw invalidRequest([
        { field: 'name', rule: 'mappingName', message: 'a mapping\'s name is letters, digits, ".", "_" and "-", at most 64' },
      ]);
    try {
      this.ledger.imports.saveMapping(name, body);
    } catch (error) {
      if (error instanceof MappingInvalid)
        throw invalidRequest(
          // each problem is `<where in the mapping>: <what is wrong>`; one about the whole mapping names the body
          error.problems.map((problem) => {
            const where = problem.split(':')[0]!;
            return { field: where === '(the mapping)' ? 'body' : where, rule: 'mapping', message: problem };
          }),
        );
      throw error;
    }
    return { name, uploads: `/v1/imports?mapping=${name}` };
  }

  private file(id: string, which: 'html' | 'csv' | 'breaches', type: string): StreamableFile {
    const path = UUID.test(id) ? this.ledger.imports.reportFile(id, which) : null;
    if (!path) throw notFound(id);
    return new StreamableFile(createReadStream(path), { type });
  }
}
