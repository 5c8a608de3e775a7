/** Unit tests of parseTemporalConfig: defaults and readable errors. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseTemporalConfig, TemporalConfigError } from 'sluice/temporal';

test('defaults to a local dev server', () => {
  assert.deepEqual(parseTemporalConfig({}), {
    address: '127.0.0.1:7233',
    namespace: 'default',
    webUrl: 'http://127.0.0.1:8233',
  });
  assert.equal(parseTemporalConfig({ TEMPORAL_ADDRESS: '  ' }).address, '127.0.0.1:7233', 'blank means default');
});

test('reads the three variables', () => {
  const config = parseTemporalConfig({
    TEMPORAL_ADDRESS: 'temporal:7233',
    TEMPORAL_NAMESPACE: 'water',
    TEMPORAL_WEB_URL: 'https://temporal.example.org/',
  });
  assert.deepEqual(config, { address: 'temporal:7233', namespace: 'water', webUrl: 'https://temporal.example.org' });
});

test('a wrong value is named, with what to do', () => {
  assert.throws(
    () => parseTemporalConfig({ TEMPORAL_ADDRESS: 'http://temporal:7233', TEMPORAL_WEB_URL: 'ftp://x' }),
    (err: Error) =>
      err instanceof TemporalConfigError &&
      /TEMPORAL_ADDRESS="http:\/\/temporal:7233": must be host:port/.test(err.message) &&
      /TEMPORAL_WEB_URL="ftp:\/\/x": must be an http\(s\) URL/.test(err.message),
  );
});
