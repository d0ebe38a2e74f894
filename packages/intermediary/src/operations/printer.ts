/**
 * Get-Printer-Attributes (RFC 8011 §4.2.5), answered with the upstream printer's own attributes.
 * Only the attributes that name this printer object are rewritten (printer-uri-supported,
 * uri-security-supported, uri-authentication-supported, printer-more-info; job-ids-supported, as
 * our Get-Jobs takes job-ids), operations-supported is
 * cut down to the operations relayed, document-format-supported/-default say application/pkcs7-mime
 * while the end-to-end policy is on, and connecting-to-device joins printer-state-reasons while
 * the upstream cannot be reached; everything else — in
 * particular printer-uuid and the TRUSTNOONE printer-pkcs7-* attributes the client seals to —
 * passes through value for value, so the client can check what the printer itself published.
 * Answers are cached per distinct request for a short TTL.
 */
import { GroupTag, type IppAttribute, type IppGroup, type IppMessage, IppOperation, IppStatus } from '@trustnoone/ipp';
import { IppStatusError, type IppReply, type IppRequestContext } from '@trustnoone/ipp-http';
import { PKCS7_MIME } from '@trustnoone/profile';
import { attr, findAttribute, stringValue } from '../attrs.js';
import type { Service } from '../service.js';
import { discard, passThroughOperationAttributes, upstreamRequest } from '../upstream/client.js';
import { upstreamOpensSealed } from './upstream-capability.js';
import { checkAttributeCount, printerUriOf, requestedAttributes } from './request.js';

interface Cached {
  readonly at: number;
  readonly status: number;
  readonly statusMessage: string | undefined;
  readonly operation: readonly IppAttribute[];
  readonly groups: readonly IppGroup[];
}

const caches = new WeakMap<Service, Map<string, Cached>>();
const MAX_ENTRIES = 64;
const OWN = new Set(['attributes-charset', 'attributes-natural-language', 'status-message']);

function cacheKey(message: IppMessage): string {
  const ops = passThroughOperationAttributes(message.groups[0]?.attributes ?? []).filter((a) => a.name !== 'requesting-user-name');
  return JSON.stringify(ops.map((a) => [a.name, a.values.map((v) => ('value' in v ? String(v.value) : v.tag))]));
}

async function fetchUpstream(service: Service, message: IppMessage): Promise<Cached> {
  const ops = passThroughOperationAttributes(message.groups[0]?.attributes ?? []);
  let lastError: unknown;
  // Any configured upstream will do; they front the same printer (or an equivalent pool).
  for (const upstream of service.upstreams) {
    try {
      const answer = await upstream.send(upstreamRequest(IppOperation.getPrinterAttributes, upstream.uri, ops));
      discard(answer.data);
      service.forwarder.unreachable.delete(upstream.uri);
      const m = answer.message;
      return {
        at: Date.now(),
        status: m.code,
        statusMessage: stringValue(findAttribute(m, GroupTag.operation, 'status-message')),
        operation: (m.groups[0]?.tag === GroupTag.operation ? m.groups[0].attributes : []).filter((a) => !OWN.has(a.name)),
        groups: m.groups.filter((g, i) => !(i === 0 && g.tag === GroupTag.operation)),
      };
    } catch (err) {
      service.forwarder.unreachable.add(upstream.uri);
      lastError = err;
    }
  }
  throw lastError;
}

/** printer-uuid and the TRUSTNOONE key of an answer, to notice the upstream's identity changing. */
function identityOf(c: Cached): string {
  const printer = c.groups.find((g) => g.tag === GroupTag.printer)?.attributes ?? [];
  const text = (name: string): string => (printer.find((a) => a.name === name)?.values ?? []).map((v) => ('value' in v ? String(v.value) : '')).join('\n');
  return `${text('printer-uuid')}|${text('printer-pkcs7-public-key')}`;
}

/** A TLS pin mismatch anywhere in the error's cause chain. */
function pinMismatch(err: unknown): boolean {
  for (let e = err as { code?: unknown; cause?: unknown } | undefined, depth = 0; e && depth < 5; e = e.cause as typeof e, depth++) {
    if (e.code === 'IPP_HTTP_TLS_PIN_MISMATCH') return true;
  }
  return false;
}

/** Printer attributes in printer-up-time units (RFC 8011 §5.4.29, RFC 3995 §5.3.1, PWG 5100.13 §6.5.3). */
const UP_TIME_UNITS = new Set(['printer-state-change-time', 'printer-config-change-time']);

