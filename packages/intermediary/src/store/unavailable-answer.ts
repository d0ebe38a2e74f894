/**
 * The shared store down, as a client sees it: HTTP 503 with Retry-After (ipp-http's
 * HttpServiceUnavailable, RFC 9110 §15.6.4), whether a sign-in needed it (the shared failure
 * throttle) or an operation did. Never a 500: nothing was taken, and the client may simply ask
 * again. The store's own message (which names the socket or host it could not reach) goes to the
 * local log as the cause, not to the client.
 */
import { HttpServiceUnavailable } from '@trustnoone/ipp-http';
import { IntermediaryError, IntermediaryErrorCode } from '../errors.js';

/** What Retry-After asks of a client while the store is down: long enough for a reconnect, short enough not to stall a queue. */
export const STORE_RETRY_AFTER_MS = 5_000;

export function storeDown(err: unknown): err is IntermediaryError {
  return err instanceof IntermediaryError && err.code === IntermediaryErrorCode.storeUnavailable;
}

export function storeUnavailableAnswer(cause: IntermediaryError): HttpServiceUnavailable {
  return new HttpServiceUnavailable(STORE_RETRY_AFTER_MS, 'the job store is unavailable; try again shortly', { cause });
}

/** Runs `fn`, the store down answered as above; other errors pass unchanged. */
export async function answeringStoreDown<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    throw storeDown(err) ? storeUnavailableAnswer(err) : err;
  }
}
