// The real Trygg binary for the browser tests: on a free loopback port, a fresh SQLite
// database, and signing in at a real OpenID provider (or, with `provider: false`, the
// development sign-in).
//
//   const service = await startService();
//   await page.goto(service.url('/'));
//   await service.stop();

import assert from 'node:assert/strict';
import { spawn, execFileSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { REPO_ROOT } from './browser.mjs';
import { startIdentityProvider } from './idp.mjs';

export const TRYGG_BIN = process.env.TRYGG_BIN || join(REPO_ROOT, 'target', 'debug', 'trygg');

/** A free port on 127.0.0.1. */
function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

async function waitUntilLive(base, child, log) {
  for (let i = 0; i < 200; i++) {
    if (child.exitCode !== null) {
      throw new Error(`trygg exited with ${child.exitCode}:\n${log.join('')}`);
    }
    try {
      const response = await fetch(`${base}/livez`);
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`trygg did not start:\n${log.join('')}`);
}

/**
 * @param {{ provider?: boolean, env?: Record<string, string> }} [options] `env` adds to the
 *   service's environment
 */
export async function startService({ provider = true, env: extra = {} } = {}) {
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const idp = provider
    ? await startIdentityProvider({
        redirectUri: `${base}/auth/callback`,
        postLogoutRedirectUri: `${base}/utloggad`,
      })
    : null;
  const dataDir = await mkdtemp(join(tmpdir(), 'trygg-browser-'));
  const env = {
    PATH: process.env.PATH,
    DATABASE_URL: join(dataDir, 'trygg.db'),
    TRYGG_BIND: `127.0.0.1:${port}`,
    TRYGG_SESSION_KEY: 'a-browser-test-session-key-that-is-long-enough',
    RUST_LOG: 'warn',
    ...extra,
  };
  if (idp) {
    Object.assign(env, {
      TRYGG_OIDC_ISSUER: idp.issuer,
      TRYGG_OIDC_CLIENT_ID: idp.clientId,
      TRYGG_OIDC_CLIENT_SECRET: idp.clientSecret,
    });
  }
  const child = spawn(TRYGG_BIN, ['serve'], { env, stdio: ['ignore', 'ignore', 'pipe'] });
  const log = [];
  child.stderr.on('data', (chunk) => log.push(chunk.toString()));
  await waitUntilLive(base, child, log);
  return {
    base,
    idp,
    log,
    url: (path) => `${base}${path}`,
    /** A bearer token for the API, minted with the development secret the service uses. */
    token(subject, role, office) {
      const args = ['token', '--sub', subject, '--role', role];
      if (office) args.push('--office', office);
      return execFileSync(TRYGG_BIN, args, { env: { PATH: process.env.PATH }, stdio: ['ignore', 'pipe', 'ignore'] })
        .toString()
        .trim();
    },
    async stop() {
      child.kill();
      await idp?.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/** The coded answers of the example report: a threat against a pupil at school. */
export const EXAMPLE_ANSWERS = {
  kind: 'threat',
  district: 'central',
  place_kind: 'school',
  affected_category: 'pupil_child',
  affected_gender: 'woman',
  affected_age_group: 'age_13_17',
  children_affected: 'affected',
  perpetrator_relation: 'pupil',
  perpetrator_influence: 'no',
  severity: 'high',
};

/**
 * Files the example report through the API as Anna, an employee, happening an hour ago, with
 * `changes` to any of its fields. Returns the case's id.
 */
export async function fileReport(service, changes = {}) {
  const response = await fetch(service.url('/api/v1/incidents'), {
    method: 'POST',
    headers: {
      authorization: `Bearer ${service.token('anna', 'reporter')}`,
      'content-type': 'application/json',
    },
    body: JSON.stringify({
      ...EXAMPLE_ANSWERS,
      occurred_at: new Date(Date.now() - 3_600_000).toISOString(),
      description: 'En elev hotade en annan elev med kniv på skolgården.',
      ...changes,
    }),
  });
  assert.equal(response.status, 201);
  return (await response.json()).id;
}
