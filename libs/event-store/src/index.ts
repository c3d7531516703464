export * from './port';
export * from './hash-chain';
export * from './subscription';
export * from './adapters/memory';
export * from './adapters/sqlite';
export type { LayoutUpgrade } from './adapters/sqlite-schema';
export * from './adapters/eventstoredb';
export * from './event-id';
export * from './worker-thread';
