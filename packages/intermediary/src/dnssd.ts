/**
 * DNS-SD for the intermediary (push mode): it advertises the printer object it serves with the
 * attributes a client would be told (operations/printer.ts printerAttributesAt: the upstream's,
 * with this object's URI, security and formats), through the host's Avahi daemon (ipp-http
 * dnssd/). Until the upstream answers there is nothing true to say, so it retries quietly and
 * advertises once it can. Pull mode (INFRA) is not advertised: its clients and devices are
 * configured with its URI.
 */
import { advertise, ippTxtRecord, type Advertisement } from '@trustnoone/ipp-http';
import { findMember } from '@trustnoone/ipp';
import { stringValue } from './attrs.js';
import { printerAttributesAt } from './operations/printer.js';
import type { Service } from './service.js';

export interface IntermediaryAdvertisement {
  close(): Promise<void>;
}

const RETRY_MS = 30_000;

export function advertiseIntermediary(
  service: Service,
  where: { readonly uri: string; readonly port: number; readonly tls: boolean; readonly path: string },
  log: { info(o: object, m: string): void; warn(o: object, m: string): void },
): IntermediaryAdvertisement {
  let closed = false;
  let current: Advertisement | undefined;
  let timer: NodeJS.Timeout | undefined;
  const attempt = async (): Promise<void> => {
    if (closed) return;
    try {
      const attrs = await printerAttributesAt(service, where.uri, where.tls);
      if (closed) return;
      const printerName = stringValue(findMember(attrs, 'printer-name')) ?? 'printer';
      const adminUrl = where.uri.replace(/^ipp(s?):/, 'http$1:').replace(/\/[^/]*\/[^/]*$/, '/');
      current = advertise({ name: `${printerName} via relay`, port: where.port, tls: where.tls, txt: ippTxtRecord(attrs, { resourcePath: where.path.replace(/^\/+/, ''), adminUrl, tls: where.tls }) }, log);
    } catch (err) {
      log.info({ err: (err as Error).message }, `DNS-SD: the upstream printer does not answer yet; advertising in ${RETRY_MS / 1000} s`);
      timer = setTimeout(() => void attempt(), RETRY_MS);
      timer.unref();
    }
  };
  void attempt();
  return {
    close: async () => {
      closed = true;
      if (timer) clearTimeout(timer);
      await current?.close();
    },
  };
}
