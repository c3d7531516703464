export * from './publisher';
export * from './topics';
export * from './integration-events';
export * from './tsm-snapshots';
export * from './relay';
export * from './adapters/in-process';
export * from './adapters/kafka';
export * from './consumers/connect-patiently';
