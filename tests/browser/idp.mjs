// A real OpenID Connect provider (npm `oidc-provider`) for Trygg's browser tests.
//
//   const idp = await startIdentityProvider({
//     redirectUri: 'http://127.0.0.1:8080/auth/callback',
//     postLogoutRedirectUri: 'http://127.0.0.1:8080/',
//   });
//   // idp.issuer, idp.clientId ('trygg-web'), idp.clientSecret
//   await idp.close();
//
// It listens on 127.0.0.1 on a free port over plain http (test use only). The issuer
// is `http://127.0.0.1:<port>` with no trailing slash; discovery is at
// `${issuer}/.well-known/openid-configuration`.
//
// Sign-in uses oidc-provider's built-in development login page: type a login name
// and any password. Login names are `name`, `name:role` or `name:role:office`:
//   alice                    -> sub "alice", name "Alice", roles ["reporter"]
//   dave:handler:utbildning  -> sub "dave", name "Dave", roles ["handler"], office "utbildning"
//   ivy:security_manager     -> sub "ivy", name "Ivy", roles ["security_manager"]
// Consent is granted automatically, so the flow is: app redirects -> login page ->
// submit -> back at the app's redirect URI with `code`, `state` and `iss`.
//
// RP-initiated logout: `${issuer}/session/end?id_token_hint=...&post_logout_redirect_uri=...&state=...`
// shows a "Sign out" page that submits itself (JavaScript), or needs one click on
// its "Sign out" button when JavaScript is off, then redirects to the
// post_logout_redirect_uri (with `state` when one was given).

import { generateKeyPair, randomBytes, randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import { promisify } from 'node:util';

import Provider from 'oidc-provider';

export const CLIENT_ID = 'trygg-web';
export const DEFAULT_ROLE = 'reporter';

/** Parse a login name `name[:role[:office]]` into the claims the ID token carries. */
export function claimsForLogin(login) {
  const [rawName = '', rawRole = '', rawOffice = ''] = String(login).trim().split(':');
  const name = rawName.trim();
  if (!name) return undefined;
  const role = rawRole.trim() || DEFAULT_ROLE;
  const office = rawOffice.trim();
  const claims = {
    sub: name,
    name: name.charAt(0).toUpperCase() + name.slice(1),
    email: `${name}@kommun.example`,
    roles: [role],
  };
  if (office) claims.office = office;
  return claims;
}

// Storage for one provider instance (codes, sessions, grants...). oidc-provider's own
// in-memory adapter is module-global and logs a "development-only" warning; this one
// keeps each started provider separate.
function memoryAdapterFor() {
  const store = new Map();
  const now = () => Math.floor(Date.now() / 1000);
  const put = (key, value, expiresIn) => {
    store.set(key, { value, exp: expiresIn ? now() + expiresIn : undefined });
  };
  const get = (key) => {
    const entry = store.get(key);
    if (!entry) return undefined;
    if (entry.exp !== undefined && entry.exp <= now()) {
      store.delete(key);
      return undefined;
    }
    return entry.value;
  };
  const grantable = new Set([
    'AccessToken', 'AuthorizationCode', 'RefreshToken', 'DeviceCode', 'BackchannelAuthenticationRequest',
  ]);

  return class TestMemoryAdapter {
    constructor(model) {
      this.model = model;
    }

    key(id) {
      return `${this.model}:${id}`;
    }

    async upsert(id, payload, expiresIn) {
      const key = this.key(id);
      if (this.model === 'Session') put(`sessionUid:${payload.uid}`, id, expiresIn);
      if (grantable.has(this.model) && payload.grantId) {
        const grantKey = `grant:${payload.grantId}`;
        const keys = get(grantKey) ?? [];
        keys.push(key);
        put(grantKey, keys, expiresIn);
      }
      if (payload.userCode) put(`userCode:${payload.userCode}`, id, expiresIn);
      put(key, payload, expiresIn);
    }

    async find(id) {
      return get(this.key(id));
    }

    async findByUid(uid) {
      const id = get(`sessionUid:${uid}`);
      return id === undefined ? undefined : this.find(id);
    }

    async findByUserCode(userCode) {
      const id = get(`userCode:${userCode}`);
      return id === undefined ? undefined : this.find(id);
    }

    async consume(id) {
      const payload = get(this.key(id));
      if (payload) payload.consumed = now();
    }

    async destroy(id) {
      store.delete(this.key(id));
    }

    async revokeByGrantId(grantId) {
      const grantKey = `grant:${grantId}`;
      for (const key of get(grantKey) ?? []) store.delete(key);
      store.delete(grantKey);
    }
  };
}

const escapeHtml = (value) => String(value).replace(/[&<>"']/g, (c) => ({
  '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;',
}[c]));

