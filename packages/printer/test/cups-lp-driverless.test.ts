/**
 * A real CUPS scheduler as the client (issue 13): a private cupsd on a loopback port makes a
 * driverless queue (`lpadmin -m everywhere`) for the printer, and another for the intermediary in
 * front of it, both started exactly as `tno printer` / `tno intermediary` start them; `lp` prints
 * a 2-page PDF, a text file and a JPEG through each. The printer's rendered pages are checked:
 * their number, that they carry ink, and their order (issue 13.5: CUPS reversed the pages when
 * the printer advertised a lastToFirst face-down bin).
 */
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPrivateCupsd, type PrivateCupsd } from '../../../testing/cupsd.js';
import { jpegFile, startPrinterAndIntermediary, twoPagePdf, type TnoServer } from '../../../testing/ipptool.js';
import { readPng, type DecodedPng } from './render-helpers.js';

let dir: string;
let cupsd: PrivateCupsd;
let servers: { printer: TnoServer; intermediary: TnoServer; stop(): Promise<void> };
const docs = { pdf: '', text: '', jpeg: '' };

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tno-cups-lp-'));
  servers = await startPrinterAndIntermediary(dir, 'ipp');
  cupsd = await startPrivateCupsd();
  // Numbered A4 pages: page n has a black bar n × 40 pt tall across its top (testing/ipptool.ts).
  docs.pdf = join(dir, 'two-pages.pdf');
  await twoPagePdf(docs.pdf);
  docs.text = join(dir, 'note.txt');
  await writeFile(docs.text, 'A text file printed through CUPS.\nSecond line.\n');
  docs.jpeg = join(dir, 'photo.jpg');
  await jpegFile(docs.jpeg, 320, 240);
  await cupsd.addDriverlessQueue('direct', servers.printer.uri);
  await cupsd.addDriverlessQueue('relayed', servers.intermediary.uri);
}, 180_000);

afterAll(async () => {
  await cupsd?.stop();
  await servers?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

/** The printer's finished jobs (state directory jobs/<id>/manifest.json), by id. */
async function finishedPrinterJobs(): Promise<Map<number, { state: string; pages: string[] }>> {
  const root = join(dir, 'printer-ipp', 'jobs');
  const out = new Map<number, { state: string; pages: string[] }>();
  for (const id of await readdir(root).catch(() => [])) {
    const manifest = await readFile(join(root, id, 'manifest.json'), 'utf8').catch(() => undefined);
    if (!manifest) continue;
    const m = JSON.parse(manifest) as { state: string; pages?: string[] };
    out.set(Number(id), { state: m.state, pages: (m.pages ?? []).map((p) => join(root, id, p)) });
  }
  return out;
}

/** lp through a queue, then the printer job it became (the one new finished job). */
async function lpAndRender(queue: string, file: string): Promise<{ state: string; pages: string[] }> {
  const before = new Set((await finishedPrinterJobs()).keys());
  const id = await cupsd.lp(queue, file);
  await cupsd.waitCompleted(queue, id);
  for (let i = 0; i < 200; i++) {
    const fresh = [...(await finishedPrinterJobs())].filter(([jobId]) => !before.has(jobId));
    if (fresh.length === 1) return fresh[0]![1];
    if (fresh.length > 1) throw new Error(`one lp became ${fresh.length} printer jobs`);
    await sleep(100);
  }
  throw new Error(`CUPS completed ${queue}-${id} but the printer has no finished job for it:\n${await cupsd.errorLog()}`);
}

/** Height of the solid black bar at the top of the page, as a fraction of the page height. */
function topBar(png: DecodedPng): number {
  const x = Math.floor(png.width / 2);
  let y = 0;
  while (y < png.height && png.rgb(x, y).every((c) => c < 64)) y++;
  return y / png.height;
}

function inked(png: DecodedPng): boolean {
  for (let y = 0; y < png.height; y += 4) for (let x = 0; x < png.width; x += 4) if (png.rgb(x, y).some((c) => c < 200)) return true;
  return false;
}

describe.each(['direct', 'relayed'])('lp through a driverless CUPS queue (%s)', (queue) => {
  it('the PPD CUPS generated keeps the page order', async () => {
    expect(await cupsd.ppd(queue)).toMatch(/^\*DefaultOutputOrder: Normal$/m);
  });

  it('a 2-page PDF renders as 2 pages, in order', async () => {
    const job = await lpAndRender(queue, docs.pdf);
    expect(job.state).toBe('completed');
    expect(job.pages.length).toBe(2);
    const [first, second] = job.pages.map((p) => topBar(readPng(p)));
    // Page 1's bar is 40 pt of 842, page 2's 80 pt: each within a point or two after scaling.
    expect(first, 'page 1 first').toBeGreaterThan(0.03);
    expect(first).toBeLessThan(0.065);
    expect(second, 'page 2 second').toBeGreaterThan(0.08);
    expect(second).toBeLessThan(0.115);
  }, 120_000);

  it('a text file renders with ink on it', async () => {
    const job = await lpAndRender(queue, docs.text);
    expect(job.state).toBe('completed');
    expect(job.pages.length).toBe(1);
    expect(inked(readPng(job.pages[0]!))).toBe(true);
  }, 120_000);

  it('a JPEG renders with its colours', async () => {
    const job = await lpAndRender(queue, docs.jpeg);
    expect(job.state).toBe('completed');
    expect(job.pages.length).toBe(1);
    const png = readPng(job.pages[0]!);
    let coloured = 0;
    for (let y = 0; y < png.height; y += 8) {
      for (let x = 0; x < png.width; x += 8) {
        const [r, g, b] = png.rgb(x, y);
        if (Math.max(r, g, b) - Math.min(r, g, b) > 60) coloured++;
      }
    }
    expect(coloured, 'colour pixels of the gradient').toBeGreaterThan(100);
  }, 120_000);
});
