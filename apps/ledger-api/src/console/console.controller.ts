import { Body, Controller, Get, HttpCode, Inject, Param, Post, Query, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import { createHash } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import {
  complaintEventOf,
  endOfLondonDay,
  foldEvents,
  isAfter,
  isLocalDate,
  isPersonFact,
  londonDateOf,
  occurredAtOf,
  type ComplianceRules,
} from '@complaint-ledger/domain';
import { UnreadableEvent, verifyChain, type RecordedEvent } from '@complaint-ledger/event-store';
import type { Ledger, LedgerConfig } from '@complaint-ledger/ledger';
import {
  annualReport,
  firstReportingYear,
  listAlerts,
  listComplaints,
  reportingYearOf,
  tsmReport,
  withWorkingDaysLate,
  type ReadSide,
} from '@complaint-ledger/projections';
import { API_KEYS, JWT_VERIFIER, principalOfCredential } from '../auth/auth.guard';
import type { ApiKeyRing } from '../auth/api-keys';
import type { JwtVerifier } from '../auth/jwt';
import type { Principal } from '../auth/principal';
import { Public, type Role } from '../auth/roles';
import { ComplaintViews } from '../complaints/queries/complaint-views';
import { ListComplaintsQuery } from '../complaints/queries/complaint-list.controller';
import { flatten } from '../http/validation';
import { ProblemException } from '../http/problem';
import { CLOCK, COMPLIANCE_RULES, LEDGER, LEDGER_CONFIG, READ_SIDE, type Clock } from '../infrastructure/tokens';
import { annualReportPage } from '../reports/annual-report-page';
import { CONSOLE_CSS, CONSOLE_JS } from './assets';
import { mayOpen, SECTIONS } from './layout';
import { breachesPage, reportPage, statisticsPage } from './pages/analysis';
import { complaintsPage } from './pages/complaints';
import { problemPage, signInPage } from './pages/sign-in';
import { timelinePage, type TimelineEvent } from './pages/timeline';
import { clearedSignInCookie, ConsoleSignIns, signInCookie, signInTokenOf } from './sign-ins';

/** No inline code, nothing from elsewhere, never framed by another site. */
const CONSOLE_CSP =
  "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; frame-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

type Params = Record<string, string | undefined>;

/**
 * The console at /console (issue: auditors and complaint teams): read-only pages served by the
 * service, signed in with an API key or token exchanged for a cookie. The API's own guard is
 * bypassed (`Public`) because the console checks its sign-in itself, with the API's roles.
 */
@ApiExcludeController()
@Public()
@Controller('console')
export class ConsoleController {
  constructor(
    private readonly signIns: ConsoleSignIns,
    private readonly views: ComplaintViews,
    @Inject(API_KEYS) private readonly keys: ApiKeyRing,
    @Inject(JWT_VERIFIER) private readonly jwt: JwtVerifier | null,
    @Inject(READ_SIDE) private readonly readSide: ReadSide,
    @Inject(LEDGER) private readonly ledger: Ledger,
    @Inject(LEDGER_CONFIG) private readonly config: LedgerConfig,
    @Inject(COMPLIANCE_RULES) private readonly rules: ComplianceRules,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  @Get()
  home(@Req() request: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply) {
    const principal = this.principal(request);
    const first = principal && SECTIONS.find((section) => mayOpen(principal, section.roles));
    return redirect(reply, first ? first.path : '/console/sign-in');
  }

  @Get('sign-in')
  signInForm(@Res({ passthrough: true }) reply: FastifyReply) {
    return send(reply, 200, signInPage());
  }

  @Post('sign-in')
  @HttpCode(200)
  async signIn(@Body() body: Params, @Req() request: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply) {
    const credential = typeof body?.credential === 'string' ? body.credential.trim() : '';
    const principal = credential ? await principalOfCredential(this.keys, this.jwt, credential).catch(() => null) : null;
    if (!principal) return send(reply, 401, signInPage('That API key or token was not accepted. Check it and try again.'));
    void reply.header('set-cookie', signInCookie(this.signIns.open(principal), request.protocol === 'https'));
    return redirect(reply, '/console');
  }

  @Post('sign-out')
  @HttpCode(200)
  signOut(@Req() request: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply) {
    this.signIns.close(signInTokenOf(request.headers.cookie));
    void reply.header('set-cookie', clearedSignInCookie(request.protocol === 'https'));
    return redirect(reply, '/console/sign-in');
  }

  @Get('assets/console.css')
  stylesheet(@Res({ passthrough: true }) reply: FastifyReply) {
    void reply.type('text/css; charset=utf-8').header('cache-control', 'public, max-age=3600');
    return CONSOLE_CSS;
  }

  @Get('assets/console.js')
  script(@Res({ passthrough: true }) reply: FastifyReply) {
    void reply.type('text/javascript; charset=utf-8').header('cache-control', 'public, max-age=3600');
    return CONSOLE_JS;
  }

  @Get('complaints')
  complaints(@Query() q: Params, @Req() request: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply) {
    return this.signedIn(request, reply, ['case_handler', 'auditor'], (principal) => {
      const filters = pick(q, ['status', 'stage', 'tenure', 'breached', 'receivedFrom', 'receivedTo']);
      // the API's own rules for the same filters
      const checked = plainToInstance(ListComplaintsQuery, { ...filters, ...(q.cursor ? { cursor: q.cursor } : {}) });
      const errors = validateSync(checked, { whitelist: true, forbidNonWhitelisted: true });
      if (errors.length)
        return send(reply, 400, complaintsPage(principal, filters, { errors: flatten(errors).map((e) => `${e.field}: ${e.message}`) }));
      const { breached, cursor, limit: _limit, asOf: _asOf, knownAt: _knownAt, ...filter } = checked;
      const result = listComplaints(this.readSide.db, { ...filter, ...(breached ? { breached: breached === 'true' } : {}) }, cursor, 25);
      return send(reply, 200, complaintsPage(principal, filters, result));
    });
  }

  @Get('complaints/:id')
  timeline(@Param('id') id: string, @Query() q: Params, @Req() request: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply) {
    return this.signedIn(request, reply, ['case_handler', 'auditor'], async (principal) => {
      const all = await this.views.load(id.toLowerCase());
      const recordedBy = wholeNumber(q.recordedBy, all.length - 1);
      const knownAt = recordedBy === undefined ? undefined : all[recordedBy]!.metadata.recordedAt;
      const recorded = knownAt ? all.filter((event) => !isAfter(event.metadata.recordedAt, knownAt)) : all;
      const steps = replaySteps(recorded);
      const step = wholeNumber(q.step, steps.length - 1) ?? null;
      const now = this.clock();
      const asOfDate = q.asOf && isLocalDate(q.asOf) ? q.asOf : undefined;
      const asOf =
        step !== null
          ? steps[step]!.occurredAt
          : asOfDate
            ? isAfter(endOfLondonDay(asOfDate), now)
              ? now
              : endOfLondonDay(asOfDate)
            : undefined;
      const view = this.views.view(recorded, id.toLowerCase(), { ...(asOf ? { asOf } : {}), ...(knownAt ? { knownAt } : {}) });
      const auditor = mayOpen(principal, ['auditor']);
      const cipher = this.ledger.personalData!.cipher;
      const events: TimelineEvent[] = this.views
        .events(recorded)
        .map(({ revision, type, occurredAt, recordedAt, actor, correctedBy, data }) => ({
          revision,
          type,
          occurredAt,
          recordedAt,
          actor,
          ...(correctedBy ? { correctedBy } : {}),
          // what was recorded is the history's, which only auditors read (personal data, decrypted on the way out)
          ...(auditor ? { data: cipher.reveal(data) as Record<string, unknown> } : { data: structuralOnly(data) }),
        }));
      return send(
        reply,
        200,
        timelinePage(principal, {
          id: view.id,
          view,
          events,
          steps,
          step,
          asOfDate,
          recordedBy,
          chain: chainVerdict(recorded),
          ledger: this.ledger.integrity.readiness(),
          lastPosition: recorded.at(-1)!.position,
        }),
      );
    });
  }

  @Get('complaints/:id/export')
  export(@Param('id') id: string, @Req() request: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply) {
    return this.signedIn(request, reply, ['auditor'], async () => {
      const exported = await this.views.exportOf(id.toLowerCase());
      void reply
        .header('content-disposition', `attachment; filename="complaint-${exported.complaint.id}.json"`)
        .header('cache-control', 'no-store');
      return exported; // JSON, decrypted on the way out like the API's export
    });
  }

  @Get('breaches')
  breaches(@Query() q: Params, @Req() request: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply) {
    return this.signedIn(request, reply, ['analyst', 'auditor'], (principal) => {
      const filters = pick(q, ['kind', 'includeRetracted']);
      const kind = ['acknowledgement', 'stage1Response', 'stage2Acknowledgement', 'stage2Response', 'remedy'].includes(filters.kind ?? '')
        ? filters.kind
        : undefined;
      const filter = { kind, type: 'DeadlineBreached' as const, includeRetracted: filters.includeRetracted === 'true' };
      const result = withWorkingDaysLate(this.readSide, listAlerts(this.readSide.db, filter, cursorOf(q.cursor), 25), {}, this.clock());
      return send(reply, 200, breachesPage(principal, filters, result));
    });
  }

  @Get('statistics')
  statistics(@Query() q: Params, @Req() request: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply) {
    return this.signedIn(request, reply, ['analyst', 'auditor'], (principal) => {
      const years = this.years();
      const year = years.includes(Number(q.year)) ? Number(q.year) : years.at(-1)!;
      return send(reply, 200, statisticsPage(principal, tsmReport(this.readSide.db, year, this.config.homes), years));
    });
  }

  @Get('report')
  report(@Query() q: Params, @Req() request: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply) {
    return this.signedIn(request, reply, ['analyst', 'auditor'], (principal) => {
      const years = this.years();
      const year = years.includes(Number(q.year)) ? Number(q.year) : years.at(-1)!;
      return send(reply, 200, reportPage(principal, year, years));
    });
  }

  @Get('report/page')
  reportDocument(@Query() q: Params, @Req() request: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply) {
    return this.signedIn(request, reply, ['analyst', 'auditor'], () => {
      const years = this.years();
      const year = years.includes(Number(q.year)) ? Number(q.year) : years.at(-1)!;
      const document = annualReportPage(annualReport(this.readSide.db, year, this.rules, this.config.homes, this.clock()));
      // the report's one inline stylesheet is allowed by its hash; it may be framed by the console only
      const style = /<style>([\s\S]*?)<\/style>/.exec(document)?.[1] ?? '';
      const hash = createHash('sha256').update(style).digest('base64');
      void reply.header(
        'content-security-policy',
        `default-src 'none'; style-src 'sha256-${hash}'; img-src data:; frame-ancestors 'self'; base-uri 'none'; form-action 'none'`,
      );
      void reply.type('text/html; charset=utf-8').header('cache-control', 'no-store');
      return document;
    });
  }

  /** The reporting years from the first complaint's to the one running now (the newest last). */
  private years(): number[] {
    const current = reportingYearOf(londonDateOf(this.clock()));
    const first = Math.min(firstReportingYear(this.readSide.db) ?? current, current);
    return Array.from({ length: current - first + 1 }, (_, i) => first + i);
  }

  private principal(request: FastifyRequest): Principal | null {
    return this.signIns.find(signInTokenOf(request.headers.cookie));
  }

  /**
   * Runs `render` for a signed-in person holding one of `roles`: otherwise the sign-in page (not
   * signed in, or the sign-in ended) or a 403 page. A problem the API would answer (an unknown
   * complaint) becomes a page saying so.
   */
  private async signedIn<T>(
    request: FastifyRequest,
    reply: FastifyReply,
    roles: readonly Role[],
    render: (principal: Principal) => T | Promise<T>,
  ) {
    const principal = this.principal(request);
    if (!principal) return redirect(reply, '/console/sign-in');
    if (!mayOpen(principal, roles)) {
      return send(reply, 403, problemPage('Not for your role', `This page is for ${roles.join(' or ').replace(/_/g, ' ')}s.`, principal));
    }
    try {
      return await render(principal);
    } catch (error) {
      if (!(error instanceof ProblemException)) throw error;
      return send(reply, error.problem.status, problemPage(error.problem.title, error.problem.detail, principal));
    }
  }
}

function send(reply: FastifyReply, status: number, document: string): string {
  void reply
    .status(status)
    .type('text/html; charset=utf-8')
    .header('content-security-policy', CONSOLE_CSP)
    .header('cache-control', 'no-store');
  return document;
}

function redirect(reply: FastifyReply, location: string): string {
  void reply.status(303).header('location', location).header('cache-control', 'no-store');
  return '';
}

function pick(q: Params, names: readonly string[]): Record<string, string> {
  return Object.fromEntries(names.flatMap((name) => (typeof q[name] === 'string' && q[name] !== '' ? [[name, q[name]!]] : [])));
}

/** A whole number from 0 to `max`, or undefined for anything else. */
function wholeNumber(value: string | undefined, max: number): number | undefined {
  if (value === undefined || !/^\d{1,9}$/.test(value)) return undefined;
  const number = Number(value);
  return number <= max ? number : undefined;
}

const cursorOf = (cursor: string | undefined) => (cursor && /^[A-Za-z0-9_-]{1,400}$/.test(cursor) ? cursor : undefined);

/** The places the replay control can stand: after each fact people recorded (as corrected), in the order they happened. */
function replaySteps(recorded: RecordedEvent[]) {
  const state = foldEvents(recorded.map(complaintEventOf))!;
  return state.facts
    .filter((fact) => isPersonFact(fact.event))
    .map((fact) => ({ revision: fact.revision, type: fact.event.type, occurredAt: occurredAtOf(fact.event) }))
    .sort((a, b) => (a.occurredAt === b.occurredAt ? a.revision - b.revision : a.occurredAt < b.occurredAt ? -1 : 1));
}

function chainVerdict(recorded: RecordedEvent[]) {
  try {
    const verdict = verifyChain(recorded);
    return { valid: verdict.valid, events: verdict.events, firstInvalidRevision: verdict.firstInvalidRevision ?? null };
  } catch (error) {
    if (!(error instanceof UnreadableEvent)) throw error;
    return { valid: false, events: null, firstInvalidRevision: error.revision };
  }
}

/** For those who may not read the history: only what a correction points at, no recorded content. */
function structuralOnly(data: object): Record<string, unknown> | undefined {
  const { correctedRevision } = data as { correctedRevision?: number };
  return correctedRevision === undefined ? undefined : { correctedRevision };
}
