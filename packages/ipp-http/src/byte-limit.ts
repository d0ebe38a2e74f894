import { Transform, type TransformCallback } from 'node:stream';

/** Raised through a document stream that grew past its byte limit. */
export class ByteLimitExceeded extends Error {
  readonly limit: number;
  constructor(limit: number) {
    super(`document data exceeds the limit of ${limit} bytes`);
    this.name = 'ByteLimitExceeded';
    this.limit = limit;
  }
}

/** A pass-through that fails once more than `limit` bytes have gone through it. */
export function byteLimit(limit: number): Transform {
  let seen = 0;
  return new Transform({
    transform(chunk: Buffer, _enc, done: TransformCallback) {
      seen += chunk.length;
      if (seen > limit) done(new ByteLimitExceeded(limit));
      else done(null, chunk);
    },
  });
}