const page = (title, body) => `<!DOCTYPE html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <title>${escapeHtml(title)}</title>
  <style>body{font-family:sans-serif;max-width:30rem;margin:2rem auto;padding:0 1rem}
  button{font-size:1rem;padding:.5rem 1rem}</style>
</head>
<body>
<main>
${body}
</main>
</body>
</html>`;

// oidc-provider prints these at construction time; they describe exactly the test-only
// set-up this module chooses on purpose (built-in dev login pages), so they are dropped.
const EXPECTED_WARNINGS = [
  'a quick start development-only feature devInteractions is enabled',
];

function withoutExpectedWarnings(fn) {
  const { warn } = console;
  console.warn = (...args) => {
    const text = args.map(String).join(' ');
    if (EXPECTED_WARNINGS.some((w) => text.includes(w))) return;
    warn.apply(console, args);
  };
  try {
    return fn();
  } finally {
    console.warn = warn;
  }
}

/**
 * Start an OpenID provider on 127.0.0.1 (random free port).
 *
 * @param {object} options
 * @param {string} options.redirectUri            the app's callback, e.g. http://127.0.0.1:PORT/auth/callback
 * @param {string} options.postLogoutRedirectUri  where RP-initiated logout returns to
 * @param {string} [options.clientSecret]         defaults to a random hex string
 * @returns {Promise<{ issuer: string, clientId: string, clientSecret: string,
 *   discoveryUrl: string, provider: Provider, close: () => Promise<void> }>}
 */