/**
 * printer-up-time is ours (clock.ts), the clock our jobs' time-at-* are on; the upstream's times in
 * the same units are moved onto it: an event u seconds into the upstream's up-time U, fetched at
 * `at`, happened at at − (U − u) s.
 */
function onOurClock(a: IppAttribute, upstreamUpTime: number | undefined, fetchedAt: number, service: Service): IppAttribute {
  if (a.name === 'printer-up-time') return attr.integer(a.name, service.clock.now());
  if (!UP_TIME_UNITS.has(a.name) || upstreamUpTime === undefined) return a;
  return { name: a.name, values: a.values.map((v) => (v.tag === 'integer' ? { tag: 'integer' as const, value: service.clock.at(fetchedAt - (upstreamUpTime - v.value) * 1000) } : v)) };
}

/** What a policy-on intermediary in front of a printer without TRUSTNOONE says about itself. */
const CANNOT_PRINT = 'the printer behind this intermediary does not support TRUSTNOONE, and this intermediary accepts only sealed jobs: it cannot print anything';

/** The printer object as a client reaches it: its URI and whether that was over TLS. */
interface Addressed {
  readonly uri: string;
  readonly secure: boolean;
}

/** Whether a request's requested-attributes (RFC 8011 §4.2.5.1) asks for `name`, a printer description attribute. */
function asksFor(requested: readonly string[] | undefined, name: string): boolean {
  return !requested || requested.includes('all') || requested.includes('printer-description') || requested.includes(name);
}

function rewrite(groups: readonly IppGroup[], service: Service, ctx: Addressed, fetchedAt: number, opensSealed: boolean | undefined, requested: readonly string[] | undefined): IppGroup[] {
  const uri = ctx.uri;
  const web = uri.replace(/^ipps:/, 'https:').replace(/^ipp:/, 'http:');
  // 'oauth' tells a client to sign in at oauth-authorization-server-uri (as libcups 3 does).
  const auth = service.oauth ? 'oauth' : service.users.size > 0 ? (service.allowAnonymous ? 'requesting-user-name' : 'basic') : 'requesting-user-name';
  const down = service.upstreams.some((u) => service.forwarder.unreachable.has(u.uri));
  const replace: Record<string, IppAttribute> = {
    'printer-uri-supported': attr.uri('printer-uri-supported', uri),
    'uri-security-supported': attr.keyword('uri-security-supported', ctx.secure ? 'tls' : 'none'),
    'uri-authentication-supported': attr.keyword('uri-authentication-supported', auth),
    'printer-more-info': attr.uri('printer-more-info', web),
    // Get-Jobs answers about our own jobs, and takes job-ids (operations/job-ids.ts), whatever
    // the printer behind us says of itself.
    'job-ids-supported': attr.boolean('job-ids-supported', true),
  };
  return groups.map((g) => {
    if (g.tag !== GroupTag.printer) return g;
    const up = g.attributes.find((a) => a.name === 'printer-up-time')?.values[0];
    const upstreamUpTime = up?.tag === 'integer' ? up.value : undefined;
    const attributes = g.attributes.map((original) => {
      const a = onOurClock(original, upstreamUpTime, fetchedAt, service);
      const r = replace[a.name];
      if (r) return r;
      if (opensSealed === false) {
        // Advertise only what the upstream can open: its own formats pass through unchanged, and
        // with the policy on nothing can be accepted at all (RFC 8011 §5.4.23, §5.4.13).
        if (service.requireEncryption && a.name === 'printer-is-accepting-jobs') return attr.boolean(a.name, false);
        if (service.requireEncryption && a.name === 'printer-state-message') return attr.text(a.name, CANNOT_PRINT);
      } else if (service.requireEncryption && (a.name === 'document-format-supported' || a.name === 'document-format-default')) {
        // The end-to-end policy makes this printer object accept sealed documents only; the
        // formats inside the envelope stay advertised in pkcs7-document-format-supported.
        return attr.mimeMediaType(a.name, PKCS7_MIME);
      }
      if (a.name === 'operations-supported') {
        // Advertise only what this printer object answers (RFC 8011 §5.4.15): an operation the
        // printer has but we do not relay (Identify-Printer, ...) would fail if a client tried it.
        return { name: a.name, values: a.values.filter((v) => v.tag !== 'enum' || service.servedOperations.has(v.value)) };
      }
      if (a.name === 'printer-state-reasons' && down) {
        // RFC 8011 §5.4.12: our own condition, added to what the printer reported.
        const kept = a.values.filter((v) => !('value' in v && v.value === 'none'));
        return { name: a.name, values: [...kept, { tag: 'keyword' as const, value: 'connecting-to-device' }] };
      }
      return a;
    });
    if (service.oauth) {
      // Where to sign in, and for what (the attributes libcups 3 and ChromeOS read); a printer
      // behind us never knows our issuer, so ours replace any it reported.
      const own = new Set(['oauth-authorization-server-uri', 'oauth-authorization-scope']);
      attributes.splice(0, attributes.length, ...attributes.filter((a) => !own.has(a.name)));
      attributes.push(attr.uri('oauth-authorization-server-uri', service.oauth.issuer));
      if (service.oauth.scopes.length > 0) attributes.push(attr.name('oauth-authorization-scope', ...service.oauth.scopes));
    }
    if (!attributes.some((a) => a.name === 'job-ids-supported') && asksFor(requested, 'job-ids-supported')) attributes.push(replace['job-ids-supported']!);
    return { tag: g.tag, attributes };
  });
}

