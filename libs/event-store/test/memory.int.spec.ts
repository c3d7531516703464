import { MemoryEventStore } from '../src';
import { authenticatedStoreContract, eventStoreContract } from './contract';

describe('MemoryEventStore honours the event-store contract', () => eventStoreContract(async () => new MemoryEventStore()));

describe('MemoryEventStore with an event key', () => authenticatedStoreContract(async (key) => new MemoryEventStore(undefined, key)));
