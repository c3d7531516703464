export * from './data-keys';
export * from './key-store';
export * from './key-binding';
export * from './personal-data-cipher';
export * from './key-file-audit';
export * from './document-cipher';
export * from './key-file-rotation';
