/**
 * The printer's panel as a local endpoint: a Unix domain socket in the state directory (0600, in
 * the 0700 state directory), so a release code is typed on the machine that runs the printer and
 * never crosses the network or an intermediary. One JSON line in, one JSON line out:
 *
 *   {"op":"held"}                              → {"ok":true,"jobs":[3,5]}
 *   {"op":"release","jobId":3,"pin":"482916"}  → {"ok":true,"outcome":"wrong-pin","attemptsLeft":4}
 *   anything refused                           → {"ok":false,"code":"PRINTER_JOB_NOT_HELD","message":"..."}
 *
 * Requests are bounded (4 KiB) and time out; the code is never logged.
 */
import { chmod, lstat, unlink } from 'node:fs/promises';
import { createConnection, createServer, type Server, type Socket } from 'node:net';
import { PrinterError } from '../errors.js';
import type { ReleaseResult } from './pin-release.js';

const MAX_REQUEST = 4096;
const TIMEOUT_MS = 30_000;

export interface Panel {
  release(jobId: number, pin: string): Promise<ReleaseResult>;
  heldJobs(): number[];
}

export type PanelRequest = { readonly op: 'held' } | { readonly op: 'release'; readonly jobId: number; readonly pin: string };
export type PanelResponse =
  | ({ readonly ok: true } & ({ readonly jobs: number[] } | ReleaseResult))
  | { readonly ok: false; readonly code: string; readonly message: string };

async function answer(panel: Panel, line: string): Promise<PanelResponse> {
  let req: unknown;
  try {
    req = JSON.parse(line);
  } catch {
    return { ok: false, code: 'PRINTER_PANEL_BAD_REQUEST', message: 'not a JSON line' };
  }
  const r = req as Partial<{ op: string; jobId: unknown; pin: unknown }>;
  if (r.op === 'held') return { ok: true, jobs: panel.heldJobs() };
  if (r.op === 'release' && Number.isSafeInteger(r.jobId) && typeof r.pin === 'string') {
    try {
      return { ok: true, ...(await panel.release(r.jobId as number, r.pin)) };
    } catch (err) {
      if (err instanceof PrinterError) return { ok: false, code: err.code, message: err.message };
      return { ok: false, code: 'PRINTER_INTERNAL', message: 'the release failed; see the printer log' };
    }
  }
  return { ok: false, code: 'PRINTER_PANEL_BAD_REQUEST', message: 'expected {"op":"held"} or {"op":"release","jobId":N,"pin":"..."}' };
}

function serve(panel: Panel, socket: Socket): void {
  let buffered = '';
  socket.setEncoding('utf8');
  socket.setTimeout(TIMEOUT_MS, () => socket.destroy());
  socket.on('error', () => undefined);
  socket.on('data', (chunk: string) => {
    buffered += chunk;
    if (buffered.length > MAX_REQUEST) return void socket.destroy();
    const nl = buffered.indexOf('\n');
    if (nl < 0) return;
    socket.pause();
    void answer(panel, buffered.slice(0, nl)).then((res) => socket.end(`${JSON.stringify(res)}\n`));
    buffered = '';
  });
}

/** Listens on `path`, replacing a stale socket a crash left behind (never any other file). */
export async function startPanelSocket(panel: Panel, path: string): Promise<{ close(): Promise<void> }> {
  const existing = await lstat(path).catch(() => undefined);
  if (existing?.isSocket()) await unlink(path);
  else if (existing) throw new PrinterError('PRINTER_STATE_DIR', `${path} exists and is not a socket; not replacing it`);
  const server: Server = createServer((s) => serve(panel, s));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(path, () => resolve());
  });
  await chmod(path, 0o600);
  return {
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        void unlink(path).catch(() => undefined);
      }),
  };
}

/** Sends one request to the panel socket at `path` (for `tno printer release`). */
export function panelRequest(path: string, req: PanelRequest, timeoutMs = TIMEOUT_MS + 5000): Promise<PanelResponse> {
  return new Promise((resolve, reject) => {
    const s = createConnection(path);
    let data = '';
    s.setEncoding('utf8');
    s.setTimeout(timeoutMs, () => s.destroy(new PrinterError('PRINTER_PANEL', `the printer panel at ${path} did not answer within ${timeoutMs} ms`)));
    s.on('connect', () => s.write(`${JSON.stringify(req)}\n`));
    s.on('data', (c: string) => {
      data += c;
      if (data.length > MAX_REQUEST * 16) s.destroy(new PrinterError('PRINTER_PANEL', `the printer panel answered more than ${MAX_REQUEST * 16} bytes`));
    });
    s.on('error', reject);
    s.on('end', () => {
      try {
        resolve(JSON.parse(data) as PanelResponse);
      } catch (err) {
        reject(new PrinterError('PRINTER_PANEL', 'the printer panel answered something that is not JSON', { cause: err }));
      }
    });
  });
}
