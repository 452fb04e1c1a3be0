import { EMOTIONS } from '@lectern/protocol';

/** Class order of the network output: FER2013's, shared with the MQTT protocol. */
export const LABELS: readonly string[] = EMOTIONS;
export const NUM_CLASSES = LABELS.length;
