// Where the Chromium used by Playwright lives: CHROMIUM_PATH wins, then Debian's, then Playwright's own.
import { existsSync } from 'node:fs';

export const BROWSER_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** The browser binary to launch, or undefined to let Playwright use its own download. */
export function chromiumPath(): string | undefined {
  const fromEnv = process.env.CHROMIUM_PATH;
  if (fromEnv) return fromEnv;
  return existsSync('/usr/bin/chromium') ? '/usr/bin/chromium' : undefined;
}
