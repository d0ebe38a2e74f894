// A vendor's first program against the published packages, type-checked under `strict` and run
// from the installed tarballs only (release/test/packed-install.test.ts). It prints one JSON line.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createIdentity, open, sealToBytes } from '@trustnoone/smime';
import { startPrinter } from '@trustnoone/printer';
import { print, TrustStore } from '@trustnoone/client';

const work = mkdtempSync(join(tmpdir(), 'tno-consumer-'));
try {
  // Seal and open a message with the CMS package alone.
  const me = createIdentity({ commonName: 'consumer', algorithm: 'p256' });
  const message = new TextEncoder().encode('sealed by a consumer of the published packages');
  const envelope = await sealToBytes(message, { recipients: [me.certificate] });
  const opened = await open(envelope, { privateKey: me.privateKey });
  const roundTrip = Buffer.from(opened.plaintext).equals(Buffer.from(message));

  // Print a sealed job to a loopback printer with the client library.
  const printer = await startPrinter({ stateDir: join(work, 'printer'), port: 0, host: '127.0.0.1', tls: false, logger: false });
  try {
    const document = join(work, 'hello.txt');
    writeFileSync(document, 'Hello from an installed tarball.\n');
    const result = await print({
      printer: printer.uri,
      documents: [{ path: document }],
      trust: { store: new TrustStore(join(work, 'client')), firstUse: 'accept' },
    });
    console.log(JSON.stringify({ roundTrip, envelopeBytes: envelope.length, encrypted: result.encrypted, trust: result.trust?.kind, state: result.status?.state }));
  } finally {
    await printer.close();
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}
