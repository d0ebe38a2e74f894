/**
 * Can the upstream printer open a sealed document? A TRUSTNOONE printer publishes the key clients
 * seal to (printer-pkcs7-public-key) and lists application/pkcs7-mime in document-format-supported;
 * a printer with neither (ippeveprinter, any IPP Everywhere printer) can only abort a sealed job.
 * The intermediary then advertises only what the upstream can open (printer.ts) and refuses sealed
 * submissions at once (submit.ts) instead of spooling jobs that cannot print. Learned from the
 * upstream's own Get-Printer-Attributes answer when a client asks for ours, cached like the rest.
 */
import { GroupTag, type IppAttribute, type IppGroup, IppOperation, IppStatus } from '@trustnoone/ipp';
import { IppStatusError } from '@trustnoone/ipp-http';
import { PKCS7_MIME } from '@trustnoone/profile';
import { attr } from '../attrs.js';
import type { Service } from '../service.js';
import { discard, upstreamRequest } from '../upstream/client.js';

/** From a printer-attributes group: true, false, or undefined when the answer does not say. */
export function opensSealed(attributes: readonly IppAttribute[]): boolean | undefined {
  const key = attributes.find((a) => a.name === 'printer-pkcs7-public-key');
  const formats = attributes.find((a) => a.name === 'document-format-supported');
  if (key && key.values.length > 0) return true;
  if (formats?.values.some((v) => v.tag === 'mimeMediaType' && v.value.toLowerCase() === PKCS7_MIME)) return true;
  return formats ? false : undefined;
}

export function groupsOpenSealed(groups: readonly IppGroup[]): boolean | undefined {
  const printer = groups.find((g) => g.tag === GroupTag.printer);
  return printer ? opensSealed(printer.attributes) : undefined;
}

const known = new WeakMap<Service, { at: number; value: boolean | undefined }>();
const asking = new WeakMap<Service, Promise<boolean | undefined>>();
/** A hung upstream must not hold submissions: past this, "unknown" (and the job is taken). */
const ASK_TIMEOUT_MS = 2000;
/**
 * How long "unknown" stands before the upstream is asked again. Long, so that an upstream that
 * is down or hung gets this extra connection rarely, beside the forwarder's bounded ones.
 */
const UNKNOWN_TTL_MS = 60_000;

/** What the first upstream that answers says; undefined while none can be reached (store and forward). */
export function upstreamOpensSealed(service: Service): Promise<boolean | undefined> {
  const hit = known.get(service);
  if (hit && Date.now() - hit.at <= (hit.value === undefined ? UNKNOWN_TTL_MS : service.printerAttributesTtlMs)) return Promise.resolve(hit.value);
  // One question at a time, however many submissions arrive together.
  let pending = asking.get(service);
  if (!pending) {
    pending = ask(service).finally(() => asking.delete(service));
    asking.set(service, pending);
  }
  return pending;
}

async function ask(service: Service): Promise<boolean | undefined> {
  for (const upstream of service.upstreams) {
    try {
      const answer = await upstream.send(
        upstreamRequest(IppOperation.getPrinterAttributes, upstream.uri, [attr.keyword('requested-attributes', 'document-format-supported', 'printer-pkcs7-public-key')]),
        undefined,
        AbortSignal.timeout(ASK_TIMEOUT_MS),
      );
      discard(answer.data);
      const value = groupsOpenSealed(answer.message.groups);
      known.set(service, { at: Date.now(), value });
      return value;
    } catch {
      // Try the next; none reachable means "unknown", not "no".
    }
  }
  // Remembered like an answer, so a hung upstream costs one wait per TTL, not one per request.
  known.set(service, { at: Date.now(), value: undefined });
  return undefined;
}

/**
 * Refuses a sealed submission the upstream cannot open (client-error-document-format-not-supported),
 * going by what the upstream last said. A submission does not ask it: that would open a connection
 * beside the forwarder's bounded ones (forwarder.ts), and hang with a hung upstream. Clients ask
 * Get-Printer-Attributes before they print, which is when we learn it (printer.ts).
 */
export function requireUpstreamOpensSealed(service: Service): void {
  // Pull mode has no upstream to ask: output devices declare their own identity (infra/).
  if (service.pullMode) return;
  if (known.get(service)?.value !== false) return;
  throw new IppStatusError(
    IppStatus.clientErrorDocumentFormatNotSupported,
    `the printer behind this intermediary does not support TRUSTNOONE (no printer-pkcs7-public-key, no ${PKCS7_MIME} in document-format-supported): it cannot open a sealed document`,
  );
}

