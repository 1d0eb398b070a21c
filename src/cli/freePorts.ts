// Ports free right now on loopback, chosen by the OS (listen on port 0, read it, close). Another
// program could take one before it is used; on a test machine that is rare enough.
import { createServer, type Server } from 'node:net';

const HOST = '127.0.0.1';

export async function freePorts(count: number): Promise<number[]> {
  const servers = await Promise.all(
    Array.from(
      { length: count },
      () =>
        new Promise<Server>((resolve, reject) => {
          const server = createServer();
          server.once('error', reject);
          server.listen(0, HOST, () => resolve(server));
        }),
    ),
  );
  const ports = servers.map((server) => (server.address() as { port: number }).port);
  await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
  return ports;
}
