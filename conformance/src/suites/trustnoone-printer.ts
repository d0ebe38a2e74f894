/**
 * TRUSTNOONE at the printer (PWG IPP Encrypted Jobs and Documents, docs/spec-notes.md §1–2): the key is
 * advertised and usable, a sealed job prints, and every damaged, replayed, redirected, misdirected
 * or downgraded envelope is refused with document-security-error and prints nothing. The sealed
 * tests also run through an intermediary, which must relay the printer's verdict.
 */
import { randomBytes, X509Certificate } from 'node:crypto';
import { createIdentity, certificateToPem, certificateUuids, KEMS, open, parseCertificates, pemLines, privateKeyToPem } from '@trustnoone/smime';
import { decodeMessage, type IppMessage, IppStatus, isClientErrorStatus } from '@trustnoone/ipp';
import { newJobNonce } from '@trustnoone/profile';
import { expectAttribute, expectStatus, statusNameOf } from '../expect.js';
import { envelopeRegions, flipIn, type EnvelopeRegions } from '../envelope-regions.js';
import { attr, val } from '../ipp-builders.js';
import { ConformanceFailure, defineSuite, defineTest, type TestDefinition } from '../model.js';
import type { TestContext } from '../context.js';
import { opensslEncrypt } from '../openssl.js';
import { resealEdited } from '../reseal.js';
import { advertisedCertificate, expectSealedRefusal, innerPlaintext, sealJob, secretName, submitSealed } from '../sealed.js';
import { BOTH, PRINTER, isSuccess, jobIdOf, printableRaster } from './shared.js';

const SPEC_PREFIX = 'docs/spec-notes.md';
const USABLE_KEYS = new Set(['p256', 'p384', 'p521', 'x25519', 'rsa']);
/** Jobs asked for when a test lists jobs (Get-Jobs limit): enough to see ours, bounded on a busy printer. */
const GET_JOBS_LIMIT = 50;

/** A fresh sealed envelope of a one-page raster job, and the secret job name inside it. */
async function freshEnvelope(t: TestContext, label: string, extra: { printerUuid?: string; cipher?: 'aes-256-cbc' } = {}): Promise<{ envelope: Uint8Array; secret: string }> {
  const secret = secretName(label);
  const envelope = await sealJob(t, { document: await printableRaster(t), jobName: secret, ...extra });
  return { envelope, secret };
}

const tamperTest = (name: string, region: string, damage: (envelope: Uint8Array, r: EnvelopeRegions) => Uint8Array): TestDefinition =>
  defineTest({
    id: `trustnoone-printer.tampered-${name}`,
    title: `an envelope damaged in its ${region} is refused and prints nothing`,
    level: 'REQUIRED',
    section: `${SPEC_PREFIX} §2 (RFC 5083 §2.2)`,
    roles: BOTH,
    requires: ['sealed-print'],
    async run(t) {
      const { envelope, secret } = await freshEnvelope(t, `tampered-${name}`);
      await expectSealedRefusal(t, await submitSealed(t, damage(envelope, envelopeRegions(envelope))), secret);
    },
  });

