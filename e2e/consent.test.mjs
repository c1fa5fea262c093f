// dev-auth's consent page, driven in the system Chromium by playwright-core:
// the page a developer sees when an MCP client sends them to
// /oauth/authorize on a dev-auth started WITHOUT --auto-approve.
//
// Started by run.sh, which sets E2E_* (see lib.mjs) and CHROMIUM.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { CONSENT_URL, MCP_URL, OUT, checkAccessToken, pkce, registerClient, tokenRequest } from './lib.mjs';

const SCOPES = {
  'todo:read': 'Read access to todo items',
  'todo:write': 'Create, update, or delete todo items',
};

let browser, callback, redirectUri;
const arrivals = []; // URLs the browser was redirected back to

before(async () => {
  // The client's redirect URI: a loopback listener, as a native MCP client has.
  callback = createServer((req, res) => {
    const u = new URL(req.url, redirectUri);
    if (u.pathname === '/callback') arrivals.push(u); // not the browser's /favicon.ico
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

/** Registers a client and builds an authorization request for scope. */
async function authorizationRequest(clientName, scope) {
  const client = await registerClient(CONSENT_URL, { client_name: clientName, redirect_uris: [redirectUri] });
  const { verifier, challenge } = pkce();
  const state = randomBytes(16).toString('base64url');
  const url = new URL('/oauth/authorize', CONSENT_URL);
  url.search = new URLSearchParams({
    response_type: 'code', client_id: client.client_id, redirect_uri: redirectUri, scope, state,
    code_challenge: challenge, code_challenge_method: 'S256', resource: MCP_URL,
  });
  return { client, verifier, state, url };
}

async function openConsentPage(url) {
  const page = await browser.newPage({ viewport: { width: 900, height: 800 } });
  const res = await page.goto(url.href);
  assert.equal(res.status(), 200, await res.text());
  return page;
}

test('approve as a typed user with todo:write unticked: the token has todo:read only, for that user', async () => {
  const req = await authorizationRequest('Consent E2E client', 'todo:read todo:write');
  const page = await openConsentPage(req.url);

  await assert.doesNotReject(page.getByText('DEVELOPMENT ONLY').first().waitFor(), 'the development-only banner');
  assert.match(await page.locator('h1').innerText(), /Consent E2E client/, 'the client name');
  for (const [scope, description] of Object.entries(SCOPES)) {
    const box = page.getByRole('checkbox', { name: scope });
    assert.equal(await box.count(), 1, `one checkbox for ${scope}`);
    assert.equal(await box.getAttribute('name'), 'scope');
    assert.equal(await box.getAttribute('value'), scope);
    assert.ok(await box.isChecked(), `${scope} is ticked by default`);
    assert.ok(await page.getByText(description, { exact: true }).isVisible(), `description of ${scope}: ${description}`);
  }
  assert.equal(await page.locator('input[name="scope"]').count(), 2, 'only the requested scopes are offered');
  const users = await page.locator('datalist option').evaluateAll((os) => os.map((o) => o.value));
  assert.ok(users.includes('alice@example.com') && users.includes('bob@example.com'), `dev users offered: ${users}`);
  const consentId = await page.locator('form input[type="hidden"]').first().inputValue();
  assert.ok(consentId.length >= 16, 'a one-time consent id');
  mkdirSync(OUT, { recursive: true });
  await page.screenshot({ path: join(OUT, 'consent.png'), fullPage: true });

  await page.locator('input[name="user"]').fill('carol@example.com');
  await page.getByRole('checkbox', { name: 'todo:write' }).uncheck();
  await page.getByRole('button', { name: 'Approve' }).click();
  await page.waitForURL((u) => u.href.startsWith(redirectUri));
  const back = new URL(page.url());
  await page.close();

  assert.equal(back.searchParams.get('state'), req.state, 'state comes back');
  assert.equal(back.searchParams.get('error'), null, back.href);
  const code = back.searchParams.get('code');
  assert.ok(code, `no code in ${back.href}`);
  assert.equal(arrivals.at(-1)?.href, back.href, 'the client received the redirect');

  const t = await tokenRequest(CONSENT_URL, {
    grant_type: 'authorization_code', code, redirect_uri: redirectUri, client_id: req.client.client_id,
    code_verifier: req.verifier, resource: MCP_URL,
  });
  assert.equal(t.status, 200, JSON.stringify(t.body));
  assert.equal(t.body.scope, 'todo:read', 'the unticked scope was not granted');
  await checkAccessToken(t.body.access_token, { issuer: CONSENT_URL, scope: 'todo:read', sub: 'carol@example.com', clientId: req.client.client_id });

  // The consent id was single-use: posting the same form again gets nothing.
  const replay = await fetch(new URL('/oauth/authorize', CONSENT_URL), {
    method: 'POST', redirect: 'manual',
    body: new URLSearchParams({ consent: consentId, user: 'mallory@example.com', scope: 'todo:write', decision: 'approve' }),
  });
  assert.equal(replay.status, 400, 'a used consent id is refused');
  assert.equal(replay.headers.get('location'), null);
});

test('deny: the client gets error=access_denied and its state, and no code', async () => {
  const req = await authorizationRequest('Consent E2E denied', 'todo:read todo:write');
  const page = await openConsentPage(req.url);
  await page.getByRole('button', { name: 'Deny' }).click();
  await page.waitForURL((u) => u.href.startsWith(redirectUri));
  const back = new URL(page.url());
  await page.close();
  assert.equal(back.searchParams.get('error'), 'access_denied', back.href);
  assert.equal(back.searchParams.get('state'), req.state);
  assert.equal(back.searchParams.get('code'), null);
});

test('the client name is shown as text, never as markup', async () => {
  const name = '<img src=x onerror="document.title=\'pwned\'"> "Evil" & Co';
  const req = await authorizationRequest(name, 'todo:read');
  const page = await openConsentPage(req.url);
  assert.equal(await page.locator('main img').count(), 0, 'no element injected');
  assert.match(await page.locator('h1').innerText(), /<img src=x onerror=/);
  assert.notEqual(await page.title(), 'pwned');
  await page.close();
});
