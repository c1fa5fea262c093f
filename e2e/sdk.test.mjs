// The official MCP TypeScript SDK client, with its OAuth support, against a
// freshly generated stdlib server and `create-mcp-auth dev-auth
// --auto-approve`: nothing here tells the client where the authorization
// server is; it finds out from the server's 401.
//
// Started by run.sh, which sets E2E_* (see lib.mjs) and DEV_AUTH_CLIENT_SECRET.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport, StreamableHTTPError } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { UnauthorizedError, auth } from '@modelcontextprotocol/sdk/client/auth.js';
import {
  AUTH_URL, AUTO_USER, CLI, MCP_URL, RESOURCE_ID, bearerParams, checkAccessToken, decodeJwt, scopeSet, tokenRequest,
} from './lib.mjs';

const TOOLS = ['create_todo', 'delete_todo', 'get_todo', 'list_todos', 'update_todo'];
const PRM_URL = new URL('/.well-known/oauth-protected-resource/mcp', MCP_URL).href;
// The generated server names the Scalekit-style per-resource issuer; the
// client finds its metadata by RFC 8414 path insertion.
const AS_METADATA_URL = `${AUTH_URL}/.well-known/oauth-authorization-server/resources/${RESOURCE_ID}`;

/**
 * An OAuthClientProvider for a client without a browser. dev-auth runs with
 * --auto-approve, so "sending the user to the authorization URL" is one
 * request whose 303 carries the code to the redirect URI (never listened on:
 * the code is read from Location, as a native app reads its callback).
 */
class HeadlessProvider {
  constructor(name) {
    this.name = name;
    this.authorizations = []; // the authorization URLs the SDK built
    this.grantOnly = undefined; // see redirectToAuthorization
  }
  get redirectUrl() { return 'http://127.0.0.1:8765/callback'; }
  get clientMetadata() {
    return {
      client_name: this.name,
      redirect_uris: [this.redirectUrl],
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      token_endpoint_auth_method: 'none',
    };
  }
  clientInformation() { return this.client; }
  saveClientInformation(c) { this.client = c; }
  tokens() { return this.savedTokens; }
  saveTokens(t) { this.savedTokens = t; }
  saveCodeVerifier(v) { this.verifier = v; }
  codeVerifier() { return this.verifier; }
  async redirectToAuthorization(url) {
    this.authorizations.push(new URL(url));
    // The SDK asks for what the 401 challenge lists (todo:read todo:write).
    // A user on the consent page could untick todo:write; with
    // --auto-approve there is no page, so grantOnly plays that user by
    // narrowing the request to a least-privilege first grant. That is what
    // makes the later 403 insufficient_scope and the step-up happen.
    if (this.grantOnly) url.searchParams.set('scope', this.grantOnly);
    const res = await fetch(url, { redirect: 'manual' });
    const location = res.headers.get('location');
    assert.equal(res.status, 303, `authorize answered ${res.status}: ${location ?? await res.text()}`);
    const back = new URL(location);
    assert.equal(back.origin + back.pathname, this.redirectUrl, 'redirected to the registered redirect URI');
    assert.equal(back.searchParams.get('error'), null, `authorization error: ${location}`);
    assert.equal(back.searchParams.get('state'), url.searchParams.get('state'), 'state comes back unchanged');
    // RFC 9207: the response names the issuer whose metadata the SDK followed.
    assert.equal(back.searchParams.get('iss'), `${AUTH_URL}/resources/${RESOURCE_ID}`, 'iss names the authorization server');
    this.code = back.searchParams.get('code');
    assert.ok(this.code, `no code in ${location}`);
  }
}

/** fetch that records what the SDK sends and gets, for assertions. */
function recordingFetch(log) {
  return async (input, init) => {
    const res = await fetch(input, init);
    log.push({
      method: init?.method ?? 'GET',
      url: String(input instanceof Request ? input.url : input),
      status: res.status,
      wwwAuthenticate: res.headers.get('www-authenticate'),
    });
    return res;
  };
}

