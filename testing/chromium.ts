/**
 * Debian's Chromium, headless, driven by playwright-core, for tests that look at the servers'
 * pages as a person's browser does. No browser is downloaded: the test set-up installs the Debian
 * package (scripts/ensure-debian-packages.mjs). The flags keep it from reaching for the network
 * (this machine has none but loopback) and let it run as root in CI.
 * Screenshots go to test-artifacts/screenshots/ at the repository root (ignored by git), one per
 * page, so a reviewer can look at what the test saw.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';

const root = fileURLToPath(new URL('..', import.meta.url));
export const SCREENSHOT_DIR = join(root, 'test-artifacts', 'screenshots');

export async function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.TNO_CHROMIUM ?? '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage'],
  });
}

/** Saves a full-page screenshot as test-artifacts/screenshots/NAME.png and returns its path. */
export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  const path = join(SCREENSHOT_DIR, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
}
