/**
 * The client half of the transport, importable without the server framework: a program that only
 * sends IPP requests (the client library, a conformance run, a proxy) depends on this entry point
 * and installs no HTTP server. The root entry adds the fastify routes for servers.
 */
export { authorizationHeader, credentialsLabel, type BasicCredentials, type BearerCredentials, type CredentialSource, type HttpCredentials } from './client/credentials.js';
export { checkIssuerUrl, discoverIssuer, isLoopbackHost, type IssuerMetadata } from './oauth/issuer-metadata.js';
export { needsRefresh, postForm, requestToken, type ClientSecret, type TokenSet } from './oauth/token-endpoint.js';
export { clientCredentialsSource, type ClientCredentialsOptions } from './oauth/client-credentials.js';
export { ippRequest, httpUrlFor, type IppRequestOptions, type IppResponse, type IppTlsOptions } from './client/ipp-request.js';
export { IppStatusError, IppTransportError, HttpAuthRequired, type IppTransportErrorCode } from './errors.js';
