/**
 * The child side of bench/lib/children.ts: announce readiness, answer calls, report progress, and
 * close cleanly on `stop` (so a --cpu-prof profile is written). When the parent goes away (Ctrl-C,
 * crash) the IPC channel closes and the child exits at once: nothing is left running.
 */
type Handler = (args: unknown) => Promise<unknown> | unknown;

interface Incoming {
  type: string;
  id?: number;
  method?: string;
  args?: unknown;
}

function send(message: Record<string, unknown>): void {
  if (process.send && process.connected) process.send(message);
}

export function progress(text: string): void {
  send({ type: 'progress', text });
}

export function serve(
  ready: Record<string, unknown>,
  handlers: Record<string, Handler>,
  close: () => Promise<void>,
): void {
  if (!process.send) throw new Error('bench children run under bench/run.ts (they need an IPC channel)');
  let stopping = false;
  const stop = async (code: number) => {
    if (stopping) return;
    stopping = true;
    try {
      await close();
    } finally {
      process.exit(code);
    }
  };
  process.on('disconnect', () => process.exit(1));
  process.on('SIGTERM', () => void stop(0));
  process.on('SIGINT', () => {});
  process.on('message', (raw) => {
    const message = raw as Incoming;
    if (message.type === 'stop') {
      void stop(0);
      return;
    }
    if (message.type !== 'call' || message.id === undefined) return;
    const handler = handlers[message.method ?? ''];
    if (!handler) {
      send({ type: 'reply', id: message.id, ok: false, error: `no method ${message.method}` });
      return;
    }
    Promise.resolve()
      .then(() => handler(message.args))
      .then(
        (value) => send({ type: 'reply', id: message.id, ok: true, value }),
        (error: unknown) =>
          send({
            type: 'reply',
            id: message.id,
            ok: false,
            error: error instanceof Error ? (error.stack ?? error.message) : String(error),
          }),
      );
  });
  send({ type: 'ready', pid: process.pid, ...ready });
}
