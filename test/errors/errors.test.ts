// Unit tests of Sluice's one error base and its one mapper (sluice/errors): instanceof across two loaded copies of
// the package, every class's code unique and documented in docs/errors.md, and what the mapper answers.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { describe, it } from 'node:test';
import * as client from 'sluice/client';
import * as compat from 'sluice/internal/compat';
import { errorAnswer, errorLine, HTTP_STATUS, SluiceError } from 'sluice/internal/errors';
import * as notify from 'sluice/internal/notify';
import * as store from 'sluice/internal/store';
import * as temporal from 'sluice/internal/temporal';
import * as workerApi from 'sluice/internal/worker-api';
import { ArtifactError } from '../../sdk/src/publish';
import { UsageError } from '../../sdk/src/cli/usage';
import { ProjectError } from '../../sdk/src/worker/project';
import { RepositorySettingsError } from '../../sdk/src/worker/repository-settings';
import { SecretKeyError } from '../../sdk/src/notify/secrets';
import { DeliveryError } from '../../sdk/src/notify/send';
import { WebhookError } from '../../sdk/src/notify/webhook-post';
import { EnvError } from '../../web/lib/env';
import { LoginError } from '../../web/lib/auth/credentials';
import { WeakPasswordError } from '../../web/lib/auth/passwords';
import { UserError } from '../../web/lib/auth/users';

const root = path.resolve(__dirname, '../..');
type ErrorClass = typeof SluiceError;

/** A second copy of the built package, as a second bundle or a workflow repository's own `sluice` would load it. */
function secondCopy(subpath: string): Record<string, unknown> {
  const load = createRequire(path.join(root, 'package.json'));
  const lib = path.join(root, 'sdk', 'lib') + path.sep;
  const kept = Object.keys(load.cache).filter((k) => k.startsWith(lib));
  const saved = new Map(kept.map((k) => [k, load.cache[k]]));
  for (const k of kept) delete load.cache[k];
  try {
    return load(`sluice/${subpath}`);
  } finally {
    for (const k of Object.keys(load.cache)) if (k.startsWith(lib)) delete load.cache[k];
    for (const [k, m] of saved) load.cache[k] = m;
  }
}

/** Every error class Sluice exports (the package's and the web app's), by its class name. */
function errorClasses(): Map<string, ErrorClass> {
  const found = new Map<string, ErrorClass>();
  const modules: Record<string, unknown>[] = [client, store, notify, temporal, workerApi, compat];
  const direct = { ArtifactError, UsageError, ProjectError, RepositorySettingsError, SecretKeyError, DeliveryError, WebhookError, EnvError, LoginError, WeakPasswordError, UserError };
  for (const m of [...modules, direct]) {
    for (const [name, value] of Object.entries(m)) {
      if (typeof value === 'function' && value.prototype instanceof Error && name.endsWith('Error')) found.set(name, value as ErrorClass);
    }
  }
  return found;
}

describe('SluiceError', () => {
  it('is recognised by instanceof across two loaded copies of the package, by class and by base, never by name', () => {
    const other = secondCopy('client') as typeof client;
    assert.notEqual(other.UnknownFlowError, client.UnknownFlowError, 'two copies, two classes');
    const thrown = new other.UnknownFlowError('rainfal');
    assert.ok(thrown instanceof client.UnknownFlowError);
    assert.ok(thrown instanceof SluiceError);
    assert.ok(thrown instanceof Error);
    assert.ok(!(thrown instanceof client.UnknownDeploymentError));
    assert.ok(new client.RunNotFoundError('w') instanceof other.RunNotFoundError);
    assert.ok(new client.RunNotFoundError('w') instanceof other.SluiceError);
    assert.equal(thrown.code, 'unknown_flow');
    // The old ways of telling errors apart no longer count: a same-named Error, an object with the code.
    const lookalike = Object.assign(new Error('x'), { name: 'UnknownFlowError', code: 'unknown_flow' });
    assert.ok(!(lookalike instanceof client.UnknownFlowError));
    assert.ok(!(lookalike instanceof SluiceError));
    for (const value of [null, undefined, 'unknown_flow', 42, {}]) assert.ok(!((value as object) instanceof SluiceError));
  });

  it('a subclass of a subclass is an instance of both, and not of its sibling', () => {
    class Base extends SluiceError {
      static override readonly code: string = 'test_base';
    }
    class Child extends Base {
      static override readonly code = 'test_child';
    }
    class Sibling extends Base {
      static override readonly code = 'test_sibling';
    }
    const child = new Child('c');
    assert.ok(child instanceof Child && child instanceof Base && child instanceof SluiceError);
    assert.ok(!(child instanceof Sibling));
    assert.ok(!(new Base('b') instanceof Child));
    assert.equal(child.code, 'test_child');
  });

  it('every error class extends it with a code of its own, and docs/errors.md has its row with the right status', () => {
    const classes = errorClasses();
    assert.ok(classes.size >= 30, `found ${classes.size} classes`);
    const docs = readFileSync(path.join(root, 'docs/errors.md'), 'utf8');
    const rows = new Map(
      [...docs.matchAll(/^\| `([a-z_]+)` \| `(\w+)` \| [^|]+ \| `([a-z_]+)` \| (\d{3}) \|$/gm)].map(([, code, name, kind, status]) => [name!, { code, kind, status: Number(status) }]),
    );
    const codes = new Map<string, string>();
    for (const [name, type] of classes) {
      // Some come from sdk/src, whose SluiceError is another copy than sluice/errors' (lib): its base by code.
      let base: unknown = type;
      while (typeof base === 'function' && !(Object.hasOwn(base, 'code') && (base as ErrorClass).code === SluiceError.code)) base = Object.getPrototypeOf(base);
      assert.ok(base, `${name} extends SluiceError`);
      assert.ok(Object.hasOwn(type, 'code'), `${name} declares its own static code`);
      assert.ok(!codes.has(type.code), `${name} and ${codes.get(type.code)} share the code ${type.code}`);
      codes.set(type.code, name);
      assert.deepEqual(rows.get(name), { code: type.code, kind: type.kind, status: HTTP_STATUS[type.kind] }, `docs/errors.md's row of ${name}`);
      // The name is set by the class itself, not taken from the (minifiable) class name.
      if (type !== SluiceError && type.length <= 1 && !['FlowNameTakenError', 'TaskQueueTakenError', 'ProjectError', 'UnknownFlowError', 'InvalidPageTokenError'].includes(name)) assert.equal(new type('m').name, name);
    }
    const documentedCodes = [...rows.values()].map((r) => r.code);
    assert.equal(new Set(documentedCodes).size, documentedCodes.length, 'each documented code once');
  });
});

