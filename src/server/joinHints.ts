// The members a joining node dials (`gen-paxos node --join URL,…`, docs/membership.md §13.1): each
// URL's node id, read from its public `GET /health` (`{"status":"serving","node":"a"}`), since the
// transport dials a peer by id and URL and checks the id in the handshake. A URL that does not
// answer is left out: the members dial the new node anyway once they adopted the change that
// added it; dialling them too is what lets a node nobody added hear so (WIRE_ERR_NOT_A_MEMBER).
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';

export interface JoinHintOptions {
  /** PEM certificates to trust for `wss://` URLs. */
  readonly ca?: string | Buffer;
  /** How long one URL may take to answer. Default 5000 ms. */
  readonly timeoutMs?: number;
}

export interface JoinHints {
  /** The members found, by id, with the URL given for each. */
  readonly peers: Readonly<Record<string, string>>;
  /** The URLs that did not say who they are, with why. */
  readonly failed: ReadonlyArray<{ readonly url: string; readonly error: string }>;
}

/** Asks every URL, in parallel, which node it is. Never rejects. */
export async function resolveJoinHints(
  urls: readonly string[],
  options: JoinHintOptions = {},
): Promise<JoinHints> {
  const peers: Record<string, string> = {};
  const failed: Array<{ url: string; error: string }> = [];
  await Promise.all(
    urls.map(async (url) => {
      try {
        const id = await nodeIdAt(url, options);
        peers[id] ??= url;
      } catch (error) {
        failed.push({ url, error: (error as Error).message });
      }
    }),
  );
  return { peers, failed };
}

function nodeIdAt(url: string, options: JoinHintOptions): Promise<string> {
  const target = new URL('/health', url.replace(/^ws/, 'http'));
  const secure = target.protocol === 'https:';
  return new Promise<string>((resolve, reject) => {
    const get = secure ? httpsRequest : httpRequest;
    const req = get(
      target,
      {
        method: 'GET',
        timeout: options.timeoutMs ?? 5000,
        ...(secure && options.ca ? { ca: options.ca } : {}),
      },
      (response) => {
        let body = '';
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => {
          body += chunk;
          if (body.length > 4096) req.destroy(new Error('health answer too long'));
        });
        response.on('end', () => {
          try {
            const node = (JSON.parse(body) as { node?: unknown }).node;
            if (response.statusCode !== 200 || typeof node !== 'string' || node.length === 0)
              throw new Error(`status ${response.statusCode}`);
            resolve(node);
          } catch (error) {
            reject(new Error(`${target.href} did not name its node (${(error as Error).message})`));
          }
        });
      },
    );
    req.on('timeout', () => req.destroy(new Error(`${target.href} did not answer in time`)));
    req.on('error', reject);
    req.end();
  });
}
