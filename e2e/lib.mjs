// Shared by the e2e tests: where things run (set by run.sh), access-token
// checks and small OAuth helpers.
import assert from 'node:assert/strict';
import { createHash, createPublicKey, randomBytes, verify } from 'node:crypto';

export const MCP_URL = process.env.E2E_MCP_URL ?? 'http://localhost:3002/mcp';
export const AUTH_URL = process.env.E2E_AUTH_URL ?? 'http://127.0.0.1:9090';
export const CONSENT_URL = process.env.E2E_CONSENT_URL ?? 'http://127.0.0.1:9091';
export const RESOURCE_ID = process.env.E2E_RESOURCE_ID ?? 'res_dev';
export const CLI = process.env.E2E_CLI ?? 'create-mcp-auth';
export const OUT = process.env.E2E_OUT ?? new URL('./out', import.meta.url).pathname;
// dev-auth's first dev user, the one --auto-approve signs in.
export const AUTO_USER = 'alice@example.com';

const b64json = (part) => JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));

/** Splits a JWT without verifying it. */
export function decodeJwt(token) {
  const parts = token.split('.');
  assert.equal(parts.length, 3, `not a JWS compact serialization: ${token.slice(0, 40)}…`);
  return { header: b64json(parts[0]), payload: b64json(parts[1]), parts };
}

/**
 * Checks an access token the way a resource server would (RFC 9068): RS256
 * signature by a key in the issuer's JWKS, typ at+jwt, and the claims.
 * Returns the payload.
 */
export async function checkAccessToken(token, { issuer = AUTH_URL, scope, sub, clientId }) {
  const { header, payload, parts } = decodeJwt(token);
  assert.equal(header.alg, 'RS256', 'alg');
  assert.equal(header.typ, 'at+jwt', 'typ (RFC 9068)');
  assert.ok(header.kid, 'kid');
  const jwks = await (await fetch(`${issuer}/keys`)).json();
  const jwk = jwks.keys.find((k) => k.kid === header.kid);
  assert.ok(jwk, `kid ${header.kid} is not in ${issuer}/keys`);
  assert.equal(jwk.d, undefined, 'the JWKS must not publish the private key');
  const signed = verify('sha256', Buffer.from(`${parts[0]}.${parts[1]}`), createPublicKey({ key: jwk, format: 'jwk' }),
    Buffer.from(parts[2], 'base64url'));
  assert.ok(signed, 'RS256 signature verifies with the JWKS key');

  assert.equal(payload.iss, issuer, 'iss');
  assert.deepEqual([].concat(payload.aud), [MCP_URL], 'aud is the resource (RFC 8707)');
  assert.deepEqual(scopeSet(payload.scope), scopeSet(scope), 'scope');
  assert.equal(payload.client_id, clientId, 'client_id');
  assert.equal(payload.sub, sub, 'sub');
  assert.equal(typeof payload.jti, 'string');
  assert.ok(payload.jti.length >= 16, 'jti');
  const now = Math.floor(Date.now() / 1000);
  assert.ok(Number.isInteger(payload.iat) && Math.abs(payload.iat - now) < 60, `iat ${payload.iat} is now (${now})`);
  assert.ok(Number.isInteger(payload.exp) && payload.exp > now, 'exp is in the future');
  // fosite rounds exp to the nearest second but truncates iat: up to 1 s over.
  assert.ok(payload.exp - payload.iat <= 3601, `lifetime ${payload.exp - payload.iat}s is at most the default hour`);
  return payload;
}

export const scopeSet = (s) => (s ?? '').split(' ').filter(Boolean).sort();

/** A PKCE S256 pair (RFC 7636). */
export function pkce() {
  const verifier = randomBytes(32).toString('base64url');
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
}

/** POSTs a form to the token endpoint; returns { status, body }. */
export async function tokenRequest(issuer, params, headers = {}) {
  const res = await fetch(`${issuer}/oauth/token`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded', ...headers },
    body: new URLSearchParams(params),
  });
  const text = await res.text();
  let body;
  try { body = JSON.parse(text); } catch { body = text; }
  return { status: res.status, body, headers: res.headers };
}

/** Registers a client by RFC 7591 dynamic client registration. */
export async function registerClient(issuer, metadata) {
  const res = await fetch(`${issuer}/oauth/register`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ token_endpoint_auth_method: 'none', ...metadata }),
  });
  const body = await res.json();
  assert.equal(res.status, 201, `registration: ${res.status} ${JSON.stringify(body)}`);
  return body;
}

/** Parses a WWW-Authenticate Bearer challenge's auth-params. */
export function bearerParams(header) {
  assert.ok(header, 'WWW-Authenticate is present');
  assert.match(header, /^Bearer /);
  const params = {};
  for (const m of header.slice(7).matchAll(/([a-z_]+)="((?:[^"\\]|\\.)*)"/g)) {
    params[m[1]] = m[2].replace(/\\(.)/g, '$1');
  }
  return params;
}
