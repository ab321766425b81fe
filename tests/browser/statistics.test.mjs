// Statistics in a real Chromium, signing in at a real OpenID provider: a security manager opens
// the district picture, then the statistics page for any days, and downloads the CSV, whose
// numbers are the API's live ones; an analyst reads published figures, for calendar periods
// only, told how they are protected; the district picture, the statistics page and the yearly
// compilation pass axe in both languages, and the compilation prints to A4 without the page's
// navigation.

import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';

import { SCREENSHOT_DIR, checkAccessibility, screenshot, signedIn, submit, toEnglish } from './browser.mjs';
import { fileReport, startService } from './service.mjs';

const LIMIT = 120_000;
const DAY = 86_400_000;

/** A date `days` ago, as YYYY-MM-DD. */
const daysAgo = (days) => new Date(Date.now() - days * DAY).toISOString().slice(0, 10);

/** Files a report through the API, `days` ago, with `changes` to the example. */
const fileReportDaysAgo = (service, days, changes) =>
  fileReport(service, { occurred_at: new Date(Date.now() - days * DAY).toISOString(), ...changes });

describe('statistics on the web', () => {
  let service;
  before(async () => {
    service = await startService();
    const kinds = ['threat', 'violence', 'harassment'];
    const places = ['school', 'workplace', 'public_space'];
    for (let i = 0; i < 24; i++) {
      await fileReportDaysAgo(service, 1 + i * 3, {
        kind: kinds[i % 3],
        place_kind: places[i % 2 ? 0 : (i % 3)],
        violence_forms: kinds[i % 3] === 'violence' ? ['physical'] : undefined,
      });
    }
    for (let i = 0; i < 4; i++) await fileReportDaysAgo(service, 2 + i, { district: 'east' });
    await fileReportDaysAgo(service, 5, { district: 'west' });
  });
  after(async () => {
    await service?.stop();
  });

  test('a security manager opens the district picture and downloads the CSV, and its numbers are the API\'s', { timeout: LIMIT }, async () => {
    const { page, close } = await signedIn(service, 'ivy:security_manager', '/lagesbild');
    try {
      await checkAccessibility(page, 'district choice (sv)');
      await page.selectOption('#field-stadsdel', 'central');
      await submit(page, 'form[action="/lagesbild"] button');
      assert.match(await page.textContent('h1'), /Lägesbild för Centrala/);
      assert.equal(await page.locator('svg[role="img"]:visible').count(), 4, 'one chart of each figure shows');
      await checkAccessibility(page, 'district picture (sv)');
      await screenshot(page, 'district-picture-1280');

      await submit(page, '.statistics-nav a[href="/statistik"]');
      const [from, to] = [daysAgo(120), daysAgo(0)];
      await page.fill('#field-fran', from);
      await page.fill('#field-till', to);
      await page.selectOption('#field-rader', 'district');
      await page.selectOption('#field-kolumner', 'kind');
      await submit(page, 'form.statistics-form button[type="submit"]');
      assert.match(await page.textContent('main'), /skyddat/, 'west\'s one case is suppressed');
      await checkAccessibility(page, 'statistics (sv)');
      await screenshot(page, 'statistics-1280');

      const [download] = await Promise.all([
        page.waitForEvent('download'),
        page.click('.downloads a[href^="/statistik/hamta?format=csv&"]'),
      ]);
      const downloaded = await readFile(await download.path(), 'utf8');
      const after = new Date(Date.parse(to) + DAY).toISOString().slice(0, 10);
      const response = await fetch(
        service.url(`/api/v1/statistics?from=${from}&to=${after}&group_by=district,kind&format=csv`),
        { headers: { authorization: `Bearer ${service.token('ivy', 'security_manager')}` } },
      );
      assert.equal(response.status, 200);
      assert.equal(downloaded, await response.text());
      assert.match(downloaded, /^district,district_label,kind,kind_label,count,suppressed\r\n/);
      const [excel] = await Promise.all([
        page.waitForEvent('download'),
        page.click('.downloads a[href^="/statistik/hamta?format=csv-semicolon&"]'),
      ]);
      assert.match(excel.suggestedFilename(), /^anmalningsstatistik-.*-excel\.csv$/);
      assert.notEqual(excel.suggestedFilename(), download.suggestedFilename(), 'each download its own name');
      assert.match(await readFile(await excel.path(), 'utf8'), /^\uFEFFKommundel;Typ av händelse;Antal\r\n/);

      await toEnglish(page);
      assert.match(await page.textContent('main'), /suppressed/);
      await checkAccessibility(page, 'statistics (en)');
      await page.goto(service.url('/lagesbild?stadsdel=east'));
      await checkAccessibility(page, 'district picture (en)');
    } finally {
      await close();
    }
  });

  test('an analyst reads published figures for calendar periods, told they carry noise', { timeout: LIMIT }, async () => {
    const { page, close } = await signedIn(service, 'olga:analyst', '/lagesbild');
    try {
      assert.match(await page.textContent('main'), /Publicerad statistik till och med \d{4}-\d{2}, publicerad \d{4}-\d{2}-\d{2}/);
      assert.match(await page.textContent('main'), /behöver därför inte summera till totalen/);
      assert.equal(await page.locator('svg[role="img"]:visible').count(), 4);
      await checkAccessibility(page, 'district picture, published (sv)');
      await screenshot(page, 'district-picture-published-1280');

      // The page offers the published calendar periods, the latest twelve months first.
      await page.goto(service.url('/statistik'));
      assert.equal(await page.locator('#field-fran').count(), 0, 'no days to pick');
      const publications = await (await fetch(service.url('/api/v1/statistics/publications'), {
        headers: { authorization: `Bearer ${service.token('olga', 'analyst')}` },
      })).json();
      const month = publications[0].through_month.slice(0, 7);
      assert.equal(await page.inputValue('#field-period'), '12m');
      await page.selectOption('#field-period', month);
      await page.selectOption('#field-rader', 'district');
      await submit(page, 'form.statistics-form button[type="submit"]');
      assert.equal(await page.locator('.error-summary').count(), 0);
      assert.match(await page.textContent('main'), new RegExp(`Händelser ${month}-01 – ${month}-\\d\\d`));
      assert.match(await page.textContent('main'), /slumpmässigt brus/);
      await checkAccessibility(page, 'statistics, published (sv)');
      await screenshot(page, 'statistics-published-1280');
      const [download] = await Promise.all([
        page.waitForEvent('download'),
        page.click('.downloads a[href^="/statistik/hamta?format=csv&"]'),
      ]);
      assert.match(download.suggestedFilename(), new RegExp(`^anmalningsstatistik-${month}-01-`));

      // Days typed into the address are refused, in words.
      await page.goto(service.url(`/statistik?fran=${daysAgo(120)}&till=${daysAgo(0)}`));
      assert.match(await page.textContent('.error-summary'), /hela månader, kvartal och år/);
      await checkAccessibility(page, 'statistics, refused period (sv)');
    } finally {
      await close();
    }
  });

  test('no page scrolls sideways at 320 px, in either language; an analyst is offered nothing they may not do', { timeout: LIMIT }, async () => {
    const year = new Date(Date.now() - DAY).getUTCFullYear();
    const id = await fileReportDaysAgo(service, 1, {});
    const pages = {
      'ivy:security_manager': [
        '/arenden', '/', '/om', '/tillganglighet', '/rapportera/typ', '/rapportera/nar-och-var',
        '/mina-rapporter', `/arenden/${id}`, '/larm', '/atkomstlogg',
        '/statistik', '/lagesbild?stadsdel=central', `/arssammanstallning?ar=${year}`,
      ],
      'olga:analyst': ['/statistik', '/lagesbild?stadsdel=east'],
    };
    for (const [login, paths] of Object.entries(pages)) {
      const { page, close } = await signedIn(service, login, paths[0], { viewport: { width: 320, height: 640 } });
      try {
        for (const lang of ['sv', 'en']) {
          for (const path of paths) {
            await page.goto(service.url(path));
            const sideways = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
            assert.equal(sideways, 0, `${path} (${lang}) scrolls ${sideways} px sideways at 320 px as ${login}`);
            assert.equal(await page.locator('link[rel="icon"]').count(), 1, `${path} names its icon`);
            // Chart labels keep a readable size on a phone (the wide chart's shrank to 6 px).
            const smallest = await page.$$eval('svg[role="img"] .chart-label', (labels) =>
              Math.min(...labels.filter((l) => l.getClientRects().length).map((l) => l.getBoundingClientRect().height)));
            assert.ok(smallest === Infinity || smallest >= 15, `${path}: chart labels ${smallest} px high`);
            if (lang === 'sv' && path === '/lagesbild?stadsdel=central') await screenshot(page, 'district-picture-320');
          }
          if (lang === 'sv') await toEnglish(page);
        }
        if (login === 'olga:analyst') {
          assert.equal(await page.locator('.site-header a[href="/rapportera"]').count(), 0, 'no report link for an analyst');
        }
      } finally {
        await close();
      }
    }
    const icon = await fetch(service.url('/static/icon.svg'));
    assert.equal(icon.headers.get('content-type'), 'image/svg+xml');
  });

  test('the yearly compilation passes axe in both languages and prints to A4', { timeout: LIMIT }, async () => {
    const year = new Date(Date.now() - DAY).getUTCFullYear();
    const path = '/arssammanstallning';
    const { page, close } = await signedIn(service, 'ivy:security_manager', path);
    try {
      await page.fill('#field-ar', String(year));
      await submit(page, 'form[action="/arssammanstallning"] button');
      assert.match(await page.textContent('h1'), new RegExp(`Årssammanställning ${year}`));
      assert.ok((await page.locator('svg[role="img"]').count()) >= 6);
      await checkAccessibility(page, 'yearly compilation (sv)');
      await screenshot(page, 'yearly-compilation-1280');

      await page.emulateMedia({ media: 'print' });
      assert.equal(await page.isVisible('.site-header'), false, 'no reporters\' tagline on the document');
      assert.match(await page.textContent('.document-header'), /Upplands Väsby kommun · Framtagen \d{4}-\d{2}-\d{2}/);
      const cut = await page.$$eval('.stat-table th, .stat-table td', (cells) => cells.filter((c) => c.scrollWidth > c.clientWidth + 1).length);
      assert.equal(cut, 0, 'no label cut off in print');
      assert.equal(await page.isVisible('form[action="/arssammanstallning"]'), false);
      await screenshot(page, 'yearly-compilation-print');
      await page.pdf({ path: join(SCREENSHOT_DIR, 'yearly-compilation.pdf'), format: 'A4', printBackground: true });
      await page.emulateMedia({ media: 'screen' });

      await toEnglish(page);
      assert.match(await page.textContent('h1'), new RegExp(`Yearly compilation ${year}`));
      await checkAccessibility(page, 'yearly compilation (en)');
    } finally {
      await close();
    }
  });
});
