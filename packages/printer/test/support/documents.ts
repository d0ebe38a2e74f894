/** Test documents: PWG Raster from the renderer's generator, JPEG from jpeg-js, plain text. */
import jpeg from 'jpeg-js';
import { defaultPwgPattern, writePwgRaster, type PwgColorSpace } from '../../src/render/index.js';

export function pwgRaster(o: { pages?: number; width?: number; height?: number; colorSpace?: PwgColorSpace; bits?: 1 | 8 | 16; dpi?: number; pageSizeName?: string } = {}): Uint8Array {
  const width = o.width ?? 200;
  const height = o.height ?? 260;
  const colorSpace = o.colorSpace ?? 'sgray';
  const bitsPerColor = o.bits ?? 8;
  return writePwgRaster({
    pages: o.pages ?? 1,
    width,
    height,
    colorSpace,
    bitsPerColor,
    resolution: [o.dpi ?? 72, o.dpi ?? 72],
    pixel: defaultPwgPattern({ width, height, colorSpace, bitsPerColor }),
    ...(o.pageSizeName ? { pageSizeName: o.pageSizeName } : {}),
  });
}

export function jpegImage(width = 120, height = 90): Uint8Array {
  const data = Buffer.alloc(width * height * 4);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = (y * width + x) * 4;
      data[i] = (x * 2) & 0xff;
      data[i + 1] = (y * 3) & 0xff;
      data[i + 2] = ((x + y) * 5) & 0xff;
      data[i + 3] = 0xff;
    }
  }
  return new Uint8Array(jpeg.encode({ data, width, height }, 85).data);
}

export const TEXT = new TextEncoder().encode('Hello from the trustnoone printer tests.\nSecond line.\n');
