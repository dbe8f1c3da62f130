import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import { listeningPort, playgroundLaunch, writePlaygroundConfig } from '../../scripts/playground-config.js';
import { projectPath } from '../../src/project-root.js';
import { tenant } from './activities.js';
import { tempFolder } from './temp-folders.js';

/** Debian's Chromium, which the end-to-end tests drive (Playwright cannot download browsers here). */
export const CHROMIUM = '/usr/bin/chromium';

/** Launch flags that keep a headless Chromium quiet and off the network on this machine. */
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

/** Where failure screenshots (and screenshots kept for people to look at) go. */
export const RESULTS_DIR = projectPath('test-results');

/**
 * Why the end-to-end tests cannot run, or undefined when they can. Each test fails with this
 * rather than the suite being skipped: a missing browser must not look green.
 */
export const chromiumMissing = existsSync(CHROMIUM)
  ? undefined
  : `${CHROMIUM} is missing: this end-to-end test drives Debian's Chromium. ` +
    'Install it with `apt-get update && apt-get install -y chromium` (Playwright cannot download browsers here).';

/** A running Agents Playground: its web client's address and how to stop it. */
export interface Playground {
  url: string;
  stop(): void;
}

/**
 * Starts the Agents Playground against `endpoint` with the committed demo tenant config (or the
 * one at `configPath`), on a port it picks itself, and resolves once its web client answers.
 */
export async function startPlayground(endpoint: string, configPath?: string): Promise<Playground> {
  const logFile = join(tempFolder('sign-in-help-playground-'), 'playground.log');
  const launch = playgroundLaunch({ endpoint, port: 0, logFile, ...(configPath ? { configPath } : {}) });
  const child = spawn(launch.command, launch.args, {
    env: { ...process.env, ...launch.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const stop = () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  };
  try {
    const port = await reportedPort(child, logFile);
    const url = `http://localhost:${port}`;
    await waitUntilAnswers(url);
    return { url, stop };
  } catch (error) {
    stop();
    throw error;
  }
}

/** A Playground config that puts the demo user `alias` (the part of their UPN before the @) in the chair. */
export function playgroundConfigFor(alias: string): string {
  const path = join(tempFolder('sign-in-help-playground-config-'), `${alias}.yml`);
  writePlaygroundConfig(path, demoUser(alias).id);
  return path;
}

/** The demo user whose UPN starts with `alias@`. */
export function demoUser(alias: string) {
  const user = tenant.users.find((candidate) => candidate.userPrincipalName.startsWith(`${alias}@`));
  if (!user) throw new Error(`no demo user ${alias}`);
  return user;
}

/** The port from the Playground's "Listening on N" line; fails early if it exits first. */
function reportedPort(child: ChildProcess, logFile: string): Promise<number> {
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('the Playground did not report its port within 30 s')), 30_000);
    createInterface({ input: child.stdout! }).on('line', (line) => {
      const port = listeningPort(line);
      if (port === undefined) return;
      clearTimeout(timer);
      resolve(port);
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the Playground exited with code ${code} before listening. See ${logFile}.\n${stderr}`));
    });
  });
}

async function waitUntilAnswers(url: string): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    const ok = await fetch(url).then(
      (response) => response.ok,
      () => false,
    );
    if (ok) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`the Playground at ${url} did not answer within 30 s`);
}

/**
 * A fresh browser context for one person's client, whose traffic may only go to loopback (the
 * client asks Microsoft's CDN for fonts; refusing is harmless).
 */
export async function newClientContext(browser: Browser, stepTimeoutMs: number): Promise<BrowserContext> {
  const context = await browser.newContext({ viewport: { width: 1400, height: 1000 } });
  context.setDefaultTimeout(stepTimeoutMs);
  await context.route('**/*', (route) => {
    const { hostname } = new URL(route.request().url());
    return ['localhost', '127.0.0.1', '[::1]'].includes(hostname) ? route.continue() : route.abort();
  });
  return context;
}

/** Types into the Playground's message box (a rich-text editor, role textbox) and sends. */
export async function sendMessage(page: Page, text: string): Promise<void> {
  const box = page.getByRole('textbox');
  await box.click();
  await page.keyboard.type(text);
  await page.keyboard.press('Enter');
}

/**
 * Waits for `locator` to be visible (for `timeoutMs`, else the context's step timeout); a timeout
 * names the step that did not happen.
 */
export async function see(what: string, locator: Locator, timeoutMs?: number): Promise<Locator> {
  try {
    await locator.waitFor({ state: 'visible', ...(timeoutMs === undefined ? {} : { timeout: timeoutMs }) });
  } catch (error) {
    throw new Error(`The Playground never showed ${what}.`, { cause: error });
  }
  return locator;
}

/** Screenshots `page` into test-results/ as `<name>.png`, never failing; returns the path. */
export async function screenshotInto(page: Page, name: string): Promise<string> {
  mkdirSync(RESULTS_DIR, { recursive: true });
  const path = join(RESULTS_DIR, `${name}.png`);
  await page.screenshot({ path, fullPage: true }).catch(() => {});
  return path;
}
