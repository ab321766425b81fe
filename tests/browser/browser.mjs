// Shared helpers for Trygg's browser tests: Debian's Chromium driven by playwright-core,
// accessibility checks with axe-core, and screenshots under target/screenshots/.
//
// Chromium comes from Debian (`apt-get install chromium`), not from Playwright's download;
// set CHROMIUM_PATH to use another binary.

import { mkdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { chromium } from 'playwright-core';
import { AxeBuilder } from '@axe-core/playwright';

export const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const SCREENSHOT_DIR = join(REPO_ROOT, 'target', 'screenshots');

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH || '/usr/bin/chromium';

// The machine has no network beyond package registries; Chromium's background services
// would hang trying to reach theirs.
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export const WCAG_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];

const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]']);

function isLocal(url) {
  let parsed;
  try {
    parsed = new URL(url);
  } catch {
    return true;
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') return true;
  return LOOPBACK_HOSTS.has(parsed.hostname) || parsed.hostname.startsWith('127.');
}

/**
 * Launch Chromium with one context and one page.
 *
 * Requests to anything but loopback addresses are aborted at once (e.g. the web font that
 * oidc-provider's built-in login page imports), so pages never wait on the closed network.
 *
 * @param {object} [options]
 * @param {boolean} [options.javaScriptEnabled=true]
 * @param {{width: number, height: number}} [options.viewport] default 1280x800
 * @param {object} [options.contextOptions] extra Playwright BrowserContext options
 * @returns {Promise<{ browser: import('playwright-core').Browser,
 *   context: import('playwright-core').BrowserContext, page: import('playwright-core').Page,
 *   blockedRequests: string[], close: () => Promise<void> }>}
 */
export async function launchBrowser({
  javaScriptEnabled = true,
  viewport = { width: 1280, height: 800 },
  contextOptions = {},
} = {}) {
  const browser = await chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: CHROMIUM_ARGS,
  });
  try {
    const context = await browser.newContext({
      javaScriptEnabled,
      viewport,
      locale: 'sv-SE',
      ...contextOptions,
    });
    const blockedRequests = [];
    await context.route((url) => !isLocal(url.href), (route) => {
      blockedRequests.push(route.request().url());
      return route.abort('internetdisconnected');
    });
    context.setDefaultTimeout(15_000);
    context.setDefaultNavigationTimeout(20_000);
    const page = await context.newPage();
    return {
      browser,
      context,
      page,
      blockedRequests,
      async close() {
        await browser.close();
      },
    };
  } catch (err) {
    await browser.close();
    throw err;
  }
}

function formatViolations(label, violations) {
  const lines = [`${label}: ${violations.length} accessibility violation(s) (${WCAG_TAGS.join(', ')})`];
  for (const v of violations) {
    lines.push(`- [${v.impact ?? 'unknown'}] ${v.id}: ${v.help}`);
    lines.push(`  ${v.helpUrl}`);
    for (const node of v.nodes) {
      const target = node.target.map((t) => (Array.isArray(t) ? t.join(' >>> ') : t)).join(' ');
      lines.push(`    at ${target}`);
      if (node.failureSummary) {
        lines.push(...node.failureSummary.split('\n').map((l) => `      ${l}`));
      }
    }
  }
  return lines.join('\n');
}

/**
 * Run axe-core (WCAG 2.0/2.1 A and AA rules) on the current page; throw an Error listing
 * every violation (rule id, impact, help text, target nodes) if any is found.
 *
 * @param {import('playwright-core').Page} page
 * @param {string} label  names the page in the failure message
 * @param {{ exclude?: string[], disableRules?: string[] }} [options]
 * @returns {Promise<import('axe-core').AxeResults>}
 */
export async function checkAccessibility(page, label, { exclude = [], disableRules = [] } = {}) {
  let builder = new AxeBuilder({ page }).withTags(WCAG_TAGS);
  for (const selector of exclude) builder = builder.exclude(selector);
  if (disableRules.length) builder = builder.disableRules(disableRules);
  const results = await builder.analyze();
  if (results.violations.length) {
    throw new Error(formatViolations(label ?? page.url(), results.violations));
  }
  return results;
}

/**
 * Save a PNG (the full page unless told otherwise) to target/screenshots/<name>.png (relative to the repo root).
 *
 * @param {import('playwright-core').Page} page
 * @param {string} name  file name without extension; path separators are replaced
 * @param {{ fullPage?: boolean }} [options] false for what the window shows only
 * @returns {Promise<string>} the absolute path written
 */
export async function screenshot(page, name, { fullPage = true } = {}) {
  const safe = String(name).replace(/[^A-Za-z0-9._-]+/g, '-');
  await mkdir(SCREENSHOT_DIR, { recursive: true });
  const path = join(SCREENSHOT_DIR, `${safe}.png`);
  await page.screenshot({ path, fullPage });
  return path;
}

/** Signs in at the provider's login page as `login`, until the browser is at `arrived`. */
export async function signInAtProvider(page, login, arrived) {
  await page.waitForSelector('input[name="login"]');
  await page.fill('input[name="login"]', login);
  await page.fill('input[name="password"]', 'any');
  await Promise.all([page.waitForURL(arrived), page.keyboard.press('Enter')]);
}

/**
 * Opens `path` of `service` in a new browser (with {@link launchBrowser}'s `options`), signing
 * in at the provider as `login` on the way.
 *
 * @returns the session, as {@link launchBrowser} gives it, on the page asked for
 */
export async function signedIn(service, login, path, options = {}) {
  const session = await launchBrowser(options);
  await session.page.goto(service.url(path));
  const pathname = new URL(service.url(path)).pathname;
  await signInAtProvider(session.page, login, (url) => url.pathname === pathname);
  return session;
}

/** Sends the form holding `button` and waits for the page it leads to. */
export async function submit(page, button) {
  await Promise.all([page.waitForNavigation(), page.click(button)]);
}

/** Follows the language link to the page in English, and waits for it. */
export async function toEnglish(page) {
  await page.click('a[hreflang="en"]');
  await page.waitForSelector('html[lang="en"]');
}
