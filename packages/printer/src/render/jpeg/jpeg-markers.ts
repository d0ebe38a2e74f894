/**
 * Just enough of the JPEG marker syntax (ITU-T T.81 Annex B) to find the frame size and to tell a
 * complete file from a truncated one before any decoding: walk the marker segments from SOI to the
 * first SOS, read the SOFn frame header, and require an EOI marker after the scan data.
 */
import { malformed } from '../errors.js';

const SOI = 0xd8;
const EOI = 0xd9;
const SOS = 0xda;
/** SOF0..SOF15 except DHT (C4), JPG (C8) and DAC (CC): T.81 Table B.1. */
const isSof = (m: number): boolean => m >= 0xc0 && m <= 0xcf && m !== 0xc4 && m !== 0xc8 && m !== 0xcc;

export function readJpegFrameSize(data: Uint8Array): { width: number; height: number } {
  if (data.length < 4 || data[0] !== 0xff || data[1] !== SOI) throw malformed('not a JPEG: no SOI marker at the start', 0);
  let at = 2;
  let frame: { width: number; height: number } | undefined;
  for (;;) {
    // T.81 §B.1.1.2: any number of 0xFF fill bytes may precede a marker.
    if (at >= data.length || data[at] !== 0xff) throw malformed('JPEG: marker expected', at);
    while (at < data.length && data[at] === 0xff) at++;
    if (at >= data.length) throw malformed('JPEG: truncated in a marker', at);
    const marker = data[at++]!;
    if (marker === EOI) throw malformed('JPEG: EOI before any scan', at - 2);
    if (marker === SOI || (marker >= 0xd0 && marker <= 0xd7) || marker === 0x01) continue; // no length
    if (at + 2 > data.length) throw malformed('JPEG: truncated segment length', at);
    const length = (data[at]! << 8) | data[at + 1]!;
    if (length < 2 || at + length > data.length) throw malformed(`JPEG: segment of ${length} bytes runs past the end`, at);
    if (isSof(marker)) {
      if (length < 8) throw malformed('JPEG: short frame header', at);
      const height = (data[at + 3]! << 8) | data[at + 4]!;
      const width = (data[at + 5]! << 8) | data[at + 6]!;
      // T.81 §B.2.2: Y = 0 defers the height to a DNL marker, which this renderer does not take.
      if (width === 0 || height === 0) throw malformed(`JPEG: frame of ${width}x${height}`, at);
      frame = { width, height };
    }
    at += length;
    if (marker === SOS) break;
  }
  if (!frame) throw malformed('JPEG: scan before any frame header', at);
  // The entropy-coded data never contains 0xFF 0xD9 (0xFF is stuffed as 0xFF 0x00, T.81 §B.1.1.5),
  // so a missing EOI after the first scan means the file was cut short.
  let end = -1;
  for (let i = data.length - 2; i >= at; i--) {
    if (data[i] === 0xff && data[i + 1] === EOI) {
      end = i;
      break;
    }
  }
  if (end < 0) throw malformed('JPEG: truncated, no EOI marker after the scan data', data.length);
  return frame;
}
