import { Body, Controller, HttpCode, Param, Post, Req, Res, type Type } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { ComplaintCommand } from '@complaint-ledger/domain';
import { Roles } from '../auth/roles';
import { complaintIdPipe } from '../http/request-context';
import { CommandEndpoint } from './command-endpoint';

export interface CommandRouteSpec<Body extends object> {
  /** Under `/v1/complaints/:id/`. */
  readonly path: string;
  /** The domain command the body becomes: the body is its data. */
  readonly command: Exclude<ComplaintCommand['type'], 'ReceiveComplaint' | 'RecordDeadlineAlerts' | 'ErasePersonalData'>;
  /** The request DTO: class-validator rules at the edge, and the OpenAPI schema. */
  readonly request: Type<Body>;
  /** What the route records, with the Code provisions, for the API docs. */
  readonly summary: string;
}

/**
 * The controller of a command on an existing complaint, `POST /v1/complaints/:id/<path>`: the
 * body validated by its DTO becomes the command's data, sent to the write path by CommandEndpoint.
 * One definition instead of a copy per command; each command's slice names only what differs.
 */
export function commandRoute<Body extends object>(spec: CommandRouteSpec<Body>): Type<unknown> {
  @ApiTags('commands')
  @Roles('case_handler')
  @Controller(`v1/complaints/:id/${spec.path}`)
  class CommandRoute {
    constructor(private readonly endpoint: CommandEndpoint) {}

    @Post()
    @HttpCode(200)
    @ApiOperation({ summary: spec.summary, operationId: spec.command })
    handle(
      @Param('id', complaintIdPipe) id: string,
      @Body() body: Body,
      @Req() request: FastifyRequest,
      @Res({ passthrough: true }) reply: FastifyReply,
    ) {
      return this.endpoint.run(request, reply, id, { type: spec.command, data: body } as ComplaintCommand);
    }
  }
  // A generic parameter has no runtime type: name the DTO for the validation pipe and OpenAPI.
  Reflect.defineMetadata('design:paramtypes', [String, spec.request, Object, Object], CommandRoute.prototype, 'handle');
  Object.defineProperty(CommandRoute, 'name', { value: `${spec.command}Controller` });
  return CommandRoute;
}
