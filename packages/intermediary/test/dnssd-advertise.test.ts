/**
 * Issue 16.3, the intermediary's side: `tno intermediary` as shipped, listening on a non-loopback
 * address of a private network namespace (testing/dnssd-namespace.ts), in front of `tno printer`
 * (not advertised itself: --no-dnssd), advertises the printer object it serves once the upstream
 * answers, with the attributes a client would be told: sealed documents only (pdl), the upstream's
 * printer-uuid and the tno key, its own rp and adminurl. avahi-browse (independent) reads it.
 */
import { spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tnoLines } from '../../../testing/tno-lines.js';
import { startDnssdNamespace, type DnssdNamespace } from '../../../testing/dnssd-namespace.js';

let ns: DnssdNamespace;
let dir: string;
const children: ChildProcess[] = [];

const tnoInNamespace = (args: readonly string[], until: (line: string) => boolean): Promise<string[]> => tnoLines(args, until, { children, launch: (command, args, options) => ns.run(command, args, options) });

beforeAll(async () => {
  ns = await startDnssdNamespace();
  dir = await mkdtemp(join(tmpdir(), 'tno-relay-dnssd-'));
}, 60_000);
afterAll(async () => {
  for (const c of children) c.kill('SIGTERM');
  await ns?.stop();
  await rm(dir, { recursive: true, force: true });
});

describe('DNS-SD advertising by the intermediary (issue 16.3)', () => {
  it('advertises its printer object with the upstream printer-uuid, sealed-only pdl and the tno key', async () => {
    const printer = await tnoInNamespace(['printer', '--host', ns.address, '--port', '0', '--no-dnssd', '--state', join(dir, 'printer'), '--name', 'Office'], (l) => l.startsWith('printer-uuid '));
    const uuid = printer.find((l) => l.startsWith('printer-uuid '))!.slice('printer-uuid urn:uuid:'.length);
    const relay = await tnoInNamespace(['intermediary', '--host', ns.address, '--port', '0', '--state', join(dir, 'relay'), '--anonymous', '--upstream', printer[0]!], () => true);
    const port = new URL(relay[0]!).port;
    let line: string | undefined;
    for (let i = 0; i < 60 && !line; i++) {
      const r = spawnSync('avahi-browse', ['-r', '-p', '-t', '-k', '_ipp._tcp'], { encoding: 'utf8', env: { ...process.env, DBUS_SYSTEM_BUS_ADDRESS: ns.busAddress }, timeout: 15_000 });
      line = r.stdout.split('\n').find((l) => l.startsWith('=;') && l.includes(`;${port};`));
      if (!line) await sleep(300);
    }
    expect(line, 'no _ipp._tcp record for the intermediary').toBeDefined();
    const fields = line!.split(';');
    expect(fields[3]).toBe('Office\\032via\\032relay');
    const txt = Object.fromEntries([...line!.matchAll(/"([^"=]+)=([^"]*)"/g)].map((m) => [m[1]!, m[2]!]));
    expect(txt).toMatchObject({ rp: 'ipp/print', UUID: uuid, pdl: 'application/pkcs7-mime', tno: '1', adminurl: `http://${ns.address}:${port}/` });
    // Only the intermediary is advertised: the printer ran with --no-dnssd.
    const all = spawnSync('avahi-browse', ['-p', '-t', '-k', '_ipp._tcp'], { encoding: 'utf8', env: { ...process.env, DBUS_SYSTEM_BUS_ADDRESS: ns.busAddress } });
    expect(all.stdout.split('\n').filter((l) => l.startsWith('+;'))).toHaveLength(1);
  }, 120_000);
});
