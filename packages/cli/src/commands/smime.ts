import { randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { open as openFile, rename, unlink } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { CmsErrorCode, isCmsError, open, openFile as openEnvelopeFile, openToFile, parseCertificates, seal, sealFile, type OpenedEnvelope } from '@trustnoone/smime';
import { CliError, type Command, type Io } from '../command.js';
import { ExitCode } from '../exit-codes.js';
import { readFlagFile } from '../flag-file.js';

const sealUsage = `Usage: tno smime seal --recipient CERT.pem [--recipient CERT.pem ...]
                      [--sign-cert CERT.pem --sign-key KEY.pem] [--cipher aes-256-gcm|aes-128-gcm]
                      [--keyid] [--in FILE] [--out FILE]

Encrypts (and optionally first signs) FILE or stdin into a DER/BER CMS AuthEnvelopedData,
written to FILE or stdout. With --out, the file appears only once sealing completed.

  --recipient FILE   recipient certificate (PEM or DER; RSA, P-256, P-384, X25519, ML-KEM or
                     ML-KEM-768 + X25519); repeatable
  --sign-cert FILE   signer certificate (sign-then-encrypt) ...
  --sign-key FILE    ... and its private key (PEM or DER, PKCS#8 or SEC1)
  --cipher NAME      aes-256-gcm (default) or aes-128-gcm
  --keyid            name recipients by subjectKeyIdentifier instead of issuer and serial
  --in FILE          input (default stdin)
  --out FILE         output (default stdout)
`;

const openUsage = `Usage: tno smime open --key KEY.pem [--cert CERT.pem] [--trust CA.pem ...]
                      [--require-signature] [--allow-cbc] [--allow-sha1-kdf] [--in FILE] [--out FILE] [--json]

Decrypts a CMS envelope and verifies its tag and signature. Exits 0 only when the content is
authentic; otherwise exits ${ExitCode.security}, says why in one line, and leaves no output file.

  --key FILE            our private key (PEM or DER, PKCS#8 or SEC1)
  --cert FILE           our certificate: selects the RecipientInfo naming it
  --trust FILE          CA certificate(s) the signer must chain to; repeatable
  --require-signature   refuse unsigned content
  --allow-cbc           accept EnvelopedData with AES-CBC (no integrity; OpenSSL's default)
  --allow-rsa-pkcs1     accept RSA PKCS#1 v1.5 key transport
  --allow-sha1-kdf      accept ECDH with the SHA-1 KDF (OpenSSL's default for EC keys)
  --in FILE             input (default stdin)
  --out FILE            plaintext output (default stdout, written only after verification)
  --json                print what was verified as JSON (on stderr when plaintext goes to stdout)
`;

function parse<T extends Record<string, { type: 'string' | 'boolean'; multiple?: boolean }>>(argv: readonly string[], options: T, usageText: string) {
  try {
    return parseArgs({ args: [...argv], options, allowPositionals: false, strict: true }).values;
  } catch (err) {
    throw new CliError(`${(err as Error).message} (see --help)\n${usageText.split('\n')[0]}`, ExitCode.usage, { cause: err });
  }
}

/** Maps a CmsError to the exit status and a one-line reason. */
function cmsFailure(err: unknown, what: string): never {
  if (!isCmsError(err)) throw err;
  const usageCodes: string[] = [CmsErrorCode.badKey, CmsErrorCode.badOptions];
  const code = usageCodes.includes(err.code) ? ExitCode.usage : err.code === CmsErrorCode.io ? ExitCode.failure : ExitCode.security;
  throw new CliError(`${what}: ${err.message} [${err.code}]`, code, { cause: err });
}

function input(file: string | undefined, io: Io): AsyncIterable<Uint8Array> {
  if (file === undefined) return io.stdin as AsyncIterable<Uint8Array>;
  return createReadStream(resolve(io.cwd, file), { highWaterMark: 1024 * 1024 });
}

const sealCommand: Command = {
  name: 'seal',
  summary: 'sign and encrypt a file to recipient certificates (CMS AuthEnvelopedData)',
  usage: sealUsage,
  async run(argv, io) {
    const v = parse(argv, {
      recipient: { type: 'string', multiple: true },
      'sign-cert': { type: 'string' },
      'sign-key': { type: 'string' },
      cipher: { type: 'string' },
      keyid: { type: 'boolean' },
      in: { type: 'string' },
      out: { type: 'string' },
    }, sealUsage);
    if (!v.recipient || v.recipient.length === 0) throw new CliError('seal needs at least one --recipient CERT.pem', ExitCode.usage);
    if (Boolean(v['sign-cert']) !== Boolean(v['sign-key'])) throw new CliError('--sign-cert and --sign-key go together', ExitCode.usage);
    if (v.cipher !== undefined && v.cipher !== 'aes-256-gcm' && v.cipher !== 'aes-128-gcm') throw new CliError(`--cipher ${v.cipher}: expected aes-256-gcm or aes-128-gcm`, ExitCode.usage);
    const recipients = [];
    for (const f of v.recipient) {
      try {
        for (const certificate of parseCertificates(await readFlagFile('recipient', f, io.cwd))) recipients.push({ certificate, identifier: v.keyid ? ('subjectKeyIdentifier' as const) : ('issuerAndSerialNumber' as const) });
      } catch (err) {
        if (err instanceof CliError) throw err;
        cmsFailure(err, `--recipient ${f}`);
      }
    }
    const signer = v['sign-cert'] && v['sign-key'] ? { certificate: await readFlagFile('sign-cert', v['sign-cert'], io.cwd), privateKey: await readFlagFile('sign-key', v['sign-key'], io.cwd) } : undefined;
    if (v.in !== undefined && v.out !== undefined) {
      // File to file: sealFile owns its buffers and frees each once written (flat, lower peak RSS).
      try {
        await sealFile(resolve(io.cwd, v.in), resolve(io.cwd, v.out), { recipients, ...(signer ? { signer } : {}), ...(v.cipher ? { cipher: v.cipher as 'aes-256-gcm' } : {}) });
      } catch (err) {
        cmsFailure(ioError(err), 'seal');
      }
      return ExitCode.ok;
    }
    let stream;
    try {
      stream = seal(input(v.in, io), { recipients, ...(signer ? { signer } : {}), ...(v.cipher ? { cipher: v.cipher as 'aes-256-gcm' } : {}) });
    } catch (err) {
      cmsFailure(err, 'seal');
    }
    if (v.out === undefined) {
      try {
        for await (const c of stream) await write(io.stdout, c as Uint8Array);
      } catch (err) {
        cmsFailure(ioError(err), 'seal');
      }
      return ExitCode.ok;
    }
    const dest = resolve(io.cwd, v.out);
    const tmp = join(dirname(dest), `.${basename(dest)}.${randomBytes(6).toString('hex')}.part`);
    const fh = await openFile(tmp, 'wx', 0o644).catch((err: unknown) => {
      throw new CliError(`--out ${v.out}: ${(err as Error).message}`, ExitCode.failure, { cause: err });
    });
    try {
      for await (const c of stream) await fh.write(c as Uint8Array);
      await fh.close();
      await rename(tmp, dest);
    } catch (err) {
      await fh.close().catch(() => undefined);
      await unlink(tmp).catch(() => undefined);
      cmsFailure(ioError(err), 'seal');
    }
    return ExitCode.ok;
  },
};

function ioError(err: unknown): unknown {
  if (isCmsError(err)) return err;
  throw new CliError(`I/O error: ${(err as Error).message}`, ExitCode.failure, { cause: err });
}

function write(stream: NodeJS.WritableStream, chunk: Uint8Array): Promise<void> {
  return new Promise((res, rej) => {
    stream.write(chunk, (err) => (err ? rej(err) : res()));
  });
}

function summary(r: OpenedEnvelope): Record<string, unknown> {
  return {
    authentic: true,
    envelope: r.envelope,
    cipher: r.cipher,
    contentType: r.contentType,
    contentLength: r.contentLength,
    recipient: { index: r.recipient.index, type: r.recipient.type, scheme: r.recipient.scheme, identifier: r.recipient.identifier.kind },
    signers: r.signers.map((s) => ({
      subject: s.subject,
      fingerprint: s.certificate.fingerprint,
      signingTime: s.signingTime?.toISOString() ?? null,
      signatureAlgorithm: s.signatureAlgorithm,
      trust: s.trust,
    })),
  };
}

const openCommand: Command = {
  name: 'open',
  summary: 'decrypt and verify a CMS envelope; exit 0 only when authentic',
  usage: openUsage,
  async run(argv, io) {
    const v = parse(argv, {
      key: { type: 'string' },
      cert: { type: 'string' },
      trust: { type: 'string', multiple: true },
      'require-signature': { type: 'boolean' },
      'allow-cbc': { type: 'boolean' },
      'allow-rsa-pkcs1': { type: 'boolean' },
      'allow-sha1-kdf': { type: 'boolean' },
      in: { type: 'string' },
      out: { type: 'string' },
      json: { type: 'boolean' },
    }, openUsage);
    if (!v.key) throw new CliError('open needs --key KEY.pem', ExitCode.usage);
    const trust = [];
    for (const f of v.trust ?? []) {
      try {
        trust.push(...parseCertificates(await readFlagFile('trust', f, io.cwd)));
      } catch (err) {
        if (err instanceof CliError) throw err;
        cmsFailure(err, `--trust ${f}`);
      }
    }
    const options = {
      privateKey: await readFlagFile('key', v.key, io.cwd),
      ...(v.cert ? { certificate: await readFlagFile('cert', v.cert, io.cwd) } : {}),
      ...(trust.length > 0 ? { trustAnchors: trust } : {}),
      requireSignature: v['require-signature'] ?? false,
      allowUnauthenticated: v['allow-cbc'] ?? false,
      allowRsaPkcs1v15: v['allow-rsa-pkcs1'] ?? false,
      allowSha1Kdf: v['allow-sha1-kdf'] ?? false,
    };
    let result: OpenedEnvelope;
    try {
      if (v.out !== undefined) {
        result =
          v.in !== undefined
            ? await openEnvelopeFile(resolve(io.cwd, v.in), resolve(io.cwd, v.out), options)
            : await openToFile(input(v.in, io), resolve(io.cwd, v.out), options);
      } else {
        // stdout cannot be taken back: hold the plaintext until it is verified.
        const r = await open(input(v.in, io), options);
        await write(io.stdout, r.plaintext);
        result = r;
      }
    } catch (err) {
      if (isCmsError(err)) cmsFailure(err, 'open');
      throw new CliError(`open: ${(err as Error).message}`, ExitCode.failure, { cause: err });
    }
    if (v.json) {
      const target = v.out === undefined ? io.stderr : io.stdout;
      target.write(`${JSON.stringify(summary(result))}\n`);
    }
    return ExitCode.ok;
  },
};

export const smimeCommand: Command = {
  name: 'smime',
  summary: 'seal and open CMS (S/MIME) envelopes, OpenSSL-compatible',
  subcommands: [sealCommand, openCommand],
};
