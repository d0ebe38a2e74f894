/**
 * Issue 16.3: printers found on the network. `tno printer` as shipped, listening on a non-loopback
 * address of a private network namespace (testing/dnssd-namespace.ts: the multicast never leaves
 * it), advertises itself through Avahi; independent DNS-SD clients find it: avahi-browse reads the
 * _ipp._tcp record, its _print subtype and the IPP Everywhere TXT keys; CUPS' ippfind finds it by
 * the `tno` key and reaches it over IPP (--ls asks its state). Our own browsePrinters() and
 * `tno printers --browse` find the same. On SIGTERM the record is withdrawn; with --no-dnssd nothing is advertised.
 */
import { spawnSync, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { browsePrinters } from '@trustnoone/client';
import { startDnssdNamespace, type DnssdNamespace } from '../../../testing/dnssd-namespace.js';
import { tempDir } from './support/ipp.js';

const root = fileURLToPath(new URL('../../..', import.meta.url));
const launcher = fileURLToPath(new URL('./support/tno-source.mts', import.meta.url));

let ns: DnssdNamespace;
const dirs: { remove(): Promise<void> }[] = [];

async function startTnoPrinter(extra: readonly string[]): Promise<{ child: ChildProcess; uri: string; uuid: string }> {
  const d = await tempDir();
  dirs.push(d);
  const child = ns.run(process.execPath, ['--import', 'tsx', '--conditions=source', launcher, 'printer', '--host', ns.address, '--port', '0', '--state', d.path, '--name', `tno dnssd ${extra.length ? 'quiet' : 'test'}`, ...extra], { cwd: root });
  const seen: string[] = [];
  await new Promise<void>((resolve, reject) => {
    createInterface({ input: child.stdout! }).on('line', (l) => {
      seen.push(l);
      if (l.startsWith('printer-uuid ')) resolve();
    });
    child.once('exit', (code) => reject(new Error(`tno printer exited ${code}: ${seen.join('\n')}`)));
  });
  return { child, uri: seen[0]!, uuid: seen.find((l) => l.startsWith('printer-uuid '))!.slice('printer-uuid urn:uuid:'.length) };
}

function avahiBrowse(type: string): string[] {
  const r = spawnSync('avahi-browse', ['-r', '-p', '-t', '-k', type], { encoding: 'utf8', env: { ...process.env, DBUS_SYSTEM_BUS_ADDRESS: ns.busAddress }, timeout: 15_000 });
  return r.stdout.split('\n').filter((l) => l.startsWith('=;'));
}

async function until<T>(what: string, fn: () => T | undefined, ms = 20_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = fn();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(300);
  }
}

beforeAll(async () => {
  ns = await startDnssdNamespace();
}, 60_000);
afterAll(async () => {
  await ns?.stop();
  for (const d of dirs) await d.remove();
});

describe('DNS-SD advertising (issue 16.3)', () => {
  it('tno printer advertises _ipp._tcp with the _print subtype and IPP Everywhere TXT keys; avahi-browse, ippfind and browsePrinters find it; SIGTERM withdraws it', async () => {
    const { child, uri, uuid } = await startTnoPrinter([]);
    const port = Number(new URL(uri).port);
    const line = await until('the _ipp._tcp record', () => avahiBrowse('_ipp._tcp').find((l) => l.includes(`;${port};`)));
    const [, , , name, type, , host, address] = line.split(';');
    expect(type).toBe('_ipp._tcp');
    expect(name).toBe('tno\\032dnssd\\032test');
    expect(host).toBe('tno-test-host.local');
    expect(address).toBe(ns.address);
    const txt = Object.fromEntries([...line.matchAll(/"([^"=]+)=([^"]*)"/g)].map((m) => [m[1]!, m[2]!]));
    expect(txt).toMatchObject({ txtvers: '1', qtotal: '1', rp: 'ipp/print', UUID: uuid, kind: 'document', Color: 'T', Duplex: 'T', tno: '1', adminurl: `http://${ns.address}:${port}/` });
    expect(txt.pdl!.split(',')).toEqual(expect.arrayContaining(['application/pkcs7-mime', 'application/pdf', 'image/pwg-raster', 'image/jpeg']));
    expect(txt.TLS).toBeUndefined();
    expect(avahiBrowse('_print._sub._ipp._tcp').length + spawnSync('avahi-browse', ['-p', '-t', '-k', '_print._sub._ipp._tcp'], { encoding: 'utf8', env: { ...process.env, DBUS_SYSTEM_BUS_ADDRESS: ns.busAddress } }).stdout.split('\n').filter((l) => l.startsWith('+;')).length).toBeGreaterThan(0);

    // CUPS' ippfind, inside the namespace: selects by the TRUSTNOONE key and asks the printer's state over IPP.
    const found = await new Promise<string>((resolve) => {
      const p = ns.run('ippfind', ['-T', '5', '_ipp._tcp', '--txt', 'tno', '--ls']);
      let out = '';
      p.stdout!.on('data', (d) => (out += d));
      p.once('exit', () => resolve(out));
    });
    expect(found).toMatch(new RegExp(`ipp://tno-test-host\\.local:${port}/ipp/print\\s+idle`));

    // Our own browser (avahi-browse underneath) sees the same record.
    process.env.DBUS_SYSTEM_BUS_ADDRESS = ns.busAddress;
    try {
      const printers = await browsePrinters({ timeoutMs: 10_000 });
      expect(printers).toContainEqual(expect.objectContaining({ name: 'tno dnssd test', type: '_ipp._tcp', port, trustnoone: true, uri: `ipp://tno-test-host.local:${port}/ipp/print` }));
    } finally {
      delete process.env.DBUS_SYSTEM_BUS_ADDRESS;
    }

    // `tno printers --browse`, the command as shipped, inside the namespace.
    const listed = await new Promise<string>((resolve) => {
      const p = ns.run(process.execPath, ['--import', 'tsx', '--conditions=source', launcher, 'printers', '--browse', '--timeout', '10'], { cwd: root });
      let out = '';
      p.stdout!.on('data', (d) => (out += d));
      p.once('exit', () => resolve(out));
    });
    expect(listed).toContain(`tno dnssd test  ipp://tno-test-host.local:${port}/ipp/print  TRUSTNOONE`);

    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGTERM');
    await exited;
    await until('the record to be withdrawn', () => (avahiBrowse('_ipp._tcp').some((l) => l.includes(`;${port};`)) ? undefined : true));
  }, 120_000);

  it('--no-dnssd advertises nothing', async () => {
    const { child, uri } = await startTnoPrinter(['--no-dnssd']);
    await sleep(3000);
    expect(avahiBrowse('_ipp._tcp').filter((l) => l.includes(`;${new URL(uri).port};`))).toEqual([]);
    child.kill('SIGTERM');
  }, 60_000);
});
