import { existsSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { NestExpressApplication } from '@nestjs/platform-express';
import type { NextFunction, Request, Response } from 'express';

/**
 * Files the browser must re-check on every load: the service worker (a stale one would keep serving an old
 * shell) and the manifest. Everything else keeps the one-hour cache; /assets names are content-hashed.
 */
const NO_CACHE = new Set(['sw.js', 'manifest.webmanifest', 'index.html']);

/** Serves the dashboard build with an SPA fallback; API, metrics and docs paths are never shadowed. */
export function serveDashboard(app: NestExpressApplication, webDir: string): boolean {
  const index = join(webDir, 'index.html');
  if (!existsSync(index)) return false;
  app.useStaticAssets(webDir, {
    index: false,
    maxAge: '1h',
    setHeaders: (res: Response, path: string) => {
      const name = basename(path);
      if (name === 'manifest.webmanifest') res.setHeader('Content-Type', 'application/manifest+json; charset=utf-8');
      if (name === 'sw.js') res.setHeader('Content-Type', 'text/javascript; charset=utf-8');
      if (NO_CACHE.has(name)) res.setHeader('Cache-Control', 'no-cache');
    },
  });
  app.use((req: Request, res: Response, next: NextFunction) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') return next();
    if (req.path.startsWith('/api') || req.path === '/metrics') return next();
    res.setHeader('Cache-Control', 'no-cache');
    res.sendFile(index);
  });
  return true;
}
