import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { encode as encodeJpeg } from 'jpeg-js';
import type { GrayImage } from '@lectern/vision';
import type { AimReport } from '../aim/aim-report';

const BOUNDARY = 'lectern-preview-frame';
/** A client that has not read this much yet gets no new frames until it catches up (slow link, paused tab). */
const MAX_BUFFERED = 2 * 1024 * 1024;

/**
 * The page: the live stream, and under it the face-size histogram of the last seconds (from /faces.json)
 * with the aim warning, so an installer can re-aim the camera and watch the sizes change.
 */
const PAGE = `<!doctype html><html><head><meta charset="utf-8"><title>Lectern device preview</title>
<style>body{margin:0;background:#111;color:#ddd;font:14px sans-serif}img{max-width:100%;display:block;margin:auto}
p,#sizes{text-align:center}table{margin:auto;border-collapse:collapse}td{padding:1px 6px}.bar{background:#8ab;height:10px}
.small .bar{background:#777}#warn{color:#fb4;max-width:60em;margin:8px auto;text-align:left}</style>
</head><body><img src="stream.mjpeg" alt="live preview">
<div id="sizes"><p>Face sizes (last seconds): waiting for faces...</p></div>
<p>Local debug preview: frames stay on this machine. Solid boxes: faces read; dashed "small": too small to read.</p>
<script>
function esc(s){return String(s).replace(/[&<>"]/g,function(c){return '&#'+c.charCodeAt(0)+';'})}
async function poll(){try{const r=await (await fetch('faces.json',{cache:'no-store'})).json();
const max=Math.max(1,...r.counts);let rows='';
r.counts.forEach(function(n,i){const lo=parseInt(r.labels[i],10);
rows+='<tr class="'+(lo<r.minReadablePx?'small':'')+'"><td>'+esc(r.labels[i])+'</td><td>'+n+'</td><td style="width:240px"><div class="bar" style="width:'+Math.round(n/max*100)+'%"></div></td></tr>'});
let warn='';if(r.warning){warn='<div id="warn"><b>'+esc(r.warning)+'</b><ul>'+r.advice.map(function(a){return '<li>'+esc(a)+'</li>'}).join('')+'</ul></div>'}
document.getElementById('sizes').innerHTML='<p>Face sizes over the last seconds: '+r.total+' faces, '+r.tooSmall+' below the readable size of '+r.minReadablePx+' px</p><table>'+rows+'</table>'+warn;
}catch(e){}setTimeout(poll,2000)}
poll();
</script></body></html>`;

/**
 * The local debug preview: an MJPEG stream of the annotated frames on 127.0.0.1 only, so it is reachable
 * from the device itself (or through an SSH tunnel an installer opens on purpose) and never from the
 * network. JPEGs are encoded only while someone watches.
 */
export class PreviewServer {
  private readonly clients = new Set<ServerResponse>();
  /** Requests for one still frame, answered with the next annotated frame. */
  private stills = new Set<ServerResponse>();

  private constructor(
    private readonly server: Server,
    readonly url: string,
    private readonly faceSizes: () => AimReport,
  ) {}

  /** `faceSizes` answers /faces.json: the recent face-size histogram and the aim warning. */
  static async start(port: number, faceSizes: () => AimReport): Promise<PreviewServer> {
    const holder: { preview?: PreviewServer } = {};
    const server = createServer((req, res) => holder.preview?.handle(req, res));
    await new Promise<void>((resolve, reject) => {
      server.once('error', (err: NodeJS.ErrnoException) =>
        reject(
          new Error(
            err.code === 'EADDRINUSE'
              ? `preview port ${port} on 127.0.0.1 is already in use`
              : `preview server: ${err.message}`,
          ),
        ),
      );
      server.listen(port, '127.0.0.1', () => resolve());
    });
    const actual = (server.address() as AddressInfo).port;
    holder.preview = new PreviewServer(server, `http://127.0.0.1:${actual}/`, faceSizes);
    return holder.preview;
  }

  /** Whether anyone would see a frame now; lets the caller skip drawing. */
  get watched(): boolean {
    return this.clients.size > 0 || this.stills.size > 0;
  }

  /** Publishes an annotated frame to every connected viewer. */
  show(frame: GrayImage): void {
    if (!this.watched) return;
    const jpeg = toJpeg(frame);
    for (const res of this.stills)
      res.writeHead(200, { 'content-type': 'image/jpeg', 'cache-control': 'no-store' }).end(jpeg);
    this.stills.clear();
    const head = Buffer.from(`--${BOUNDARY}\r\nContent-Type: image/jpeg\r\nContent-Length: ${jpeg.length}\r\n\r\n`);
    for (const res of this.clients) {
      if (res.writableLength > MAX_BUFFERED) continue;
      res.write(Buffer.concat([head, jpeg, Buffer.from('\r\n')]));
    }
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method !== 'GET') {
      res.writeHead(405).end();
    } else if (path === '/') {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' }).end(PAGE);
    } else if (path === '/stream.mjpeg') {
      res.writeHead(200, {
        'content-type': `multipart/x-mixed-replace; boundary=${BOUNDARY}`,
        'cache-control': 'no-store',
        connection: 'close',
      });
      this.clients.add(res);
      res.on('close', () => this.clients.delete(res));
    } else if (path === '/faces.json') {
      res
        .writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store' })
        .end(JSON.stringify(this.faceSizes()));
    } else if (path === '/frame.jpg') {
      this.stills.add(res);
      res.on('close', () => this.stills.delete(res));
    } else {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n');
    }
  }

  async close(): Promise<void> {
    for (const res of this.clients) res.end();
    this.clients.clear();
    for (const res of this.stills) res.writeHead(503, { 'content-type': 'text/plain' }).end('preview stopped\n');
    this.stills.clear();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

function toJpeg(img: GrayImage): Buffer {
  const rgba = Buffer.alloc(img.width * img.height * 4, 255);
  for (let i = 0, j = 0; i < img.data.length; i++, j += 4) {
    const v = img.data[i]!;
    rgba[j] = v;
    rgba[j + 1] = v;
    rgba[j + 2] = v;
  }
  return encodeJpeg({ data: rgba, width: img.width, height: img.height }, 75).data;
}