export const trustnoonePrinter = defineSuite({
  id: 'trustnoone-printer',
  title: 'TRUSTNOONE printer',
  spec: 'PWG IPP Encrypted Jobs and Documents (TRUSTNOONE) with the docs/spec-notes.md profile',
  tests: [
    defineTest({
      id: 'trustnoone-printer.printer-pkcs7-public-key',
      provides: ['trustnoone'],
      title: 'printer-pkcs7-public-key is 1setOf text(MAX): the PEM certificate, one line per value',
      level: 'REQUIRED',
      section: `${SPEC_PREFIX} §1`,
      roles: BOTH,
      requires: ['ipp'],
      async run(t) {
        expectAttribute('printer-pkcs7-public-key')
          .inGroup('printer')
          .ofSyntax('1setOf text(MAX)')
          .where('PEM lines without line breaks, starting with -----BEGIN CERTIFICATE-----', (a) => {
            const lines = a.values.map((v) => ('value' in v && typeof v.value === 'string' ? v.value : ''));
            return lines[0] === '-----BEGIN CERTIFICATE-----' && lines.every((l) => !/[\r\n]/.test(l) && l.length > 0);
          })
          .in(await t.printerAttributes());
        t.provide('trustnoone');
      },
    }),
    defineTest({
      id: 'trustnoone-printer.certificate-usable',
      provides: ['printer-key'],
      title: 'the advertised certificate parses, is within its validity period and has a key sealing can use',
      level: 'REQUIRED',
      section: `${SPEC_PREFIX} §1, §4`,
      roles: BOTH,
      requires: ['trustnoone'],
      async run(t) {
        const { certificate, pem } = await advertisedCertificate(t);
        const now = Date.now();
        if (certificate.notBefore.getTime() > now || certificate.notAfter.getTime() < now) {
          throw new ConformanceFailure(`certificate valid ${certificate.notBefore.toISOString()} to ${certificate.notAfter.toISOString()}, not now`);
        }
        if (!USABLE_KEYS.has(certificate.keyKind)) throw new ConformanceFailure(`certificate key is ${certificate.keyKind}, not one RFC 8551 §2.7 key management can encrypt to`);
        t.note(`key ${certificate.keyKind}, SHA-256 ${certificate.fingerprint}`);
        t.remember('printer-certificate', pem);
        t.remember('printer-key-kind', certificate.keyKind);
        t.provide('printer-key');
      },
    }),
    defineTest({
      id: 'trustnoone-printer.certificate-names-printer-uuid',
      title: "the certificate's urn:uuid: subjectAltName is the printer-uuid",
      level: 'REQUIRED',
      section: `${SPEC_PREFIX} §3`,
      roles: BOTH,
      requires: ['printer-key', 'printer-uuid'],
      async run(t) {
        const { certificate } = await advertisedCertificate(t);
        const uuid = t.need<string>('printer-uuid');
        const named = certificateUuids(certificate).map((u) => `urn:uuid:${u}`);
        if (!named.includes(uuid)) throw new ConformanceFailure(`subjectAltName names ${named.join(', ') || 'no urn:uuid:'}, printer-uuid is ${uuid}`);
      },
    }),
    defineTest({
      id: 'trustnoone-printer.pkcs7-document-format-supported',
      provides: ['get-encrypted-job-attributes'],
      title: 'application/pkcs7-mime is accepted and pkcs7-document-format-supported lists the formats inside',
      level: 'REQUIRED',
      section: `${SPEC_PREFIX} §1`,
      roles: BOTH,
      requires: ['trustnoone'],
      async run(t) {
        const attrs = await t.printerAttributes();
        expectAttribute('document-format-supported').inGroup('printer').ofSyntax('1setOf mimeMediaType').containing('application/pkcs7-mime').in(attrs);
        expectAttribute('pkcs7-document-format-supported').inGroup('printer').ofSyntax('1setOf mimeMediaType').in(attrs);
        if (await t.supportsOperation('Get-Encrypted-Job-Attributes')) t.provide('get-encrypted-job-attributes');
      },
    }),
    defineTest({
      id: 'trustnoone-printer.cleartext-policy',
      provides: ['requires-encryption'],
      title: 'the cleartext policy is stated by document-format-supported and kept by Validate-Job',
      level: 'REQUIRED',
      section: `${SPEC_PREFIX} §2, RFC 8011 §5.4.22`,
      roles: BOTH,
      requires: ['trustnoone', 'validate-job'],
      async run(t) {
        const clearFormats = (await t.printerStrings('document-format-supported')).filter((f) => f !== 'application/pkcs7-mime' && f !== 'application/octet-stream');
        const { message } = await t.send(t.request('Validate-Job', { operation: [attr('document-format', val.mime('image/pwg-raster'))] }));
        const advertised = clearFormats.includes('image/pwg-raster');
        if (advertised && !isSuccess(message)) throw new ConformanceFailure(`image/pwg-raster is advertised in clear but Validate-Job answers ${statusNameOf(message)}`);
        if (!advertised && isSuccess(message)) throw new ConformanceFailure('cleartext image/pwg-raster is not advertised but Validate-Job accepts it');
        if (!advertised && !isClientErrorStatus(message.code)) throw new ConformanceFailure(`a refused cleartext format must get a client-error status, got ${statusNameOf(message)}`);
        t.note(advertised ? `accepts cleartext jobs (${clearFormats.join(', ')})` : 'refuses cleartext jobs: end-to-end encryption required');
        if (!advertised) t.provide('requires-encryption');
      },
    }),
    defineTest({
      id: 'trustnoone-printer.sealed-print-job',
      provides: ['sealed-print', 'sealed-job-id'],
      title: 'a sealed one-page Print-Job is accepted and completes with one impression',
      level: 'REQUIRED',
      section: `${SPEC_PREFIX} §2`,
      roles: BOTH,
      requires: ['printer-key', 'printer-uuid'],
      async run(t) {
        const secret = secretName('sealed');
        // The job names its owner's certificate (docs/profile.md "The owner's certificate"): only
        // that certificate can later read the job's sealed attributes.
        const owner = createIdentity({ commonName: `${t.user} (conformance)` });
        const ownerPem = certificateToPem(owner.certificate);
        const envelope = await sealJob(t, { document: await printableRaster(t), jobName: secret, ownerCertificatePem: ownerPem });
        const { message } = await submitSealed(t, envelope);
        expectStatus('successful-ok', 'successful-ok-ignored-or-substituted-attributes').of(message);
        const jobId = jobIdOf(message);
        const end = await t.waitForJob(jobId);
        if (end.state !== 'completed') throw new ConformanceFailure(`sealed job ${jobId} ended ${end.state} (${end.reasons.join(', ')})`);
        if (end.impressions !== undefined && end.impressions !== 1) throw new ConformanceFailure(`job-impressions-completed is ${end.impressions}, expected 1`);
        if (end.impressions === undefined) t.note('job-impressions-completed not reported');
        t.remember('sealed-job', { jobId, envelope, secret, ownerPem, ownerKeyPem: privateKeyToPem(owner.privateKey) });
        t.provide('sealed-print');
        t.provide('sealed-job-id');
      },
    }),
    defineTest({
      id: 'trustnoone-printer.post-quantum-key',
      title: 'an advertised post-quantum (ML-KEM or hybrid ML-KEM-768 + X25519) certificate names the printer, is issued by an advertised CA, and a job sealed to it completes',
      level: 'RECOMMENDED',
      section: `${SPEC_PREFIX} §3, docs/decisions.md D13–D14 (RFC 9629, RFC 9936)`,
      roles: BOTH,
      requires: ['sealed-print'],
      async run(t) {
        const { pem } = await advertisedCertificate(t);
        const all = parseCertificates(pem);
        const pq = all.slice(1).find((c) => c.keyKind in KEMS && !c.isCA);
        if (!pq) t.skip('the printer advertises no post-quantum certificate (optional; docs/decisions.md D14)');
        const uuid = t.need<string>('printer-uuid');
        if (!certificateUuids(pq!).map((u) => `urn:uuid:${u}`).includes(uuid)) throw new ConformanceFailure(`the ${pq!.keyKind} certificate does not name ${uuid}`);
        const x509 = new X509Certificate(Buffer.from(pq!.der));
        const issuer = all.find((c) => c.isCA && x509.checkIssued(new X509Certificate(Buffer.from(c.der))) && x509.verify(new X509Certificate(Buffer.from(c.der)).publicKey));
        if (!issuer) throw new ConformanceFailure(`the ${pq!.keyKind} certificate is not signed by a CA certificate the printer advertises, so no client can check it`);
        const envelope = await sealJob(t, { document: await printableRaster(t), jobName: secretName('post-quantum'), recipient: pq! });
        const { message } = await submitSealed(t, envelope);
        expectStatus('successful-ok', 'successful-ok-ignored-or-substituted-attributes').of(message);
        const end = await t.waitForJob(jobIdOf(message));
        if (end.state !== 'completed') throw new ConformanceFailure(`job sealed to the ${pq!.keyKind} key ended ${end.state} (${end.reasons.join(', ')})`);
        t.note(`${pq!.keyKind} key, issued by ${issuer.subjectText}`);
      },
    }),
    defineTest({
      id: 'trustnoone-printer.sealed-signed-print-job',
      title: 'a sealed job signed before encryption (Ed25519, RFC 8419) is accepted and completes',
      level: 'RECOMMENDED',
      section: `${SPEC_PREFIX} §2, §4`,
      roles: BOTH,
      requires: ['sealed-print'],
      async run(t) {
        const client = createIdentity({ commonName: `${t.user} (conformance signer)`, algorithm: 'ed25519' });
        const envelope = await sealJob(t, {
          document: await printableRaster(t),
          jobName: secretName('signed'),
          signer: { certificate: client.certificate, privateKey: client.privateKey },
        });
        const { message } = await submitSealed(t, envelope);
        if (!isSuccess(message)) {
          if (message.code === IppStatus.clientErrorDocumentSecurityError) t.skip('refused: the printer may require signatures from configured trust anchors (policy)');
          throw new ConformanceFailure(`a signed sealed job was answered ${statusNameOf(message)}`);
        }
        const end = await t.waitForJob(jobIdOf(message));
        if (end.state !== 'completed') throw new ConformanceFailure(`signed sealed job ended ${end.state} (${end.reasons.join(', ')})`);
      },
    }),
    defineTest({
      id: 'trustnoone-printer.signed-content-altered',
      title: 'signed content altered behind a valid GCM tag (re-encrypted) is refused: the signature is verified',
      level: 'REQUIRED',
      section: `${SPEC_PREFIX} §2 (RFC 5652 §5.4, §5.6)`,
      roles: BOTH,
      requires: ['sealed-print'],
      async run(t) {
        const client = createIdentity({ commonName: `${t.user} (conformance signer)`, algorithm: 'ed25519' });
        const signer = { certificate: client.certificate, privateKey: client.privateKey };
        const document = await printableRaster(t);
        const sealed = async (label: string) => {
          const cek = new Uint8Array(randomBytes(32));
          const iv = new Uint8Array(randomBytes(12));
          const secret = secretName(label);
          return { envelope: await sealJob(t, { document, jobName: secret, signer, contentEncryptionKey: cek, iv }), cek, iv, secret };
        };
        // Control: re-encrypting the plaintext unchanged must give an envelope the printer prints,
        // or a refusal below would prove nothing about signatures.
        const control = await sealed('reseal-control');
        const same = await submitSealed(t, resealEdited(control.envelope, control.cek, control.iv, (p) => p));
        if (!isSuccess(same.message)) {
          if (same.message.code === IppStatus.clientErrorDocumentSecurityError) t.skip('the printer refuses these signed jobs even unaltered (signature policy)');
          throw new ConformanceFailure(`the unaltered re-encrypted control job was answered ${statusNameOf(same.message)}`);
        }
        const controlEnd = await t.waitForJob(jobIdOf(same.message));
        if (controlEnd.state !== 'completed') t.skip(`the unaltered signed control job ended ${controlEnd.state}: signed jobs are not printed here`);
        const altered = await sealed('signed-altered');
        const edited = resealEdited(altered.envelope, altered.cek, altered.iv, (p) => {
          const c = Uint8Array.from(p);
          c[Math.floor(c.length / 2)]! ^= 0x01; // inside the signed document bytes
          return c;
        });
        await expectSealedRefusal(t, await submitSealed(t, edited), altered.secret);
      },
    }),
    defineTest({
      id: 'trustnoone-printer.pkcs7-repertoire',
      title: 'printer-pkcs7-repertoire-supported is 1setOf keyword and -configured one of its values',
      level: 'RECOMMENDED',
      section: `${SPEC_PREFIX} §1`,
      roles: BOTH,
      requires: ['trustnoone'],
      async run(t) {
        const attrs = await t.printerAttributes();
        const supported = expectAttribute('printer-pkcs7-repertoire-supported').inGroup('printer').ofSyntax('1setOf keyword').in(attrs);
        const values = supported.values.map((v) => ('value' in v ? v.value : undefined));
        expectAttribute('printer-pkcs7-repertoire-configured')
          .inGroup('printer')
          .ofSyntax('keyword')
          .where(`one of printer-pkcs7-repertoire-supported (${values.join(', ')})`, (a) => a.values.every((v) => values.includes('value' in v ? v.value : undefined)))
          .in(attrs);
      },
    }),
    defineTest({
      id: 'trustnoone-printer.sealed-job-attributes-hidden',
      title: 'Get-Job-Attributes and Get-Jobs describe a sealed job without showing what was sealed',
      level: 'REQUIRED',
      section: `${SPEC_PREFIX} §2`,
      roles: BOTH,
      requires: ['sealed-job-id'],
      async run(t) {
        const { jobId, secret } = t.need<{ jobId: number; secret: string }>('sealed-job');
        const message = await t.jobAttributes(jobId, { requested: ['all'] });
        expectStatus('successful-ok', 'successful-ok-ignored-or-substituted-attributes').of(message);
        // RFC 8011 §5.3: a sealed job is still a job, with its Job Description attributes.
        expectAttribute('job-id').inGroup('job').ofSyntax('integer(1:MAX)').withValue(jobId).in(message);
        expectAttribute('job-uri').inGroup('job').ofSyntax('uri').in(message);
        expectAttribute('job-state').inGroup('job').ofSyntax('enum').withValue(9).in(message);
        expectAttribute('job-state-reasons').inGroup('job').ofSyntax('1setOf keyword').in(message);
        if (leaks(message, secret)) throw new ConformanceFailure('the sealed job-name appears in the Get-Job-Attributes response');
        // The completed jobs of this user only, and a bounded number: a busy printer's whole
        // history with requested-attributes=all exceeds what a client accepts (issue 13.11).
        // job-ids (PWG 5100.11) names the sealed job for printers that honour it.
        const { message: list } = await t.send(
          t.request('Get-Jobs', {
            operation: [
              attr('which-jobs', val.keyword('completed')),
              attr('my-jobs', val.boolean(true)),
              attr('limit', val.integer(GET_JOBS_LIMIT)),
              attr('job-ids', val.integer(jobId)),
              attr('requested-attributes', val.keyword('all')),
            ],
          }),
        );
        expectStatus('successful-ok', 'successful-ok-ignored-or-substituted-attributes').of(list);
        if (leaks(list, secret)) throw new ConformanceFailure('the sealed job-name appears in the Get-Jobs response');
      },
    }),
    tamperTest('content-type', 'ContentInfo content type', (e, r) => flipIn(e, r.contentType, r.contentType.end - 1)),
    tamperTest('recipient-info', 'RecipientInfo', (e, r) => flipIn(e, r.recipientInfos, r.recipientInfos.end - 3)),
    tamperTest('nonce', 'GCM nonce', (e, r) => flipIn(e, r.iv)),
    tamperTest('ciphertext', 'ciphertext', (e, r) => flipIn(e, r.ciphertext)),
    tamperTest('tag', 'authentication tag', (e, r) => {
      if (!r.mac) throw new ConformanceFailure('the envelope has no mac');
      return flipIn(e, r.mac, r.mac.end - 1);
    }),
    defineTest({
      id: 'trustnoone-printer.tampered-sweep',
      title: 'single-bit flips at 24 positions spread over every byte outside the ciphertext body are each refused',
      level: 'RECOMMENDED',
      section: `${SPEC_PREFIX} §2 (RFC 5652 §6, RFC 5083 §2.2)`,
      roles: BOTH,
      requires: ['sealed-print'],
      timeoutMs: 180_000,
      async run(t) {
        // The body is covered by the tag test; the structure around it (lengths, OIDs, recipient,
        // algorithm parameters, end-of-contents, tag) is where parsers get lenient.
        const probe = (await freshEnvelope(t, 'sweep-probe')).envelope;
        const r = envelopeRegions(probe);
        const outside = [...Array(probe.length).keys()].filter((i) => i < r.ciphertext.start || i >= r.ciphertext.end);
        const positions = Array.from({ length: 24 }, (_, k) => outside[Math.floor((k * outside.length) / 24)]!);
        for (const at of positions) {
          // A fresh envelope per flip (same layout, new nonce and job-uuid), so no refusal is a replay refusal.
          const { envelope, secret } = await freshEnvelope(t, `sweep-${at}`);
          const bad = Uint8Array.from(envelope);
          bad[at]! ^= 0x01;
          try {
            await expectSealedRefusal(t, await submitSealed(t, bad), secret);
          } catch (err) {
            throw new ConformanceFailure(`flip at offset ${at}: ${(err as Error).message}`, { cause: err });
          }
        }
        t.notes.splice(0, t.notes.length, `offsets ${positions.join(', ')} of ${probe.length}`);
      },
    }),
    defineTest({
      id: 'trustnoone-printer.truncated',
      title: 'a truncated envelope (tag and end cut off) is refused and prints nothing',
      level: 'REQUIRED',
      section: `${SPEC_PREFIX} §2`,
      roles: BOTH,
      requires: ['sealed-print'],
      async run(t) {
        const { envelope, secret } = await freshEnvelope(t, 'truncated');
        await expectSealedRefusal(t, await submitSealed(t, envelope.subarray(0, envelope.length - 30)), secret);
      },
    }),
    defineTest({
      id: 'trustnoone-printer.replayed',
      title: 'an envelope that already printed, sent again, is refused',
      level: 'REQUIRED',
      section: `${SPEC_PREFIX} §2 (job-uuid nonce)`,
      roles: BOTH,
      requires: ['sealed-print'],
      async run(t) {
        const { envelope, secret } = t.need<{ envelope: Uint8Array; secret: string }>('sealed-job');
        await expectSealedRefusal(t, await submitSealed(t, envelope), secret);
      },
    }),
    defineTest({
      id: 'trustnoone-printer.redirected',
      title: 'an envelope sealed for another printer-uuid is refused',
      level: 'REQUIRED',
      section: `${SPEC_PREFIX} §2 (printer-uuid binding)`,
      roles: BOTH,
      requires: ['sealed-print'],
      async run(t) {
        const { envelope, secret } = await freshEnvelope(t, 'redirected', { printerUuid: newJobNonce() });
        await expectSealedRefusal(t, await submitSealed(t, envelope), secret);
      },
    }),
    defineTest({
      id: 'trustnoone-printer.wrong-recipient',
      title: 'an envelope sealed to another key is refused',
      level: 'REQUIRED',
      section: `${SPEC_PREFIX} §2`,
      roles: BOTH,
      requires: ['sealed-print'],
      async run(t) {
        const stranger = createIdentity({ commonName: 'not the printer under test' });
        const secret = secretName('wrong-recipient');
        const envelope = await sealJob(t, { document: await printableRaster(t), jobName: secret, recipient: certificateToPem(stranger.certificate) });
        await expectSealedRefusal(t, await submitSealed(t, envelope), secret);
      },
    }),
    defineTest({
      id: 'trustnoone-printer.downgrade-cbc',
      title: 'an AES-CBC EnvelopedData (no integrity) is refused',
      level: 'REQUIRED',
      section: `${SPEC_PREFIX} §4 (RFC 8551 §2.7)`,
      roles: BOTH,
      requires: ['sealed-print'],
      async run(t) {
        const { envelope, secret } = await freshEnvelope(t, 'cbc', { cipher: 'aes-256-cbc' });
        await expectSealedRefusal(t, await submitSealed(t, envelope), secret);
      },
    }),
    defineTest({
      id: 'trustnoone-printer.downgrade-rsa-pkcs1v15',
      title: 'RSA PKCS#1 v1.5 key transport (made by openssl cms) is refused',
      level: 'REQUIRED',
      section: `${SPEC_PREFIX} §4`,
      roles: BOTH,
      requires: ['sealed-print'],
      async run(t) {
        if (t.need<string>('printer-key-kind') !== 'rsa') t.skip('the printer key is not RSA, so PKCS#1 v1.5 key transport cannot be offered to it');
        const secret = secretName('rsa-v15');
        const plaintext = innerPlaintext(t, { document: await printableRaster(t), jobName: secret });
        const envelope = await opensslEncrypt(plaintext, t.need<string>('printer-certificate'), ['-aes-256-gcm', '-keyopt', 'rsa_padding_mode:pkcs1']);
        await expectSealedRefusal(t, await submitSealed(t, envelope), secret);
      },
    }),
    defineTest({
      id: 'trustnoone-printer.sha1-kdf',
      title: 'an ECDH envelope with the SHA-1 X9.63 KDF (openssl cms default) is refused and prints nothing',
      level: 'REQUIRED',
      section: `${SPEC_PREFIX} §4 (RFC 5753 §7.2); docs/threat-model.md downgrade (issue 11.6)`,
      roles: PRINTER,
      requires: ['sealed-print'],
      async run(t) {
        const kind = t.need<string>('printer-key-kind');
        if (!kind.startsWith('p')) t.skip(`the printer key is ${kind}: the X9.63 KDF applies to P-curve ECDH only`);
        const secret = secretName('sha1-kdf');
        const plaintext = innerPlaintext(t, { document: await printableRaster(t), jobName: secret });
        // No -keyopt: OpenSSL's own default KDF for EC recipients, SHA-1.
        const envelope = await opensslEncrypt(plaintext, t.need<string>('printer-certificate'), ['-aes-256-gcm']);
        await expectSealedRefusal(t, await submitSealed(t, envelope), secret);
      },
    }),
    defineTest({
      id: 'trustnoone-printer.get-encrypted-job-attributes',
      title: "Get-Encrypted-Job-Attributes answers the owner with the job's attributes sealed to the owner's certificate",
      level: 'REQUIRED',
      section: `${SPEC_PREFIX} §1–2 (0x006A)`,
      roles: BOTH,
      requires: ['sealed-job-id', 'get-encrypted-job-attributes'],
      async run(t) {
        const { jobId, secret, ownerPem, ownerKeyPem } = t.need<{ jobId: number; secret: string; ownerPem: string; ownerKeyPem: string }>('sealed-job');
        const { message, data } = await t.send(encryptedAttributesRequest(t, jobId, ownerPem, false));
        expectStatus('successful-ok').of(message);
        if (data.length === 0) throw new ConformanceFailure('no envelope in the response data');
        if (Buffer.from(data).includes(Buffer.from(secret))) throw new ConformanceFailure('the job-name travels in clear in the response data');
        const opened = await open(data, { privateKey: ownerKeyPem, certificate: ownerPem });
        const inner = decodeMessage(opened.plaintext);
        expectAttribute('job-name').inGroup('job').withValue(secret).in(inner);
        expectAttribute('job-state').inGroup('job').ofSyntax('enum').withValue(9).in(inner);
        if (opened.signer) {
          const { pem, certificate } = await advertisedCertificate(t);
          const signer = opened.signer.certificate;
          // docs/profile.md: a printer whose key cannot sign (X25519) signs with the CA that issued
          // its certificate, advertised after it in printer-pkcs7-public-key.
          const byIssuer = parseCertificates(pem)
            .slice(1)
            .some((c) => c.fingerprint === signer.fingerprint && c.isCA && new X509Certificate(Buffer.from(certificate.der)).verify(c.publicKey));
          if (signer.fingerprint !== certificate.fingerprint && !byIssuer) {
            throw new ConformanceFailure('the answer is signed by a certificate other than printer-pkcs7-public-key (or the issuer advertised with it)');
          }
          t.note(byIssuer ? 'signed by the advertised issuer of the printer key' : 'signed by the printer key');
        } else {
          t.note('answer not signed');
        }
      },
    }),
    defineTest({
      id: 'trustnoone-printer.get-encrypted-job-attributes-bound-owner',
      title: "Get-Encrypted-Job-Attributes answers only the owner certificate sealed in the job; the owner's name with another certificate is refused",
      level: 'RECOMMENDED',
      section: `${SPEC_PREFIX} §2 (docs/profile.md "The owner's certificate", provisional)`,
      roles: BOTH,
      requires: ['sealed-print', 'get-encrypted-job-attributes'],
      async run(t) {
        const owner = createIdentity({ commonName: `${t.user} (conformance bound owner)` });
        const ownerPem = certificateToPem(owner.certificate);
        const secret = secretName('bound-owner');
        const { message } = await submitSealed(t, await sealJob(t, { document: await printableRaster(t), jobName: secret, ownerCertificatePem: ownerPem }));
        expectStatus('successful-ok', 'successful-ok-ignored-or-substituted-attributes').of(message);
        const jobId = jobIdOf(message);
        await t.waitForJob(jobId);
        // A relay asking in the owner's name with a key of its own (docs/spec-notes.md §2's threat).
        const relayKey = createIdentity({ commonName: `${t.user} (substituted by a relay)` });
        const substituted = await t.send(encryptedAttributesRequest(t, jobId, certificateToPem(relayKey.certificate), false));
        expectStatus('client-error-not-authorized', 'client-error-forbidden').of(substituted.message);
        if (substituted.data.length > 0) throw new ConformanceFailure(`the refusal carries ${substituted.data.length} bytes of data`);
        const bound = await t.send(encryptedAttributesRequest(t, jobId, ownerPem, false));
        expectStatus('successful-ok').of(bound.message);
        const opened = await open(bound.data, { privateKey: privateKeyToPem(owner.privateKey), certificate: ownerPem });
        expectAttribute('job-name').inGroup('job').withValue(secret).in(decodeMessage(opened.plaintext));
      },
    }),
    defineTest({
      id: 'trustnoone-printer.get-encrypted-job-attributes-other-user',
      title: 'Get-Encrypted-Job-Attributes from a user who does not own the job is refused',
      level: 'REQUIRED',
      section: `${SPEC_PREFIX} §2, RFC 8011 §4.3.4`,
      roles: BOTH,
      requires: ['sealed-job-id', 'get-encrypted-job-attributes'],
      async run(t) {
        const { jobId } = t.need<{ jobId: number }>('sealed-job');
        if (!t.canActAsOther) t.skip('--auth was given without --other-auth: the second user cannot authenticate');
        const stranger = createIdentity({ commonName: `${t.otherUser} (conformance)` });
        const { message, data } = await t.send(encryptedAttributesRequest(t, jobId, certificateToPem(stranger.certificate), true), { asOther: true });
        expectStatus('client-error-forbidden', 'client-error-not-authorized', 'client-error-not-found').of(message);
        if (data.length > 0) throw new ConformanceFailure(`the refusal carries ${data.length} bytes of data`);
      },
    }),
  ],
});

/** Whether `secret` appears anywhere in a decoded message, octetStrings included. */
function leaks(message: IppMessage, secret: string): boolean {
  return JSON.stringify(message, (_k, v: unknown) => (v instanceof Uint8Array ? Buffer.from(v).toString('latin1') : v)).includes(secret);
}

function encryptedAttributesRequest(t: TestContext, jobId: number, certificatePem: string, asOther: boolean): IppMessage {
  return t.request('Get-Encrypted-Job-Attributes', {
    target: [attr('job-id', val.integer(jobId))],
    operation: [
      attr('requested-attributes', val.keyword('job-name'), val.keyword('job-state')),
      attr('requesting-user-pkcs7-public-key', ...pemLines(certificatePem).map(val.text)),
    ],
    asOther,
  });
}

