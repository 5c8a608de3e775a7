/**
 * `npm run user -- COMMAND …`: manage who can log in to the web app, from the command line (the same
 * store the web app uses: DATABASE_URL, else the SQLite file in SLUICE_DATA_DIR).
 *
 *   add EMAIL --role viewer|operator|admin [--name NAME] [--password-stdin | --sso-only]
 *   role EMAIL ROLE                   change a user's role
 *   password EMAIL [--password-stdin] set a new password (and clear a lock-out)
 *   disable EMAIL | enable EMAIL
 *   list
 *   sessions EMAIL                    ends every session of the user (log out everywhere)
 *   token create NAME --role viewer|operator|admin|worker [--queues Q1,Q2] [--expires-in-days N]   prints the token once
 *                                     (a worker token, for a team's worker, names the task queues it serves)
 *   token list | token revoke ID
 *
 * Passwords are asked for without echo, or read from standard input with --password-stdin (scripts).
 */
import { createInterface } from 'node:readline';
import { Writable } from 'node:stream';
import { openStore, storeUrlFromEnv } from 'sluice/internal/store';
import { redactUrl } from 'sluice/internal/store';
import { MIN_PASSWORD_LENGTH, WeakPasswordError } from '../web/lib/auth/passwords';
import { checkTokenRole, createApiToken, listApiTokens, revokeApiToken } from '../web/lib/auth/tokens';
import {
  checkRole,
  countActiveAdmins,
  createUser,
  endUserSessions,
  findUserByEmail,
  listUsers,
  setUserDisabled,
  setUserPassword,
  setUserRole,
  UserError,
  type AuthDb,
} from '../web/lib/auth/users';

const USAGE = `Usage: npm run user -- COMMAND
  add EMAIL --role viewer|operator|admin [--name NAME] [--password-stdin | --sso-only]
  role EMAIL viewer|operator|admin
  password EMAIL [--password-stdin]
  disable EMAIL
  enable EMAIL
  list
  sessions EMAIL                   (ends every session of the user: log out everywhere)
  token create NAME --role viewer|operator|admin|worker [--queues Q1,Q2] [--expires-in-days N]
                                   (worker: a team's worker's SLUICE_WORKER_TOKEN, for the task queues --queues names)
  token list
  token revoke ID`;

/** A mistake on the command line: printed with the usage, exit code 2. */
class UsageError extends Error {}

interface Args {
  positional: string[];
  options: Map<string, string | true>;
}

function parseArgs(argv: string[]): Args {
  const positional: string[] = [];
  const options = new Map<string, string | true>();
  const valued = new Set(['--role', '--name', '--expires-in-days', '--queues']);
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg.startsWith('--')) {
      const [key, inline] = arg.split(/=(.*)/s, 2);
      if (valued.has(key)) {
        const value = inline ?? argv[++i];
        if (value === undefined) throw new UsageError(`${key} needs a value.`);
        options.set(key, value);
      } else if (['--password-stdin', '--sso-only', '--help'].includes(key)) {
        options.set(key, true);
      } else {
        throw new UsageError(`Unknown option ${key}.`);
      }
    } else {
      positional.push(arg);
    }
  }
  return { positional, options };
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  // One trailing newline is the shell's (echo "…" | …), not the password's.
  return Buffer.concat(chunks).toString('utf8').replace(/\r?\n$/, '');
}

/** Asks without echoing what is typed. */
function askHidden(question: string): Promise<string> {
  let muted = false;
  const output = new Writable({
    write(chunk, _enc, done) {
      if (!muted) process.stderr.write(chunk);
      done();
    },
  });
  const rl = createInterface({ input: process.stdin, output, terminal: true });
  return new Promise((resolve) => {
    rl.question(question, (answer) => {
      rl.close();
      process.stderr.write('\n');
      resolve(answer);
    });
    muted = true;
  });
}

async function newPassword(args: Args): Promise<string> {
  if (args.options.has('--password-stdin')) return readStdin();
  if (!process.stdin.isTTY) {
    throw new UsageError('No terminal to ask for the password: pass --password-stdin and pipe it in (printf %s "$PW" | npm run user -- …).');
  }
  const first = await askHidden(`New password (at least ${MIN_PASSWORD_LENGTH} characters): `);
  const second = await askHidden('Again: ');
  if (first !== second) throw new UsageError('The two passwords differ; nothing was changed.');
  return first;
}

function one(args: Args, what: string): string {
  const value = args.positional[1];
  if (!value) throw new UsageError(`Missing ${what}.`);
  return value;
}

function when(ms: number | null): string {
  return ms === null ? '-' : new Date(ms).toISOString().replace(/\.\d+Z$/, 'Z');
}

async function refuseLosingLastAdmin(db: AuthDb, email: string): Promise<void> {
  const user = await findUserByEmail(db, email);
  if (user?.role === 'admin' && user.disabledAt === null && (await countActiveAdmins(db)) <= 1) {
    throw new UserError(`${user.email} is the last admin who can log in: make someone else admin first.`);
  }
}

