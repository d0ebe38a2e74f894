/**
 * Issue 12 item 2: the intermediary stops while it forwards an acknowledged job — SIGKILL, or a
 * clean SIGTERM — in the middle of the upload to the printer (fault point forward.sending). The
 * printer aborts the cut-off upload; the restarted intermediary used to send the document again
 * into that aborted job and then abort the client's job although it still held the ciphertext.
 * Now a cut-off forward goes into a new upstream job (the cut-off one canceled), and SIGTERM
 * drains: the upload in flight finishes before the process exits. Either way the job is printed
 * exactly once. Both servers run as `tno` starts them.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pwgRaster } from './support/documents.js';
import { spawnPrinter, type ChildPrinter, type ChildServer } from './support/child-printer.js';
import { jobState, leftovers, manifests, sha256, spawnIntermediary, submit, waitFor } from './support/chain.js';

let dir: string;
let printer: ChildPrinter;
const children: ChildServer[] = [];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tno-issue12-2-'));
  printer = await spawnPrinter(join(dir, 'printer'));
  children.push(printer);
}, 60_000);
afterAll(async () => {
  for (const c of children) await c.kill('SIGKILL');
  await rm(dir, { recursive: true, force: true });
});

describe('issue 12.2: the intermediary stops mid-forward', () => {
  for (const signal of ['SIGKILL', 'SIGTERM'] as const) {
    it(`${signal} while the document is on its way upstream: printed once after the restart`, async () => {
      const state = join(dir, `relay-${signal}`);
      // ~4 MB of raster: the upload is still running when the fault point fires after its first chunk.
      const doc = pwgRaster({ pages: 1, width: signal === 'SIGKILL' ? 2000 : 2008, height: 2000, bits: 8 });
      const first = await spawnIntermediary(state, printer.uri, { TNO_INTERMEDIARY_FAULT: signal === "SIGKILL" ? "forward.sending@1" : `forward.sending@1:${signal}` });
      children.push(first);
      // Each case is a relay of its own (its own state and URI), so its own client trust store:
      // trust is bound to the URI printed to (decisions.md D23).
      const id = await submit(first.uri, join(dir, `client-${signal}`), doc, `stopped by ${signal}`);
      await waitFor('the intermediary to stop', async () => first.proc.exitCode !== null || first.proc.signalCode !== null, 30_000);
      expect(first.proc.signalCode ?? first.proc.exitCode).toBe(signal === 'SIGKILL' ? 'SIGKILL' : 0);

      const second = await spawnIntermediary(state, printer.uri);
      children.push(second);
      const ended = await waitFor(`job ${id} to end`, async () => {
        const s = await jobState(second.uri, id);
        return s && s.state >= 7 ? s : undefined;
      });
      expect(ended, `${JSON.stringify(ended)}\n${second.output().slice(-3000)}`).toMatchObject({ state: 9 });
      const printed = (await manifests(join(dir, 'printer'))).filter((m) => m.documentSha256 === sha256(doc));
      expect(printed.filter((m) => m.state === 'completed'), JSON.stringify(printed)).toHaveLength(1);
      await second.kill('SIGTERM');
      expect(await leftovers(state)).toEqual([]);
    }, 120_000);
  }
});
