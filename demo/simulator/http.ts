import { Agent, request } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';

/**
 * POSTs over node:http with keep-alive connections. Not fetch: fetch adds headers of its own
 * (User-Agent, Accept-Language, Sec-Fetch-Mode) that would make a simulated curl look like a browser.
 */
export interface Response {
  status: number;
  json: unknown;
}

export interface HttpClient {
  post(url: string, headers: Record<string, string>, body: string): Promise<Response>;
  get(url: string): Promise<Response>;
  close(): void;
}

export function createHttpClient(maxSockets: number, timeoutMs = 15_000): HttpClient {
  const agent = new Agent({ keepAlive: true, maxSockets });
  const httpsAgent = new HttpsAgent({ keepAlive: true, maxSockets });
  const send = (url: string, method: string, headers: Record<string, string>, body?: string) =>
    new Promise<Response>((resolve, reject) => {
      const secure = url.startsWith('https:');
      const outgoing = (secure ? httpsRequest : request)(
        url,
        {
          method,
          agent: secure ? httpsAgent : agent,
          headers: body === undefined ? headers : { ...headers, 'content-length': Buffer.byteLength(body) },
          timeout: timeoutMs,
        },
        (incoming) => {
          const chunks: Buffer[] = [];
          incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
          incoming.on('error', reject);
          incoming.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            let json: unknown;
            try {
              json = text ? JSON.parse(text) : undefined;
            } catch {
              json = undefined;
            }
            resolve({ status: incoming.statusCode ?? 0, json });
          });
        },
      );
      outgoing.on('timeout', () => outgoing.destroy(new Error(`no answer within ${timeoutMs / 1000} s`)));
      outgoing.on('error', reject);
      outgoing.end(body);
    });
  return {
    post: (url, headers, body) => send(url, 'POST', headers, body),
    get: (url) => send(url, 'GET', {}),
    close() {
      agent.destroy();
      httpsAgent.destroy();
    },
  };
}
