/** The RFC 8011 §B status codes the transport itself answers with. */
export const Status = {
  successfulOk: 0x0000,
  clientErrorBadRequest: 0x0400,
  clientErrorRequestEntityTooLarge: 0x0408, // RFC 8011 §13.1.4.9
  serverErrorInternalError: 0x0500,
  serverErrorOperationNotSupported: 0x0501,
} as const;
