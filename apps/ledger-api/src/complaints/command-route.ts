import { Body, Controller, HttpCode, Param, Post, Req, Res, type Type } from '@nestjs/common';
import { ApiBody, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { ComplaintCommand } from '@complaint-ledger/domain';
import { Roles } from '../auth/roles';
import { complaintIdPipe } from '../http/request-context';
import { CommandEndpoint } from './command-endpoint';
import { registerCommandRoute, type CheckedRequest, type DataOf, type RoutedCommand } from './command-registry';

type OnAComplaint = Exclude<RoutedCommand, 'ReceiveComplaint' | 'CorrectFact'>;

export interface CommandRouteSpec<T extends OnAComplaint, Body extends object, FromPath extends keyof DataOf<T> & string> {
  /** Under `/v1/complaints/:id/`; a field of the command may travel in it (`remedies/:remedyId/completion`). */
  readonly path: string;
  /** The domain command the body becomes: the body is its data, with the fields named in `fromPath` added from the path. */
  readonly command: T;
  /** The request DTO: class-validator rules at the edge, and the OpenAPI schema; exactly the command's data. */
  readonly request: CheckedRequest<T, Body, FromPath>;
  readonly fromPath?: readonly FromPath[];
  /** What the route records, with the Code provisions, for the API docs. */
  readonly summary: string;
  /** A valid body, recorded as it stands on a new complaint (the docs' example and the tests'). */
  readonly example: NoInfer<Body>;
}

/**
 * The controller of a command on an existing complaint, `POST /v1/complaints/:id/<path>`: the
 * body validated by its DTO becomes the command's data, sent through the CommandBus to the
 * ledger's write path. One definition instead of a copy per command; each command's slice names
 * only what differs, and registers itself (command-registry.ts).
 */
export function commandRoute<T extends OnAComplaint, Body extends object, FromPath extends keyof DataOf<T> & string = never>(
  spec: CommandRouteSpec<T, Body, FromPath>,
): Type<unknown> {
  const fromPath = spec.fromPath ?? [];
  @ApiTags('commands')
  @Roles('case_handler')
  @Controller(`v1/complaints/:id/${spec.path}`)
  class CommandRoute {
    constructor(private readonly endpoint: CommandEndpoint) {}

    @Post()
    @HttpCode(200)
    @ApiOperation({ summary: spec.summary, operationId: spec.command })
    @ApiBody({ type: spec.request as Type<Body>, examples: { example: { summary: 'A valid body', value: spec.example } } })
    handle(
      @Param('id', complaintIdPipe) id: string,
      @Param() params: Record<string, string>,
      @Body() body: Body,
      @Req() request: FastifyRequest,
      @Res({ passthrough: true }) reply: FastifyReply,
    ) {
      const data = { ...body, ...Object.fromEntries(fromPath.map((field) => [field, params[field]])) } as DataOf<T>;
      return this.endpoint.run(request, reply, id, { type: spec.command, data } as Extract<ComplaintCommand, { type: T }>);
    }
  }
  const handle = Object.getOwnPropertyDescriptor(CommandRoute.prototype, 'handle')!;
  for (const field of fromPath) ApiParam({ name: field, type: String })(CommandRoute.prototype, 'handle', handle);
  // A generic parameter has no runtime type: name the DTO for the validation pipe and OpenAPI.
  Reflect.defineMetadata('design:paramtypes', [String, Object, spec.request, Object, Object], CommandRoute.prototype, 'handle');
  Object.defineProperty(CommandRoute, 'name', { value: `${spec.command}Controller` });
  registerCommandRoute({
    command: spec.command,
    method: 'POST',
    path: `v1/complaints/:id/${spec.path}`,
    request: spec.request as Type<object>,
    example: spec.example,
    controller: CommandRoute,
  });
  return CommandRoute;
}
