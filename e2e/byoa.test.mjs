// Bring your own auth, end to end: the official MCP TypeScript SDK client
// connects to a generated server made with --login byoa, through
// `create-mcp-auth dev-auth --login-url`, and the user signs in on the
// server's own login page, driven in Chromium. The user posted by the login
// route is who the token and the tool see; a replayed or altered state is
// refused.
//
// Started by run.sh, which sets E2E_BYOA_* (below) and CHROMIUM.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { UnauthorizedError } from '@modelcontextprotocol/sdk/client/auth.js';
import { OUT, decodeJwt } from './lib.mjs';

const MCP_URL = process.env.E2E_BYOA_MCP_URL ?? 'http://localhost:3003/mcp';
const AUTH_URL = process.env.E2E_BYOA_AUTH_URL ?? 'http://127.0.0.1:9092';
const LOGIN_URL = new URL('/login', MCP_URL).href;
const CONNECTION = process.env.E2E_BYOA_CONNECTION_ID ?? 'conn_e2e';
const CALLBACK_PATH = `/sso/v1/connections/${CONNECTION}/partner:callback`;

let browser, callback, redirectUri;
const arrivals = []; // the client's redirect URI, as the browser reached it

before(async () => {
  callback = createServer((req, res) => {
    const u = new URL(req.url, redirectUri);
    if (u.pathname === '/callback') arrivals.push(u);
    res.writeHead(200, { 'Content-Type': 'text/plain' }).end('back at the client');
  });
  await new Promise((resolve) => callback.listen(0, '127.0.0.1', resolve));
  redirectUri = `http://127.0.0.1:${callback.address().port}/callback`;
  browser = await chromium.launch({
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
});

after(async () => {
  await browser?.close();
  callback?.close();
});

/** An OAuthClientProvider whose user is a Chromium page. */
class BrowserProvider {
  constructor(name) { this.name = name; }
  get redirectUrl() { return redirectUri; }
  get clientMetadata() {
    return {
      client_name: this.name, redirect_uris: [this.redirectUrl], grant_types: ['authorization_code'],
      response_types: ['code'], token_endpoint_auth_method: 'none',
    };
  }
  clientInformation() { return this.client; }
  saveClientInformation(c) { this.client = c; }
  tokens() { return this.savedTokens; }
  saveTokens(t) { this.savedTokens = t; }
  saveCodeVerifier(v) { this.verifier = v; }
  codeVerifier() { return this.verifier; }
  redirectToAuthorization(url) { this.authorization = new URL(url); }
}

/**
 * Opens the authorization URL in a fresh browser context, which dev-auth
 * sends to the server's login page. Returns the page and the login URL.
 */
async function openLoginPage(authorization) {
  const context = await browser.newContext({ viewport: { width: 800, height: 700 } });
  const page = await context.newPage();
  const res = await page.goto(authorization.href);
  assert.equal(res.status(), 200, await res.text());
  const at = new URL(page.url());
  assert.equal(at.origin + at.pathname, LOGIN_URL, `dev-auth sent the browser to ${at}`);
  assert.match(at.searchParams.get('login_request_id') ?? '', /^lri_/);
  assert.ok(at.searchParams.get('state'), 'a state');
  return { context, page, at };
}

/** Signs in as user on the login page; returns the partner:callback URL the browser went through. */
async function signIn(page, user) {
  const callbacks = [];
  page.on('request', (r) => { if (r.url().includes(CALLBACK_PATH)) callbacks.push(r.url()); });
  await page.getByLabel('User name').fill(user);
  await Promise.all([page.waitForURL((u) => u.href.startsWith(redirectUri)), page.getByRole('button', { name: 'Sign in' }).click()]);
  assert.equal(callbacks.length, 1, `partner:callback requests: ${callbacks}`);
  return new URL(callbacks[0]);
}

const text = (result) => result.content.filter((c) => c.type === 'text').map((c) => c.text).join('\n');

test('the SDK client gets a token for the user the login page signed in, and the tool sees that user', async () => {
  const p = new BrowserProvider('byoa-e2e');
  let transport = new StreamableHTTPClientTransport(new URL(MCP_URL), { authProvider: p });
  let client = new Client({ name: 'byoa-e2e', version: '0.0.0' });
  await assert.rejects(client.connect(transport), UnauthorizedError, 'the first connection needs a sign-in');
  // dev-auth's authorization endpoint: the plain or the per-resource one.
  assert.equal(p.authorization.origin, AUTH_URL);
  assert.match(p.authorization.pathname, /\/oauth\/authorize$/);

  const { context, page, at } = await openLoginPage(p.authorization);
  assert.ok(await page.getByText('DEVELOPMENT SIGN-IN').isVisible(), 'the development form is marked as such');
  await page.screenshot({ path: join(OUT, 'byoa-login.png') });
  const before = arrivals.length;
  const back = await signIn(page, 'carol@example.com');
  // The state came back to dev-auth exactly as dev-auth sent it.
  assert.equal(back.searchParams.get('state'), at.searchParams.get('state'));
  assert.equal(arrivals.length, before + 1);
  const arrived = arrivals.at(-1);
  assert.equal(arrived.searchParams.get('state'), p.authorization.searchParams.get('state'), 'the client gets its own state back');
  const code = arrived.searchParams.get('code');
  assert.ok(code, `no code in ${arrived}`);

  await transport.finishAuth(code);
  const claims = decodeJwt(p.tokens().access_token).payload;
  assert.equal(claims.sub, 'carol@example.com', 'sub is the posted user');
  assert.equal(claims.email, 'carol@example.com', 'the posted claims ride along');
  transport = new StreamableHTTPClientTransport(new URL(MCP_URL), { authProvider: p });
  client = new Client({ name: 'byoa-e2e', version: '0.0.0' });
  await client.connect(transport);
  const result = await client.callTool({ name: 'list_notes', arguments: {} });
  assert.equal(text(result), 'list_notes called by carol@example.com');
  await client.close();

  // Replaying the callback, with the same browser and state, is refused.
  const replay = await page.goto(back.href);
  assert.equal(replay.status(), 400);
  assert.match(await page.locator('body').innerText(), /already used/);
  assert.equal(arrivals.length, before + 1, 'no second code');
  await context.close();
});

test('an altered state is refused: in the form by the login route, in the link by dev-auth', async () => {
  const p = new BrowserProvider('byoa-e2e altered');
  const client = new Client({ name: 'byoa-e2e', version: '0.0.0' });
  await assert.rejects(client.connect(new StreamableHTTPClientTransport(new URL(MCP_URL), { authProvider: p })), UnauthorizedError);
  const before = arrivals.length;

  // The form's state altered after the page was served: the login route refuses it.
  let { context, page } = await openLoginPage(p.authorization);
  await page.locator('input[name="state"]').evaluate((el) => { el.value += 'x'; });
  await page.getByLabel('User name').fill('mallory');
  const [refused] = await Promise.all([page.waitForResponse((r) => r.request().method() === 'POST'), page.getByRole('button', { name: 'Sign in' }).click()]);
  assert.equal(refused.status(), 400);
  assert.match(await page.locator('body').innerText(), /expired or was altered/);
  await context.close();

  // The link's state altered before the page: the login route hands it on
  // untouched, and dev-auth (like Scalekit) knows no such state.
  ({ context, page } = await openLoginPage(p.authorization));
  const altered = new URL(page.url());
  altered.searchParams.set('state', altered.searchParams.get('state') + 'x');
  await page.goto(altered.href);
  await page.getByLabel('User name').fill('mallory');
  const [answer] = await Promise.all([page.waitForResponse((r) => r.url().includes(CALLBACK_PATH)), page.getByRole('button', { name: 'Sign in' }).click()]);
  assert.equal(answer.status(), 400);
  assert.match(await page.locator('body').innerText(), /state is unknown/);
  await context.close();
  assert.equal(arrivals.length, before, 'no code for an altered state');
});
