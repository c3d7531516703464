import createClient from 'openapi-fetch';
import { randomUUID } from 'node:crypto';
import type { paths } from './openapi-types';

export interface WalkThroughKeys {
  readonly caseHandler: string;
  readonly auditor: string;
  readonly analyst: string;
}

/** What the walk-through saw, for the test to judge. */
export interface WalkThroughResult {
  readonly id: string;
  readonly statuses: readonly number[];
  readonly replayed: string | null;
  readonly status: string;
  readonly stage1Acknowledgement: { provision: string; workingDaysLate: number; status: string } | undefined;
  /** The facts people recorded, by whom: the ledger's own (the sweep's breaches) are `ledger:` actors. */
  readonly recordedBy: readonly string[];
  readonly chainValid: boolean;
  readonly exported: boolean;
  readonly ledgerValid: boolean;
  readonly listed: boolean;
  readonly breachKinds: readonly string[];
  readonly tsmYear: string | undefined;
}

/**
 * The README's walk-through as an integrator would write it, through a client generated from the
 * OpenAPI document (openapi-typescript's types, openapi-fetch's calls): every path, parameter,
 * header and body below is type-checked against the document by `npm run typecheck`, and run
 * against the API by generated-client.e2e.spec.ts (`beforeReads`: what the service does by itself
 * in the time a person takes, the read models catching up and the breach sweep).
 */
export async function walkThrough(baseUrl: string, keys: WalkThroughKeys, beforeReads: () => Promise<void>): Promise<WalkThroughResult> {
  const asCaseHandler = createClient<paths>({ baseUrl, headers: { 'X-API-Key': keys.caseHandler } });
  const asAuditor = createClient<paths>({ baseUrl, headers: { 'X-API-Key': keys.auditor } });
  const asAnalyst = createClient<paths>({ baseUrl, headers: { 'X-API-Key': keys.analyst } });
  const statuses: number[] = [];
  const seen = <T extends { response: Response }>(answer: T): T => {
    statuses.push(answer.response.status);
    return answer;
  };

  const key = randomUUID();
  const complaint = {
    receivedAt: '2024-05-01T10:00:00+01:00',
    channel: 'email',
    tenure: 'LCRA',
    category: 'repairs',
    summary: 'Leak under the sink not repaired',
    resident: { reference: 'RES-1001' },
  } as const;
  const received = seen(await asCaseHandler.POST('/v1/complaints', { params: { header: { 'Idempotency-Key': key } }, body: complaint }));
  if (!received.data) throw new Error(`receive: ${JSON.stringify(received.error)}`);
  const id = received.data.id;
  // the same request sent again with its key: the first answer, nothing recorded
  const again = seen(await asCaseHandler.POST('/v1/complaints', { params: { header: { 'Idempotency-Key': key } }, body: complaint }));
  const onIt = { params: { path: { id } } };

  seen(
    await asCaseHandler.POST('/v1/complaints/{id}/acknowledgements', {
      ...onIt,
      body: {
        stage: 1,
        acknowledgedAt: '2024-05-13T10:00:00+01:00',
        complaintDefinition: 'Leak unrepaired; wants repair and compensation',
        handler: 'H1',
      },
    }),
  );
  seen(
    await asCaseHandler.POST('/v1/complaints/{id}/responses', {
      ...onIt,
      body: {
        stage: 1,
        respondedAt: '2024-05-24T15:00:00+01:00',
        decision: 'partly_upheld',
        reasons: 'Repair was late',
        outstandingActions: [],
        escalationRightsGiven: true,
        remedies: [{ type: 'financial', description: 'Compensation', amountPence: 10000, dueBy: '2024-06-07' }],
      },
    }),
  );
  seen(await asCaseHandler.POST('/v1/complaints/{id}/escalations', { ...onIt, body: { requestedAt: '2024-05-28T09:00:00+01:00' } }));
  // read, then act on what was read: If-Match takes the ETag the read gave
  const read = seen(await asCaseHandler.GET('/v1/complaints/{id}', onIt));
  const etag = read.response.headers.get('etag') ?? '';
  seen(
    await asCaseHandler.POST('/v1/complaints/{id}/acknowledgements', {
      params: { path: { id }, header: { 'If-Match': etag } },
      body: { stage: 2, acknowledgedAt: '2024-05-30T09:00:00+01:00', complaintDefinition: 'Compensation too low', handler: 'H2' },
    }),
  );
  seen(
    await asCaseHandler.POST('/v1/complaints/{id}/responses', {
      ...onIt,
      body: {
        stage: 2,
        respondedAt: '2024-06-20T09:00:00+01:00',
        decision: 'not_upheld',
        reasons: 'In line with policy',
        outstandingActions: [],
        escalationRightsGiven: true,
        handler: 'H2',
      },
    }),
  );

  await beforeReads();
  const view = seen(await asCaseHandler.GET('/v1/complaints/{id}', onIt)).data;
  const history = seen(await asAuditor.GET('/v1/complaints/{id}/history', onIt)).data;
  const chain = seen(await asAuditor.GET('/v1/complaints/{id}/integrity', onIt)).data;
  const exported = seen(await asAuditor.GET('/v1/complaints/{id}/export', onIt)).data;
  const ledger = seen(await asAuditor.GET('/v1/ledger/integrity')).data;
  const list = seen(await asCaseHandler.GET('/v1/complaints', { params: { query: { status: 'closed', tenure: 'LCRA', limit: 20 } } })).data;
  const breaches = seen(await asAnalyst.GET('/v1/breaches', { params: { query: { kind: 'acknowledgement' } } })).data;
  const tsm = seen(await asAnalyst.GET('/v1/statistics/tsm', { params: { query: { year: 2024 } } })).data;

  const acknowledgement = view?.deadlines.find((deadline) => deadline.kind === 'acknowledgement' && deadline.stage === 1);
  return {
    id,
    statuses,
    replayed: again.response.headers.get('idempotent-replayed'),
    status: view?.status ?? '(none)',
    stage1Acknowledgement: acknowledgement && {
      provision: acknowledgement.provision,
      workingDaysLate: acknowledgement.workingDaysLate,
      status: acknowledgement.status,
    },
    recordedBy: history?.events.filter((event) => !event.actor.startsWith('ledger:')).map((event) => event.actor) ?? [],
    chainValid: chain?.valid ?? false,
    exported: exported?.complaint.id === id,
    ledgerValid: ledger?.valid ?? false,
    listed: list?.items.some((item) => item.id === id) ?? false,
    breachKinds: [...new Set(breaches?.items.map((breach) => breach.kind) ?? [])],
    tsmYear: tsm?.reportingYear,
  };
}
