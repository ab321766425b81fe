// Case work in a real Chromium, signing in at a real OpenID provider: a handler takes a case
// from the queue to closed, with an action and a message to the reporter; two case workers
// edit the same case and the second sees the conflict with their input kept; a security
// manager retries a failed alert and reads who read the case; a receiver acknowledges an
// alert. Every page, as asked, in error and in conflict, passes axe in both languages.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { checkAccessibility, screenshot, signedIn, submit, toEnglish } from './browser.mjs';
import { fileReport, startService } from './service.mjs';

/** A due date a month from today (the service keeps due dates within five years). */
function inAMonth() {
  return new Date(Date.now() + 30 * 86_400_000).toISOString().slice(0, 10);
}

const LIMIT = 120_000;

/** What the API shows a security manager at `path`. */
async function fromApi(service, path) {
  const response = await fetch(service.url(path), {
    headers: { authorization: `Bearer ${service.token('ivy', 'security_manager')}` },
  });
  assert.equal(response.status, 200);
  return response.json();
}

const caseFromApi = (service, id) => fromApi(service, `/api/v1/incidents/${id}`);

describe('case work on the web', () => {
  let service;
  before(async () => {
    service = await startService();
  });
  after(async () => {
    await service?.stop();
  });

  test('the case page shows every fact the reporter gave, in words, and who the reporter is', { timeout: LIMIT }, async () => {
    const id = await fileReport(service, {
      kind: 'violence',
      violence_forms: ['sexual', 'physical'],
      children_affected: 'witnessed',
      perpetrator_relation: 'relative',
      perpetrator_influence: 'yes',
      affected_gender: 'man',
      affected_age_group: 'age_50_64',
    });
    // The reporter signs in once, so the service knows their name and e-mail.
    const reporter = await signedIn(service, 'anna', '/mina-rapporter');
    await reporter.close();
    const { page, close } = await signedIn(service, 'ivy:security_manager', `/arenden/${id}`);
    try {
      const report = await page.textContent('#report + dl');
      for (const fact of [
        'Fysiskt våld, Sexuellt våld',
        'Ja, barn bevittnade det',
        'Anhörig',
        'Ja, påverkad',
        'Man',
        '50–64 år',
        'Anna (anna@kommun.example)',
      ]) {
        assert.ok(report.includes(fact), `${fact} in: ${report}`);
      }
      // In the order the form asks.
      const questions = await page.$$eval('#report + dl dt', (terms) => terms.map((t) => t.textContent.trim()));
      const asked = ['Typ av händelse', 'Vilken sorts våld var det?', 'Datum', 'Kommundel', 'Den utsattas kön', 'Vem var förövaren?'];
      const positions = asked.map((question) => questions.indexOf(question));
      assert.ok(positions.every((p, i) => p >= 0 && (i === 0 || p > positions[i - 1])), `${questions}`);
      await checkAccessibility(page, 'case with the whole report (sv)');
      await screenshot(page, 'case-report-1280', { fullPage: false });
      await toEnglish(page);
      assert.match(await page.textContent('#report + dl'), /Sexual violence/);
      await checkAccessibility(page, 'case with the whole report (en)');
    } finally {
      await close();
    }
  });

  test('the queue fits a desktop, says what happened, where and how long is left, and labels every value on a phone', { timeout: LIMIT }, async () => {
    const id = await fileReport(service, { affected_category: 'employee', severity: 'serious', place_kind: 'workplace', district: 'east' });
    for (const [width, height] of [[1280, 800], [360, 640]]) {
      const queue = '/arenden?lista=ej-tilldelade&ordning=nyast';
      const { page, close } = await signedIn(service, 'ivy:security_manager', '/arenden', { viewport: { width, height } });
      try {
        await page.goto(service.url(queue));
        const sideways = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
        assert.equal(sideways, 0, `the queue scrolls ${sideways} px sideways at ${width} px`);
        const row = page.locator(`main tbody tr:has(a[href="/arenden/${id}"])`);
        if (width === 1280) {
          const table = await page.$eval('main table', (t) => ({ table: t.scrollWidth, room: t.parentElement.clientWidth }));
          assert.ok(table.table <= table.room, `the table is ${table.table} px in ${table.room} px`);
          assert.match(await page.textContent('main thead'), /Vad och var.*Arbetsmiljöverket/s);
          assert.match(await row.textContent(), /Hot/);
          assert.match(await row.textContent(), /Östra/);
          await screenshot(page, 'queue-1280', { fullPage: false });
        } else {
          // Every value the phone shows in a row carries its column's name.
          const unlabelled = await row.locator('td').evaluateAll((cells) =>
            cells.filter((cell) => !cell.querySelector('.cell-label') || getComputedStyle(cell.querySelector('.cell-label')).display === 'none').length);
          assert.equal(unlabelled, 0, 'every cell labelled on a phone');
          assert.match(await row.textContent(), /Arbetsmiljöverket: (\d+ dag(ar)? )?(\d+ timm(e|ar) )?kvar/);
          await screenshot(page, 'queue-360');
        }
        await page.goto(service.url('/arenden?lista=tidsfrist'));
        assert.match(await page.textContent('main'), /inom 12 timmar/, 'the list says what puts a case in it');
        await checkAccessibility(page, `the deadline list at ${width} px (sv)`);
      } finally {
        await close();
      }
    }
  });

  test('a handler takes a case from the queue to closed with an action and a message to the reporter', { timeout: LIMIT }, async () => {
    const id = await fileReport(service);
    const { page, close } = await signedIn(service, 'dave:handler:utbildning', '/arenden');
    try {
      assert.match(await page.textContent('.tabs [aria-current="page"]'), /Inte tilldelade \(\d+\)/);
      await checkAccessibility(page, 'queue (sv)');
      await screenshot(page, 'queue-1280');
      await submit(page, `a[href="/arenden/${id}"]`);
      await checkAccessibility(page, 'case (sv)');
      await screenshot(page, 'case-1280');

      await submit(page, 'form[action$="/tilldelning"] button[type="submit"]');
      assert.match(await page.textContent('[role="status"]'), /tilldelat/);
      for (const status of ['triaged', 'in_progress']) {
        await page.check(`input[name="status"][value="${status}"]`);
        await submit(page, 'form[action$="/status"] button[type="submit"]');
      }
      await page.fill('#field-description', 'Samtal med eleven och vårdnadshavarna.');
      await page.fill('#field-due', inAMonth());
      await submit(page, 'form[action$="/atgarder"] button[type="submit"]');
      assert.match(await page.textContent('main'), /Samtal med eleven/);
      await submit(page, 'button[name="status"][value="done"]');
      await page.check('input[name="audience"][value="reporter"]');
      await page.fill('#field-body', 'Vi har pratat med rektor och följer upp på fredag.');
      await submit(page, 'form[action$="/anteckningar"] button[type="submit"]');
      assert.match(await page.textContent('.note-reporter'), /följer upp på fredag/);

      // Closing without an outcome is refused, the choice kept and the error linked.
      await page.check('input[name="status"][value="closed"]');
      await submit(page, 'form[action$="/status"] button[type="submit"]');
      assert.match(await page.textContent('.error-summary'), /Välj utfall/);
      assert.match(await page.title(), /^Fel: Ärende TRG-\d{4}-\d{6} – Trygg$/, 'the title says the page has errors');
      assert.ok(await page.isChecked('input[name="status"][value="closed"]'));
      await checkAccessibility(page, 'case with an error (sv)');
      await page.check('input[name="outcome"][value="resolved"]');
      await submit(page, 'form[action$="/status"] button[type="submit"]');
      assert.match(await page.textContent('[role="status"]'), /Statusen är ändrad/);
      // Where the eye is: the confirmation is on the screen the page opens at.
      const box = await page.locator('[role="status"]').boundingBox();
      assert.ok(box.y >= 0 && box.y + box.height <= 800, `the confirmation at ${box.y} px`);

      const seen = await caseFromApi(service, id);
      assert.equal(seen.status, 'closed');
      assert.equal(seen.outcome, 'resolved');
      assert.equal(seen.work.assignee, 'dave');

      await toEnglish(page);
      assert.match(await page.textContent('#timeline'), /History/);
      await checkAccessibility(page, 'case (en)');
      await page.goto(service.url('/arenden?lista=mina&ordning=allvarligast'));
      await checkAccessibility(page, 'queue (en)');
    } finally {
      await close();
    }
  });

  test('without JavaScript on a 360×640 screen, a handler takes a case from the queue to closed', { timeout: LIMIT }, async () => {
    const id = await fileReport(service);
    const { page, close } = await signedIn(service, 'dave:handler:utbildning', '/arenden', {
      javaScriptEnabled: false,
      viewport: { width: 360, height: 640 },
    });
    // A full-page capture is as wide as the page: wider than the screen if it scrolls sideways.
    const fits = async (name) => {
      await screenshot(page, name);
      const png = await page.screenshot({ fullPage: true });
      assert.equal(png.readUInt32BE(16), 360, `${name} fits 360 px without scrolling sideways`);
    };
    try {
      await fits('queue-360');
      await submit(page, `a[href="/arenden/${id}"]`);
      await fits('case-360');
      await submit(page, 'form[action$="/tilldelning"] button[type="submit"]');
      for (const status of ['triaged', 'in_progress']) {
        await page.check(`input[name="status"][value="${status}"]`);
        await submit(page, 'form[action$="/status"] button[type="submit"]');
      }
      await page.fill('#field-description', 'Samtal med eleven.');
      await page.fill('#field-due', inAMonth());
      await submit(page, 'form[action$="/atgarder"] button[type="submit"]');
      await submit(page, 'button[name="status"][value="done"]');
      await page.check('input[name="status"][value="closed"]');
      await page.check('input[name="outcome"][value="resolved"]');
      await submit(page, 'form[action$="/status"] button[type="submit"]');
      assert.match(await page.textContent('[role="status"]'), /Statusen är ändrad/);
      await fits('case-closed-360');
      const seen = await caseFromApi(service, id);
      assert.equal(seen.status, 'closed');
      assert.equal(seen.work.assignee, 'dave');
    } finally {
      await close();
    }
  });

  test('two case workers edit one case: the second sees the change made meanwhile, and their input is kept', { timeout: LIMIT }, async () => {
    const id = await fileReport(service);
    const path = `/arenden/${id}`;
    const dave = await signedIn(service, 'dave:handler:utbildning', path);
    const ivy = await signedIn(service, 'ivy:security_manager', path);
    try {
      await dave.page.check('input[name="status"][value="triaged"]');
      await submit(dave.page, 'form[action$="/status"] button[type="submit"]');

      const reason = 'Hotet gällde en lärare, inte en elev.';
      await ivy.page.selectOption('#field-severity', 'serious');
      await ivy.page.fill('#field-reason', reason);
      await submit(ivy.page, 'form[action$="/klassning"] button[type="submit"]');
      assert.match(await ivy.page.textContent('#conflict'), /Mottagen → Bedömd/);
      assert.equal(await ivy.page.inputValue('#field-reason'), reason);
      assert.equal(await ivy.page.inputValue('#field-severity'), 'serious');
      assert.equal((await caseFromApi(service, id)).severity, 'high', 'nothing overwritten');
      await checkAccessibility(ivy.page, 'case in conflict (sv)');
      await screenshot(ivy.page, 'case-conflict-1280');
      await screenshot(ivy.page, 'case-conflict-window-1280', { fullPage: false });

      await submit(ivy.page, 'form[action$="/klassning"] button[type="submit"]');
      assert.match(await ivy.page.textContent('[role="status"]'), /Klassningen är ändrad/);
      const both = await caseFromApi(service, id);
      assert.equal(both.status, 'triaged');
      assert.equal(both.severity, 'serious');
    } finally {
      await dave.close();
      await ivy.close();
    }
  });
});

