// A model release over the air and back: a real agent on a real face video runs the bundled (current) model,
// the admin installs the previous release from the cloud (rollback), then the current one again; every step
// is the agent's own download -> sha256 -> smoke test -> swap, and the snapshots say which model read them.
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SnapshotEntity, startCloud, type CloudHandle } from '@lectern/cloud';
import { artifactPath, loadManifest } from '@lectern/vision';
import { DataSource } from 'typeorm';
import { afterAll, describe, expect, it } from 'vitest';
import { MALE_CLIP, spawnAgent, writeAgentConfig, type AgentProcess } from './support/agent';
import { ApiClient } from './support/api';

const VIDEO = MALE_CLIP;
const DEVICE = 'cam-ota-e2e';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Release {
  release: 'current' | 'previous';
  modelId: string;
  version: string;
  file: string;
  sha256: string;
  url: string;
}

if (!existsSync(VIDEO)) console.warn(`model-ota.test.ts skipped: ${VIDEO} is missing (the ../shared data folder)`);

describe.skipIf(!existsSync(VIDEO))('emotion model releases over the air', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'lectern-ota-'));
  let agent: AgentProcess | undefined;
  let cloud: CloudHandle | undefined;

  afterAll(async () => {
    agent?.kill('SIGKILL');
    await cloud?.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it(
    'installs the previous release (rollback) and the current one again on a running agent',
    { timeout: 150_000 },
    async () => {
      cloud = await startCloud({
        LECTERN_HTTP_PORT: '0',
        LECTERN_MQTT_PORT: 'auto',
        LECTERN_DATA_DIR: join(dataDir, 'cloud'),
        LECTERN_ADMIN_PASSWORD: 'ota-e2e-password',
        LECTERN_LOG_LEVEL: 'error',
      });
      const c = cloud;
      const admin = new ApiClient(c.httpUrl);
      await admin.login('admin', 'ota-e2e-password');

      // The cloud offers exactly the bundled files, with the manifest's checksums.
      const releases = await admin.request<Release[]>('GET', '/api/models');
      const manifest = loadManifest();
      const current = releases.find((r) => r.release === 'current')!;
      const previous = releases.find((r) => r.release === 'previous')!;
      expect(current.version).toBe(manifest.version);
      expect(previous.version).toBe(manifest.previous!.version);
      expect(current.modelId).not.toBe(previous.modelId);
      const served = Buffer.from(await (await fetch(previous.url)).arrayBuffer());
      expect(createHash('sha256').update(served).digest('hex')).toBe(previous.sha256);
      expect(served.equals(readFileSync(artifactPath('previousInt8')))).toBe(true);
      expect((await fetch(new URL('/api/models/..%2Fmanifest.json', c.httpUrl))).status).toBe(404);
      expect((await fetch(new URL('/api/models/emotion-fp32.onnx', c.httpUrl))).status).toBe(404);

      const config = await writeAgentConfig(
        c,
        dataDir,
        { id: DEVICE, roomId: 'ota-hall', roomName: 'OTA Hall' },
        { detectionHz: 2 },
      );
      agent = spawnAgent(config);
      const running = agent;

      const repo = c.app.get(DataSource).getRepository(SnapshotEntity);
      /** Waits for a snapshot stored after `since` that a given model read, with at least one face. */
      const readBy = async (modelId: string, since: number) => {
        const deadline = Date.now() + 60_000;
        for (;;) {
          const rows = await repo.find({ where: { deviceId: DEVICE }, order: { seq: 'DESC' }, take: 5 });
          if (rows.some((r) => r.modelId === modelId && Number(r.capturedAt) > since && r.faces > 0)) return;
          if (Date.now() > deadline || running.exitCode !== null)
            throw new Error(
              `no snapshot read by ${modelId}; latest: ${rows.map((r) => r.modelId).join(', ')}\n${running.output()}`,
            );
          await sleep(250);
        }
      };
      const install = async (release: 'current' | 'previous') => {
        const sent = Date.now();
        const { txId } = await admin.request<{ txId: string }>('POST', `/api/devices/${DEVICE}/model`, { release });
        const deadline = Date.now() + 60_000;
        for (;;) {
          const cmd = await admin.request<{ response: { ok: boolean; error?: string } | null }>(
            'GET',
            `/api/devices/${DEVICE}/commands/${txId}`,
          );
          if (cmd.response) {
            expect(cmd.response, JSON.stringify(cmd.response)).toMatchObject({ ok: true });
            return sent;
          }
          if (Date.now() > deadline) throw new Error(`no answer to the ${release} model-update\n${running.output()}`);
          await sleep(250);
        }
      };

      await readBy(current.modelId, 0);
      await readBy(previous.modelId, await install('previous'));
      await readBy(current.modelId, await install('current'));
      expect(running.output()).toMatch(new RegExp(`model updated to ${previous.modelId.replace(/[.@]/g, '\\$&')}`));

      const bad = await admin.raw('POST', `/api/devices/${DEVICE}/model`, { release: 'latest' });
      expect(bad.status).toBe(400);
      expect(((await bad.json()) as { message: string }).message).toBe(
        'invalid body: release: must be "current" or "previous"',
      );
      running.kill('SIGTERM');
    },
  );
});
