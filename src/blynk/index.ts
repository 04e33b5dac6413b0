export * from './client';
export * from './endpoints';
export * from './errors';
export * from './retry';
export * from './server-url';
export * from './token-manager';
export * from './transport';
export * from './validate';
