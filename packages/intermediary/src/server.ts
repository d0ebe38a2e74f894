/**
 * startIntermediary: build, recover the spool, listen (127.0.0.1 unless told otherwise), report the
 * URI served, and shut down cleanly on SIGTERM/SIGINT (stop forwarding, close the listener; the
 * spool needs no flush because every acknowledged byte is already fsynced).
 */
import type { AddressInfo } from 'node:net';
import { buildApp, type Intermediary, type IntermediaryOptions } from './app.js';
import { advertisedByDefault } from '@trustnoone/ipp-http';
import { advertiseIntermediary } from './dnssd.js';

export interface StartOptions extends IntermediaryOptions {
  /** Default 8632; 0 picks a free port. */
  readonly port?: number;
  /** Default 127.0.0.1. */
  readonly host?: string;
  /** Receives the served URI first, before anything else is written (default: stdout line). */
  readonly announce?: (uri: string) => void;
  /** Install SIGTERM/SIGINT handlers (default true). */
  readonly handleSignals?: boolean;
  /**
   * Advertise by DNS-SD through the host's Avahi daemon (push mode). Default: on when listening
   * on an address other hosts can reach, off on loopback.
   */
  readonly dnssd?: boolean;
}

export interface RunningIntermediary extends Intermediary {
  readonly uri: string;
  readonly port: number;
}

export const DEFAULT_PORT = 8632;

export async function startIntermediary(options: StartOptions): Promise<RunningIntermediary> {
  const built = buildApp(options);
  await built.start();
  const host = options.host ?? '127.0.0.1';
  await built.app.listen({ host, port: options.port ?? DEFAULT_PORT });
  const port = (built.app.server.address() as AddressInfo).port;
  const hostPart = host.includes(':') ? `[${host}]` : host;
  const uri = `${options.https ? 'ipps' : 'ipp'}://${hostPart}:${port}${options.path ?? '/ipp/print'}`;
  (options.announce ?? ((u) => process.stdout.write(`${u}\n`)))(uri);
  const advertisement =
    (options.dnssd ?? advertisedByDefault(host)) && !options.infra
      ? advertiseIntermediary(built.service, { uri, port, tls: options.https !== undefined, path: options.path ?? '/ipp/print' }, {
          info: (o, m) => built.app.log.info(o, m),
          warn: (o, m) => built.app.log.warn(o, m),
        })
      : undefined;
  const close = async (): Promise<void> => {
    await advertisement?.close();
    await built.close();
  };
  if (options.handleSignals ?? true) {
    const stop = (): void => {
      close().then(
        () => process.exit(0),
        () => process.exit(1),
      );
    };
    process.once('SIGTERM', stop);
    process.once('SIGINT', stop);
  }
  return { ...built, close, uri, port };
}
