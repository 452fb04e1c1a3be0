export * from './provision';
export * from './balena';
