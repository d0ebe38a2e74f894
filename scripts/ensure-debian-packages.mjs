// vitest globalSetup: the interop tests need real peers from Debian (openssl, ipptool and
// ippeveprinter from cups-ipp-utils). Install them when missing; the machines run as root.
import { spawnSync } from 'node:child_process';

const needed = [
  { bin: 'openssl', pkg: 'openssl' },
  { bin: 'ipptool', pkg: 'cups-ipp-utils' },
  { bin: 'ippeveprinter', pkg: 'cups-ipp-utils' },
  { bin: 'dbus-daemon', pkg: 'dbus-daemon' }, // a private bus per ippeveprinter (testing/ippeveprinter.ts)
  { bin: 'pdftoppm', pkg: 'poppler-utils' }, // the printer's PDF renderer (packages/printer/src/render/pdf)
  { bin: 'pdfinfo', pkg: 'poppler-utils' },
  { bin: 'bwrap', pkg: 'bubblewrap' }, // the renderers' sandbox (docs/decisions.md D15); required when tests run as root
  { bin: 'cups-config', pkg: 'libcups2-dev' }, // libcups as the independent PWG Raster peer (printer render tests)
  { bin: 'gcc', pkg: 'gcc' },
  { bin: 'cjpeg', pkg: 'libjpeg-turbo-progs' }, // libjpeg-turbo as the independent JPEG peer (printer render tests)
  { bin: 'djpeg', pkg: 'libjpeg-turbo-progs' },
  { bin: 'gs', pkg: 'ghostscript' }, // documents for CUPS' ipptool files and the cupsd test (testing/ipptool.ts)
  { bin: '/usr/sbin/cupsd', pkg: 'cups' }, // a private cupsd as a real client (testing/cupsd.ts)
  { bin: '/usr/sbin/lpadmin', pkg: 'cups-client' },
  { bin: 'lp', pkg: 'cups-client' },
  { bin: '/usr/lib/cups/filter/texttopdf', pkg: 'cups-filters' }, // cupsd's filters for lp of text, JPEG, PDF
  { bin: '/usr/lib/cups/filter/pdftopdf', pkg: 'cups-filters' },
  { bin: 'chromium', pkg: 'chromium' }, // the status pages as a browser shows them (testing/chromium.ts)
  { bin: 'zbarimg', pkg: 'zbar-tools' }, // an independent QR decoder for the printer page's key fingerprint
  { bin: 'avahi-daemon', pkg: 'avahi-daemon' }, // DNS-SD tests run their own daemon in a private network namespace
  { bin: 'avahi-browse', pkg: 'avahi-utils' }, // avahi-browse and avahi-publish-service (what the servers advertise through)
  { bin: 'ip', pkg: 'iproute2' },
  { bin: 'pg_lsclusters', pkg: 'postgresql' }, // a private PostgreSQL for the shared intermediary store (testing/postgres.ts)
];

function has(bin) {
  return spawnSync('sh', ['-c', `command -v ${bin}`], { stdio: 'ignore' }).status === 0;
}

export default function setup() {
  // No test may advertise on, or browse, the machine's real network: DNS-SD goes through the system
  // D-Bus to an Avahi daemon, so point every test process at a bus that does not exist. The DNS-SD
  // tests give their processes a private bus (testing/dnssd-namespace.ts), as the ippeveprinter
  // launcher does.
  process.env.DBUS_SYSTEM_BUS_ADDRESS = 'unix:path=/nonexistent/trustnoone-tests-have-no-system-bus';
  const missing = [...new Set(needed.filter((n) => !has(n.bin)).map((n) => n.pkg))];
  if (missing.length === 0) return;
  if (process.env.TNO_NO_APT) return;
  const sudo = process.getuid?.() === 0 ? [] : ['sudo', '-n'];
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const update = spawnSync(sudo[0] ?? 'apt-get', [...sudo.slice(1), ...(sudo.length ? ['apt-get'] : []), 'update', '-qq'], { stdio: 'inherit', env });
  const install = spawnSync(sudo[0] ?? 'apt-get', [...sudo.slice(1), ...(sudo.length ? ['apt-get'] : []), 'install', '-y', '-qq', ...missing], { stdio: 'inherit', env });
  if (update.status !== 0 || install.status !== 0) {
    console.warn(`[test setup] could not install ${missing.join(', ')}; tests that need them will fail with a clear message`);
  }
}
