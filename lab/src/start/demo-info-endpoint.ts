import type { IncomingMessage, Server, ServerResponse } from 'node:http';

export const DEMO_INFO_PATH = '/api/demo';

export interface DemoInfo {
  /** Real agents started by `npm start` and the local debug preview each serves (boxes, track ids, labels). */
  devices: { deviceId: string; roomId: string; previewUrl: string | null }[];
}

type RequestListener = (req: IncomingMessage, res: ServerResponse) => void;

/**
 * Answers GET /api/demo on the cloud's HTTP server with what `npm start` launched, so the dashboard can link a
 * demo device to its preview. It sits in front of the Nest app because the app is already initialised when
 * the demo starts; a cloud started any other way has no such route (404) and the dashboard shows no link.
 * It reveals only localhost preview URLs and device ids, which the device list shows anyway.
 */
export function serveDemoInfo(server: Server, info: () => DemoInfo): void {
  const app = server.listeners('request') as RequestListener[];
  server.removeAllListeners('request');
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    const path = (req.url ?? '').split('?')[0];
    if (path === DEMO_INFO_PATH && (req.method === 'GET' || req.method === 'HEAD')) {
      const body = JSON.stringify(info());
      res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' });
      res.end(req.method === 'HEAD' ? undefined : body);
      return;
    }
    for (const listener of app) listener.call(server, req, res);
  });
}
