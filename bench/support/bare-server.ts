import 'reflect-metadata';
import { Body, Controller, HttpCode, Module, Post } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { randomUUID } from 'node:crypto';
import { ReceiveComplaintRequest } from '../../apps/ledger-api/src/complaints/commands/receive-complaint/receive-complaint.http';
import { validationPipe } from '../../apps/ledger-api/src/http/validation';

/**
 * The baseline for `npm run bench`: a bare NestJS route on the same Fastify adapter that validates
 * the same DTO with the same pipe as POST /v1/complaints, and does nothing else.
 */
@Controller('v1/complaints')
class BareController {
  @Post()
  @HttpCode(201)
  receive(@Body() _body: ReceiveComplaintRequest) {
    return { id: randomUUID(), revision: 0 };
  }
}

@Module({ controllers: [BareController] })
class BareModule {}

async function main() {
  const app = await NestFactory.create<NestFastifyApplication>(BareModule, new FastifyAdapter({ bodyLimit: 256 * 1024 }), {
    logger: false,
  });
  app.useGlobalPipes(validationPipe);
  await app.listen(Number(process.env.PORT ?? 3999), '127.0.0.1');
}

void main();
