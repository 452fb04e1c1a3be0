import { aggregateFaces, EMOTION_COUNT, type Snapshot } from '@lectern/protocol';
import { gaussian, RoomMood, type Random } from './mood';

interface Listener {
  id: number;
  since: number;
  personal: number[];
  frontal: boolean;
}

/**
 * A simulated audience in front of one camera: listeners come and go (head count random walk within
 * [min, max]), each with an ephemeral track id and a personal bias on top of the shared room mood.
 */
export class SimulatedAudience {
  private readonly listeners: Listener[] = [];
  private nextId = 1;

  constructor(
    private readonly mood: RoomMood,
    private readonly faces: readonly [number, number],
    private readonly random: Random = Math.random,
  ) {
    const [min, max] = faces;
    const start = Math.round(min + (max - min) * random());
    for (let i = 0; i < start; i++) this.join(Date.now());
  }

  /** Advances one tick and returns the snapshot body (everything but the envelope fields). */
  tick(now: number): Pick<Snapshot, 'faces' | 'tracks' | 'aggregate'> {
    this.mood.step();
    const [min, max] = this.faces;
    const roll = this.random();
    if (roll < 0.1 && this.listeners.length < max) this.join(now);
    else if (roll > 0.9 && this.listeners.length > min)
      this.listeners.splice(Math.floor(this.random() * this.listeners.length), 1);
    while (this.listeners.length < min) this.join(now);
    while (this.listeners.length > max) this.listeners.pop();

    const tracks = this.listeners.map((l) => {
      if (this.random() < 0.15) l.frontal = !l.frontal;
      return {
        id: l.id,
        p: this.mood.sample(l.personal),
        frontal: l.frontal,
        ageS: Math.max(0, (now - l.since) / 1000),
      };
    });
    return { faces: tracks.length, tracks, aggregate: aggregateFaces(tracks) };
  }

  private join(now: number): void {
    const personal = Array.from({ length: EMOTION_COUNT }, () => gaussian(this.random) * 0.6);
    this.listeners.push({ id: this.nextId++, since: now, personal, frontal: this.random() < 0.8 });
  }
}
