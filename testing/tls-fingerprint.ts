/**
 * The SHA-256 of the certificate a TLS server on 127.0.0.1 presents, read off the handshake
 * itself: an independent way for a test to learn what a pin or a status page should say.
 */
import { createHash } from 'node:crypto';
import { connect } from 'node:tls';

export function tlsCertificateSha256(port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port, rejectUnauthorized: false }, () => {
      const der = socket.getPeerCertificate().raw;
      socket.end();
      resolve(createHash('sha256').update(der).digest('hex'));
    });
    socket.once('error', reject);
  });
}
