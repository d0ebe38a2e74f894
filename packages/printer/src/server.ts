/**
 * startPrinter: builds the app and listens (loopback by default). The URI it serves is known only
 * after listen (port 0 picks a free port), so it is set on the printer before the first request
 * can arrive and returned for the caller to print as its first line (docs/architecture.md).
 */
import { advertise, advertisedByDefault, ippTxtRecord, type Advertisement } from '@trustnoone/ipp-http';
import { buildApp, type PrinterHandle } from './app.js';
import { printerAttributes } from './attributes/printer-attributes.js';
import { DEFAULTS, type PrinterOptions } from './options.js';
import { startPanelSocket } from './secure/panel-socket.js';
import { loadOrCreateTlsCredentials } from './secure/tls.js';
import { stateLayout, prepareState } from './state/state-dir.js';

export interface StartOptions extends Omit<PrinterOptions, 'uris' | 'https'> {
  /** Default 8631; 0 picks a free port. */
  readonly port?: number;
  /** Default 127.0.0.1 (loopback only). */
  readonly host?: string;
  /** Serve ipps (TLS) with a certificate generated on first start in the state directory. */
  readonly tls?: boolean;
  /**
   * A Unix socket path for the local panel (secure/panel-socket.ts: release codes for held jobs);
   * `tno printer` uses STATE/panel.sock. None by default.
   */
  readonly panelSocket?: string;
  /**
   * Advertise by DNS-SD (_ipp._tcp or _ipps._tcp with the _print subtype and the IPP Everywhere
   * TXT keys) through the host's Avahi daemon. Default: on when listening on an address other
   * hosts can reach, off on loopback, where nobody else could connect to what was advertised.
   */
  readonly dnssd?: boolean;
}

export interface RunningPrinter {
  /** ipp://host:port/ipp/print (or ipps://). */
  readonly uri: string;
  readonly port: number;
  readonly printer: PrinterHandle;
  /** SHA-256 of the TLS certificate, when serving ipps. */
  readonly tlsFingerprint: string | undefined;
  /** The DNS-SD registration, when advertised (see StartOptions.dnssd). */
  readonly advertisement: Advertisement | undefined;
  close(): Promise<void>;
}

/** The TXT record comes from the printer's own Get-Printer-Attributes view (ipp-http dnssd/). */
function advertisePrinter(printer: PrinterHandle, port: number, tls: boolean, uri: string): Advertisement {
  const rt = printer.runtime;
  const attrs = printerAttributes(rt.identity, rt.status());
  const adminUrl = uri.replace(/^ipp(s?):/, 'http$1:').replace(/\/ipp\/print$/, '/');
  const txt = ippTxtRecord(attrs, { resourcePath: 'ipp/print', adminUrl, tls });
  return advertise({ name: rt.identity.name, port, tls, txt }, { info: (o, m) => rt.log.info(o, m), warn: (o, m) => rt.log.warn(o, m) });
}

function hostForUri(host: string): string {
  return host.includes(':') ? `[${host}]` : host;
}

export async function startPrinter(options: StartOptions): Promise<RunningPrinter> {
  const host = options.host ?? '127.0.0.1';
  let https: PrinterOptions['https'];
  let tlsFingerprint: string | undefined;
  if (options.tls) {
    const layout = stateLayout(options.stateDir);
    await prepareState(layout);
    const tls = await loadOrCreateTlsCredentials(layout, host);
    https = { key: tls.keyPem, cert: tls.certificatePem };
    tlsFingerprint = tls.fingerprint;
  }
  const printer = await buildApp({ ...options, ...(https ? { https } : {}) });
  let port: number;
  try {
    await printer.app.listen({ port: options.port ?? DEFAULTS.port, host });
    const address = printer.app.server.address();
    port = typeof address === 'object' && address ? address.port : (options.port ?? DEFAULTS.port);
  } catch (err) {
    await printer.close();
    throw err;
  }
  let panel: { close(): Promise<void> } | undefined;
  if (options.panelSocket !== undefined) {
    try {
      panel = await startPanelSocket(printer, options.panelSocket);
    } catch (err) {
      await printer.close();
      throw err;
    }
  }
  const scheme = options.tls ? 'ipps' : 'ipp';
  const uri = `${scheme}://${hostForUri(host)}:${port}/ipp/print`;
  printer.setUris([uri]);
  const advertisement = (options.dnssd ?? advertisedByDefault(host)) ? advertisePrinter(printer, port, options.tls === true, uri) : undefined;
  return {
    uri,
    port,
    printer,
    tlsFingerprint,
    advertisement,
    close: async () => {
      await advertisement?.close();
      await panel?.close();
      await printer.close();
    },
  };
}

/**
 * Shuts down cleanly on SIGTERM/SIGINT: stops accepting, lets the current render finish or abort,
 * removes queued jobs' plaintext, then resolves (the caller exits 0).
 */
export function closeOnSignals(running: RunningPrinter, signals: readonly NodeJS.Signals[] = ['SIGTERM', 'SIGINT']): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    const onSignal = (sig: NodeJS.Signals) => {
      for (const s of signals) process.off(s, onSignal);
      void running.close().then(() => resolve(sig));
    };
    for (const s of signals) process.on(s, onSignal);
  });
}
