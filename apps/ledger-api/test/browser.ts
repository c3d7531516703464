import { existsSync } from 'node:fs';

/**
 * Debian's Chromium for the tests of pages, where installed (`.ci/run` installs it). Without it
 * the suite is skipped, saying why, never counted as passing.
 */
export function chromiumOrSkip(suite: string): { browserPath: string | undefined; describeInBrowser: jest.Describe } {
  const browserPath = ['/usr/bin/chromium', '/usr/bin/chromium-browser'].find((path) => existsSync(path));
  if (!browserPath)
    console.warn(`[skipped] ${suite} in Chromium: /usr/bin/chromium is not installed (apt-get install chromium, as .ci/run does)`);
  return { browserPath, describeInBrowser: browserPath ? describe : describe.skip };
}
