/**
 * image/pwg-raster (PWG 5102.4) → PNG previews. The file is read sequentially; each page's header is
 * checked against the limits before its single line buffer is sized, rows are decoded, converted to
 * 8-bit grey or RGB and box-downscaled to the preview resolution on the fly.
 */
import { closeSync, fstatSync, openSync } from 'node:fs';
import { join } from 'node:path';
import { ByteReader } from '../byte-reader.js';
import { BoxDownscaler, previewFactors } from '../downscale.js';
import { limitExceeded, malformed } from '../errors.js';
import { pageFile, type FormatContext } from '../format.js';
import { PngWriter } from '../png/png-writer.js';
import type { RenderedPage } from '../types.js';
import { PWG_HEADER_BYTES, PWG_SYNC, parsePwgHeader } from './pwg-header.js';
import { PwgRowDecoder, convertRow } from './pwg-rows.js';

export async function renderPwgRaster(context: FormatContext): Promise<RenderedPage[]> {
  const { limits } = context;
  const fd = openSync(context.inputPath, 'r');
  try {
    const size = fstatSync(fd).size;
    if (size > limits.maxInputBytes) throw limitExceeded(`PWG Raster file of ${size} bytes exceeds ${limits.maxInputBytes}`);
    const reader = new ByteReader(fd);
    const sync = new Uint8Array(4);
    reader.readInto(sync, 'PWG Raster sync word');
    const syncText = String.fromCharCode(...sync);
    if (syncText !== PWG_SYNC) throw malformed(`not PWG Raster: sync word ${JSON.stringify(syncText)}, expected "RaS2"`, 0);
    if (reader.atEnd()) throw malformed('PWG Raster file has no page', 4);

    const pages: RenderedPage[] = [];
    const headerBytes = new Uint8Array(PWG_HEADER_BYTES);
    let documentPixels = 0;
    while (!reader.atEnd()) {
      if (pages.length >= limits.maxPages) throw limitExceeded(`PWG Raster document has more than ${limits.maxPages} pages`);
      const headerAt = reader.offset;
      reader.readInto(headerBytes, 'PWG page header');
      const header = parsePwgHeader(headerBytes, headerAt, limits);
      documentPixels += header.width * header.height;
      if (documentPixels > limits.maxDocumentPixels) {
        throw limitExceeded(`PWG Raster document exceeds ${limits.maxDocumentPixels} pixels in all`);
      }
      const outChannels = header.channels === 1 || context.monochrome ? 1 : 3;
      const { fx, fy } = previewFactors(header.width, header.height, header.xDpi, header.yDpi, limits.previewDpi, limits.maxPreviewSide);
      const file = pageFile(pages.length);
      const scaledWidth = Math.ceil(header.width / fx);
      const scaledHeight = Math.ceil(header.height / fy);
      const png = PngWriter.create(join(context.outDir, file), scaledWidth, scaledHeight, outChannels === 1 ? 'gray' : 'rgb');
      try {
        const scaler = new BoxDownscaler(header.width, header.height, outChannels, fx, fy, (row) => png.writeRow(row));
        const decoder = new PwgRowDecoder(reader, header);
        const converted = new Uint8Array(header.width * outChannels);
        for (let y = 0; y < header.height; ) {
          convertRow(header, decoder.next(), converted, outChannels);
          const copies = 1 + decoder.takeRepeats(); // PWG line repeat: converted and scaled once
          await scaler.push(converted, copies);
          y += copies;
        }
        await png.finish();
      } catch (error) {
        png.abort();
        throw error;
      }
      pages.push({ file, width: scaledWidth, height: scaledHeight });
    }
    return pages;
  } finally {
    closeSync(fd);
  }
}
