import { randomUUID } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import {
  certificateToPem,
  certificateUuids,
  createCertificateAuthority,
  createIdentity,
  createKemIdentity,
  createMlDsaIdentity,
  formatFingerprint,
  isCmsError,
  loadSigningKey,
  parseCertificate,
  privateKeyToPem,
  type Certificate,
  type KeyAlgorithm,
  type KemAlgorithm,
  type MlDsaAlgorithm,
} from '@trustnoone/smime';
import { CliError, type Command } from '../command.js';
import { ExitCode } from '../exit-codes.js';
import { readFlagText } from '../flag-file.js';

const algorithms: readonly KeyAlgorithm[] = ['p256', 'p384', 'rsa2048', 'rsa3072', 'rsa4096', 'x25519', 'ed25519'];
/** Post-quantum key encapsulation (docs/decisions.md D13): printers and clients only, issued by a CA. */
const kemAlgorithms: Readonly<Record<string, KemAlgorithm>> = {
  'ml-kem-512': 'ml-kem-512',
  'ml-kem-768': 'ml-kem-768',
  'ml-kem-1024': 'ml-kem-1024',
  'x25519-ml-kem-768': 'mlkem768-x25519',
};

/** Post-quantum signatures (RFC 9881, docs/decisions.md D20): any kind, CA included; self-signed or issued. */
const mlDsaAlgorithms: readonly MlDsaAlgorithm[] = ['ml-dsa-44', 'ml-dsa-65', 'ml-dsa-87'];

const usage = `Usage: tno keys generate --kind ca|printer|client|server --name NAME --cert FILE --key FILE
                         [--algorithm|--alg ALG] [--ca-cert FILE --ca-key FILE] [--dns NAME ...]
                         [--printer-uuid UUID] [--email ADDR ...] [--days N] [--json]

Generates a key pair and an X.509 certificate: a CA (self-signed), a printer (its printer-uuid as
urn:uuid: in subjectAltName; X25519 needs a CA), a client (a user's signing certificate) or a
server (a TLS certificate for an intermediary's --tls-key/--tls-cert, naming its host names).
Issued by --ca-cert/--ca-key, or self-signed without them. The private key is written with mode
0600. The post-quantum algorithms (ML-KEM, and the hybrid ML-KEM-768 + X25519 that needs both
keys broken) encrypt only, so they need a CA. ML-DSA signs (jobs, certificates as a CA).
Post-quantum keys are written as PKCS#8 in the seed form.

  --kind KIND          ca, printer, client or server
  --name NAME          subject common name
  --cert FILE          where to write the certificate (PEM)
  --key FILE           where to write the private key (PKCS#8 PEM); an existing file is not replaced
  --algorithm ALG      ${algorithms.join(', ')} (default p256);
                       post-quantum: ${Object.keys(kemAlgorithms).join(', ')},
                       ${mlDsaAlgorithms.join(', ')}
  --alg ALG            the same as --algorithm
  --ca-cert FILE       issuing CA certificate ...
  --ca-key FILE        ... and its private key
  --dns NAME           server only: a host name clients use (dNSName in subjectAltName);
                       repeatable (default: --name, and localhost)
  --printer-uuid UUID  printer only (default: a new random UUID, printed)
  --email ADDR         rfc822Name in subjectAltName; repeatable
  --days N             validity (default 825; 3650 for a CA)
  --json               print the result as JSON
`;

