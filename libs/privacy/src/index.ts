export * from './data-keys';
export * from './personal-data-cipher';
export * from './document-cipher';