export async function getPrinterAttributes(service: Service, ctx: IppRequestContext): Promise<IppReply> {
  checkAttributeCount(service, ctx.message);
  let cache = caches.get(service);
  if (!cache) caches.set(service, (cache = new Map()));
  const key = cacheKey(ctx.message);
  let hit = cache.get(key);
  if (!hit || Date.now() - hit.at > service.printerAttributesTtlMs) {
    try {
      const previous = hit;
      hit = await fetchUpstream(service, ctx.message);
      const was = previous && identityOf(previous);
      if (was && was !== identityOf(hit)) {
        ctx.log.warn({ before: was.slice(0, 80), now: identityOf(hit).slice(0, 80) }, 'upstream printer identity changed (printer-uuid or printer-pkcs7-public-key): serving the new one; clients that trust the old key will refuse it');
      }
      if (cache.size >= MAX_ENTRIES) cache.delete(cache.keys().next().value!);
      cache.set(key, hit);
    } catch (err) {
      if (pinMismatch(err)) {
        // The upstream's identity changed (issue 15.5): the key we cached is no longer known to be
        // the printer's, so it is not served again; clients learn why instead.
        cache.clear();
        ctx.log.error({ err: (err as Error).message }, "upstream printer identity changed: its TLS certificate is not the pinned one; not serving its old attributes");
        throw new IppStatusError(
          IppStatus.serverErrorServiceUnavailable,
          "the upstream printer's TLS certificate is not the pinned one (its identity changed): the intermediary's administrator must check the printer and update --upstream-pin",
          { cause: err },
        );
      }
      ctx.log.warn({ err: (err as Error).message }, 'upstream printer unreachable for Get-Printer-Attributes');
      // A stale answer (flagged by connecting-to-device) beats none; without one, say why.
      if (!hit) {
        throw new IppStatusError(IppStatus.serverErrorServiceUnavailable, 'the upstream printer cannot be reached right now; try again shortly', { cause: err });
      }
    }
  }
  return {
    status: hit.status,
    ...(hit.statusMessage ? { statusMessage: hit.statusMessage } : {}),
    operationAttributes: hit.operation,
    groups: rewrite(hit.groups, service, { uri: printerUriOf(ctx), secure: ctx.secure }, hit.at, service.pullMode ? undefined : await upstreamOpensSealed(service), requestedAttributes(ctx.message)),
  };
}

/**
 * The printer attributes as a client at `uri` would be told them, fetched fresh from the upstream:
 * what DNS-SD advertises (server.ts), so discovery and Get-Printer-Attributes agree.
 */
export async function printerAttributesAt(service: Service, uri: string, secure: boolean): Promise<IppAttribute[]> {
  const hit = await fetchUpstream(service, upstreamRequest(IppOperation.getPrinterAttributes, uri, [attr.keyword('requested-attributes', 'all')]));
  return rewrite(hit.groups, service, { uri, secure }, hit.at, service.pullMode ? undefined : await upstreamOpensSealed(service), undefined).flatMap((g) => (g.tag === GroupTag.printer ? g.attributes : []));
}
