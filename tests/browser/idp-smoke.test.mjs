// Smoke test of the test identity provider (tests/browser/idp.mjs), exercised the way
// Trygg's Rust client will use it: authorization code + PKCE (S256) + state + nonce,
// client_secret_basic at the token endpoint, claims read from the ID token, then
// RP-initiated logout back to the post-logout redirect URI.
//
//   node --test tests/browser/idp-smoke.test.mjs

import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { createServer } from 'node:http';
import { after, before, test } from 'node:test';

import { claimsForLogin, startIdentityProvider } from './idp.mjs';
import { launchBrowser, screenshot } from './browser.mjs';

const b64url = (buf) => Buffer.from(buf).toString('base64url');

function decodeJwt(jwt) {
  const [header, payload, signature] = jwt.split('.');
  assert.ok(signature, 'ID token is a signed JWT');
  return {
    header: JSON.parse(Buffer.from(header, 'base64url').toString('utf8')),
    payload: JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')),
  };
}

// A stand-in for the app: records every request's path and query.
async function startRecordingApp() {
  const hits = [];
  const server = createServer((req, res) => {
    const url = new URL(req.url, 'http://127.0.0.1');
    hits.push({ path: url.pathname, query: Object.fromEntries(url.searchParams) });
    res.setHeader('content-type', 'text/html; charset=utf-8');
    res.end(`<!DOCTYPE html><html lang="en"><head><title>app ${url.pathname}</title></head>`
      + `<body><main><h1>app ${url.pathname}</h1></main></body></html>`);
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${server.address().port}`;
  return {
    base,
    hits,
    close: () => new Promise((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    }),
  };
}

let app;
let idp;
let browser;
let discovery;

before(async () => {
  app = await startRecordingApp();
  idp = await startIdentityProvider({
    redirectUri: `${app.base}/auth/callback`,
    postLogoutRedirectUri: `${app.base}/logged-out`,
  });
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await idp?.close();
  await app?.close();
});

test('login names map to claims', () => {
  assert.deepEqual(claimsForLogin('alice'), { sub: 'alice', name: 'Alice', email: 'alice@kommun.example', roles: ['reporter'] });
  assert.deepEqual(claimsForLogin('ivy:security_manager'), {
    sub: 'ivy', name: 'Ivy', email: 'ivy@kommun.example', roles: ['security_manager'],
  });
  assert.deepEqual(claimsForLogin('dave:handler:utbildning'), {
    sub: 'dave', name: 'Dave', email: 'dave@kommun.example', roles: ['handler'], office: 'utbildning',
  });
  assert.equal(claimsForLogin(''), undefined);
});

test('discovery document', async () => {
  const res = await fetch(`${idp.issuer}/.well-known/openid-configuration`);
  assert.equal(res.status, 200);
  discovery = await res.json();
  assert.equal(discovery.issuer, idp.issuer);
  assert.match(idp.issuer, /^http:\/\/127\.0\.0\.1:\d+$/, 'issuer has no trailing slash');
  assert.ok(discovery.id_token_signing_alg_values_supported.includes('RS256'));
  assert.ok(discovery.code_challenge_methods_supported.includes('S256'));
  assert.ok(discovery.scopes_supported.includes('profile'));
  for (const claim of ['roles', 'office', 'name']) assert.ok(discovery.claims_supported.includes(claim));
  assert.ok(discovery.end_session_endpoint);
  const jwks = await (await fetch(discovery.jwks_uri)).json();
  assert.equal(jwks.keys.length, 1);
  assert.equal(jwks.keys[0].kty, 'RSA');
  assert.equal(jwks.keys[0].d, undefined, 'JWKS publishes only the public key');
});

test('authorization request without PKCE is refused', async () => {
  const url = new URL(discovery.authorization_endpoint);
  url.search = new URLSearchParams({
    client_id: idp.clientId,
    response_type: 'code',
    scope: 'openid profile',
    redirect_uri: `${app.base}/auth/callback`,
    state: 'no-pkce',
    nonce: 'n',
  });
  const res = await fetch(url, { redirect: 'manual' });
  assert.equal(res.status, 303);
  const location = new URL(res.headers.get('location'));
  assert.equal(location.pathname, '/auth/callback');
  assert.equal(location.searchParams.get('error'), 'invalid_request');
  assert.equal(location.searchParams.get('state'), 'no-pkce');
});

test('code flow with PKCE, state and nonce; ID token claims; RP-initiated logout', async () => {
  const { page } = browser;
  const verifier = b64url(randomBytes(32));
  const challenge = b64url(createHash('sha256').update(verifier).digest());
  const state = b64url(randomBytes(16));
  const nonce = b64url(randomBytes(16));
  const redirectUri = `${app.base}/auth/callback`;

  const authUrl = new URL(discovery.authorization_endpoint);
  authUrl.search = new URLSearchParams({
    client_id: idp.clientId,
    response_type: 'code',
    scope: 'openid profile',
    redirect_uri: redirectUri,
    state,
    nonce,
    code_challenge: challenge,
    code_challenge_method: 'S256',
  });

  await page.goto(authUrl.href);
  await page.locator('input[name="login"]').waitFor();
  await screenshot(page, 'idp-login');
  await page.fill('input[name="login"]', 'dave:handler:utbildning');
  await page.fill('input[name="password"]', 'anything');
  await Promise.all([
    page.waitForURL((u) => u.href.startsWith(redirectUri)),
    page.click('button[type="submit"]'),
  ]);

  const callback = new URL(page.url());
  assert.equal(callback.searchParams.get('state'), state);
  assert.equal(callback.searchParams.get('iss'), idp.issuer);
  const code = callback.searchParams.get('code');
  assert.ok(code, 'callback carries a code');
  const recorded = app.hits.find((h) => h.path === '/auth/callback' && h.query.code);
  assert.equal(recorded?.query.code, code);
  assert.equal(recorded?.query.state, state);
  const cookieNames = (await browser.context.cookies(idp.issuer)).map((c) => c.name);
  assert.ok(cookieNames.includes('op_session'), `IdP session cookie set: ${cookieNames}`);

  // Token request, client_secret_basic (id and secret form-encoded, then base64).
  const basic = Buffer.from(
    `${encodeURIComponent(idp.clientId)}:${encodeURIComponent(idp.clientSecret)}`,
  ).toString('base64');
  const tokenRes = await fetch(discovery.token_endpoint, {
    method: 'POST',
    headers: {
      authorization: `Basic ${basic}`,
      'content-type': 'application/x-www-form-urlencoded',
    },
    body: new URLSearchParams({
      grant_type: 'authorization_code',
      code,
      redirect_uri: redirectUri,
      code_verifier: verifier,
    }),
  });
  const tokens = await tokenRes.json();
  assert.equal(tokenRes.status, 200, JSON.stringify(tokens));
  assert.equal(tokens.token_type, 'Bearer');
  assert.ok(tokens.access_token);

  const { header, payload } = decodeJwt(tokens.id_token);
  assert.equal(header.alg, 'RS256');
  assert.equal(payload.iss, idp.issuer);
  assert.equal(payload.aud, idp.clientId);
  assert.equal(payload.sub, 'dave');
  assert.equal(payload.name, 'Dave');
  assert.deepEqual(payload.roles, ['handler']);
  assert.equal(payload.office, 'utbildning');
  assert.equal(payload.nonce, nonce);

  // The code is single-use.
  const replay = await fetch(discovery.token_endpoint, {
    method: 'POST',
    headers: { authorization: `Basic ${basic}`, 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'authorization_code', code, redirect_uri: redirectUri, code_verifier: verifier,
    }),
  });
  assert.equal(replay.status, 400);
  assert.equal((await replay.json()).error, 'invalid_grant');

  // RP-initiated logout: auto-submitting page, then back at the app with the state.
  const logoutState = b64url(randomBytes(8));
  const logoutUrl = new URL(discovery.end_session_endpoint);
  logoutUrl.search = new URLSearchParams({
    id_token_hint: tokens.id_token,
    post_logout_redirect_uri: `${app.base}/logged-out`,
    state: logoutState,
  });
  await page.goto(logoutUrl.href);
  await page.waitForURL((u) => u.href.startsWith(`${app.base}/logged-out`));
  assert.equal(new URL(page.url()).searchParams.get('state'), logoutState);

  // The IdP session is gone: a new authorization request shows the login page again.
  await page.goto(authUrl.href);
  await page.locator('input[name="login"]').waitFor();
});

test('second login with client_secret_post, default role, and logout without JavaScript', async () => {
  const noJs = await launchBrowser({ javaScriptEnabled: false });
  try {
    const { page } = noJs;
    const verifier = b64url(randomBytes(32));
    const redirectUri = `${app.base}/auth/callback`;
    const authUrl = new URL(discovery.authorization_endpoint);
    authUrl.search = new URLSearchParams({
      client_id: idp.clientId,
      response_type: 'code',
      scope: 'openid profile',
      redirect_uri: redirectUri,
      state: 'second',
      nonce: 'second-nonce',
      code_challenge: b64url(createHash('sha256').update(verifier).digest()),
      code_challenge_method: 'S256',
    });
    await page.goto(authUrl.href);
    await page.fill('input[name="login"]', 'alice');
    await page.fill('input[name="password"]', 'x');
    await Promise.all([
      page.waitForURL((u) => u.href.startsWith(redirectUri)),
      page.click('button[type="submit"]'),
    ]);
    const code = new URL(page.url()).searchParams.get('code');
    const tokenRes = await fetch(discovery.token_endpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'authorization_code',
        code,
        redirect_uri: redirectUri,
        code_verifier: verifier,
        client_id: idp.clientId,
        client_secret: idp.clientSecret,
      }),
    });
    const tokens = await tokenRes.json();
    assert.equal(tokenRes.status, 200, JSON.stringify(tokens));
    const { payload } = decodeJwt(tokens.id_token);
    assert.equal(payload.sub, 'alice');
    assert.deepEqual(payload.roles, ['reporter']);
    assert.equal(payload.office, undefined);
    assert.equal(payload.nonce, 'second-nonce');

    const logoutUrl = new URL(discovery.end_session_endpoint);
    logoutUrl.search = new URLSearchParams({
      id_token_hint: tokens.id_token,
      post_logout_redirect_uri: `${app.base}/logged-out`,
    });
    await page.goto(logoutUrl.href);
    await Promise.all([
      page.waitForURL((u) => u.href.startsWith(`${app.base}/logged-out`)),
      page.click('#op-logout-submit'),
    ]);
  } finally {
    await noJs.close();
  }
});
