/**
 * Eager release of large buffers we own. Every `Cipher.update` allocates its output outside the V8
 * heap, and V8 frees such memory only when a garbage collection finds the Buffer unreachable: for
 * young buffers that is after ~32 MiB of them have piled up (V8 forces a scavenge only then), so
 * a file-to-file pass would hold ~32 MiB of already-written ciphertext at any time. Transferring
 * the ArrayBuffer through a MessagePort whose other end is closed detaches it (its views become
 * empty) and the message, with the memory, is dropped at once; node 20 has no
 * ArrayBuffer.prototype.transfer to do this directly.
 *
 * Only for buffers that nothing else can still read: the caller created them (our own cipher
 * output) and has finished with them (the write completed).
 */
import { MessageChannel, type MessagePort } from 'node:worker_threads';

/** Below this size the transfer costs more than the garbage it saves. */
const MIN_RELEASE = 16 * 1024;

let port: MessagePort | undefined;

export function release(b: Uint8Array): void {
  // Only a view of a whole ArrayBuffer of its own (never a slice of node's shared Buffer pool).
  if (b.length < MIN_RELEASE || b.byteOffset !== 0 || b.buffer.byteLength !== b.length || !(b.buffer instanceof ArrayBuffer)) return;
  if (!port) {
    const channel = new MessageChannel();
    channel.port2.close();
    channel.port1.unref();
    port = channel.port1;
  }
  try {
    port.postMessage(null, [b.buffer]);
  } catch {
    // not transferable (already detached, or an ArrayBuffer node marked untransferable): leave it to the GC
  }
}
