import { createHash } from 'node:crypto';
import {
  createWriteStream,
  existsSync,
  mkdirSync,
  openSync,
  fsyncSync,
  closeSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';

export interface InstalledModel {
  path: string;
  modelId: string;
  version: string;
  sha256: string;
}

/** Models larger than this are refused: the emotion CNN is well under 10 MB. */
const MAX_MODEL_BYTES = 64 * 1024 * 1024;

/**
 * OTA model files under <dataDir>/models: `active.onnx` (+ `active.json`) and `previous.onnx` for
 * rollback. A download becomes active only after its sha256 matched and the smoke test passed, through
 * a rename (atomic on POSIX file systems), so a power cut leaves either the old or the new model.
 */
export class ModelStore {
  private readonly dir: string;

  constructor(dataDir: string) {
    this.dir = join(dataDir, 'models');
    mkdirSync(this.dir, { recursive: true });
  }

  active(): InstalledModel | null {
    const meta = join(this.dir, 'active.json');
    const path = join(this.dir, 'active.onnx');
    if (!existsSync(meta) || !existsSync(path)) return null;
    try {
      const m = JSON.parse(readFileSync(meta, 'utf8')) as Omit<InstalledModel, 'path'>;
      return { ...m, path };
    } catch {
      return null;
    }
  }

  /** Downloads and verifies; the file is not active yet. Throws on checksum mismatch (file removed). */
  async download(url: string, sha256: string, signal?: AbortSignal): Promise<string> {
    const tmp = join(this.dir, `incoming-${sha256}.onnx`);
    const res = await fetch(url, { signal: signal ?? AbortSignal.timeout(120_000) });
    if (!res.ok || !res.body) throw new Error(`model download failed: HTTP ${res.status} from ${url}`);
    const hash = createHash('sha256');
    let bytes = 0;
    try {
      const body = Readable.fromWeb(res.body as import('node:stream/web').ReadableStream<Uint8Array>);
      body.on('data', (chunk: Buffer) => {
        bytes += chunk.length;
        if (bytes > MAX_MODEL_BYTES) body.destroy(new Error(`model larger than ${MAX_MODEL_BYTES} bytes`));
        hash.update(chunk);
      });
      await pipeline(body, createWriteStream(tmp));
    } catch (err) {
      rmSync(tmp, { force: true });
      throw new Error(`model download failed: ${(err as Error).message}`);
    }
    const actual = hash.digest('hex');
    if (actual !== sha256) {
      rmSync(tmp, { force: true });
      throw new Error(`model checksum mismatch: expected ${sha256}, got ${actual}; the model was not activated`);
    }
    fsyncFile(tmp);
    return tmp;
  }

  /** Removes a download that was refused (it never became active). */
  discard(file: string): void {
    rmSync(file, { force: true });
  }

  /** Makes a verified download the active model, keeping the current one as previous. */
  activate(file: string, meta: Omit<InstalledModel, 'path'>): InstalledModel {
    const active = join(this.dir, 'active.onnx');
    const activeMeta = join(this.dir, 'active.json');
    if (existsSync(active)) {
      renameSync(active, join(this.dir, 'previous.onnx'));
      if (existsSync(activeMeta)) renameSync(activeMeta, join(this.dir, 'previous.json'));
    }
    renameSync(file, active);
    writeFileSync(`${activeMeta}.tmp`, JSON.stringify(meta));
    fsyncFile(`${activeMeta}.tmp`);
    renameSync(`${activeMeta}.tmp`, activeMeta);
    fsyncFile(this.dir);
    return { ...meta, path: active };
  }

  /** Restores the previous model (or the bundled one when there was none). */
  rollback(): void {
    const prev = join(this.dir, 'previous.onnx');
    const prevMeta = join(this.dir, 'previous.json');
    if (existsSync(prev) && existsSync(prevMeta)) {
      renameSync(prev, join(this.dir, 'active.onnx'));
      renameSync(prevMeta, join(this.dir, 'active.json'));
    } else {
      rmSync(join(this.dir, 'active.onnx'), { force: true });
      rmSync(join(this.dir, 'active.json'), { force: true });
    }
    fsyncFile(this.dir);
  }
}

function fsyncFile(path: string): void {
  const fd = openSync(path, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}
