/**
 * startPrinter: builds the app and listens (loopback by default). The URI it serves is known only
 * after listen (port 0 picks a free port), so it is set on the printer before the first request
 * can arrive and returned for the caller to print as its first line (docs/architecture.md).
 */
import { buildApp, type PrinterHandle } from './app.js';
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
}

export interface RunningPrinter {
  /** ipp://host:port/ipp/print (or ipps://). */
  readonly uri: string;
  readonly port: number;
  readonly printer: PrinterHandle;
  /** SHA-256 of the TLS certificate, when serving ipps. */
  readonly tlsFingerprint: string | undefined;
  close(): Promise<void>;
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
  return {
    uri,
    port,
    printer,
    tlsFingerprint,
    close: async () => {
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
