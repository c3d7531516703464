import { Controller, Get, Inject, Query } from '@nestjs/common';
import { Type } from 'class-transformer';
import { IsInt, Min } from 'class-validator';
import { ApiProperty } from '@nestjs/swagger';
import type { CheckpointKey, LedgerConsistency, LedgerIntegrityBody } from '../http/responses';
import { ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { Ledger } from '@complaint-ledger/ledger';
import { Public, Roles } from '../auth/roles';
import { invalidRequest, problemType, ProblemException } from '../http/problem';
import { LEDGER } from '../infrastructure/tokens';

export class ConsistencyQuery {
  @Type(() => Number)
  @IsInt()
  @Min(0)
  @ApiProperty({ description: "The tree size of the earlier signed tree head (a checkpoint's treeSize)" })
  from!: number;

  @Type(() => Number)
  @IsInt()
  @Min(0)
  @ApiProperty({ description: 'The tree size of the later signed tree head' })
  to!: number;
}

/**
 * The whole ledger's integrity for auditors, and the public key that checks its checkpoints for
 * anyone holding one (a regulator, a witness, an auditor's copy from an earlier visit).
 */
@ApiTags('integrity')
@Controller()
export class LedgerIntegrityController {
  constructor(@Inject(LEDGER) private readonly ledger: Ledger) {}

  @Get('v1/ledger/integrity')
  @Roles('auditor')
  @ApiOperation({
    operationId: 'VerifyLedger',
    summary:
      "Verify the whole log now: every event's hash and MAC, every stream's links, the index of streams, the ledger chain, every signed checkpoint and the witness file, every data key an event names against the key file; the first break, if any, by position, stream and revision. And the read models against the log (rebuilt when they disagree)",
  })
  async verify(): Promise<LedgerIntegrityBody> {
    const verdict = await this.ledger.integrity.verify();
    const readModels = await this.ledger.readModels.check('asked for by an auditor');
    return { ...verdict, publicKeyId: this.ledger.integrity.publicKey?.keyId ?? null, readModels };
  }

  @Get('v1/ledger/consistency')
  @ApiResponse({ status: 200, description: 'The two signed tree heads and the proof' })
  @ApiResponse({ status: 404, description: 'No checkpoint signs a tree of that size (problem+json)' })
  @Roles('auditor')
  @ApiOperation({
    operationId: 'GetLedgerConsistency',
    summary:
      'A consistency proof (RFC 9162 §2.1.4) between two signed tree heads, named by their tree sizes: the later log begins with exactly the earlier one (decision 0024)',
  })
  consistency(@Query() query: ConsistencyQuery): Promise<LedgerConsistency> {
    if (query.from > query.to)
      throw invalidRequest([{ field: 'from', rule: 'notAfterTo', message: 'from must be a tree size no larger than to' }]);
    return this.ledger.evidence.proofs.consistency(query.from, query.to);
  }

  @Get('.well-known/complaint-ledger/checkpoint-key')
  @Public()
  @ApiOperation({ operationId: 'GetCheckpointKey', summary: "The Ed25519 public key that checks the ledger's signed checkpoints" })
  checkpointKey(): CheckpointKey {
    const key = this.ledger.integrity.publicKey;
    if (!key) {
      throw new ProblemException({
        type: problemType('CHECKPOINT.NO_KEY'),
        title: 'No checkpoint key',
        status: 404,
        detail: 'This ledger is configured without a signing key (LEDGER_SIGNING_KEY_FILE), so it signs no checkpoints.',
      });
    }
    return { algorithm: 'Ed25519', keyId: key.keyId, publicKey: key.pem, statement: 'docs/operations.md#checkpoints' };
  }
}
