export * from './port';
export * from './hash-chain';
export * from './subscription';
export * from './adapters/memory';
export * from './adapters/sqlite';
export * from './adapters/eventstoredb';
export * from './event-id';
