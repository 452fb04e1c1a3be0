export * from './simulate';
export * from './link/availability';
