// The reporting web in a real Chromium: an employee signs in at a real OpenID provider, files
// a report with the keyboard alone, sees the receipt, follows the report, adds information,
// switches to English and signs out; the same without JavaScript on a phone-sized screen; bad
// input, forged forms, an expired session and a tampered cookie. Every page is checked with
// axe-core against WCAG 2.1 A and AA, in both languages.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { checkAccessibility, launchBrowser, screenshot, signInAtProvider } from './browser.mjs';
import { EXAMPLE_ANSWERS, startService } from './service.mjs';

/** No test waits longer than this for anything. */
const LIMIT = 120_000;

/** A date a few days back, as the date input wants it, and the time. */
function daysAgo(days) {
  const at = new Date(Date.now() - days * 86_400_000);
  const pad = (n) => String(n).padStart(2, '0');
  return `${at.getFullYear()}-${pad(at.getMonth() + 1)}-${pad(at.getDate())}`;
}

/** The answers of the report every test files: a threat against a pupil at school. */
const REPORT = {
  ...EXAMPLE_ANSWERS,
  date: daysAgo(3),
  time: '14:30',
  description: 'En elev hotade en annan elev på skolgården efter lunch.',
};

/** Signs in at the provider's login page as `login`, back on the reporting pages. */
const signIn = (page, login) => signInAtProvider(page, login, /\/(rapportera|mina-rapporter|$)/);

// --- The keyboard alone -----------------------------------------------------------------

async function focused(page, selector) {
  return page.evaluate((s) => document.activeElement?.matches(s) ?? false, selector);
}

async function tabTo(page, selector) {
  for (let i = 0; i < 80; i++) {
    await page.keyboard.press('Tab');
    if (await focused(page, selector)) return;
  }
  throw new Error(`Tab never reached ${selector}`);
}

async function chooseByKeyboard(page, name, value) {
  await tabTo(page, `input[name="${name}"]`);
  for (let i = 0; i < 20; i++) {
    if (await page.isChecked(`input[name="${name}"][value="${value}"]`)) return;
    await page.keyboard.press('ArrowDown');
  }
  throw new Error(`the arrow keys never reached ${name}=${value}`);
}

async function continueByKeyboard(page) {
  await tabTo(page, 'main button[type="submit"]');
  await Promise.all([page.waitForNavigation(), page.keyboard.press('Enter')]);
}

/**
 * Types a date into a native date input. Its fields come in the order of the browser's own
 * language (year first in Swedish, month first in American English), so each order is tried,
 * clearing the three fields between tries, all with the keyboard.
 */
async function typeDate(page, selector, iso) {
  const [year, month, day] = iso.split('-');
  for (const digits of [year + month + day, month + day + year, day + month + year]) {
    await page.keyboard.type(digits);
    if ((await page.inputValue(selector)) === iso) return;
    for (const key of ['Backspace', 'Shift+Tab', 'Backspace', 'Shift+Tab', 'Backspace']) {
      await page.keyboard.press(key);
    }
  }
  throw new Error(`could not type ${iso} into ${selector}`);
}

async function answerByKeyboard(page, answers) {
  for (const [name, value] of Object.entries(answers)) {
    if (name === 'date') {
      await tabTo(page, '#field-date');
      await typeDate(page, '#field-date', value);
    } else if (name === 'time') {
      await tabTo(page, '#field-time');
      await page.keyboard.type(value.replace(':', ''));
      assert.equal(await page.inputValue('#field-time'), value, 'the time typed');
    } else if (name === 'description') {
      await tabTo(page, '#field-description');
      await page.keyboard.type(value);
    } else {
      await chooseByKeyboard(page, name, value);
    }
  }
  await continueByKeyboard(page);
}

// --- Pointer and form filling, for the tests that are not about the keyboard ------------

async function answer(page, answers) {
  for (const [name, value] of Object.entries(answers)) {
    const input = page.locator(`[name="${name}"]`).first();
    const type = await input.getAttribute('type');
    if (type === 'radio' || type === 'checkbox') {
      await page.check(`input[name="${name}"][value="${value}"]`);
    } else {
      await page.fill(`[name="${name}"]`, value);
    }
  }
  await Promise.all([page.waitForNavigation(), page.click('main button[type="submit"]')]);
}