describe('errorAnswer', () => {
  it("answers Sluice's errors a caller caused with their status, kind and message, issues included", () => {
    assert.deepEqual(errorAnswer(new client.UnknownFlowError('rainfal'), 'start the run'), {
      status: 404,
      code: 'not_found',
      message: new client.UnknownFlowError('rainfal').message,
    });
    const issues = [{ path: 'station', message: 'Required' }];
    const invalid = errorAnswer(new client.InvalidParametersError('rainfall', issues), 'start the run');
    assert.equal(invalid.status, 422);
    assert.equal(invalid.code, 'invalid_parameters');
    assert.deepEqual(invalid.issues, issues);
    assert.equal(errorAnswer(new store.FlowNameTakenError([{ flow: 'a', taskQueue: 'q1', servedBy: 'q2' }]), 'publish').status, 409);
    assert.equal(errorAnswer(new client.InvalidPageTokenError(), 'list runs').status, 400);
    assert.equal(errorAnswer(new UserError('No user x@example.org.'), 'save the change').message, 'No user x@example.org.');
    // From another copy of the package (another bundle): the same answer.
    const other = secondCopy('client') as typeof client;
    assert.equal(errorAnswer(new other.RunNotFoundError('w', 'r'), 'read the run').status, 404);
    for (const answered of [invalid, errorAnswer(new client.RunNotFoundError('w'), 'read')]) assert.equal(answered.log, undefined, 'the caller\'s mistake is not logged');
  });

  it('answers 400/404 for what Temporal refuses, with its words, and 503 when the store or Temporal does not answer', () => {
    const refused = errorAnswer(Object.assign(new Error('3 INVALID_ARGUMENT: bad id'), { code: 3, details: 'invalid WorkflowId' }), 'read the run');
    assert.deepEqual(refused, { status: 400, code: 'bad_request', message: 'Temporal refused to read the run: invalid WorkflowId. Check the ids and query values.' });
    assert.equal(errorAnswer(new Error('wrapped', { cause: { code: 5, details: 'workflow not found' } }), 'read the run').status, 404);
    const storeDown = errorAnswer(new Error('connect failed', { cause: Object.assign(new Error('refused'), { code: 'ECONNREFUSED' }) }), 'list runs');
    assert.equal(storeDown.status, 503);
    assert.match(storeDown.message, /^Could not list runs: the store is not answering right now/);
    assert.ok(storeDown.log);
    assert.equal(errorAnswer(new store.StoreUnavailableError('PostgreSQL at db:5432 stopped'), 'list runs').message.includes('db:5432'), false, 'no address of the store to the caller');
    const temporalDown = errorAnswer(Object.assign(new Error('14 UNAVAILABLE: No connection established'), { code: 14 }), 'list runs');
    assert.equal(temporalDown.status, 503);
    assert.match(temporalDown.message, /Temporal is not answering/);
    // Unavailable for its own reason: its message says what to do.
    const notTaken = new client.AnswerNotTakenError('w', 'reports', 10);
    assert.deepEqual(errorAnswer(notTaken, 'answer'), { status: 503, code: 'unavailable', message: notTaken.message });
  });

  it('answers anything else with a 500 and a generic message: the details only for the server log', () => {
    const secret = new TypeError("Cannot read properties of undefined (reading 'x') at /srv/app/lib/secret.js:12");
    const answered = errorAnswer(secret, 'start the run');
    assert.deepEqual(answered, { status: 500, code: 'internal', message: 'Something went wrong while trying to start the run. The server log has the details.', log: 'start the run failed' });
    // Sluice's own errors of kind internal (configuration, for the operator) are not shown to an HTTP caller either.
    assert.equal(errorAnswer(new store.StoreSchemaError('The store at /var/lib/sluice.db lacks migration 0015'), 'list runs').status, 500);
    assert.doesNotMatch(errorAnswer(new store.StoreSchemaError('/var/lib/sluice.db'), 'list runs').message, /sluice\.db/);
    assert.equal(errorAnswer('a string', 'x').status, 500);
    assert.equal(errorAnswer(undefined, 'x').status, 500);
  });
});

describe('errorLine (the sluice command)', () => {
  it("prints Sluice's errors as they are, and anything else with a hint at --verbose", () => {
    assert.equal(errorLine(new ProjectError(['flow a: bad cron'])), new ProjectError(['flow a: bad cron']).message);
    assert.equal(errorLine(new Error('ENOENT: no such file')), 'ENOENT: no such file\n(run again with --verbose for the details)');
  });
});
