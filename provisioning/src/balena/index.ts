export * from './config-env';
export * from './fleet';
export * from './health';
export * from './provision';