const STEPS = [
  ['typ', ['kind']],
  ['nar-och-var', ['date', 'time', 'district', 'place_kind']],
  ['drabbad', ['affected_category', 'affected_gender', 'affected_age_group', 'children_affected']],
  ['utovare', ['perpetrator_relation', 'perpetrator_influence']],
  ['beskrivning', ['severity', 'description']],
];

function pick(names) {
  return Object.fromEntries(names.map((name) => [name, REPORT[name]]));
}

/** Files `REPORT` from the first question on; returns the case id from the receipt. */
async function fileReport(page, { fill = answer, check = async () => {} } = {}) {
  for (const [slug, names] of STEPS) {
    assert.match(page.url(), new RegExp(`/rapportera/${slug}$`));
    await check(slug);
    await fill(page, pick(names));
  }
  assert.match(page.url(), /\/rapportera\/fokusomrade$/);
  assert.ok(await page.isChecked('input[name="focus_area"][value="school"]'), 'school is suggested');
  await check('fokusomrade');
  await fill(page, {});
  assert.match(page.url(), /\/rapportera\/kontrollera$/);
  await check('kontrollera');
  await fill(page, {});
  const receipt = page.url().match(/\/rapportera\/kvitto\/([0-9a-f-]{36})$/);
  assert.ok(receipt, `a receipt, not ${page.url()}`);
  return receipt[1];
}

async function casesVisibleTo(service, token) {
  const response = await fetch(service.url('/api/v1/incidents?limit=100'), {
    headers: { authorization: `Bearer ${token}` },
  });
  assert.equal(response.status, 200);
  return (await response.json()).items;
}