export async function startIdentityProvider({ redirectUri, postLogoutRedirectUri, clientSecret } = {}) {
  if (!redirectUri) throw new TypeError('startIdentityProvider: redirectUri is required');
  if (!postLogoutRedirectUri) throw new TypeError('startIdentityProvider: postLogoutRedirectUri is required');
  const secret = clientSecret ?? randomBytes(24).toString('hex');

  // Port first: the issuer URL must be known when the provider is built.
  const server = createServer((req, res) => {
    res.statusCode = 503;
    res.end('identity provider starting');
  });
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address();
  const issuer = `http://127.0.0.1:${port}`;

  // A fresh RS256 signing key per run (instead of oidc-provider's published dev keys).
  const { privateKey } = await promisify(generateKeyPair)('rsa', { modulusLength: 2048 });
  const signingKey = { ...privateKey.export({ format: 'jwk' }), kid: randomUUID(), alg: 'RS256', use: 'sig' };

  const configuration = {
    adapter: memoryAdapterFor(),
    jwks: { keys: [signingKey] },
    cookies: {
      // Cookies are per host, not per port: the app on 127.0.0.1 sees these too, so the
      // names carry an `op_` prefix to never collide with the app's own cookies.
      names: { session: 'op_session', interaction: 'op_interaction', resume: 'op_interaction_resume' },
      keys: [randomBytes(32).toString('hex')],
      // Default long-lived cookie is SameSite=None, which browsers refuse without Secure
      // (plain http here); Lax works for top-level redirects between app and IdP.
      long: { httpOnly: true, sameSite: 'lax' },
      short: { httpOnly: true, sameSite: 'lax' },
    },
    clients: [{
      client_id: CLIENT_ID,
      client_secret: secret,
      client_name: 'Trygg',
      application_type: 'web', // web clients may register http:// redirect URIs
      redirect_uris: [redirectUri],
      post_logout_redirect_uris: [postLogoutRedirectUri],
      grant_types: ['authorization_code'],
      response_types: ['code'],
      // The registered method; oidc-provider also accepts client_secret_post for it.
      token_endpoint_auth_method: 'client_secret_basic',
      id_token_signed_response_alg: 'RS256',
    }],
    responseTypes: ['code'],
    pkce: { methods: ['S256'], required: () => true },
    scopes: ['openid', 'profile', 'email'],
    claims: {
      acr: null,
      auth_time: null,
      iss: null,
      sid: null,
      openid: ['sub'],
      profile: ['name', 'roles', 'office'],
      email: ['email'],
    },
    // Scope-requested claims (profile: name, roles, office; email) go into the ID token too.
    conformIdTokenClaims: false,
    async findAccount(ctx, id) {
      const claims = claimsForLogin(id);
      if (!claims) return undefined;
      return {
        accountId: id,
        async claims() {
          return { ...claims, roles: [...claims.roles] };
        },
      };
    },
    // Auto-consent: grant whatever OIDC scopes/claims this trusted test client asks for,
    // so the built-in consent page never shows.
    async loadExistingGrant(ctx) {
      const { oidc } = ctx;
      const grantId = oidc.result?.consent?.grantId || oidc.session.grantIdFor(oidc.client.clientId);
      let grant = grantId ? await oidc.provider.Grant.find(grantId) : undefined;
      if (!grant) {
        if (!oidc.session.accountId) return undefined;
        grant = new oidc.provider.Grant({ clientId: oidc.client.clientId, accountId: oidc.session.accountId });
      }
      const scopes = [...oidc.requestParamOIDCScopes];
      if (scopes.length) grant.addOIDCScope(scopes.join(' '));
      const claims = [...oidc.requestParamClaims];
      if (claims.length) grant.addOIDCClaims(claims);
      await grant.save();
      return grant;
    },
    features: {
      devInteractions: { enabled: true },
      rpInitiatedLogout: {
        enabled: true,
        async logoutSource(ctx, form) {
          // `logout=yes` ends the whole IdP session; the script submits at once, and the
          // button is there for browsers with JavaScript off.
          const formWithLogout = form.replace('</form>', '<input type="hidden" name="logout" value="yes"/></form>');
          ctx.body = page('Sign out', `<h1>Sign out</h1>
${formWithLogout}
<button type="submit" form="op.logoutForm" id="op-logout-submit" autofocus>Sign out</button>
<script>document.getElementById('op.logoutForm').submit();</script>`);
        },
        async postLogoutSuccessSource(ctx) {
          ctx.body = page('Signed out', '<h1>Signed out</h1><p>You are signed out of the identity provider.</p>');
        },
      },
      resourceIndicators: { enabled: false },
      userinfo: { enabled: true },
    },
    async renderError(ctx, out) {
      ctx.type = 'html';
      ctx.body = page('Identity provider error', `<h1>Identity provider error</h1>
${Object.entries(out).map(([k, v]) => `<p><strong>${escapeHtml(k)}</strong>: <span class="${escapeHtml(k)}">${escapeHtml(v)}</span></p>`).join('\n')}`);
    },
    clientBasedCORS: () => false,
    ttl: {
      AccessToken: 3600,
      AuthorizationCode: 60,
      IdToken: 3600,
      Interaction: 600,
      Session: 3600,
      Grant: 3600,
      RefreshToken: 3600,
      ClientCredentials: 600,
      DeviceCode: 600,
      BackchannelAuthenticationRequest: 600,
    },
  };

  let provider;
  try {
    provider = withoutExpectedWarnings(() => new Provider(issuer, configuration));
  } catch (err) {
    server.close();
    throw err;
  }
  // Errors are answered to the client (and rendered); keep the test output quiet.
  provider.on('server_error', (ctx, err) => {
    console.error('identity provider server_error:', err);
  });

  const callback = provider.callback();
  server.removeAllListeners('request');
  server.on('request', callback);

  let closed;
  return {
    issuer,
    discoveryUrl: `${issuer}/.well-known/openid-configuration`,
    clientId: CLIENT_ID,
    clientSecret: secret,
    provider,
    close() {
      closed ??= new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      return closed;
    },
  };
}
