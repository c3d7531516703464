export * from './data-keys';
export * from './personal-data-cipher';
export * from './key-binding';
export * from './key-file-audit';
