/**
 * Unit tests of the one place Sluice reads TEMPORAL_* (sdk/src/temporal/connection.ts): defaults, TLS and API key
 * settings, readable errors; and, at the gRPC level, that an API key reaches the server as `authorization:
 * Bearer` from both the client's and the worker's connection (a plain HTTP/2 server records what arrives:
 * Temporal's own server checks keys only with an authorizer plugged in, which its open-source build has not).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { writeFileSync } from 'node:fs';
import http2 from 'node:http2';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { NativeConnection } from '@temporalio/worker';
import { connect, connectionOptions, parseTemporalConfig, TemporalConfigError, TemporalUnreachableError } from 'sluice/internal/temporal';
import { freshTmpDir } from '../harness/env';

test('defaults to a local dev server, plain gRPC', () => {
  assert.deepEqual(parseTemporalConfig({}), {
    address: '127.0.0.1:7233',
    namespace: 'default',
    webUrl: 'http://127.0.0.1:8233',
    tls: false,
  });
  assert.equal(parseTemporalConfig({ TEMPORAL_ADDRESS: '  ' }).address, '127.0.0.1:7233', 'blank means default');
});

test('reads the address, namespace and web URL', () => {
  const config = parseTemporalConfig({
    TEMPORAL_ADDRESS: 'temporal:7233',
    TEMPORAL_NAMESPACE: 'water',
    TEMPORAL_WEB_URL: 'https://temporal.example.org/',
  });
  assert.deepEqual(config, { address: 'temporal:7233', namespace: 'water', webUrl: 'https://temporal.example.org', tls: false });
});

test('TLS is on with TEMPORAL_TLS=true, with any TLS file or server name, and with an API key unless TEMPORAL_TLS=false', () => {
  assert.deepEqual(parseTemporalConfig({ TEMPORAL_TLS: 'true' }).tls, {});
  assert.deepEqual(parseTemporalConfig({ TEMPORAL_TLS_CA_FILE: '/ca.pem' }).tls, { caFile: '/ca.pem' });
  assert.deepEqual(parseTemporalConfig({ TEMPORAL_TLS_SERVER_NAME: 'temporal.internal' }).tls, { serverName: 'temporal.internal' });
  assert.deepEqual(parseTemporalConfig({ TEMPORAL_TLS_CERT_FILE: '/c.pem', TEMPORAL_TLS_KEY_FILE: '/c.key' }).tls, { certFile: '/c.pem', keyFile: '/c.key' });
  const cloud = parseTemporalConfig({ TEMPORAL_ADDRESS: 'ns.acct.tmprl.cloud:7233', TEMPORAL_API_KEY: 'k-1' });
  assert.deepEqual([cloud.tls, cloud.apiKey], [{}, 'k-1']);
  const plainWithKey = parseTemporalConfig({ TEMPORAL_API_KEY: 'k-1', TEMPORAL_TLS: 'false' });
  assert.deepEqual([plainWithKey.tls, plainWithKey.apiKey], [false, 'k-1']);
  assert.equal(parseTemporalConfig({ TEMPORAL_TLS: 'false' }).tls, false);
});

test('a wrong value is named, with what to do', () => {
  assert.throws(
    () => parseTemporalConfig({ TEMPORAL_ADDRESS: 'http://temporal:7233', TEMPORAL_WEB_URL: 'ftp://x', TEMPORAL_TLS: 'yes' }),
    (err: Error) =>
      err instanceof TemporalConfigError &&
      /TEMPORAL_ADDRESS="http:\/\/temporal:7233": must be host:port/.test(err.message) &&
      /TEMPORAL_WEB_URL="ftp:\/\/x": must be an http\(s\) URL/.test(err.message) &&
      /TEMPORAL_TLS="yes": must be true .* or false/.test(err.message),
  );
});

test('a certificate without its key, a key without its certificate, and TLS files with TEMPORAL_TLS=false are refused', () => {
  assert.throws(() => parseTemporalConfig({ TEMPORAL_TLS_CERT_FILE: '/c.pem' }), /TEMPORAL_TLS_KEY_FILE: not set, but TEMPORAL_TLS_CERT_FILE is \(\/c\.pem\): a client certificate needs its private key/);
  assert.throws(() => parseTemporalConfig({ TEMPORAL_TLS_KEY_FILE: '/c.key' }), /TEMPORAL_TLS_CERT_FILE: not set, but TEMPORAL_TLS_KEY_FILE is \(\/c\.key\)/);
  assert.throws(() => parseTemporalConfig({ TEMPORAL_TLS: 'false', TEMPORAL_TLS_CA_FILE: '/ca.pem' }), /TEMPORAL_TLS=false, but TEMPORAL_TLS_CA_FILE is set/);
});

test('connection options carry the files read now; a missing or non-PEM file names its variable and path', () => {
  const dir = freshTmpDir('tls-options');
  const pem = (name: string, body: string) => {
    const file = path.join(dir, name);
    writeFileSync(file, `-----BEGIN ${body}-----\nAAAA\n-----END ${body}-----\n`);
    return file;
  };
  const ca = pem('ca.pem', 'CERTIFICATE');
  const cert = pem('client.pem', 'CERTIFICATE');
  const key = pem('client.key', 'PRIVATE KEY');
  const options = connectionOptions(parseTemporalConfig({ TEMPORAL_ADDRESS: 'temporal:7233', TEMPORAL_TLS_CA_FILE: ca, TEMPORAL_TLS_CERT_FILE: cert, TEMPORAL_TLS_KEY_FILE: key, TEMPORAL_TLS_SERVER_NAME: 'temporal.internal', TEMPORAL_API_KEY: 'k-1' }));
  assert.equal(options.address, 'temporal:7233');
  assert.equal(options.apiKey, 'k-1');
  assert.ok(options.tls);
  assert.equal(options.tls.serverNameOverride, 'temporal.internal');
  assert.match(Buffer.from(options.tls.serverRootCACertificate!).toString(), /BEGIN CERTIFICATE/);
  assert.match(Buffer.from(options.tls.clientCertPair!.key).toString(), /BEGIN PRIVATE KEY/);
  assert.deepEqual(connectionOptions(parseTemporalConfig({})), { address: '127.0.0.1:7233', tls: false });

  const missing = path.join(dir, 'gone.pem');
  assert.throws(() => connectionOptions({ address: 'x:1', tls: { caFile: missing } }), (err: Error) => err instanceof TemporalConfigError && err.message === `TEMPORAL_TLS_CA_FILE=${missing}: cannot read it (no such file).`);
  const notPem = path.join(dir, 'key.der');
  writeFileSync(notPem, Buffer.from([0x30, 0x82, 0x01]));
  assert.throws(() => connectionOptions({ address: 'x:1', tls: { certFile: cert, keyFile: notPem } }), new RegExp(`TEMPORAL_TLS_KEY_FILE=${notPem}: not a PEM file`));
  assert.throws(() => connectionOptions({ address: 'x:1', tls: { caFile: dir } }), new RegExp(`TEMPORAL_TLS_CA_FILE=${dir}: cannot read it \\(EISDIR`));
});

test('the API key reaches the server as `authorization: Bearer` from the client connection and the worker connection', async (t) => {
  const seen: { path: string; authorization?: string }[] = [];
  const server = http2.createServer();
  server.on('stream', (stream, headers) => {
    seen.push({ path: String(headers[':path']), authorization: headers.authorization });
    // A gRPC refusal (UNAUTHENTICATED), trailers only: what a server with an authorizer answers a wrong key.
    stream.respond({ ':status': 200, 'content-type': 'application/grpc', 'grpc-status': '16', 'grpc-message': 'wrong key' }, { endStream: true });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  t.after(() => server.close());
  const address = `127.0.0.1:${(server.address() as AddressInfo).port}`;
  // Plain HTTP/2 (TEMPORAL_TLS=false) so the test server can read the headers; with TLS the same headers travel encrypted.
  const config = parseTemporalConfig({ TEMPORAL_ADDRESS: address, TEMPORAL_API_KEY: 'sk-test-1', TEMPORAL_TLS: 'false' });

  await assert.rejects(connect(config), (err: Error) => err instanceof TemporalUnreachableError && err.message.includes(address));
  assert.ok(seen.length > 0, 'the client called the server');
  assert.ok(seen.every((s) => s.authorization === 'Bearer sk-test-1'), JSON.stringify(seen));

  seen.length = 0;
  await assert.rejects(NativeConnection.connect(connectionOptions(config)));
  assert.ok(seen.length > 0, 'the worker connection called the server');
  assert.ok(seen.every((s) => s.authorization === 'Bearer sk-test-1'), JSON.stringify(seen));
});
