/**
 * The X25519 half of the hybrid (composite ML-KEM-768 + X25519) needs the raw public key of a
 * fresh ephemeral key on every sealed job. It was read through a JWK export of a
 * generateKeyPairSync key, which hangs node 20 for good now and then: the export holds the key's
 * lock while it allocates its string, and a garbage collection inside that allocation, finalizing
 * the generateKeyPairSync job that made the key, waits for the same lock (found while profiling
 * benchmark/hybrid.ts: the process stuck in a futex wait at 0% CPU; gdb showed ExportJWKEdKey →
 * GC → ~KeyGenJob → mutex). In a loop of that pattern under a small young generation, 5,000
 * rounds hung about one run in two. The first test fails every time on the old code; the second
 * runs the hybrid encapsulation itself in such a loop.
 */
import { spawn } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { describe, expect, it, vi } from 'vitest';
import { CompositeKemPrivateKey, createCertificateAuthority, createKemIdentity, open, sealToBytes } from '@trustnoone/smime';

const fixture = fileURLToPath(new URL('./fixtures/x25519-export-loop.ts', import.meta.url));

function runLoop(count: number, timeoutMs: number): Promise<{ stdout: string; timedOut: boolean }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--max-semi-space-size=1', '--import', 'tsx', '--conditions=source', fixture, String(count)], { stdio: ['ignore', 'pipe', 'inherit'] });
    let stdout = '';
    let timedOut = false;
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, timeoutMs);
    child.on('error', reject);
    child.on('close', () => {
      clearTimeout(timer);
      resolve({ stdout, timedOut });
    });
  });
}

describe('composite ML-KEM-768 + X25519: the ephemeral X25519 public key', () => {
  it('generating a hybrid key, sealing to it and opening export no key as JWK', async () => {
    const privateProto = Object.getPrototypeOf(generateKeyPairSync('x25519').privateKey) as { export: (...a: unknown[]) => unknown };
    const publicProto = Object.getPrototypeOf(generateKeyPairSync('x25519').publicKey) as { export: (...a: unknown[]) => unknown };
    const spies = [vi.spyOn(privateProto, 'export'), vi.spyOn(publicProto, 'export')];
    try {
      const ca = createCertificateAuthority({ commonName: 'export test CA' });
      const printer = createKemIdentity({ commonName: 'hybrid printer', algorithm: 'mlkem768-x25519', ca });
      CompositeKemPrivateKey.generate('mlkem768-x25519');
      const job = new TextEncoder().encode('hybrid job');
      const { plaintext } = await open(await sealToBytes(job, { recipients: [printer.certificate] }), { privateKey: printer.privateKey, certificate: printer.certificate });
      expect(plaintext).toEqual(job);
      const formats = spies.flatMap((s) => s.mock.calls.map((c) => (c[0] as { format?: string } | undefined)?.format));
      expect(formats.length, 'the hybrid paths read raw keys through export()').toBeGreaterThan(0);
      expect(formats.filter((f) => f === 'jwk'), `export formats used: ${formats.join(', ')}`).toEqual([]);
    } finally {
      for (const s of spies) s.mockRestore();
    }
  });

  it('2,000 hybrid encapsulations in a row, small young generation: no hang', async () => {
    const { stdout, timedOut } = await runLoop(2_000, 45_000);
    expect(timedOut, 'the loop hung (a key export deadlocked with the garbage collector)').toBe(false);
    expect(stdout).toMatch(/^done 2000 \d+\n$/);
  }, 60_000);
});