/** Connects, completing the OAuth flow when the server asks for it. */
async function connect(provider, log) {
  for (let attempt = 0; attempt < 2; attempt++) {
    const transport = new StreamableHTTPClientTransport(new URL(MCP_URL), { authProvider: provider, fetch: recordingFetch(log) });
    const client = new Client({ name: 'create-mcp-auth-e2e', version: '0.0.0' });
    try {
      await client.connect(transport);
      return { client, transport };
    } catch (e) {
      if (!(e instanceof UnauthorizedError)) throw e;
      await transport.finishAuth(provider.code);
    }
  }
  throw new Error('still unauthorized after one authorization');
}

const text = (result) => result.content.filter((c) => c.type === 'text').map((c) => c.text).join('\n');

test('401 → metadata discovery → DCR → least-privilege grant → 403 insufficient_scope → step-up', async () => {
  const log = [];
  const p = new HeadlessProvider('sdk-e2e step-up');
  p.grantOnly = 'todo:read';
  const { client, transport } = await connect(p, log);

  // Everything was discovered from the 401.
  const first = log[0];
  assert.deepEqual([first.method, first.url, first.status], ['POST', MCP_URL, 401]);
  const challenge = bearerParams(first.wwwAuthenticate);
  assert.equal(challenge.resource_metadata, PRM_URL);
  assert.deepEqual(scopeSet(challenge.scope), ['todo:read', 'todo:write']);
  assert.equal(challenge.error, undefined, 'no error code when no credentials were sent (RFC 6750 §3.1)');
  const visited = log.map((r) => `${r.method} ${r.url} ${r.status}`);
  for (const want of [`GET ${PRM_URL} 200`, `GET ${AS_METADATA_URL} 200`, `POST ${AUTH_URL}/oauth/register 201`, `POST ${AUTH_URL}/oauth/token 200`]) {
    assert.ok(visited.includes(want), `expected ${want} in:\n${visited.join('\n')}`);
  }
  assert.ok([`POST ${MCP_URL} 200`, `POST ${MCP_URL} 202`].includes(visited.at(-1)), `then the MCP request with the token: ${visited.at(-1)}`);

  // The authorization request the SDK built: PKCE S256, the resource, the challenge's scopes.
  const [authz] = p.authorizations;
  // The per-resource authorization server has its own authorization endpoint.
  assert.equal(authz.origin + authz.pathname, `${AUTH_URL}/resources/${RESOURCE_ID}/oauth/authorize`);
  assert.equal(authz.searchParams.get('code_challenge_method'), 'S256');
  assert.equal(authz.searchParams.get('resource'), MCP_URL);
  assert.deepEqual(scopeSet(authz.searchParams.get('scope')), ['todo:read', 'todo:write']);
  assert.equal(authz.searchParams.get('client_id'), p.client.client_id);

  // The token carries the narrowed grant and no refresh token.
  const readToken = p.tokens();
  assert.equal(readToken.token_type.toLowerCase(), 'bearer');
  assert.equal(readToken.scope, 'todo:read');
  assert.equal(readToken.refresh_token, undefined, 'no refresh token without offline_access');
  const claims = await checkAccessToken(readToken.access_token, { scope: 'todo:read', sub: AUTO_USER, clientId: p.client.client_id });

  const tools = await client.listTools();
  assert.deepEqual(tools.tools.map((t) => t.name).sort(), TOOLS);
  const listed = await client.callTool({ name: 'list_todos', arguments: {} });
  assert.notEqual(listed.isError, true, JSON.stringify(listed));
  assert.equal(text(listed), `list_todos called by ${claims.sub}`);

  // create_todo needs todo:write: 403 insufficient_scope, and the SDK starts a new authorization.
  p.grantOnly = undefined; // from now on the "user" approves what is asked
  log.length = 0;
  await assert.rejects(client.callTool({ name: 'create_todo', arguments: {} }), UnauthorizedError);
  const denied = log.find((r) => r.status === 403);
  assert.ok(denied, `no 403 in ${JSON.stringify(log)}`);
  const stepUp = bearerParams(denied.wwwAuthenticate);
  assert.equal(stepUp.error, 'insufficient_scope');
  assert.equal(stepUp.resource_metadata, PRM_URL);
  // The token's own todo:read and the tool's todo:write (protocol < 2026-07-28).
  assert.deepEqual(scopeSet(stepUp.scope), ['todo:read', 'todo:write'], `challenge scope ${stepUp.scope}`);
  assert.equal(p.authorizations.length, 2, 'the 403 started a second authorization');
  assert.deepEqual(scopeSet(p.authorizations[1].searchParams.get('scope')), scopeSet(stepUp.scope),
    'the step-up asks for the scopes the challenge named');

  await transport.finishAuth(p.code);
  const widened = p.tokens();
  const wideClaims = await checkAccessToken(widened.access_token, { scope: stepUp.scope, sub: AUTO_USER, clientId: p.client.client_id });
  assert.notEqual(wideClaims.jti, claims.jti);
  const created = await client.callTool({ name: 'create_todo', arguments: {} });
  assert.notEqual(created.isError, true, JSON.stringify(created));
  assert.equal(text(created), `create_todo called by ${AUTO_USER}`);
  await client.close();
});

