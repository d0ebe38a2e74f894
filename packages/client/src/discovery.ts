/**
 * Finding printers by DNS-SD, as CUPS' ippfind does on Linux: through the host's Avahi daemon
 * (`avahi-browse`, Debian avahi-utils), which already listens for multicast DNS on the interfaces
 * the site allows. Each record is untrusted input from the local network: bounded in size and
 * count, parsed without evaluation, and never a reason to trust a key (the `tno` TXT key only says
 * that TRUSTNOONE is offered; the key itself is decided by the trust store as always).
 */
import { spawn } from 'node:child_process';
import { ClientError } from './errors.js';

export interface DiscoveredPrinter {
  /** Service instance name (usually printer-name). */
  readonly name: string;
  readonly type: '_ipp._tcp' | '_ipps._tcp';
  readonly host: string;
  readonly address: string;
  readonly port: number;
  /** ipp:// or ipps:// URI built from the host, port and the `rp` TXT key. */
  readonly uri: string;
  readonly txt: Readonly<Record<string, string>>;
  /** The record says TRUSTNOONE is offered (TXT `tno`): a hint, not trust. */
  readonly trustnoone: boolean;
}

export interface BrowseOptions {
  /** How long to wait for avahi-browse to finish its cache dump and resolution (default 5 s). */
  readonly timeoutMs?: number;
  /** Command to run; default avahi-browse. */
  readonly command?: string;
}

const MAX_OUTPUT = 1 << 20;
const MAX_PRINTERS = 1000;

/** avahi-browse -p escapes bytes in names as \DDD (decimal) and '\\' / '\;' as themselves. */
function unescape(field: string): string {
  const bytes: number[] = [];
  for (let i = 0; i < field.length; i++) {
    const c = field[i]!;
    if (c === '\\' && /^\d{3}$/.test(field.slice(i + 1, i + 4))) {
      bytes.push(Number(field.slice(i + 1, i + 4)) & 0xff);
      i += 3;
    } else if (c === '\\' && i + 1 < field.length) {
      bytes.push(...Buffer.from(field[i + 1]!, 'utf8'));
      i += 1;
    } else bytes.push(...Buffer.from(c, 'utf8'));
  }
  return Buffer.from(bytes).toString('utf8');
}

/** Splits on ';' that are not escaped. */
function fields(line: string): string[] {
  const out: string[] = [];
  let cur = '';
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (c === '\\' && i + 1 < line.length) {
      cur += c + line[i + 1];
      i += 1;
    } else if (c === ';') {
      out.push(cur);
      cur = '';
    } else cur += c;
  }
  out.push(cur);
  return out;
}

/** The TXT column: "k=v" "k2=v2", each quoted. */
function txtPairs(column: string): Record<string, string> {
  const txt: Record<string, string> = Object.create(null) as Record<string, string>;
  for (const m of column.matchAll(/"((?:[^"\\]|\\.)*)"/g)) {
    const entry = unescape(m[1]!);
    const eq = entry.indexOf('=');
    const key = (eq < 0 ? entry : entry.slice(0, eq)).toLowerCase();
    if (key && !(key in txt)) txt[key] = eq < 0 ? '' : entry.slice(eq + 1);
  }
  return txt;
}

/** Parses `avahi-browse -rpt` output; exported for its property tests. */
export function parseAvahiBrowse(output: string): DiscoveredPrinter[] {
  const found = new Map<string, DiscoveredPrinter>();
  for (const line of output.split('\n')) {
    if (!line.startsWith('=;')) continue;
    const f = fields(line);
    if (f.length < 10) continue;
    const type = f[4];
    if (type !== '_ipp._tcp' && type !== '_ipps._tcp') continue;
    const port = Number(f[8]);
    if (!Number.isInteger(port) || port < 1 || port > 65535) continue;
    const name = unescape(f[3]!);
    const host = unescape(f[6]!);
    const address = f[7]!;
    const txt = txtPairs(f.slice(9).join(';'));
    const rp = (txt.rp ?? 'ipp/print').replace(/^\/+/, '');
    const scheme = type === '_ipps._tcp' ? 'ipps' : 'ipp';
    const uri = `${scheme}://${host.includes(':') ? `[${host}]` : host}:${port}/${rp}`;
    const key = `${type}|${name}|${host}|${port}`;
    if (!found.has(key)) found.set(key, { name, type, host, address, port, uri, txt, trustnoone: txt.tno === '1' });
    if (found.size >= MAX_PRINTERS) break;
  }
  return [...found.values()].sort((a, b) => a.name.localeCompare(b.name) || a.type.localeCompare(b.type));
}

function browseType(command: string, type: string, timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, ['-r', '-p', '-t', '-k', type], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    const timer = setTimeout(() => child.kill('SIGTERM'), timeoutMs);
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString('utf8');
      if (out.length > MAX_OUTPUT) child.kill('SIGTERM');
    });
    child.stderr.on('data', (d: Buffer) => (err += d.toString('utf8').slice(0, 2000)));
    child.once('error', (e: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      reject(
        new ClientError('CLIENT_DISCOVERY_UNAVAILABLE', e.code === 'ENOENT' ? `${command} is not installed: install Debian's avahi-utils (and run avahi-daemon) to find printers by DNS-SD` : `${command}: ${e.message}`, { cause: e }),
      );
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      if (code !== 0 && out === '') {
        reject(new ClientError('CLIENT_DISCOVERY_UNAVAILABLE', `${command} failed (${err.trim() || `exit ${code}`}): is avahi-daemon running?`));
        return;
      }
      resolve(out);
    });
  });
}

/** Lists the IPP printers (_ipp._tcp and _ipps._tcp) the host's Avahi daemon knows or resolves. */
export async function browsePrinters(options: BrowseOptions = {}): Promise<DiscoveredPrinter[]> {
  const command = options.command ?? 'avahi-browse';
  const timeoutMs = options.timeoutMs ?? 5000;
  const [ipp, ipps] = await Promise.all([browseType(command, '_ipp._tcp', timeoutMs), browseType(command, '_ipps._tcp', timeoutMs)]);
  return parseAvahiBrowse(`${ipp}\n${ipps}`);
}
