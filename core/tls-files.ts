import { createPrivateKey, X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';

/** PEM material for one TLS connection (Redis or ClickHouse), read once at start-up. */
export interface TlsFiles {
  /** CA certificates the server's certificate is checked against; unset: the system's CAs. */
  ca?: Buffer;
  /** Client certificate and its key, for servers that ask for one (mutual TLS). */
  cert?: Buffer;
  key?: Buffer;
}

export type PemKind = 'certificates' | 'key';

const CERTIFICATE_BLOCK = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;

/**
 * Reads a PEM file named by a setting and checks that it holds what the setting says. Problems
 * say what is wrong with the file, never what it holds: it may be a private key, and a start-up
 * error goes to logs and terminals.
 */
export function readPemFile(path: string, kind: PemKind): { pem: Buffer } | { problem: string } {
  let pem: Buffer;
  try {
    pem = readFileSync(path);
  } catch (error) {
    return { problem: `cannot read the file it names (${(error as NodeJS.ErrnoException).code ?? 'error'})` };
  }
  if (kind === 'key') {
    try {
      createPrivateKey(pem);
      return { pem };
    } catch {
      return { problem: 'is not a PEM private key (-----BEGIN PRIVATE KEY-----)' };
    }
  }
  const blocks = pem.toString('latin1').match(CERTIFICATE_BLOCK) ?? [];
  try {
    if (blocks.length === 0) throw new Error('no certificate');
    for (const block of blocks) new X509Certificate(block);
    return { pem };
  } catch {
    return { problem: 'is not a PEM file of certificates (-----BEGIN CERTIFICATE-----)' };
  }
}

/** Whether `key` is the private key of the first certificate in `cert`. */
export function keyMatchesCertificate(cert: Buffer, key: Buffer): boolean {
  try {
    return new X509Certificate(cert).checkPrivateKey(createPrivateKey(key));
  } catch {
    return false;
  }
}

/**
 * What is wrong with one connection's TLS settings as a whole (`<prefix>_CA`, `_CERT`, `_KEY`):
 * files set for a connection that would not use them (a silent plain-text connection is worse
 * than a refusal to start), a certificate without its key or the reverse, or a key of another
 * certificate.
 */
export function tlsGroupProblems(
  prefix: string,
  files: TlsFiles,
  used: boolean,
  unusedBecause: string,
): { variable: string; message: string }[] {
  const names = { ca: `${prefix}_CA`, cert: `${prefix}_CERT`, key: `${prefix}_KEY` };
  const set = (['ca', 'cert', 'key'] as const).filter((part) => files[part] !== undefined);
  if (set.length > 0 && !used) {
    return set.map((part) => ({ variable: names[part], message: `set, but ${unusedBecause}` }));
  }
  const pair = 'the client certificate and its key';
  if (files.cert && !files.key)
    return [{ variable: names.key, message: `must be set with ${names.cert} (${pair})` }];
  if (files.key && !files.cert)
    return [{ variable: names.cert, message: `must be set with ${names.key} (${pair})` }];
  if (files.cert && files.key && !keyMatchesCertificate(files.cert, files.key))
    return [{ variable: names.key, message: `is not the private key of ${names.cert}` }];
  return [];
}
