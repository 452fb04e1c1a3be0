import { useState } from 'preact/hooks';
import { api } from '../api/client';
import type { DeviceConfigPatch } from '../api/types';
import { useAction } from '../hooks';
import { ErrorNote } from './ui';

/** Desired config pushed retained to the device; fields mirror DeviceConfig in @lectern/protocol. */
export function DeviceConfigForm({ deviceId, onClose }: { deviceId: string; onClose: () => void }) {
  const [snapshotHz, setSnapshotHz] = useState('1');
  const [detectionHz, setDetectionHz] = useState('5');
  const [minFacePx, setMinFacePx] = useState('40');
  const [emotionEnabled, setEmotionEnabled] = useState(true);
  const { busy, error, run } = useAction();
  const [saved, setSaved] = useState<string | null>(null);

  const submit = async (e: Event) => {
    e.preventDefault();
    setSaved(null);
    const body: DeviceConfigPatch = {
      snapshotHz: Number(snapshotHz),
      detection: { hz: Number(detectionHz), minFacePx: Math.round(Number(minFacePx)) },
      emotion: { enabled: emotionEnabled },
    };
    const res = await run(async () => {
      const r = await api.put<{ revision?: number; configRevision?: number } | undefined>(
        `/api/devices/${encodeURIComponent(deviceId)}/config`,
        body,
      );
      return { rev: r?.revision ?? r?.configRevision };
    });
    if (!res) return;
    setSaved(
      `Config pushed${res.rev !== undefined ? ` (revision ${res.rev})` : ''}. The device applies it when it next connects.`,
    );
  };

  return (
    <form class="panel config-form" onSubmit={(e) => void submit(e)} data-testid="device-config-form">
      <div class="panel-head">
        <h2>
          Push config to <span class="mono">{deviceId}</span>
        </h2>
        <button type="button" class="btn btn-ghost" onClick={onClose}>
          Close
        </button>
      </div>
      <div class="form-grid">
        <label>
          Snapshot rate (per second)
          <input
            data-testid="config-snapshot-hz"
            type="number"
            min="0.05"
            max="10"
            step="0.05"
            required
            value={snapshotHz}
            onInput={(e) => setSnapshotHz(e.currentTarget.value)}
          />
        </label>
        <label>
          Detection rate (per second)
          <input
            data-testid="config-detection-hz"
            type="number"
            min="0.1"
            max="30"
            step="0.1"
            required
            value={detectionHz}
            onInput={(e) => setDetectionHz(e.currentTarget.value)}
          />
        </label>
        <label>
          Minimum face size (px)
          <input
            data-testid="config-min-face"
            type="number"
            min="12"
            max="2000"
            step="1"
            required
            value={minFacePx}
            onInput={(e) => setMinFacePx(e.currentTarget.value)}
          />
        </label>
        <label class="switch">
          <input
            data-testid="config-emotion-enabled"
            type="checkbox"
            role="switch"
            checked={emotionEnabled}
            onChange={(e) => setEmotionEnabled(e.currentTarget.checked)}
          />
          <span class="switch-track" aria-hidden="true" />
          <span>
            Emotion inference {emotionEnabled ? 'on' : 'off'}
            <small>Off sends face counts only (deployment policy).</small>
          </span>
        </label>
      </div>
      <ErrorNote message={error} />
      {saved && (
        <div class="note note-ok" role="status">
          {saved}
        </div>
      )}
      <div class="form-actions">
        <button type="submit" class="btn btn-primary" data-testid="config-submit" disabled={busy}>
          {busy ? 'Pushing…' : 'Push config'}
        </button>
      </div>
    </form>
  );
}
