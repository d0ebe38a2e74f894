/**
 * The owner's view of a sealed job on the printer's web server: its real name, options and the
 * rendered pages as previews. Anonymous visitors get the clear view (status-page.ts) only. The
 * owner proves ownership the only way a sealed job defines it: possession of the key of the
 * certificate the job was sealed for (SealInfo.ownerFingerprint: the signer's certificate, else
 * the sealed requesting-user-pkcs7-public-key). The browser presents that certificate as a TLS
 * client certificate, which proves possession of its private key in the handshake; we compare its
 * SHA-256 with the job's in constant time. The printer requests, but never requires, a client
 * certificate (app.ts), so IPP clients are unaffected; over plain ipp there is no owner view.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { TLSSocket } from 'node:tls';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { stringOf, type IppValue } from '@trustnoone/ipp';
import { enumName } from '@trustnoone/ipp/registry';
import { escapeHtml, htmlFacts, htmlPage, markup } from '@trustnoone/ipp-http';
import type { Job } from '../jobs/job.js';
import type { PrinterRuntime } from '../runtime.js';
import { jobPaths } from '../state/state-dir.js';

/** Page files are NNN.png (pipeline); at most this many are listed. */
const PAGE_FILE = /^(\d{1,5})\.png$/;
const MAX_PREVIEWS = 200;

type OwnerCheck = { readonly ok: true; readonly job: Job } | { readonly ok: false; readonly status: 403 | 404; readonly why: string };

function presentedCertificateSha256(request: FastifyRequest): Buffer | undefined {
  const socket = request.raw.socket as Partial<TLSSocket>;
  if (typeof socket.getPeerCertificate !== 'function') return undefined;
  const raw = socket.getPeerCertificate(false)?.raw;
  return raw && raw.length > 0 ? createHash('sha256').update(raw).digest() : undefined;
}

function checkOwner(rt: PrinterRuntime, request: FastifyRequest, idText: string): OwnerCheck {
  const id = /^\d{1,9}$/.test(idText) ? Number(idText) : NaN;
  const job = Number.isSafeInteger(id) ? rt.store.get(id) : undefined;
  if (!job) return { ok: false, status: 404, why: 'There is no such job.' };
  const owner = job.seal?.ownerFingerprint;
  if (!job.sealed || !owner || !/^[0-9a-f]{64}$/i.test(owner)) {
    return { ok: false, status: 403, why: 'This job names no owner certificate, so nobody can prove to be its owner here; its clear view is on the status page.' };
  }
  const presented = presentedCertificateSha256(request);
  if (!presented) {
    return { ok: false, status: 403, why: 'Open this page over https with the certificate the job was sealed for (tno keeps it in its state directory, identity/) installed in your browser as a client certificate.' };
  }
  if (!timingSafeEqual(presented, Buffer.from(owner, 'hex'))) return { ok: false, status: 403, why: 'The certificate your browser presented is not the one this job was sealed for.' };
  return { ok: true, job };
}

function refuse(reply: FastifyReply, check: Extract<OwnerCheck, { ok: false }>): FastifyReply {
  return reply
    .code(check.status)
    .type('text/html; charset=utf-8')
    .header('cache-control', 'no-store')
    .send(htmlPage({ title: 'Not available', heading: check.status === 404 ? 'No such job' : 'Only the job’s owner may see this', body: `<p id="refusal">${escapeHtml(check.why)}</p><p><a href="/">Back to the printer</a></p>` }));
}

/** The rendered page files of a job, by page number (at most MAX_PREVIEWS). */
async function pageFiles(rt: PrinterRuntime, job: Job): Promise<Map<number, string>> {
  const names = await readdir(jobPaths(rt.layout, job.id).pages).catch(() => [] as string[]);
  const pages = names.flatMap((name) => {
    const n = PAGE_FILE.exec(name)?.[1];
    return n === undefined ? [] : [[Number(n), name] as const];
  });
  return new Map(pages.sort((a, b) => a[0] - b[0]).slice(0, MAX_PREVIEWS));
}

export function registerOwnerView(app: FastifyInstance, rt: PrinterRuntime): void {
  app.get<{ Params: { id: string } }>('/jobs/:id', async (request, reply) => {
    const check = checkOwner(rt, request, request.params.id);
    if (!check.ok) return refuse(reply, check);
    const { job } = check;
    const pages = [...(await pageFiles(rt, job)).keys()];
    const shown = (name: string, v: IppValue): string => (v.tag === 'enum' ? enumName(name, v.value) : (stringOf(v) ?? ('value' in v ? String(v.value) : '')));
    const options = job.template.attributes.map((a) => [a.name, a.values.map((v) => shown(a.name, v)).join(', ')] as const);
    const body = [
      htmlFacts('job', [
        ['Job', job.id],
        ['Name (sealed)', markup(`<span id="sealed-name">${escapeHtml(job.name)}</span>`)],
        ['State', job.state],
        ['Signature', job.seal?.trust ?? 'unsigned'],
        ['Pages printed', job.impressionsCompleted],
        ...options.map(([k, v]) => [k, v] as const),
      ]),
      '<h2>Pages</h2>',
      pages.length
        ? `<div id="previews">${pages.map((n) => `<img src="/jobs/${job.id}/pages/${n}.png" alt="page ${n}" width="240" style="border:1px solid #ccc;margin:.25rem">`).join('')}</div>`
        : '<p class="empty">No rendered pages (yet).</p>',
      '<p><a href="/">Back to the printer</a></p>',
    ].join('\n');
    return reply.type('text/html; charset=utf-8').header('cache-control', 'no-store').send(htmlPage({ title: `Job ${job.id}`, heading: `Your job ${job.id}`, body }));
  });

  app.get<{ Params: { id: string; file: string } }>('/jobs/:id/pages/:file', async (request, reply) => {
    const check = checkOwner(rt, request, request.params.id);
    if (!check.ok) return refuse(reply, check);
    const m = PAGE_FILE.exec(request.params.file);
    const name = m ? (await pageFiles(rt, check.job)).get(Number(m[1])) : undefined;
    if (!name) return reply.code(404).send();
    return reply.type('image/png').header('cache-control', 'no-store').send(createReadStream(join(jobPaths(rt.layout, check.job.id).pages, name)));
  });
}
