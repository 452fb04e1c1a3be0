import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError } from './cloud-config';

/** A random secret generated once and kept in the data dir so restarts keep issued tokens valid. */
export function persistentSecret(dataDir: string, name: string, bytes = 32): string {
  mkdirSync(dataDir, { recursive: true });
  const file = join(dataDir, name);
  if (existsSync(file)) {
    const value = readFileSync(file, 'utf8').trim();
    if (value.length >= 16) return value;
  }
  const value = randomBytes(bytes).toString('base64url');
  writeFileSync(file, `${value}\n`, { mode: 0o600 });
  return value;
}

export function randomPassword(bytes = 18): string {
  return randomBytes(bytes).toString('base64url');
}

/**
 * Values shipped as examples (deploy/cloud/.env.example, docs) and the usual stand-ins. A deployment that
 * copied the example without replacing a value would otherwise run with a password or JWT secret that
 * anyone who has read the repository knows.
 */
const KNOWN_PLACEHOLDERS = new Set(
  [
    'change-me-postgres',
    'change-me-broker-admin',
    'change-me-cloud-service',
    'change-me-at-least-32-random-characters',
    'change-me-dashboard-admin',
    'password',
    'password1',
    'password123',
    'passw0rd',
    'secret',
    'secret123',
    'changeit',
    'admin',
    'admin123',
    'administrator',
    'lectern',
    'lectern-admin',
    'example',
    'placeholder',
    'default',
    'your-secret',
    'your-secret-here',
    'your-password',
    'your-password-here',
    '12345678',
    '123456789',
    '1234567890',
    'qwertyui',
    'qwerty123',
  ].map((v) => v.toLowerCase()),
);

/** True for a value that is an example or a "change me" stand-in rather than a real secret. */
export function isPlaceholderSecret(value: string): boolean {
  const v = value.trim().toLowerCase();
  if (KNOWN_PLACEHOLDERS.has(v)) return true;
  // change-me…, changeme, change_me, replace-me, REPLACE_WITH_…, <your secret>: patterns a random secret
  // (base64/hex) practically never contains.
  if (/change[\s_.-]*me|replace[\s_.-]*(me|with|this)|^<.*>$/.test(v)) return true;
  // One character repeated ("aaaaaaaaaaaaaaaa", "0000000000000000").
  return v.length > 0 && /^(.)\1*$/.test(v);
}

/** The settings a placeholder must never reach, with the value found (undefined = not set). */
export interface SecretSettings {
  LECTERN_JWT_SECRET?: string | null;
  LECTERN_ADMIN_PASSWORD?: string | null;
  LECTERN_MQTT_PASSWORD?: string | null;
  LECTERN_METRICS_TOKEN?: string | null;
  /** Only its password part is checked. */
  LECTERN_DB_URL?: string | null;
}

/**
 * Throws naming every setting that holds a placeholder (boot refuses to start: a copied .env.example must
 * fail loudly, not run with public credentials). Values are never echoed.
 */
export function assertNoPlaceholderSecrets(settings: SecretSettings): void {
  const bad: string[] = [];
  for (const [name, value] of Object.entries(settings) as [keyof SecretSettings, string | null | undefined][]) {
    if (!value) continue;
    let secret: string = value;
    if (name === 'LECTERN_DB_URL') {
      if (!/^postgres(ql)?:\/\//.test(value)) continue;
      try {
        secret = decodeURIComponent(new URL(value).password);
      } catch {
        continue;
      }
      if (!secret) continue;
    }
    if (isPlaceholderSecret(secret)) bad.push(name === 'LECTERN_DB_URL' ? `${name} (its password)` : name);
  }
  if (bad.length) {
    throw new PlaceholderSecretError(
      `refusing to start: ${bad.join(', ')} ${bad.length === 1 ? 'holds' : 'hold'} a placeholder or example value ` +
        `(from .env.example or a "change-me" style value); set a real secret, e.g. \`openssl rand -base64 32\``,
    );
  }
}

/** A ConfigError: `lectern-cloud` prints its message without a stack trace. */
export class PlaceholderSecretError extends ConfigError {}
