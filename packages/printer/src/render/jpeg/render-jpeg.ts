/**
 * image/jpeg → one PNG page, decoded by jpeg-js with its own resolution and memory limits set from
 * ours, and strict (not "tolerant") decoding so a truncated or corrupt scan is an error rather than
 * a half-grey picture. The frame size is checked from the SOF header (ITU-T T.81 §B.2.2) before the
 * decoder runs, so an absurd declared size costs nothing.
 */
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { join } from 'node:path';
import jpeg from 'jpeg-js';
import { BoxDownscaler, downscaleFactor } from '../downscale.js';
import { limitExceeded, malformed, RenderError } from '../errors.js';
import { pageFile, type FormatContext } from '../format.js';
import { PngWriter } from '../png/png-writer.js';
import type { RenderedPage } from '../types.js';
import { readJpegFrameSize } from './jpeg-markers.js';

/** JPEG data is decoded in memory: this much at most, whatever maxInputBytes says. */
export const JPEG_MAX_BYTES = 64 * 1024 * 1024;
/** Previews of photos (which carry no reliable resolution) fit a 17-inch side at the preview dpi. */
const PREVIEW_INCHES = 17;

function readWhole(path: string, maxBytes: number): Uint8Array {
  const fd = openSync(path, 'r');
  try {
    const size = fstatSync(fd).size;
    if (size > maxBytes) throw limitExceeded(`JPEG file of ${size} bytes exceeds ${maxBytes}`);
    const data = new Uint8Array(size);
    let done = 0;
    while (done < size) {
      const n = readSync(fd, data, done, size - done, null);
      if (n === 0) break;
      done += n;
    }
    return data.subarray(0, done);
  } finally {
    closeSync(fd);
  }
}

export async function renderJpeg(context: FormatContext): Promise<RenderedPage[]> {
  const { limits } = context;
  const data = readWhole(context.inputPath, Math.min(JPEG_MAX_BYTES, limits.maxInputBytes));
  const frame = readJpegFrameSize(data);
  if (frame.width > limits.maxPageSidePixels || frame.height > limits.maxPageSidePixels || frame.width * frame.height > limits.maxPagePixels) {
    throw limitExceeded(`JPEG declares ${frame.width}x${frame.height} pixels, over the limits`);
  }
  const megapixels = Math.min(limits.maxPagePixels / 1e6, limits.memoryMb / 8);
  let image: { width: number; height: number; data: Uint8Array };
  try {
    image = jpeg.decode(data, {
      useTArray: true,
      formatAsRGBA: false,
      tolerantDecoding: false,
      maxResolutionInMP: megapixels,
      maxMemoryUsageInMB: limits.memoryMb,
    });
  } catch (error) {
    const message = (error as Error)?.message ?? String(error);
    if (/limit exceeded|allocate enough memory/i.test(message)) {
      throw new RenderError('RENDER_LIMIT_EXCEEDED', `JPEG needs more than the limits allow: ${message}`, { cause: error });
    }
    throw new RenderError('RENDER_MALFORMED', `JPEG does not decode: ${message}`, { cause: error });
  }
  const { width, height } = image;
  if (width !== frame.width || height !== frame.height || image.data.length !== width * height * 3) {
    throw malformed(`JPEG decoded to ${width}x${height}, its frame header says ${frame.width}x${frame.height}`);
  }
  const maxSide = Math.min(limits.maxPreviewSide, Math.round(limits.previewDpi * PREVIEW_INCHES));
  const factor = downscaleFactor(Math.max(width, height), 0, limits.previewDpi, maxSide);
  const channels = context.monochrome ? 1 : 3;
  const file = pageFile(0);
  const outWidth = Math.ceil(width / factor);
  const outHeight = Math.ceil(height / factor);
  const png = PngWriter.create(join(context.outDir, file), outWidth, outHeight, channels === 1 ? 'gray' : 'rgb');
  try {
    const scaler = new BoxDownscaler(width, height, channels, factor, factor, (row) => png.writeRow(row));
    const grey = new Uint8Array(width);
    for (let y = 0; y < height; y++) {
      const row = image.data.subarray(y * width * 3, (y + 1) * width * 3);
      if (channels === 3) {
        await scaler.push(row);
        continue;
      }
      for (let x = 0; x < width; x++) grey[x] = (row[3 * x]! * 77 + row[3 * x + 1]! * 150 + row[3 * x + 2]! * 29 + 128) >> 8;
      await scaler.push(grey);
    }
    await png.finish();
  } catch (error) {
    png.abort();
    throw error;
  }
  return [{ file, width: outWidth, height: outHeight }];
}
