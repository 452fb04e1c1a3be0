import { z } from 'zod';
import { epochMs, probability, version } from './primitives';

const roi = z.strictObject({
  x: probability,
  y: probability,
  w: probability,
  h: probability,
});

/** Snapshot rates a device may run at (per second); the cloud's seq-jump bound is derived from the highest. */
export const MIN_SNAPSHOT_HZ = 0.05;
export const MAX_SNAPSHOT_HZ = 10;
export const snapshotHzSchema = z.number().min(MIN_SNAPSHOT_HZ).max(MAX_SNAPSHOT_HZ);

/**
 * Desired device configuration, retained on the config topic (cloud -> device).
 * Every section is optional: a device keeps its local value for anything left out.
 */
export const deviceConfigSchema = z.strictObject({
  v: version,
  /** Increases with every change; the device echoes the revision it applied in its response. */
  revision: z.number().int().min(0),
  issuedAt: epochMs,
  snapshotHz: snapshotHzSchema.optional(),
  telemetryIntervalS: z.number().min(1).max(3600).optional(),
  /** The face detector plugin. */
  detector: z.enum(['yunet', 'haar']).optional(),
  detection: z
    .strictObject({
      /** Passes per second, or 'auto' (as often as the device's CPU budget allows). */
      hz: z.union([z.literal('auto'), z.number().min(0.1).max(30)]).optional(),
      scoreThreshold: z.number().min(0.05).max(1).optional(),
      nmsIou: z.number().min(0.05).max(0.95).optional(),
      upscale: z.number().min(1).max(4).optional(),
      scaleFactor: z.number().min(1.01).max(2).optional(),
      minNeighbors: z.number().int().min(1).max(20).optional(),
      minFacePx: z.number().int().min(4).max(2000).optional(),
      maxFacePx: z.number().int().min(12).max(4000).optional(),
      downscale: z.number().min(0.1).max(1).optional(),
      roi: roi.nullable().optional(),
      rotations: z.array(z.number().min(-90).max(90)).max(6).optional(),
      equalize: z.boolean().optional(),
    })
    .optional(),
  emotion: z
    .strictObject({
      /** Deployment policy switch (EU AI Act Art. 5(1)(f)): false sends face counts only. */
      enabled: z.boolean().optional(),
      smoothingAlpha: z.number().min(0.01).max(1).optional(),
      /** Readable-size gate: faces smaller than this (px, the box's longer side) are counted, not classified. */
      minReadablePx: z.number().int().min(1).max(2000).optional(),
    })
    .optional(),
  preview: z.strictObject({ enabled: z.boolean() }).optional(),
});

export type DeviceConfig = z.infer<typeof deviceConfigSchema>;
