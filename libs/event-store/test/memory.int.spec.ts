import { MemoryEventStore } from '../src';
import { eventStoreContract } from './contract';

describe('MemoryEventStore honours the event-store contract', () => eventStoreContract(async () => new MemoryEventStore()));