describe('the reporting web', () => {
  let service;
  before(async () => {
    service = await startService();
  });
  after(async () => {
    await service?.stop();
  });

  test('an employee signs in, files a report with the keyboard alone, follows it, adds information, switches to English and signs out', { timeout: LIMIT }, async () => {
    const { page, close, blockedRequests } = await launchBrowser();
    try {
      await page.goto(service.url('/'));
      assert.equal(await page.getAttribute('html', 'lang'), 'sv');
      await checkAccessibility(page, 'start (sv)');
      await screenshot(page, 'start-1280');

      await tabTo(page, 'a.button-start');
      await Promise.all([page.waitForURL(/127\.0\.0\.1:\d+\/(interaction|auth)/), page.keyboard.press('Enter')]);
      await signIn(page, 'alice');
      assert.match(page.url(), /\/rapportera\/typ$/);

      const id = await fileReport(page, {
        fill: answerByKeyboard,
        check: async (slug) => {
          await checkAccessibility(page, `${slug} (sv)`);
          await screenshot(page, `filing-${slug}-1280`);
        },
      });
      assert.match(await page.textContent('.panel'), /Ditt ärendenummer är TRG-\d{4}-\d{6}/);
      await checkAccessibility(page, 'receipt (sv)');
      await screenshot(page, 'filing-receipt-1280');
      const caseNumber = (await page.textContent('.panel')).match(/TRG-\d{4}-\d{6}/)[0];

      // The handler answers the reporter through the API.
      const dave = service.token('dave', 'handler', 'utbildning');
      const comment = await fetch(service.url(`/api/v1/incidents/${id}/comments`), {
        method: 'POST',
        headers: { authorization: `Bearer ${dave}`, 'content-type': 'application/json' },
        body: JSON.stringify({ audience: 'reporter', body: 'Vi har pratat med rektorn.' }),
      });
      assert.equal(comment.status, 201, await comment.text());
      const internal = await fetch(service.url(`/api/v1/incidents/${id}/comments`), {
        method: 'POST',
        headers: { authorization: `Bearer ${dave}`, 'content-type': 'application/json' },
        body: JSON.stringify({ audience: 'internal', body: 'Intern anteckning om eleven.' }),
      });
      assert.equal(internal.status, 201);

      await page.click('a[href="/mina-rapporter"]');
      await checkAccessibility(page, 'my reports (sv)');
      const row = page.locator('table tbody tr', { hasText: caseNumber });
      assert.equal(await row.count(), 1);
      assert.match(await row.textContent(), /Hot/);
      assert.match(await row.textContent(), /Mottagen/);
      await row.locator('a').click();
      assert.match(page.url(), new RegExp(`/mina-rapporter/${id}$`));
      const messages = await page.textContent('.messages');
      assert.match(messages, /Vi har pratat med rektorn\./);
      assert.doesNotMatch(await page.content(), /Intern anteckning/, 'internal comments stay internal');
      await checkAccessibility(page, 'report (sv)');

      await tabTo(page, '#field-addition');
      await page.keyboard.type('Det har hänt igen i dag.');
      await tabTo(page, 'main button[type="submit"]');
      await Promise.all([page.waitForNavigation(), page.keyboard.press('Enter')]);
      assert.match(await page.textContent('[role="status"]'), /informationen är tillagd/);
      assert.match(await page.textContent('.messages'), /Det har hänt igen i dag\./);
      await checkAccessibility(page, 'report after adding (sv)');

      await page.click('a[hreflang="en"]');
      assert.equal(await page.getAttribute('html', 'lang'), 'en');
      assert.equal(await page.textContent('h1'), 'Your report');
      await checkAccessibility(page, 'report (en)');
      await screenshot(page, 'report-en-1280');
      await page.goto(service.url('/mina-rapporter'));
      assert.equal(await page.textContent('h1'), 'My reports', 'the choice of language stays');

      await page.click('button:has-text("Sign out")');
      await page.waitForURL(/\/utloggad$/);
      assert.equal(await page.textContent('h1'), 'You are signed out');
      await checkAccessibility(page, 'signed out (en)');
      await page.goto(service.url('/mina-rapporter'));
      await page.waitForSelector('input[name="login"]');
      assert.ok(page.url().startsWith(service.idp.issuer), 'signed out at the provider too');
      assert.deepEqual(blockedRequests.filter((url) => !url.includes('fonts.g')), [], 'no request leaves the machine');
    } finally {
      await close();
    }
  });

  test('without JavaScript on a 360×640 screen, the same report is filed and read', { timeout: LIMIT }, async () => {
    const { page, close } = await launchBrowser({
      javaScriptEnabled: false,
      viewport: { width: 360, height: 640 },
    });
    try {
      await page.goto(service.url('/rapportera'));
      await signIn(page, 'bodil');
      const id = await fileReport(page, {
        check: async (slug) => {
          await screenshot(page, `filing-${slug}-360`);
          // A full-page capture is as wide as the page: wider than the screen if it scrolls
          // sideways. (No script runs in this page, so it is measured from outside.)
          const png = await page.screenshot({ fullPage: true });
          assert.equal(png.readUInt32BE(16), 360, `${slug} fits 360 px without scrolling sideways`);
        },
      });
      await screenshot(page, 'filing-receipt-360');
      await page.goto(service.url(`/mina-rapporter/${id}`));
      assert.match(await page.textContent('main'), /Din beskrivning/);
      // (axe needs a script in the page; the same pages are checked with scripts on.)
      // The provider's sign-out page needs one click without JavaScript.
      await page.click('button:has-text("Logga ut")');
      await page.click('#op-logout-submit');
      await page.waitForURL(/\/utloggad$/);
    } finally {
      await close();
    }
  });

  test('every required answer missing at once: each listed, each linked to its field, and nothing typed is lost', { timeout: LIMIT }, async () => {
    const { page, close } = await launchBrowser();
    try {
      await page.goto(service.url('/rapportera'));
      await signIn(page, 'cecilia');
      await answer(page, { kind: 'violence' });
      assert.match(page.url(), /\/rapportera\/vald$/);
      await answer(page, {});
      assert.equal(await page.locator('.error-summary li').count(), 1);
      await checkAccessibility(page, 'violence forms, in error (sv)');
      await answer(page, { violence_forms: 'physical' });

      // The time is typed, the rest left out.
      await page.fill('#field-time', '09:15');
      await Promise.all([page.waitForNavigation(), page.click('main button[type="submit"]')]);
      const summary = page.locator('.error-summary');
      assert.equal(await summary.getAttribute('role'), 'alert');
      const links = await summary.locator('a').evaluateAll((as) => as.map((a) => [a.getAttribute('href'), a.textContent]));
      assert.deepEqual(links.map(([href]) => href), ['#field-date', '#field-district', '#field-place_kind']);
      for (const [href] of links) {
        assert.equal(await page.locator(href).count(), 1, `${href} leads to a field`);
      }
      await summary.locator('a[href="#field-district"]').click();
      assert.ok(await focused(page, '#field-district'), 'the link moves focus to the field');
      assert.equal(await page.inputValue('#field-time'), '09:15', 'what was typed is kept');
      assert.equal(await page.getAttribute('#field-date', 'aria-invalid'), 'true');
      await checkAccessibility(page, 'when and where, in error (sv)');
      await screenshot(page, 'filing-errors-1280');

      // A date in the future is refused in words, in English too.
      await page.click('a[hreflang="en"]');
      await page.fill('#field-date', daysAgo(-2));
      await Promise.all([page.waitForNavigation(), page.click('main button[type="submit"]')]);
      assert.match(await page.textContent('.error-summary'), /The date cannot be later than today/);
      assert.match(await page.textContent('.error-summary'), /Select the district/);
      await checkAccessibility(page, 'when and where, in error (en)');
      await page.click('a[hreflang="sv"]');

      // Over ten years back is refused on this page, not first when sending; the title says so.
      await page.fill('#field-date', '2015-06-01');
      await Promise.all([page.waitForNavigation(), page.click('main button[type="submit"]')]);
      assert.match(page.url(), /\/rapportera\/nar-och-var$/);
      assert.match(await page.textContent('.error-summary'), /inom de senaste tio åren/);
      assert.match(await page.title(), /^Fel: /);

      // The description is kept when the severity is missing.
      await answer(page, { date: REPORT.date, district: 'west', place_kind: 'nightlife' });
      await answer(page, pick(STEPS[2][1]));
      await answer(page, pick(STEPS[3][1]));
      await page.fill('#field-description', 'Knuffad i kön.');
      await Promise.all([page.waitForNavigation(), page.click('main button[type="submit"]')]);
      assert.match(await page.textContent('.error-summary'), /Välj hur allvarligt det var/);
      assert.equal(await page.inputValue('#field-description'), 'Knuffad i kön.');
    } finally {
      await close();
    }
  });

  test('a form without the session token is refused and files nothing; a double submit files one case', { timeout: LIMIT }, async () => {
    const { page, close } = await launchBrowser();
    try {
      await page.goto(service.url('/rapportera'));
      await signIn(page, 'david');
      for (const [, names] of STEPS) await answer(page, pick(names));
      await answer(page, {});
      assert.match(page.url(), /\/kontrollera$/);

      const forged = await page.request.post(service.url('/rapportera/skicka'), {
        form: { csrf: 'not-the-token' },
        maxRedirects: 0,
      });
      assert.equal(forged.status(), 403);
      assert.match(await forged.text(), /formuläret|form/i);
      const missing = await page.request.post(service.url('/rapportera/skicka'), { form: {}, maxRedirects: 0 });
      assert.equal(missing.status(), 403);
      const manager = service.token('ivy', 'security_manager');
      const before = (await casesVisibleTo(service, manager)).filter((c) => c.description === REPORT.description).length;

      const csrf = await page.getAttribute('form[action="/rapportera/skicka"] input[name="csrf"]', 'value');
      const sends = await Promise.all(
        [1, 2].map(() => page.request.post(service.url('/rapportera/skicka'), { form: { csrf }, maxRedirects: 0 })),
      );
      assert.deepEqual(sends.map((s) => s.status()), [303, 303]);
      const after = (await casesVisibleTo(service, manager)).filter((c) => c.description === REPORT.description).length;
      assert.equal(after, before + 1, 'two sends, one case');
    } finally {
      await close();
    }
  });

  test('a session that ends mid-form: sign in again, the earlier answers are there and the lost page is named', { timeout: LIMIT }, async () => {
    const { page, context, close } = await launchBrowser();
    try {
      await page.goto(service.url('/rapportera'));
      await signIn(page, 'erik');
      await answer(page, { kind: 'harassment' });
      await page.fill('#field-time', '08:00');
      await context.clearCookies({ name: 'trygg_session' });
      await page.click('main button[type="submit"]');
      // Still signed in at the provider, so it sends the visitor straight back.
      await page.waitForURL(/\/rapportera\/nar-och-var\?utgangen=1$/);
      assert.match(await page.textContent('[role="status"]'), /svaren på den här sidan sparades inte/);
      await checkAccessibility(page, 'when and where, after the session ended (sv)');
      await page.click('.back-link');
      assert.ok(await page.isChecked('input[name="kind"][value="harassment"]'), 'the earlier answer is kept');
    } finally {
      await close();
    }
  });

  test('the questions speak to a stressed reporter: today\'s date, where a digital incident belongs, "it was me", the suggested area first', { timeout: LIMIT }, async () => {
    const { page, close } = await launchBrowser();
    try {
      await page.goto(service.url('/rapportera'));
      await signIn(page, 'hanna');
      await answer(page, { kind: 'harassment' });
      // Today as the service counts it (Swedish time), at midnight: never later than now,
      // whatever the hour the suite runs.
      const today = new Intl.DateTimeFormat('sv-SE', { timeZone: 'Europe/Stockholm' }).format(new Date());
      const hints = await page.textContent('main form');
      assert.ok(hints.includes('I dag är'), hints);
      assert.match(hints, /Om det hände digitalt/);
      await answer(page, { date: today, time: '00:00', district: 'west', place_kind: 'digital' });
      assert.match(await page.textContent('main form'), /Om det var du själv/);
      await answer(page, pick(STEPS[2][1]));
      const relations = await page.$$eval('input[name="perpetrator_relation"] + label', (labels) => labels.map((l) => l.textContent.trim()));
      assert.ok(relations.includes('Besökare, kund eller patient'), `${relations}`);
      assert.ok(relations.includes('Vet ej') && !relations.includes('Okänd'), 'the intro\'s words');
      await answer(page, pick(STEPS[3][1]));
      const severities = await page.$$eval('input[name="severity"] + label', (labels) => labels.map((l) => l.textContent.trim()));
      assert.deepEqual(severities, ['Lindrig', 'Måttlig', 'Allvarlig', 'Mycket allvarlig']);
      await answer(page, { severity: 'medium', description: 'Hotfulla meddelanden i sociala medier.' });
      const first = page.locator('input[name="focus_area"]').first();
      assert.ok(await first.isChecked(), 'the suggestion is the first choice');
      assert.match(await page.textContent(`label[for="${await first.getAttribute('id')}"]`), /föreslaget utifrån dina svar/);
      await checkAccessibility(page, 'focus area with its suggestion first (sv)');
    } finally {
      await close();
    }
  });

  test('a report begun and not sent is offered to continue or to throw away, never continued unasked', { timeout: LIMIT }, async () => {
    const { page, close } = await launchBrowser({ viewport: { width: 360, height: 640 } });
    try {
      await page.goto(service.url('/rapportera'));
      await signIn(page, 'frida');
      await answer(page, { kind: 'harassment' });
      await answer(page, pick(['date', 'time', 'district', 'place_kind']));
      await page.goto(service.url('/'));
      await Promise.all([page.waitForNavigation(), page.click('a.button-start')]);
      assert.match(page.url(), /\/rapportera$/);
      assert.match(await page.textContent('h1'), /påbörjad rapport/);
      assert.match(await page.textContent('main dl'), /Trakasserier/);
      await checkAccessibility(page, 'a report begun (sv)');
      await screenshot(page, 'draft-choice-360', { fullPage: false });
      await Promise.all([page.waitForNavigation(), page.click('main a.button')]);
      assert.match(page.url(), /\/rapportera\/drabbad$/, 'continue goes on where the answers end');

      await page.goto(service.url('/rapportera'));
      await Promise.all([page.waitForNavigation(), page.click('form[action="/rapportera/borja-om"] button')]);
      assert.match(page.url(), /\/rapportera\/typ$/);
      assert.equal(await page.locator('input[name="kind"]:checked').count(), 0, 'nothing carried over');
      await page.goto(service.url('/rapportera'));
      assert.match(page.url(), /\/rapportera\/typ$/, 'with no answers, no question to ask');
    } finally {
      await close();
    }
  });

  test('a tampered session cookie is refused, and so are other reporters\' reports', async () => {
    const { page, context, close } = await launchBrowser();
    try {
      await page.goto(service.url('/rapportera'));
      await signIn(page, 'frida');
      const cookies = await context.cookies();
      const session = cookies.find((c) => c.name === 'trygg_session');
      const flipped = session.value.slice(0, 10) + (session.value[10] === 'A' ? 'B' : 'A') + session.value.slice(11);
      await context.addCookies([{ ...session, value: flipped }]);
      const response = await page.goto(service.url('/mina-rapporter'));
      assert.ok(response.ok(), 'no server error');
      // The provider still knows frida, but the page was not served from the forged cookie:
      // the visit went through sign-in again.
      assert.ok(
        response.request().redirectedFrom(),
        'the forged session was not accepted',
      );

      // Someone else's report reads as one that does not exist.
      const others = await casesVisibleTo(service, service.token('ivy', 'security_manager'));
      assert.ok(others.length > 0);
      const notFound = await page.goto(service.url(`/mina-rapporter/${others[0].id}`));
      assert.equal(notFound.status(), 404);
      await checkAccessibility(page, 'not found (sv)');
    } finally {
      await close();
    }
  });

  test('every filing page, as asked and in error, passes axe in both languages', { timeout: LIMIT }, async () => {
    const { page, close } = await launchBrowser();
    try {
      await page.goto(service.url('/rapportera'));
      await signIn(page, 'gustav');
      const violence = { ...REPORT, kind: 'violence', violence_forms: 'material' };
      const steps = [['typ', ['kind']], ['vald', ['violence_forms']], ...STEPS.slice(1)];
      // Swedish at 640 px wide (a 1280 px screen at 200 % zoom), English at 320 px.
      for (const [lang, width] of [['sv', 640], ['en', 320]]) {
        await page.setViewportSize({ width, height: 800 });
        await page.goto(service.url(`/sprak?lang=${lang}&tillbaka=/rapportera`));
        for (const [slug, names] of steps) {
          assert.match(page.url(), new RegExp(`/rapportera/${slug}$`));
          const wide = await page.evaluate(() => document.documentElement.scrollWidth);
          assert.ok(wide <= width, `${slug} fits ${width} px without scrolling sideways (${wide})`);
          await checkAccessibility(page, `${slug} (${lang})`);
          await answer(page, {});
          assert.ok(await page.locator('.error-summary').isVisible(), `${slug} refuses no answers`);
          await checkAccessibility(page, `${slug} in error (${lang})`);
          await answer(page, Object.fromEntries(names.map((name) => [name, violence[name]])));
        }
        await checkAccessibility(page, `fokusomrade (${lang})`);
        await answer(page, {});
        await checkAccessibility(page, `kontrollera (${lang})`);
        await answer(page, {});
        await checkAccessibility(page, `receipt (${lang})`);
        await page.click('a[href^="/mina-rapporter/"]');
        await checkAccessibility(page, `report (${lang})`);
        await answer(page, {});
        assert.ok(await page.locator('.error-summary').isVisible(), 'an empty addition is refused');
        await checkAccessibility(page, `report in error (${lang})`);
        await page.goto(service.url('/mina-rapporter'));
        await checkAccessibility(page, `my reports (${lang})`);
        await page.goto(service.url('/rapportera'));
      }
    } finally {
      await close();
    }
  });

  test('the reporting pages install as an app, and with the network gone a page says so, with 112, keeping no case content', { timeout: LIMIT }, async () => {
    for (const [lang, name] of [['sv', /rapportera hot och våld/], ['en', /report threats and violence/]]) {
      const manifest = await (await fetch(service.url(`/manifest-${lang}.webmanifest`))).json();
      assert.match(manifest.name, name);
      assert.equal(manifest.display, 'standalone');
      assert.equal(manifest.start_url, '/rapportera');
      assert.ok(manifest.icons.length > 0);
    }
    const { page, context, close } = await launchBrowser({ viewport: { width: 360, height: 640 } });
    try {
      await page.goto(service.url('/rapportera'));
      await signIn(page, 'greta');
      await answer(page, { kind: 'threat' });
      assert.equal(await page.getAttribute('link[rel="manifest"]', 'href'), '/manifest-sv.webmanifest');
      await page.evaluate(() => navigator.serviceWorker.ready);
      await context.setOffline(true);
      await page.goto(service.url('/rapportera/nar-och-var')).catch(() => {});
      assert.match(await page.textContent('main'), /Ring 112/);
      assert.match(await page.textContent('h1'), /Ingen anslutning/);
      await checkAccessibility(page, 'offline page');
      await screenshot(page, 'offline-360');
      const kept = await page.evaluate(async () => {
        const urls = [];
        for (const name of await caches.keys()) {
          for (const request of await (await caches.open(name)).keys()) urls.push(new URL(request.url).pathname);
        }
        return urls.sort();
      });
      assert.deepEqual(kept, ['/offline', '/static/icon.svg', '/static/trygg.css'], 'nothing but the offline page and its style');
      await context.setOffline(false);
      await page.goto(service.url('/rapportera/nar-och-var'));
      assert.ok(await page.isVisible('#field-date'), 'back online, the form again');
    } finally {
      await close();
    }
  });

  test('every page carries its security headers and no inline script', { timeout: LIMIT }, async () => {
    for (const path of ['/', '/rapportera/typ', '/om', '/finns-inte']) {
      const response = await fetch(service.url(path), { redirect: 'manual' });
      const header = (name) => response.headers.get(name) ?? '';
      assert.match(header('content-security-policy'), /default-src 'none'/, path);
      assert.match(header('content-security-policy'), /frame-ancestors 'none'/, path);
      assert.doesNotMatch(header('content-security-policy'), /unsafe-inline|unsafe-eval/, path);
      assert.match(header('content-security-policy'), /script-src 'self';/, path);
      assert.equal(header('x-frame-options'), 'DENY', path);
      assert.equal(header('x-content-type-options'), 'nosniff', path);
      assert.equal(header('referrer-policy'), 'same-origin', path);
      assert.equal(header('cache-control'), 'no-store', path);
      if (path === '/') {
        const cookie = header('set-cookie');
        assert.match(cookie, /^trygg_session=.*HttpOnly/i);
        assert.match(cookie, /SameSite=Lax/i);
      }
      // One script, from the service itself, that installs the offline page; no inline script.
      const scripts = (await response.text()).match(/<script[^>]*>/gi) ?? [];
      assert.ok(scripts.every((tag) => tag === '<script src="/static/app.js" defer>'), `${path}: ${scripts}`);
    }
    const api = await fetch(service.url('/api/v1/nothing'));
    assert.equal(api.headers.get('content-type'), 'application/problem+json', 'the API keeps its errors');
  });

  test('the API documentation works under its Content-Security-Policy', { timeout: LIMIT }, async () => {
    const { page, close } = await launchBrowser();
    const refused = [];
    page.on('console', (message) => {
      if (/Content Security Policy|Refused to/i.test(message.text())) refused.push(message.text());
    });
    try {
      await page.goto(service.url('/docs/'));
      await page.waitForSelector('#swagger-ui .info .title');
      assert.match(await page.textContent('#swagger-ui .info .title'), /Trygg/);
      assert.deepEqual(refused, [], 'nothing the page needs is refused');
    } finally {
      await close();
    }
  });

  test('a first visit is in the browser\'s language', { timeout: LIMIT }, async () => {
    const { page, close } = await launchBrowser({ contextOptions: { locale: 'en-GB' } });
    try {
      await page.goto(service.url('/'));
      assert.equal(await page.getAttribute('html', 'lang'), 'en');
      assert.equal(await page.textContent('h1'), 'Report an incident');
    } finally {
      await close();
    }
  });

  test('the pages around the form pass axe in both languages', { timeout: LIMIT }, async () => {
    const { page, close } = await launchBrowser();
    try {
      for (const lang of ['sv', 'en']) {
        await page.goto(service.url(`/sprak?lang=${lang}&tillbaka=/`));
        for (const path of ['/', '/om', '/tillganglighet', '/utloggad', '/finns-inte']) {
          await page.goto(service.url(path));
          assert.equal(await page.getAttribute('html', 'lang'), lang, path);
          await checkAccessibility(page, `${path} (${lang})`);
        }
      }
      await page.setViewportSize({ width: 360, height: 640 });
      for (const path of ['/', '/om']) {
        await page.goto(service.url(path));
        await checkAccessibility(page, `${path} at 360 px (en)`);
      }
      const development = await page.request.post(service.url('/logga-in/utveckling'), {
        form: { user: 'ivy:security_manager' },
        maxRedirects: 0,
      });
      assert.equal(development.status(), 404, 'no development sign-in beside a provider');
    } finally {
      await close();
    }
  });
});

describe('the development sign-in', () => {
  let service;
  before(async () => {
    service = await startService({ provider: false });
  });
  after(async () => {
    await service?.stop();
  });

  test('on loopback without a provider, a newcomer picks a user and files a report', { timeout: LIMIT }, async () => {
    const { page, close } = await launchBrowser();
    try {
      await page.goto(service.url('/rapportera'));
      assert.match(await page.textContent('.development-banner'), /Utvecklingsläge/);
      await checkAccessibility(page, 'development sign-in (sv)');
      await screenshot(page, 'development-sign-in-1280');
      await Promise.all([page.waitForNavigation(), page.click('main button[type="submit"]')]);
      assert.match(page.url(), /\/rapportera\/typ$/);
      await fileReport(page);
      assert.match(await page.textContent('.panel'), /TRG-/);
      await page.click('a[hreflang="en"]');
      await checkAccessibility(page, 'receipt (en)');
    } finally {
      await close();
    }
  });
});
