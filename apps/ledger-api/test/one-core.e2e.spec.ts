import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { CommandBus } from '@nestjs/cqrs';
import { ModulesContainer } from '@nestjs/core';
import { COMMAND_RECORDING, type PersonFactType } from '@complaint-ledger/domain';
import { WritePath, type Ledger } from '@complaint-ledger/ledger';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { commandRoutes, ROUTED_COMMANDS, type CheckedRequest } from '../src/complaints/command-registry';
import { messageFor } from '../src/complaints/command-bus';
import { LEDGER } from '../src/infrastructure/tokens';
import { api, complaintBody, startApp } from './support';

/**
 * The API is an edge over one core: every command type has its route, its OpenAPI operation and
 * its events' AsyncAPI messages; every command goes through Nest's CommandBus to the ledger's one
 * write path, the same instance the ledger's own writers use; and each route's request DTO is the
 * command's data, checked by the compiler.
 */
let app: NestFastifyApplication;
let ledger: Ledger;
beforeAll(async () => {
  app = await startApp();
  ledger = app.get<Ledger>(LEDGER);
});
afterAll(() => app.close());

it('every command a housing system sends has exactly one route, an OpenAPI operation named after it, and AsyncAPI messages for its events', async () => {
  const routes = commandRoutes();
  expect(routes.map((route) => route.command).sort()).toEqual([...ROUTED_COMMANDS].sort());
  const document = (await api(app).get('/docs-json').expect(200)).body as {
    paths: Record<string, Record<string, { operationId?: string }>>;
  };
  const operations = Object.values(document.paths).flatMap((path) => Object.values(path).map((operation) => operation.operationId));
  for (const command of ROUTED_COMMANDS) expect([command, operations.filter((id) => id === command).length]).toEqual([command, 1]);
  const asyncApi = JSON.parse(readFileSync(join(__dirname, '../../../libs/messaging/contracts/asyncapi.json'), 'utf8')) as {
    components: { messages: Record<string, unknown> };
  };
  const events = [...(Object.keys(COMMAND_RECORDING) as PersonFactType[]), 'FactCorrected'];
  for (const event of events) expect([event, event in asyncApi.components.messages]).toEqual([event, true]);
});

it("every command goes through the CommandBus to the ledger's one write path, which the ledger's own writers share", async () => {
  // Nest holds no write path of its own: its providers' instances include none
  const providers = [...app.get(ModulesContainer).values()].flatMap((module) => [...module.providers.values()].map((p) => p.instance));
  expect(providers.filter((instance) => instance instanceof WritePath)).toEqual([]);
  const execute = jest.spyOn(ledger.write, 'execute');
  const bus = app.get(CommandBus);
  const sent = jest.spyOn(bus, 'execute');
  const created = await api(app).post('/v1/complaints').send(complaintBody()).expect(201);
  await api(app)
    .post(`/v1/complaints/${created.body.id}/acknowledgements`)
    .send({ stage: 1, acknowledgedAt: '2024-05-02T10:00:00+01:00', complaintDefinition: 'Leak' })
    .expect(200);
  expect(sent.mock.calls.map(([message]) => message.constructor)).toEqual([
    messageFor('ReceiveComplaint'),
    messageFor('AcknowledgeComplaint'),
  ]);
  expect(execute).toHaveBeenCalledTimes(2);
  // the sweep, erasure and the checkpointer were given the same instance
  const writers = [ledger.detector, ledger.erasure, ledger.integrity].map((writer) => (writer as unknown as { write: WritePath }).write);
  for (const write of writers) expect(write).toBe(ledger.write);
  execute.mockRestore();
  sent.mockRestore();
});

it('a request DTO that is not exactly its command data does not compile', () => {
  class Renamed {
    stage!: 1 | 2;
    acknowledgedOn!: string; // the command says acknowledgedAt
    complaintDefinition!: string;
  }
  class Widened {
    stage!: 1 | 2;
    acknowledgedAt!: string;
    complaintDefinition!: string;
    handlerReference?: string; // an optional field the command does not have
  }
  class Exact {
    stage!: 1 | 2;
    acknowledgedAt!: string;
    complaintDefinition!: string;
    outcomesSought?: string;
    handler?: string;
    responsibilityNotes?: string;
  }
  // @ts-expect-error -- a renamed field: the compiler refuses the route
  const renamed: CheckedRequest<'AcknowledgeComplaint', Renamed> = Renamed;
  // @ts-expect-error -- a field the command does not carry would be dropped on the way to the decider
  const widened: CheckedRequest<'AcknowledgeComplaint', Widened> = Widened;
  const exact: CheckedRequest<'AcknowledgeComplaint', Exact> = Exact;
  expect([renamed, widened, exact]).toHaveLength(3); // the test is the compiler's: `npm run typecheck` fails if either line compiles
});
