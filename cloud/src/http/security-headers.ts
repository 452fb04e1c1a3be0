import type { NextFunction, Request, RequestHandler, Response } from 'express';

/**
 * Content-Security-Policy for the dashboard (and Swagger UI when it is enabled).
 * - scripts: the Vite build loads one module script from /assets; no inline script, no eval.
 * - styles: 'unsafe-inline' because Preact `style={…}` props, Chart.js and Swagger UI set inline styles
 *   (style attributes cannot carry nonces); styles cannot run code, scripts stay locked down.
 * - images: the favicon and the device QR code are data: URLs.
 * - connect: fetch and EventSource go to this origin only.
 * - manifest, worker: the web app manifest and the offline-shell service worker (/sw.js) come from this origin.
 * - frame-ancestors 'none' (with X-Frame-Options DENY for older browsers): no clickjacking.
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "manifest-src 'self'",
  "worker-src 'self'",
  "object-src 'none'",
  "base-uri 'self'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

/** One year; sent only when the request came over https (directly or via a trusted proxy) or LECTERN_HSTS=1. */
export const HSTS = 'max-age=31536000; includeSubDomains';

/**
 * The security headers on every response (API, dashboard, docs, metrics). Written here rather than with
 * helmet: a handful of fixed headers, no extra dependency.
 */
export function securityHeaders(opts: { hsts: boolean }): RequestHandler {
  return (req: Request, res: Response, next: NextFunction) => {
    res.setHeader('Content-Security-Policy', CONTENT_SECURITY_POLICY);
    res.setHeader('X-Frame-Options', 'DENY');
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.setHeader('Referrer-Policy', 'no-referrer');
    res.setHeader('Cross-Origin-Opener-Policy', 'same-origin');
    res.setHeader('Permissions-Policy', 'camera=(), microphone=(), geolocation=(), payment=(), usb=()');
    // req.secure: https here, or X-Forwarded-Proto: https from a proxy LECTERN_TRUST_PROXY trusts.
    if (opts.hsts || req.secure) res.setHeader('Strict-Transport-Security', HSTS);
    res.removeHeader('X-Powered-By');
    next();
  };
}
