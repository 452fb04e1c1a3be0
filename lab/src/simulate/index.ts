export * from './simulator';
export { RoomMood, softmax } from './mood';
export { SimulatedAudience } from './audience';
