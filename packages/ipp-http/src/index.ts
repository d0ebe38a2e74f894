export { registerIppRoutes, type IppRoutesOptions } from './server/ipp-routes.js';
export { ippsServerTlsOptions, IPPS_CIPHERS } from './server/tls-options.js';
export type { IppHandler, IppReply, IppRequestContext } from './server/context.js';
export { ippRequest, httpUrlFor, type IppRequestOptions, type IppResponse, type IppTlsOptions } from './client/ipp-request.js';
export { IppStatusError, IppTransportError, HttpAuthRequired, type IppTransportErrorCode } from './errors.js';
export { byteLimit, ByteLimitExceeded } from './byte-limit.js';
