export * from './face-detector';
export * from './create-detector';
export { loadOpenCvJs } from './wasm-backend';
export { nativeUnavailableReason } from './native-backend';
