import { Logger } from '@nestjs/common';
import type { CommandResponse, Snapshot, Telemetry } from '@lectern/protocol';
import type { LiveAggregate, RoomState } from '../live/live-aggregate';

/** Internal events; each listener runs isolated so one failing consumer cannot break ingestion. */
export interface CloudEvents {
  /** A valid snapshot from a registered device (roomId is the registry's, not the payload's). */
  snapshot: { snapshot: Snapshot; roomId: string; receivedAt: number };
  /** The room's unsuppressed state changed (server-internal consumers only). */
  roomState: RoomState;
  /** The room's live aggregate changed (what clients may see). */
  aggregate: LiveAggregate;
  deviceStatus: { deviceId: string; state: 'online' | 'offline' };
  /** Valid telemetry from a registered device, after its device row was updated (health history, alerts). */
  telemetry: { telemetry: Telemetry; receivedAt: number };
  /** A device's answer to a command or a config revision (config applied or refused). */
  deviceResponse: { deviceId: string; response: CommandResponse; receivedAt: number };
}

type Listener<K extends keyof CloudEvents> = (event: CloudEvents[K]) => void;

export class EventBus {
  private readonly logger = new Logger('EventBus');
  private readonly listeners = new Map<keyof CloudEvents, Set<Listener<never>>>();

  on<K extends keyof CloudEvents>(name: K, listener: Listener<K>): () => void {
    let set = this.listeners.get(name);
    if (!set) this.listeners.set(name, (set = new Set()));
    set.add(listener);
    return () => set.delete(listener);
  }

  emit<K extends keyof CloudEvents>(name: K, event: CloudEvents[K]): void {
    const set = this.listeners.get(name);
    if (!set) return;
    for (const l of set) {
      try {
        (l as Listener<K>)(event);
      } catch (err) {
        this.logger.error(`listener for "${name}" failed: ${(err as Error).stack ?? String(err)}`);
      }
    }
  }
}