const generateCommand: Command = {
  name: 'generate',
  summary: 'generate a key pair and certificate for a CA, printer, client or TLS server',
  usage,
  async run(argv, io) {
    let v;
    try {
      ({ values: v } = parseArgs({
        args: [...argv],
        options: {
          kind: { type: 'string' },
          name: { type: 'string' },
          cert: { type: 'string' },
          key: { type: 'string' },
          algorithm: { type: 'string' },
          alg: { type: 'string' },
          'ca-cert': { type: 'string' },
          'ca-key': { type: 'string' },
          'printer-uuid': { type: 'string' },
          email: { type: 'string', multiple: true },
          dns: { type: 'string', multiple: true },
          days: { type: 'string' },
          json: { type: 'boolean' },
        },
        strict: true,
        allowPositionals: false,
      }));
    } catch (err) {
      throw new CliError(`${(err as Error).message} (see 'tno keys generate --help')`, ExitCode.usage, { cause: err });
    }
    const kind = v.kind;
    if (kind !== 'ca' && kind !== 'printer' && kind !== 'client' && kind !== 'server') throw new CliError('--kind must be ca, printer, client or server', ExitCode.usage);
    if (v.dns !== undefined && kind !== 'server') throw new CliError('--dns only goes with --kind server', ExitCode.usage);
    // RFC 6125 §6.4: a TLS client matches the host name against dNSName entries of subjectAltName.
    const dnsNames = kind === 'server' ? [...new Set(v.dns ?? [v.name ?? '', 'localhost'])].filter((d) => /^[A-Za-z0-9*]([A-Za-z0-9-.]*[A-Za-z0-9])?$/.test(d)) : undefined;
    if (kind === 'server' && dnsNames!.length === 0) throw new CliError('--kind server needs a host name: --name HOST or --dns HOST', ExitCode.usage);
    if (!v.name || !v.cert || !v.key) throw new CliError('--name, --cert and --key are required', ExitCode.usage);
    if (v.algorithm !== undefined && v.alg !== undefined) throw new CliError('give --algorithm or --alg, not both', ExitCode.usage);
    const algorithmName = v.algorithm ?? v.alg ?? 'p256';
    const kem = kemAlgorithms[algorithmName];
    const mlDsa = mlDsaAlgorithms.find((a) => a === algorithmName);
    const algorithm = algorithmName as KeyAlgorithm;
    if (!kem && !mlDsa && !algorithms.includes(algorithm)) {
      throw new CliError(`--algorithm ${algorithmName}: expected one of ${[...algorithms, ...Object.keys(kemAlgorithms), ...mlDsaAlgorithms].join(', ')}`, ExitCode.usage);
    }
    if (kem && kind === 'ca') throw new CliError(`--algorithm ${algorithmName} cannot sign, so it cannot be a CA`, ExitCode.usage);
    if (kem && !(v['ca-cert'] && v['ca-key'])) throw new CliError(`--algorithm ${algorithmName} cannot sign its own certificate: give --ca-cert and --ca-key`, ExitCode.usage);
    if (Boolean(v['ca-cert']) !== Boolean(v['ca-key'])) throw new CliError('--ca-cert and --ca-key go together', ExitCode.usage);
    const days = v.days === undefined ? undefined : Number(v.days);
    if (days !== undefined && (!Number.isSafeInteger(days) || days < 1)) throw new CliError(`--days ${v.days}: expected a positive integer`, ExitCode.usage);
    if (v['printer-uuid'] !== undefined && (kind !== 'printer' || !/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(v['printer-uuid']))) {
      throw new CliError('--printer-uuid takes a UUID and only goes with --kind printer', ExitCode.usage);
    }
    let id: { certificate: Certificate; keyPem: string };
    try {
      const ca = v['ca-cert'] && v['ca-key'] ? { certificate: parseCertificate(await readFlagText('ca-cert', v['ca-cert'], io.cwd)), privateKey: loadSigningKey(await readFlagText('ca-key', v['ca-key'], io.cwd)) } : undefined;
      if (mlDsa) {
        if (kind === 'ca' && ca) throw new CliError('a CA here is self-signed: drop --ca-cert/--ca-key', ExitCode.usage);
        const d = createMlDsaIdentity({
          commonName: v.name,
          algorithm: mlDsa,
          ...(ca ? { ca } : {}),
          ...(kind === 'ca' ? { isCA: true } : {}),
          ...(kind === 'printer' ? { printerUuid: v['printer-uuid'] ?? randomUUID() } : {}),
          ...(v.email ? { emails: v.email } : {}),
          ...(days ? { validityDays: days } : {}),
        });
        id = { certificate: d.certificate, keyPem: d.privateKey.toPem() };
      } else if (kind === 'ca') {
        if (ca) throw new CliError('a CA here is self-signed: drop --ca-cert/--ca-key', ExitCode.usage);
        const ca$ = createCertificateAuthority({ commonName: v.name, algorithm, ...(days ? { validityDays: days } : {}) });
        id = { certificate: ca$.certificate, keyPem: privateKeyToPem(ca$.privateKey) };
      } else if (kem) {
        const k = createKemIdentity({
          commonName: v.name,
          algorithm: kem,
          ca: ca!,
          ...(kind === 'printer' ? { printerUuid: v['printer-uuid'] ?? randomUUID() } : {}),
          ...(v.email ? { emails: v.email } : {}),
          ...(days ? { validityDays: days } : {}),
        });
        id = { certificate: k.certificate, keyPem: k.privateKey.toPem() };
      } else {
        const i = createIdentity({
          commonName: v.name,
          algorithm,
          ...(ca ? { ca } : {}),
          ...(kind === 'printer' ? { printerUuid: v['printer-uuid'] ?? randomUUID() } : {}),
          ...(v.email ? { emails: v.email } : {}),
          ...(dnsNames ? { dnsNames } : {}),
          ...(days ? { validityDays: days } : {}),
        });
        id = { certificate: i.certificate, keyPem: privateKeyToPem(i.privateKey) };
      }
    } catch (err) {
      if (isCmsError(err)) throw new CliError(`${err.message} [${err.code}]`, ExitCode.usage, { cause: err });
      throw err;
    }
    try {
      await writeFile(resolve(io.cwd, v.key), id.keyPem, { mode: 0o600, flag: 'wx' });
    } catch (err) {
      throw new CliError(`--key ${v.key}: ${(err as NodeJS.ErrnoException).code === 'EEXIST' ? 'exists; not replacing a private key' : (err as Error).message}`, ExitCode.failure, { cause: err });
    }
    await writeFile(resolve(io.cwd, v.cert), certificateToPem(id.certificate));
    const c = id.certificate;
    const result = { kind, subject: c.subjectText, issuer: c.issuerText, algorithm: algorithmName, fingerprint: formatFingerprint(c.fingerprint), printerUuid: certificateUuids(c)[0] ?? null, notAfter: c.notAfter.toISOString(), cert: v.cert, key: v.key };
    io.stdout.write(v.json ? `${JSON.stringify(result)}\n` : `${kind} certificate '${c.subjectText}' (${algorithmName})${result.printerUuid ? ` for urn:uuid:${result.printerUuid}` : ''}\nSHA-256 fingerprint ${result.fingerprint}\n`);
    return ExitCode.ok;
  },
};

export const keysCommand: Command = {
  name: 'keys',
  summary: 'generate keys and certificates (CA, printer, client, TLS server)',
  subcommands: [generateCommand],
};
