/**
 * Certificates made at test time with the openssl command (Debian's `openssl`; .ci/run installs it): a CA, a
 * server certificate for localhost/127.0.0.1 (also usable as a client certificate, as Temporal's own system
 * worker presents it to the frontend), a client certificate signed by the CA, and one signed by another CA.
 *
 * @example const certs = await makeTestCertificates(); // certs.ca, certs.server.cert, certs.client.key, ...
 */
import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { freshTmpDir } from './env';

const run = promisify(execFile);

export interface KeyPair {
  cert: string;
  key: string;
}

export interface TestCertificates {
  dir: string;
  /** PEM of the CA that signed `server` and `client`. */
  ca: string;
  server: KeyPair;
  client: KeyPair;
  /** Signed by a CA the server does not trust. */
  stranger: KeyPair;
  /** The CA of `stranger`. */
  otherCa: string;
}

const KEY = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];

async function makeCa(dir: string, name: string): Promise<KeyPair> {
  const pair = { cert: path.join(dir, `${name}.pem`), key: path.join(dir, `${name}.key`) };
  await run('openssl', ['req', '-x509', ...KEY, '-keyout', pair.key, '-out', pair.cert, '-days', '2', '-subj', `/CN=Sluice test ${name}`,
    '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign']);
  return pair;
}

async function makeSigned(dir: string, name: string, ca: KeyPair, extensions: string): Promise<KeyPair> {
  const pair = { cert: path.join(dir, `${name}.pem`), key: path.join(dir, `${name}.key`) };
  const csr = path.join(dir, `${name}.csr`);
  const ext = path.join(dir, `${name}.ext`);
  writeFileSync(ext, `basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature,keyEncipherment\n${extensions}\n`);
  await run('openssl', ['req', ...KEY, '-keyout', pair.key, '-out', csr, '-subj', `/CN=${name}`]);
  await run('openssl', ['x509', '-req', '-in', csr, '-CA', ca.cert, '-CAkey', ca.key, '-CAcreateserial', '-out', pair.cert, '-days', '2', '-extfile', ext]);
  return pair;
}

export async function makeTestCertificates(): Promise<TestCertificates> {
  const dir = freshTmpDir('tls');
  const [ca, otherCa] = await Promise.all([makeCa(dir, 'ca'), makeCa(dir, 'other-ca')]);
  const [server, client, stranger] = await Promise.all([
    makeSigned(dir, 'localhost', ca, 'subjectAltName=DNS:localhost,DNS:temporal,IP:127.0.0.1\nextendedKeyUsage=serverAuth,clientAuth'),
    makeSigned(dir, 'sluice-worker', ca, 'subjectAltName=DNS:sluice-worker\nextendedKeyUsage=clientAuth'),
    makeSigned(dir, 'stranger', otherCa, 'subjectAltName=DNS:stranger\nextendedKeyUsage=clientAuth'),
  ]);
  return { dir, ca: ca.cert, server, client, stranger, otherCa: otherCa.cert };
}
