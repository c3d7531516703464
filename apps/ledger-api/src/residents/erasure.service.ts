import { Inject, Injectable } from '@nestjs/common';
import { ResidentErasure, type DataKeyStore } from '@complaint-ledger/privacy';
import type { EventStore } from '@complaint-ledger/event-store';
import type { ReadSide } from '@complaint-ledger/projections';
import { CLOCK, DATA_KEYS, EVENT_STORE, READ_SIDE, type Clock } from '../infrastructure/tokens';

/** The API's handle on resident erasure (libs/privacy does the work; the worker uses it for retention). */
@Injectable()
export class ErasureService extends ResidentErasure {
  constructor(
    @Inject(DATA_KEYS) keys: DataKeyStore,
    @Inject(EVENT_STORE) store: EventStore,
    @Inject(READ_SIDE) readSide: ReadSide,
    @Inject(CLOCK) clock: Clock,
  ) {
    super(keys, store, readSide, clock);
  }
}
