/**
 * Integer box-filter downscaling of a stream of rows: each output pixel is the mean of an
 * fx × fy block of input pixels (the blocks on the right and bottom edges may be smaller). Memory is
 * one output row of sums, whatever the input size, so a 1200 dpi page becomes a 150 dpi preview
 * without ever holding the page.
 */
export type RowSink = (row: Uint8Array) => Promise<void>;

/** Smallest integer factor that brings `side` pixels at `dpi` to at most `previewDpi` and `maxSide`. */
export function downscaleFactor(side: number, dpi: number, previewDpi: number, maxSide: number): number {
  const byDpi = dpi > previewDpi ? Math.ceil(dpi / previewDpi) : 1;
  const bySide = Math.ceil(side / maxSide);
  return Math.max(1, byDpi, bySide);
}

/**
 * Integer factors for a page of width × height pixels at xDpi × yDpi: one physical preview
 * resolution for both axes (so the preview keeps the page's shape), at most previewDpi and low
 * enough that neither side exceeds maxSide pixels (roll media, posters).
 */
export function previewFactors(
  width: number,
  height: number,
  xDpi: number,
  yDpi: number,
  previewDpi: number,
  maxSide: number,
): { fx: number; fy: number } {
  const dpi = Math.min(previewDpi, (maxSide * xDpi) / width, (maxSide * yDpi) / height);
  return { fx: Math.max(1, Math.ceil(xDpi / dpi)), fy: Math.max(1, Math.ceil(yDpi / dpi)) };
}

export class BoxDownscaler {
  readonly outWidth: number;
  readonly outHeight: number;
  /** Float64: 255 × fx × fy may pass 2^32 for absurd declared resolutions; exact up to 2^53. */
  private readonly sums: Float64Array;
  private readonly out: Uint8Array;
  /** Output sample index of each input pixel: the hot loop then has no division. */
  private readonly target: Uint32Array;
  private rowsInBlock = 0;
  private rowsSeen = 0;

  /** `channels` is 1 (grey) or 3 (RGB). */
  constructor(
    private readonly width: number,
    private readonly height: number,
    private readonly channels: 1 | 3,
    private readonly fx: number,
    private readonly fy: number,
    private readonly sink: RowSink,
  ) {
    this.outWidth = Math.ceil(width / fx);
    this.outHeight = Math.ceil(height / fy);
    this.sums = new Float64Array(this.outWidth * channels);
    this.out = new Uint8Array(this.outWidth * channels);
    this.target = new Uint32Array(width);
    for (let x = 0; x < width; x++) this.target[x] = Math.floor(x / fx) * channels;
  }

  /** Adds `times` consecutive identical input rows of `width × channels` 8-bit samples. */
  async push(row: Uint8Array, times = 1): Promise<void> {
    if (!Number.isInteger(times) || times < 1 || this.rowsSeen + times > this.height) {
      throw new RangeError(`downscaler got ${times} rows past row ${this.rowsSeen} of ${this.height}`);
    }
    if (this.fx === 1 && this.fy === 1) {
      this.rowsSeen += times;
      for (let k = 0; k < times; k++) await this.sink(row);
      return;
    }
    while (times > 0) {
      // A run of repeated rows (PWG line repeats, blank paper) is added once, weighted.
      const k = Math.min(times, this.fy - this.rowsInBlock);
      this.accumulate(row, k);
      this.rowsInBlock += k;
      this.rowsSeen += k;
      times -= k;
      if (this.rowsInBlock === this.fy || this.rowsSeen === this.height) {
        await this.emit();
        // A whole block made of this one row: every further whole block of it gives the same
        // output row, so it is sent again as it is (blank paper costs no arithmetic per pixel).
        if (k === this.fy) {
          while (times >= this.fy) {
            this.rowsSeen += this.fy;
            times -= this.fy;
            await this.sink(this.out);
          }
        }
      }
    }
  }

  private accumulate(row: Uint8Array, weight: number): void {
    const { sums, target, width } = this;
    if (this.channels === 3) {
      for (let x = 0, i = 0; x < width; x++, i += 3) {
        const o = target[x]!;
        sums[o] += row[i]! * weight;
        sums[o + 1] += row[i + 1]! * weight;
        sums[o + 2] += row[i + 2]! * weight;
      }
    } else {
      for (let x = 0; x < width; x++) sums[target[x]!] += row[x]! * weight;
    }
  }

  private async emit(): Promise<void> {
    const { sums, out, channels, fx, width, outWidth } = this;
    // Round half up exactly: (sum + n/2) / n is computed exactly enough that it never crosses an
    // integer it should not, and the Uint8Array store truncates. Every block but the last column's
    // has the same pixel count n.
    const n = fx * this.rowsInBlock;
    const half = n / 2;
    const fullSamples = (outWidth - 1) * channels;
    for (let o = 0; o < fullSamples; o++) out[o] = (sums[o]! + half) / n;
    const nLast = (width - (outWidth - 1) * fx) * this.rowsInBlock;
    const halfLast = nLast / 2;
    for (let o = fullSamples; o < outWidth * channels; o++) out[o] = (sums[o]! + halfLast) / nLast;
    sums.fill(0);
    this.rowsInBlock = 0;
    await this.sink(out);
  }
}
