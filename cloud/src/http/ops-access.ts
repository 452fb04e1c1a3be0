import { timingSafeEqual } from 'node:crypto';
import { ForbiddenException, HttpException, UnauthorizedException } from '@nestjs/common';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import type { AuthService } from '../auth/auth.service';

function bearer(req: Request): string | null {
  const h = req.headers.authorization;
  return h?.startsWith('Bearer ') ? h.slice(7).trim() : null;
}

function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/**
 * Operator-only endpoints (/metrics, /api/docs unless made public): an admin's access token, or for
 * /metrics the static LECTERN_METRICS_TOKEN that a Prometheus scrape config can hold.
 */
export async function assertOpsAccess(
  req: Request,
  auth: AuthService,
  what: string,
  staticToken: string | null = null,
): Promise<void> {
  const token = bearer(req);
  if (!token) {
    throw new UnauthorizedException(
      `${what} needs an admin token${staticToken ? ' or the metrics token' : ''} (Authorization: Bearer <token>)`,
    );
  }
  if (staticToken && sameSecret(token, staticToken)) return;
  const user = await auth.resolve(token);
  if (user.role !== 'admin') throw new ForbiddenException(`${what} is for admins`);
}

/** Express middleware in front of Swagger UI and the OpenAPI documents (which Nest mounts outside its guards). */
export function docsAccess(auth: AuthService): RequestHandler {
  return (req: Request, res: Response, next: NextFunction) => {
    const p = req.path;
    if (p !== '/api/docs' && !p.startsWith('/api/docs/') && !p.startsWith('/api/docs-')) return next();
    assertOpsAccess(req, auth, 'the API documentation (or set LECTERN_PUBLIC_DOCS=1)').then(
      () => next(),
      (err: unknown) => {
        if (err instanceof HttpException) res.status(err.getStatus()).json(err.getResponse());
        else next(err);
      },
    );
  };
}