// MCP 2025-11-25 (authorization, "Runtime Insufficient Scope Errors") asks
// servers to put the scopes a token already has into the 403 challenge as
// well, "to prevent clients from losing previously granted permissions": SDK
// 1.32.2 replaces its scope with the challenge's. The generated server does so
// for protocol versions before 2026-07-28, so after the step-up the client
// still has todo:read and list_todos runs without another authorization.
test('after a step-up the client still has what it was granted before', async () => {
  const p = new HeadlessProvider('sdk-e2e keeps scopes');
  p.grantOnly = 'todo:read';
  const { client, transport } = await connect(p, []);
  p.grantOnly = undefined;
  await assert.rejects(client.callTool({ name: 'create_todo', arguments: {} }), UnauthorizedError);
  await transport.finishAuth(p.code);
  assert.equal(text(await client.callTool({ name: 'create_todo', arguments: {} })), `create_todo called by ${AUTO_USER}`);
  try {
    assert.equal(text(await client.callTool({ name: 'list_todos', arguments: {} })), `list_todos called by ${AUTO_USER}`);
  } finally {
    await client.close();
  }
  assert.equal(p.authorizations.length, 2, `authorized again for ${p.authorizations.at(-1)?.searchParams.get('scope')}`);
});

test('no refresh token unless offline_access is asked for', async () => {
  const p = new HeadlessProvider('sdk-e2e no offline');
  const { client } = await connect(p, []);
  const t = p.tokens();
  await checkAccessToken(t.access_token, { scope: 'todo:read todo:write', sub: AUTO_USER, clientId: p.client.client_id });
  assert.equal(t.refresh_token, undefined);
  await client.close();
});