describe('alerts and the access log on the web', () => {
  let service;
  before(async () => {
    // Nothing listens on the mail port and one attempt is all: every alert fails at once.
    service = await startService({
      env: { TRYGG_SMTP_URL: 'smtp://127.0.0.1:1', TRYGG_ALERT_MAX_ATTEMPTS: '1' },
    });
  });
  after(async () => {
    await service?.stop();
  });

  test('a security manager retries a failed alert and reads who read the case', { timeout: LIMIT }, async () => {
    const id = await fileReport(service);
    for (let i = 0; i < 100; i++) {
      const alerts = await fromApi(service, `/api/v1/alerts?case=${id}&state=failed`);
      if (alerts.length) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const { page, close } = await signedIn(service, 'ivy:security_manager', '/larm');
    try {
      assert.match(await page.textContent('main table'), /Misslyckat/);
      assert.match(await page.textContent('main table'), /Servern svarade inte/, 'the failure in words');
      assert.match(await page.textContent('main'), /Visar 1–\d+ av \d+\./, 'the total');
      assert.equal(await page.isVisible('main table details code'), false, 'the technical text one click away');
      await page.click('main table details summary');
      assert.match(await page.textContent('main table details code'), /Connection refused/);
      await checkAccessibility(page, 'failed alerts (sv)');
      await screenshot(page, 'alerts-1280');
      await submit(page, 'main form[action$="/forsok-igen"] button');
      assert.match(await page.textContent('[role="status"]'), /skickas igen/);

      await page.goto(service.url(`/arenden/${id}`));
      await submit(page, `a[href="/atkomstlogg?arende=${id}"]`);
      assert.match(await page.textContent('main table'), /Webb: ärendesidan/);
      await checkAccessibility(page, 'access log (sv)');
      await screenshot(page, 'access-log-1280');
      await submit(page, 'a[href="/atkomstlogg/kontroll"]');
      assert.match(await page.textContent('[role="status"]'), /Loggen är hel/);
      await checkAccessibility(page, 'chain check (sv)');
      await toEnglish(page);
      await checkAccessibility(page, 'chain check (en)');
      await page.goto(service.url('/larm?visa=alla'));
      await checkAccessibility(page, 'all alerts (en)');
    } finally {
      await close();
    }
  });

  test('the receiver acknowledges an alert on the page the e-mail links to', { timeout: LIMIT }, async () => {
    const id = await fileReport(service);
    const alerts = await fromApi(service, `/api/v1/alerts?case=${id}`);
    const alert = alerts.find((a) => a.receiver === 'utbildning');
    const { page, close } = await signedIn(service, 'dave:handler:utbildning', `/larm/${alert.id}`);
    try {
      await checkAccessibility(page, 'alert (sv)');
      await page.fill('#field-comment', 'Jag tar kontakt med rektor.');
      await submit(page, 'main form button[type="submit"]');
      assert.match(await page.textContent('[role="status"]'), /kvitterat/);
      const [acknowledged] = (await fromApi(service, `/api/v1/alerts?case=${id}`)).filter((a) => a.id === alert.id);
      assert.equal(acknowledged.acknowledged_by, 'dave');
      await toEnglish(page);
      await checkAccessibility(page, 'alert (en)');
    } finally {
      await close();
    }
  });
});
