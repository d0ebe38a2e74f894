export { registerIppRoutes, type IppRoutesOptions } from './server/ipp-routes.js';
export type { IppHandler, IppReply, IppRequestContext } from './server/context.js';
export { ippRequest, httpUrlFor, type IppRequestOptions, type IppResponse, type IppTlsOptions } from './client/ipp-request.js';
export { IppStatusError, IppTransportError, HttpAuthRequired, type IppTransportErrorCode } from './errors.js';
export { byteLimit, ByteLimitExceeded } from './byte-limit.js';
export { escapeHtml, htmlFacts, htmlPage, htmlTable, markup, type Markup } from './server/status-html.js';
export { advertise, type Advertisement, type DnssdService, type DnssdLog } from './dnssd/avahi-publisher.js';
export { ippTxtRecord, type TxtRecord, type TxtContext } from './dnssd/txt-record.js';
