/**
 * Issue 18, conformance for a printer that advertises a post-quantum key:
 * trustnoone-printer.post-quantum-key passes against our printer started with a hybrid
 * (ML-KEM-768 + X25519) key, and is skipped for a printer without one.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startPrinter, type PrinterOptions, type RunningPrinter } from '@trustnoone/printer';
import { runConformance } from '@trustnoone/conformance';

const cleanups: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const c of cleanups.reverse()) await c();
});

async function printer(extra: Partial<PrinterOptions>): Promise<{ p: RunningPrinter; dir: string }> {
  const dir = await mkdtemp(join(tmpdir(), 'tno-conformance-pq-'));
  const p = await startPrinter({ stateDir: dir, port: 0, logger: false, ...extra });
  cleanups.push(async () => {
    await p.close();
    await rm(dir, { recursive: true, force: true });
  });
  await new Promise((r) => setTimeout(r, 1100)); // printer-up-time is integer(1:MAX)
  return { p, dir };
}

const outcome = async (uri: string): Promise<{ outcome: string | undefined; reason: string | undefined }> => {
  const report = await runConformance({ target: uri, role: 'printer', only: ['trustnoone-printer.post-quantum-key'] });
  const r = report.results.find((x) => x.id === 'trustnoone-printer.post-quantum-key');
  return { outcome: r?.outcome, reason: r?.reason };
};

describe('trustnoone-printer.post-quantum-key', () => {
  it('passes for a printer with a hybrid key next to its classical one', async () => {
    const { p } = await printer({ keyAlgorithm: 'x25519', postQuantum: 'mlkem768-x25519' });
    expect(await outcome(p.uri)).toMatchObject({ outcome: 'passed' });
  });

  it('is skipped for a printer without a post-quantum key', async () => {
    const { p } = await printer({});
    expect((await outcome(p.uri)).outcome).toBe('skipped');
  });
});
