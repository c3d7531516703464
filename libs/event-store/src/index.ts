export * from './port';
export * from './hash-chain';
export * from './subscription';
export * from './adapters/memory';
export * from './adapters/sqlite';
export { DependencyNotSynced, type CommitDependency } from './adapters/sqlite-commit-dependency';
export * from './adapters/eventstoredb';
export * from './event-id';
export * from './worker-thread';
