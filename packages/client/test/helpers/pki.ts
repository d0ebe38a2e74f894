/**
 * Test certificates made by the openssl command line (an independent implementation): a CA,
 * printer certificates with `urn:uuid:` in subjectAltName, self-signed or CA-issued, P-256.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface TestCert {
  readonly certPem: string;
  readonly keyPem: string;
  readonly certPath: string;
  readonly keyPath: string;
}

const dir = mkdtempSync(join(tmpdir(), 'tno-client-pki-'));
let n = 0;

function openssl(args: string[]): void {
  execFileSync('openssl', args, { stdio: ['ignore', 'ignore', 'pipe'] });
}

function files(tag: string): { cert: string; key: string; ext: string } {
  n++;
  return { cert: join(dir, `${tag}-${n}.crt`), key: join(dir, `${tag}-${n}.key`), ext: join(dir, `${tag}-${n}.ext`) };
}

function done(f: { cert: string; key: string }): TestCert {
  return { certPem: readFileSync(f.cert, 'utf8'), keyPem: readFileSync(f.key, 'utf8'), certPath: f.cert, keyPath: f.key };
}

export function makeCa(cn = 'tno test CA'): TestCert {
  const f = files('ca');
  openssl(['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', f.key, '-out', f.cert, '-days', '30', '-subj', `/CN=${cn}`,
    '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign']);
  return done(f);
}

/** A printer (or user) certificate; `uuid` goes into subjectAltName as urn:uuid:. */
export function makeLeaf(options: { cn: string; uuid?: string; ca?: TestCert; days?: number; notBefore?: string }): TestCert {
  const f = files('leaf');
  const san = options.uuid ? `subjectAltName=URI:urn:uuid:${options.uuid}\n` : '';
  writeFileSync(f.ext, `basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature,keyAgreement\n${san}`);
  if (!options.ca) {
    openssl(['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', f.key, '-out', f.cert, '-days', String(options.days ?? 30), '-subj', `/CN=${options.cn}`,
      ...(san ? ['-addext', san.trim()] : []), '-addext', 'keyUsage=critical,digitalSignature,keyAgreement']);
    return done(f);
  }
  const csr = `${f.cert}.csr`;
  openssl(['req', '-new', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', f.key, '-out', csr, '-subj', `/CN=${options.cn}`]);
  openssl(['x509', '-req', '-in', csr, '-CA', options.ca.certPath, '-CAkey', options.ca.keyPath, '-CAcreateserial', '-out', f.cert, '-days', String(options.days ?? 30), '-extfile', f.ext]);
  return done(f);
}

export const pkiDir = dir;