async function run(db: AuthDb, args: Args): Promise<string> {
  const [command] = args.positional;
  switch (command) {
    case 'add': {
      const email = one(args, 'the email (npm run user -- add alice@example.org --role operator)');
      const role = args.options.get('--role');
      if (typeof role !== 'string') throw new UsageError('Missing --role viewer|operator|admin.');
      checkRole(role);
      const name = args.options.get('--name');
      const password = args.options.has('--sso-only') ? null : await newPassword(args);
      const user = await createUser(db, { email, role: checkRole(role), name: typeof name === 'string' ? name : null, password });
      return `Added ${user.email} as ${user.role}${password ? '' : ' (single sign-on only)'}.`;
    }
    case 'role': {
      const email = one(args, 'the email');
      const role = checkRole(args.positional[2] ?? '');
      if (role !== 'admin') await refuseLosingLastAdmin(db, email);
      const user = await setUserRole(db, email, role);
      return `${user.email} is now ${user.role}.`;
    }
    case 'password': {
      const email = one(args, 'the email');
      if (!(await findUserByEmail(db, email))) throw new UserError(`There is no user ${email}.`);
      const user = await setUserPassword(db, email, await newPassword(args));
      return `New password set for ${user.email}.`;
    }
    case 'disable':
    case 'enable': {
      const email = one(args, 'the email');
      if (command === 'disable') await refuseLosingLastAdmin(db, email);
      const user = await setUserDisabled(db, email, command === 'disable');
      return `${user.email} is ${command}d.`;
    }
    case 'sessions': {
      const email = one(args, 'the email');
      const user = await findUserByEmail(db, email);
      if (!user) throw new UserError(`There is no user ${email}.`);
      await endUserSessions(db, user.id);
      return `Every session of ${user.email} has ended: they log in again on each device.`;
    }
    case 'list': {
      const users = await listUsers(db);
      if (users.length === 0) return 'No users yet (the web app creates the first admin when it starts).';
      return users
        .map((u) => [u.email.padEnd(32), u.role.padEnd(9), (u.disabledAt ? 'disabled' : 'active').padEnd(9), u.hasPassword ? 'password' : 'sso-only', u.name ?? ''].join(' '))
        .join('\n');
    }
    case 'token': {
      const sub = args.positional[1];
      if (sub === 'create') {
        const name = args.positional[2];
        const role = args.options.get('--role');
        if (!name) throw new UsageError('Missing the token name (npm run user -- token create rainfall-etl --role operator).');
        if (typeof role !== 'string') throw new UsageError('Missing --role viewer|operator|admin|worker.');
        const queues = args.options.get('--queues');
        const taskQueues = typeof queues === 'string' ? queues.split(',') : null;
        const days = args.options.get('--expires-in-days');
        if (days === true || (days !== undefined && !/^\d+$/.test(days))) throw new UsageError(`--expires-in-days needs a whole number of days, e.g. --expires-in-days 90 (not '${days}').`);
        const expiresInDays = days === undefined ? null : Number(days);
        const { token, apiToken } = await createApiToken(db, { name, role: checkTokenRole(role), taskQueues, createdBy: null, expiresInDays });
        const expiry = apiToken.expiresAt === null ? 'no expiry' : `expires ${when(apiToken.expiresAt)}`;
        const scope = apiToken.taskQueues ? ` for task queue(s) ${apiToken.taskQueues.join(', ')}` : '';
        process.stderr.write(`Created token '${apiToken.name}' (${apiToken.role}${scope}, ${expiry}). It is printed once, below; store it now.\n`);
        return token;
      }
      if (sub === 'list') {
        const tokens = await listApiTokens(db);
        if (tokens.length === 0) return 'No API tokens.';
        return tokens
          .map((t) => [String(t.id).padStart(4), t.name.padEnd(24), (t.taskQueues ? `${t.role} (${t.taskQueues.join(',')})` : t.role).padEnd(9), `last used ${when(t.lastUsedAt)}`, t.expiresAt === null ? 'no expiry' : `expires ${when(t.expiresAt)}`, t.revokedAt ? `revoked ${when(t.revokedAt)}` : t.expiresAt !== null && t.expiresAt <= Date.now() ? 'expired' : 'active'].join('  '))
          .join('\n');
      }
      if (sub === 'revoke') {
        const id = Number(args.positional[2]);
        if (!Number.isSafeInteger(id) || id <= 0) throw new UsageError('Give the token id from `token list`: npm run user -- token revoke 3');
        await revokeApiToken(db, id);
        return `Token #${id} revoked.`;
      }
      throw new UsageError(`Unknown token command '${sub ?? ''}'.`);
    }
    default:
      throw new UsageError(command ? `Unknown command '${command}'.` : 'Missing a command.');
  }
}

async function main(): Promise<number> {
  let args: Args;
  try {
    args = parseArgs(process.argv.slice(2));
  } catch (err) {
    process.stderr.write(`${(err as Error).message}\n\n${USAGE}\n`);
    return 2;
  }
  if (args.options.has('--help') || args.positional[0] === 'help') {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const url = storeUrlFromEnv();
  let store;
  try {
    store = await openStore(url);
  } catch (err) {
    process.stderr.write(`Cannot open the store at ${redactUrl(url)}: ${(err as Error).message}\n`);
    return 1;
  }
  try {
    process.stdout.write(`${await run(store.db, args)}\n`);
    return 0;
  } catch (err) {
    if (err instanceof UsageError) {
      process.stderr.write(`${err.message}\n\n${USAGE}\n`);
      return 2;
    }
    if (err instanceof UserError || err instanceof WeakPasswordError) {
      process.stderr.write(`${err.message}\n`);
      return 1;
    }
    throw err;
  } finally {
    await store.close();
  }
}

main().then(
  (code) => process.exit(code),
  (err) => {
    process.stderr.write(`${(err as Error).stack ?? err}\n`);
    process.exit(1);
  },
);
