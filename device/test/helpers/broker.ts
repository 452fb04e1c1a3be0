import { createServer, type AddressInfo, type Server } from 'node:net';
import { createBroker } from 'aedes';

type Aedes = ReturnType<typeof createBroker>;

export interface TestBroker {
  url: string;
  port: number;
  aedes: Aedes;
  close(): Promise<void>;
}

/** A real embedded aedes broker on an ephemeral (or given) port. */
export async function startBroker(port = 0): Promise<TestBroker> {
  const aedes = createBroker();
  const server: Server = createServer(aedes.handle);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  const actual = (server.address() as AddressInfo).port;
  return {
    url: `mqtt://127.0.0.1:${actual}`,
    port: actual,
    aedes,
    close: async () => {
      // Drop live client sockets too, or server.close() waits for them forever.
      for (const c of Object.values((aedes as unknown as { clients: Record<string, { close(): void }> }).clients))
        c.close();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await new Promise<void>((resolve) => aedes.close(() => resolve()));
    },
  };
}
