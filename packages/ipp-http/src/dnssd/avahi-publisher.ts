/**
 * Advertises a server by DNS-SD through the host's Avahi daemon, as CUPS and ippeveprinter do on
 * Linux: one `avahi-publish-service` process per service type, which keeps the registration alive
 * while it runs and withdraws it when it ends. We send no multicast ourselves; the daemon the site
 * runs (and its interface policy) decides where the records go. Without Avahi, or without a system
 * bus to reach it, nothing is advertised and the server says so once: discovery is a convenience,
 * never a reason not to serve.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import type { TxtRecord } from './txt-record.js';

export interface DnssdService {
  /** Service instance name, as a person reads it (printer-name). */
  readonly name: string;
  readonly port: number;
  /** `_ipps._tcp` over TLS, `_ipp._tcp` otherwise; both with the `_print` subtype (PWG 5100.14 §4.2). */
  readonly tls: boolean;
  readonly txt: TxtRecord;
}

export interface DnssdLog {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
}

export interface Advertisement {
  /** Resolves true once Avahi confirmed the name, false when it could not advertise. */
  readonly established: Promise<boolean>;
  close(): Promise<void>;
}

/** Service names are DNS labels: at most 63 bytes (RFC 6763 §4.1.1). */
function serviceName(name: string): string {
  let n = name.replace(/[\u0000-\u001f\u007f]/g, ' ').trim() || 'printer';
  while (Buffer.byteLength(n) > 63) n = n.slice(0, -1);
  return n;
}

export function advertise(service: DnssdService, log: DnssdLog, command = 'avahi-publish-service'): Advertisement {
  const type = service.tls ? '_ipps._tcp' : '_ipp._tcp';
  const args = ['-s', serviceName(service.name), type, String(service.port), `--subtype=_print._sub.${type}`, ...service.txt.map(([k, v]) => `${k}=${v}`)];
  let child: ChildProcess | undefined;
  let closed = false;
  const established = new Promise<boolean>((resolve) => {
    try {
      child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    } catch (err) {
      log.warn({ err: (err as Error).message }, 'DNS-SD: not advertised (cannot start avahi-publish-service)');
      resolve(false);
      return;
    }
    let output = '';
    const onData = (d: Buffer) => {
      output += d.toString('utf8');
      if (/Established under name/.test(output)) {
        log.info({ type, name: service.name, port: service.port }, 'DNS-SD: advertised');
        resolve(true);
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('error', (err: NodeJS.ErrnoException) => {
      const why = err.code === 'ENOENT' ? 'avahi-publish-service is not installed (Debian: avahi-utils, with avahi-daemon running)' : err.message;
      log.warn({ type }, `DNS-SD: not advertised: ${why}; use --no-dnssd to silence this`);
      resolve(false);
    });
    child.once('exit', (code) => {
      if (!closed) log.warn({ type, code, output: output.trim().slice(0, 500) }, 'DNS-SD: not advertised: avahi-publish-service ended (is avahi-daemon running on the system bus?); use --no-dnssd to silence this');
      resolve(false);
    });
  });
  return {
    established,
    close: async () => {
      closed = true;
      if (!child || child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise<void>((r) => child!.once('exit', () => r()));
      child.kill('SIGTERM');
      await exited;
    },
  };
}
