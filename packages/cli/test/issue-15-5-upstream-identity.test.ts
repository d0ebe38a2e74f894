/**
 * Issue 15 item 5: upstream identity. `--upstream-pin` is checked for format at start; when the
 * upstream printer's identity changes (its TLS certificate is no longer the pinned one), the
 * intermediary stops serving the old printer-pkcs7-public-key and the client is told why, instead
 * of sealing to a stale key and waiting. A real ipps printer replaced on the same port.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ExitCode } from '@trustnoone/cli';
import { startIntermediary, type RunningIntermediary } from '@trustnoone/intermediary';
import { showFingerprint, startPrinter, type RunningPrinter } from '@trustnoone/printer';
import { tno } from './helpers.js';

let dir: string;
let state: string;
let doc: string;
let printer: RunningPrinter;
let inter: RunningIntermediary;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tno-issue-15-5-'));
  state = join(dir, 'state');
  doc = join(dir, 'memo.txt');
  await writeFile(doc, 'memo\n');
  printer = await startPrinter({ stateDir: join(dir, 'printer'), port: 0, logger: false, tls: true });
  inter = await startIntermediary({
    stateDir: join(dir, 'inter'),
    port: 0,
    upstreams: [{ uri: printer.uri, tls: { pinSha256: printer.tlsFingerprint! } }],
    printerAttributesTtlMs: 200,
    handleSignals: false,
    announce: () => undefined,
    logger: false,
  });
  const fp = (await showFingerprint({ stateDir: join(dir, 'printer') })).fingerprint;
  expect((await tno(['trust', 'pin', '--printer', inter.uri, '--fingerprint', fp, '--state', state])).code).toBe(ExitCode.ok);
});

afterAll(async () => {
  await inter?.close();
  await printer?.close();
  await rm(dir, { recursive: true, force: true });
});

describe('issue 15.5: upstream identity', () => {
  it('tno intermediary checks --upstream-pin at start and says where the fingerprint comes from', async () => {
    for (const [pin, upstream, why] of [
      ['nothex', 'ipps://127.0.0.1:8631/ipp/print', /--show-tls-fingerprint/],
      ['ab'.repeat(31), 'ipps://127.0.0.1:8631/ipp/print', /64 hex digits/],
      ['ab'.repeat(32), 'ipp://127.0.0.1:8631/ipp/print', /is not ipps:\/\//],
    ] as const) {
      const r = await tno(['intermediary', '--state', join(dir, 'never'), '--port', '0', '--upstream', upstream, '--upstream-pin', pin]);
      expect(r.code, r.err).toBe(ExitCode.usage);
      expect(r.err).toMatch(why);
    }
  });

  it('the printer replaced (another TLS certificate and key on the same port): the old key is not served, and tno says why', async () => {
    const ok = await tno(['print', doc, '--printer', inter.uri, '--state', state, '--strict', '--no-wait']);
    expect(ok.code, ok.err).toBe(ExitCode.ok);
    const port = Number(new URL(printer.uri.replace(/^ipps:/, 'https:')).port);
    await printer.close();
    printer = await startPrinter({ stateDir: join(dir, 'impostor'), port, logger: false, tls: true });
    await new Promise((r) => setTimeout(r, 300)); // past the attribute cache's lifetime
    const r = await tno(['print', doc, '--printer', inter.uri, '--state', state, '--strict', '--no-wait']);
    expect(r.code).not.toBe(ExitCode.ok);
    expect(r.err).toContain("the upstream printer's TLS certificate is not the pinned one");
    expect(r.err.trimEnd().split('\n')).toHaveLength(1);
    const show = await tno(['trust', 'show', '--printer', inter.uri, '--state', state]);
    expect(show.code).not.toBe(ExitCode.ok);
    expect(show.err).toContain('update --upstream-pin');
  });
});
