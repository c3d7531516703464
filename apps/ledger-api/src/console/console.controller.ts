import { Body, Controller, Get, HttpCode, Inject, Param, Post, Query, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import { createHash } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { AlertFilter, Ledger } from '@complaint-ledger/ledger';
import { API_KEYS, JWT_VERIFIER, principalOfCredential } from '../auth/auth.guard';
import type { ApiKeyRing } from '../auth/api-keys';
import type { JwtVerifier } from '../auth/jwt';
import type { Principal } from '../auth/principal';
import { Public, type Role } from '../auth/roles';
import { ListComplaintsQuery } from '../complaints/queries/complaint-list.controller';
import { flatten } from '../http/validation';
import { problemOf } from '../http/problem.filter';
import { LEDGER } from '../infrastructure/tokens';
import { annualReportPage } from '../reports/annual-report-page';
import { CONSOLE_CSS, CONSOLE_JS } from './assets';
import { mayOpen, SECTIONS } from './layout';
import { breachesPage, reportPage, statisticsPage } from './pages/analysis';
import { complaintsPage } from './pages/complaints';
import { notForYourRole, problemPage, signInPage } from './pages/sign-in';
import { timelinePage, type TimelineEvent } from './pages/timeline';
import { clearedSignInCookie, ConsoleSignIns, sentFromTheConsole, signInCookie, signInTokenOf } from './sign-ins';
import { RevealsPersonalData } from '../http/reveal';

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
    @Inject(API_KEYS) private readonly keys: ApiKeyRing,
    @Inject(JWT_VERIFIER) private readonly jwt: JwtVerifier | null,
    @Inject(LEDGER) private readonly ledger: Ledger,
  ) {}

  private get queries() {
    return this.ledger.queries;
  }

  @Get()
  async home(@Req() request: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply) {
    const principal = await this.principal(request, reply);
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
    if (!sentFromTheConsole(request.headers, request.protocol)) return notFromTheConsole(reply);
    const credential = typeof body?.credential === 'string' ? body.credential.trim() : '';
    const principal = credential ? await this.recheck(credential) : null;
    if (!principal) return send(reply, 401, signInPage('That API key or token was not accepted. Check it and try again.'));
    void reply.header('set-cookie', signInCookie(this.signIns.open(credential), request.protocol === 'https'));
    return redirect(reply, '/console');
  }

  @Post('sign-out')
  @HttpCode(200)
  signOut(@Req() request: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply) {
    if (!sentFromTheConsole(request.headers, request.protocol)) return notFromTheConsole(reply);
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
    return this.signedIn(request, reply, ['case_handler', 'auditor'], async (principal) => {
      const filters = pick(q, ['status', 'stage', 'tenure', 'breached', 'receivedFrom', 'receivedTo']);
      // the API's own rules for the same filters
      const checked = plainToInstance(ListComplaintsQuery, { ...filters, ...(q.cursor ? { cursor: q.cursor } : {}) });
      const errors = validateSync(checked, { whitelist: true, forbidNonWhitelisted: true });
      if (errors.length)
        return send(reply, 400, complaintsPage(principal, filters, { errors: flatten(errors).map((e) => `${e.field}: ${e.message}`) }));
      const { breached, cursor, limit: _limit, asOf: _asOf, knownAt: _knownAt, ...filter } = checked;
      const complaints = { ...filter, ...(breached ? { breached: breached === 'true' } : {}) };
      const result = await this.queries.readModels.list(complaints, { cursor, limit: 25 }, {});
      return send(reply, 200, complaintsPage(principal, filters, result));
    });
  }

  @Get('complaints/:id')
  timeline(@Param('id') id: string, @Query() q: Params, @Req() request: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply) {
    return this.signedIn(request, reply, ['case_handler', 'auditor'], async (principal) => {
      const timeline = await this.queries.complaints.timeline(id.toLowerCase(), {
        recordedBy: wholeNumber(q.recordedBy),
        step: wholeNumber(q.step),
        asOfDate: q.asOf,
      });
      const auditor = mayOpen(principal, ['auditor']);
      const cipher = this.ledger.personalData!.cipher;
      const recorded = auditor ? await cipher.revealed(timeline.events.map((event) => event.data)) : [];
      const events: TimelineEvent[] = timeline.events.map(
        ({ revision, type, occurredAt, recordedAt, actor, correctedBy, data }, index) => ({
          revision,
          type,
          occurredAt,
          recordedAt,
          actor,
          ...(correctedBy ? { correctedBy } : {}),
          // what was recorded is the history's, which only auditors read (personal data, decrypted on the way out)
          ...(auditor ? { data: recorded[index] as Record<string, unknown> } : { data: structuralOnly(data) }),
        }),
      );
      return send(
        reply,
        200,
        timelinePage(principal, {
          id: timeline.view.id,
          view: timeline.view,
          events,
          steps: timeline.steps,
          step: timeline.step,
          asOfDate: timeline.asOfDate,
          recordedBy: timeline.recordedBy,
          chain: timeline.chain,
          ledger: this.ledger.integrity.readiness(),
          lastPosition: timeline.lastPosition,
        }),
      );
    });
  }

  @Get('complaints/:id/export')
  @RevealsPersonalData() // an auditor's only (signedIn): anyone else gets a page, which is never revealed
  export(@Param('id') id: string, @Req() request: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply) {
    return this.signedIn(request, reply, ['auditor'], async () => {
      const exported = await this.queries.complaints.exportOf(id.toLowerCase());
      void reply
        .header('content-disposition', `attachment; filename="complaint-${exported.complaint.id}.json"`)
        .header('cache-control', 'no-store');
      return exported; // JSON, decrypted on the way out like the API's export (RevealsPersonalData)
    });
  }

  @Get('complaints/:id/evidence-pack')
  evidencePack(@Param('id') id: string, @Req() request: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply) {
    return this.signedIn(request, reply, ['case_handler', 'auditor'], async () => {
      const { filename, zip } = await this.ledger.evidence.packs!.pack(id.toLowerCase(), {});
      void reply
        .type('application/zip')
        .header('content-disposition', `attachment; filename="${filename}"`)
        .header('cache-control', 'no-store');
      return zip; // the API's pack: the complaint file, the documents, the events and the proof (decision 0024)
    });
  }

  @Get('breaches')
  breaches(@Query() q: Params, @Req() request: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply) {
    return this.signedIn(request, reply, ['analyst', 'auditor'], async (principal) => {
      const filters = pick(q, ['kind', 'includeRetracted']);
      const kind = ['acknowledgement', 'stage1Response', 'stage2Acknowledgement', 'stage2Response', 'remedy'].includes(filters.kind ?? '')
        ? filters.kind
        : undefined;
      const filter: AlertFilter = { kind, type: 'DeadlineBreached', includeRetracted: filters.includeRetracted === 'true' };
      const result = await this.queries.readModels.breaches(filter, { cursor: cursorOf(q.cursor), limit: 25 }, {});
      return send(reply, 200, breachesPage(principal, filters, result));
    });
  }

  @Get('statistics')
  statistics(@Query() q: Params, @Req() request: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply) {
    return this.signedIn(request, reply, ['analyst', 'auditor'], async (principal) => {
      const { year, years } = await this.reportingYear(q);
      return send(reply, 200, statisticsPage(principal, await this.queries.readModels.tsm(year, {}), years));
    });
  }

  @Get('report')
  report(@Query() q: Params, @Req() request: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply) {
    return this.signedIn(request, reply, ['analyst', 'auditor'], async (principal) => {
      const { year, years } = await this.reportingYear(q);
      const report = await this.queries.readModels.annualReport(year, {});
      return send(reply, 200, reportPage(principal, report, years, mayOpen(principal, ['case_handler', 'auditor'])));
    });
  }

  @Get('report/page')
  reportDocument(@Query() q: Params, @Req() request: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply) {
    return this.signedIn(request, reply, ['analyst', 'auditor'], async () => {
      const document = annualReportPage(await this.queries.readModels.annualReport((await this.reportingYear(q)).year, {}));
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

  /** The year asked for if there is one, else the latest with complaints in it (not a year just begun, all zeros). */
  private async reportingYear(q: Params): Promise<{ year: number; years: number[] }> {
    const years = await this.queries.readModels.reportingYears();
    const asked = Number(q.year);
    if (years.includes(asked)) return { year: asked, years };
    return { year: (await this.queries.readModels.latestReportingYearWithData()) ?? years.at(-1)!, years };
  }

  /**
   * The signed-in person, their credential checked again as the API checks it: a revoked key or an
   * expired token is signed out (and the browser told to forget the cookie); a sign-in in use gets
   * a fresh cookie now and then, its idle clock restarted.
   */
  private async principal(request: FastifyRequest, reply: FastifyReply): Promise<Principal | null> {
    const token = signInTokenOf(request.headers.cookie);
    const found = await this.signIns.find(token, (credential) => this.recheck(credential));
    const secure = request.protocol === 'https';
    if (found?.renewed) void reply.header('set-cookie', signInCookie(found.renewed, secure));
    if (!found && token !== undefined) void reply.header('set-cookie', clearedSignInCookie(secure));
    return found?.principal ?? null;
  }

  private recheck(credential: string): Promise<Principal | null> {
    return principalOfCredential(this.keys, this.jwt, credential).catch(() => null);
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
    const principal = await this.principal(request, reply);
    if (!principal) return redirect(reply, '/console/sign-in');
    if (!mayOpen(principal, roles)) {
      return send(reply, 403, problemPage('Not for your role', notForYourRole(roles, principal), principal));
    }
    try {
      return await render(principal);
    } catch (error) {
      const problem = problemOf(error);
      if (!problem) throw error;
      return send(reply, problem.status, problemPage(problem.title, problem.detail, principal));
    }
  }
}

function send(reply: FastifyReply, status: number, document: string): string {
  void reply
    .status(status)
    .type('text/html; charset=utf-8')
    .header('content-security-policy', CONSOLE_CSP)
    // the console's own forms then carry its origin (with helmet's no-referrer a browser sends `Origin: null`), so a sign-in
    // posted from another site is told apart (sentFromTheConsole); other sites are still sent nothing
    .header('referrer-policy', 'same-origin')
    .header('cache-control', 'no-store');
  return document;
}

function notFromTheConsole(reply: FastifyReply): string {
  return send(reply, 403, signInPage('This form was not sent from the console’s own page. Open the console and sign in there.'));
}

function redirect(reply: FastifyReply, location: string): string {
  void reply.status(303).header('location', location).header('cache-control', 'no-store');
  return '';
}

function pick(q: Params, names: readonly string[]): Record<string, string> {
  return Object.fromEntries(names.flatMap((name) => (typeof q[name] === 'string' && q[name] !== '' ? [[name, q[name]!]] : [])));
}

/** A whole number, or undefined for anything else (the query layer ignores one out of range). */
const wholeNumber = (value: string | undefined): number | undefined =>
  value !== undefined && /^\d{1,9}$/.test(value) ? Number(value) : undefined;

const cursorOf = (cursor: string | undefined) => (cursor && /^[A-Za-z0-9_-]{1,400}$/.test(cursor) ? cursor : undefined);

/** For those who may not read the history: only what a correction points at, no recorded content. */
function structuralOnly(data: object): Record<string, unknown> | undefined {
  const { correctedRevision } = data as { correctedRevision?: number };
  return correctedRevision === undefined ? undefined : { correctedRevision };
}
