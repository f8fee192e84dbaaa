import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

export interface TestCertificate {
  /** PEM file of the self-signed certificate: give it to the client as NODE_EXTRA_CA_CERTS. */
  readonly certFile: string;
  readonly cert: Buffer;
  readonly key: Buffer;
}

/**
 * A fresh self-signed certificate for 127.0.0.1 / ::1 / localhost, made at test time with openssl.
 * The `openai` package always dials wss://, so the fake server serves TLS and the client trusts this
 * certificate explicitly; verification is never switched off.
 */
export function makeTestCertificate(): TestCertificate {
  const dir = mkdtempSync(path.join(tmpdir(), 'trunkline-tls-'));
  const certFile = path.join(dir, 'cert.pem');
  const keyFile = path.join(dir, 'key.pem');
  execFileSync(
    'openssl',
    ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '2', '-subj', '/CN=localhost', '-addext', 'subjectAltName=IP:127.0.0.1,IP:::1,DNS:localhost', '-keyout', keyFile, '-out', certFile],
    { stdio: 'pipe', timeout: 15_000 },
  );
  return { certFile, cert: readFileSync(certFile), key: readFileSync(keyFile) };
}
