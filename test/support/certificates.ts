import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** openssl req's options for a new, unencrypted P-256 key. */
const NEW_EC_KEY = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];

export interface KeyPair {
  key: Buffer;
  cert: Buffer;
}

/**
 * A self-signed and an already expired certificate for 127.0.0.1, made with openssl (Node cannot
 * make an X.509 certificate by itself); undefined where openssl is missing.
 */
export function badCertificates(): { selfSigned: KeyPair; expired: KeyPair } | undefined {
  const dir = mkdtempSync(join(tmpdir(), 'blynk-tls-'));
  const make = (name: string, days: string): KeyPair => {
    const key = join(dir, `${name}.key`);
    const csr = join(dir, `${name}.csr`);
    const cert = join(dir, `${name}.pem`);
    execFileSync('openssl', ['req', '-new', ...NEW_EC_KEY, '-keyout', key, '-out', csr, '-subj', '/CN=127.0.0.1'], { stdio: 'ignore' });
    execFileSync('openssl', ['x509', '-req', '-in', csr, '-signkey', key, '-days', days, '-out', cert], { stdio: 'ignore' });
    return { key: readFileSync(key), cert: readFileSync(cert) };
  };
  try {
    return { selfSigned: make('self', '1'), expired: make('expired', '-1') };
  } catch {
    return undefined;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * A self-signed certificate for 127.0.0.1 (as an IP subjectAltName, which Node checks) that a
 * process trusts when it is given as NODE_EXTRA_CA_CERTS; undefined where openssl is missing.
 */
export function trustableCertificate(): KeyPair | undefined {
  const dir = mkdtempSync(join(tmpdir(), 'blynk-tls-'));
  const key = join(dir, 'trusted.key');
  const cert = join(dir, 'trusted.pem');
  try {
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        ...NEW_EC_KEY,
        '-keyout',
        key,
        '-out',
        cert,
        '-days',
        '1',
        '-subj',
        '/CN=127.0.0.1',
        '-addext',
        'subjectAltName=IP:127.0.0.1',
      ],
      { stdio: 'ignore' },
    );
    return { key: readFileSync(key), cert: readFileSync(cert) };
  } catch {
    return undefined;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