test('offline_access: a refresh token that rotates, and a used one is refused', async () => {
  const p = new HeadlessProvider('sdk-e2e offline');
  // The SDK's own auth(), told which scope to ask for; with offline_access it
  // also sends prompt=consent (OIDC), which dev-auth must accept.
  assert.equal(await auth(p, { serverUrl: MCP_URL, scope: 'todo:read offline_access' }), 'REDIRECT');
  assert.equal(p.authorizations[0].searchParams.get('prompt'), 'consent');
  assert.equal(await auth(p, { serverUrl: MCP_URL, authorizationCode: p.code }), 'AUTHORIZED');
  const first = p.tokens();
  assert.ok(first.refresh_token, `no refresh token: ${JSON.stringify({ ...first, access_token: '…' })}`);
  const clientId = p.client.client_id;
  const c1 = await checkAccessToken(first.access_token, { scope: 'todo:read offline_access', sub: AUTO_USER, clientId });

  // The access token works at the server.
  const transport = new StreamableHTTPClientTransport(new URL(MCP_URL), { authProvider: p });
  const client = new Client({ name: 'create-mcp-auth-e2e', version: '0.0.0' });
  await client.connect(transport);
  assert.equal(text(await client.callTool({ name: 'list_todos', arguments: {} })), `list_todos called by ${AUTO_USER}`);
  await client.close();

  // Refresh: a new access token for the same grant and a new refresh token.
  const refreshed = await tokenRequest(AUTH_URL, { grant_type: 'refresh_token', refresh_token: first.refresh_token, client_id: clientId, resource: MCP_URL });
  assert.equal(refreshed.status, 200, JSON.stringify(refreshed.body));
  assert.equal(refreshed.headers.get('cache-control'), 'no-store');
  assert.ok(refreshed.body.refresh_token, 'a new refresh token');
  assert.notEqual(refreshed.body.refresh_token, first.refresh_token, 'the refresh token rotates');
  const c2 = await checkAccessToken(refreshed.body.access_token, { scope: 'todo:read offline_access', sub: AUTO_USER, clientId });
  assert.notEqual(c2.jti, c1.jti);

  // The old refresh token is spent.
  const reused = await tokenRequest(AUTH_URL, { grant_type: 'refresh_token', refresh_token: first.refresh_token, client_id: clientId });
  assert.equal(reused.status, 400, JSON.stringify(reused.body));
  assert.equal(reused.body.error, 'invalid_grant');
  // Reuse of a rotated refresh token signals theft (RFC 9700 §4.14.2): the
  // whole family is revoked, the newest refresh token included.
  const after = await tokenRequest(AUTH_URL, { grant_type: 'refresh_token', refresh_token: refreshed.body.refresh_token, client_id: clientId });
  assert.equal(after.status, 400, JSON.stringify(after.body));
  assert.equal(after.body.error, 'invalid_grant');
});

test('create-mcp-auth token --scope todo:read mints a machine token the server accepts for reading only', async () => {
  const run = promisify(execFile);
  const { stdout } = await run(CLI, ['token', '--issuer', AUTH_URL, '--scope', 'todo:read'], { env: process.env });
  const token = stdout.trim();
  assert.equal(token.split('\n').length, 1, 'stdout is the token alone');
  const claims = await checkAccessToken(token, { scope: 'todo:read', sub: 'dev-machine', clientId: 'dev-machine' });
  assert.equal(decodeJwt(token).payload.sub, claims.client_id);

  const log = [];
  const transport = new StreamableHTTPClientTransport(new URL(MCP_URL), {
    requestInit: { headers: { Authorization: `Bearer ${token}` } },
    fetch: recordingFetch(log),
  });
  const client = new Client({ name: 'create-mcp-auth-e2e token', version: '0.0.0' });
  await client.connect(transport);
  assert.equal(text(await client.callTool({ name: 'list_todos', arguments: {} })), 'list_todos called by dev-machine');
  const err = await client.callTool({ name: 'create_todo', arguments: {} }).then(() => null, (e) => e);
  assert.ok(err instanceof StreamableHTTPError, `expected an HTTP error, got ${err}`);
  assert.equal(err.code, 403);
  const challenge = bearerParams(log.at(-1).wwwAuthenticate);
  assert.equal(challenge.error, 'insufficient_scope');
  assert.ok(scopeSet(challenge.scope).includes('todo:write'), challenge.scope);
  await client.close();

  // The wrong secret gets no token.
  const bad = await run(CLI, ['token', '--issuer', AUTH_URL, '--scope', 'todo:read'],
    { env: { ...process.env, DEV_AUTH_CLIENT_SECRET: 'not-the-secret-at-all' } }).then(() => null, (e) => e);
  assert.ok(bad, 'token with a wrong secret must fail');
  assert.notEqual(bad.code, 0);
  assert.equal(bad.stdout, '', 'nothing on stdout when there is no token');
  assert.match(bad.stderr, /invalid_client/);
});
