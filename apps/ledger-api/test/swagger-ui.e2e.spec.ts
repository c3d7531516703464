import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { chromium } from 'playwright-core';
import { chromiumOrSkip } from './browser';
import { KEYS, startApp } from './support';
import { scaled } from '../../../test/support/timeouts';

/**
 * /docs in a real browser, over plain HTTP from an address that is not localhost's name, as an
 * integrator opens it: the page renders (its assets are not upgraded to https), the Authorize
 * button takes an API key, and "Try it out" on POST /v1/complaints with the example offered
 * records a complaint.
 */
const { browserPath, describeInBrowser } = chromiumOrSkip('/docs');
jest.setTimeout(scaled(60_000));

describeInBrowser('/docs in Chromium', () => {
  let app: NestFastifyApplication;
  let base: string;
  beforeAll(async () => {
    app = await startApp();
    await app.listen(0, '127.0.0.1');
    base = (await app.getUrl()).replace('[::1]', '127.0.0.1').replace('localhost', '127.0.0.1');
  });
  afterAll(async () => app.close());

  it('Authorize with an API key, then "Try it out" on POST /v1/complaints with the default example: 201', async () => {
    const browser = await chromium.launch({ executablePath: browserPath, args: ['--no-sandbox', '--disable-gpu'] });
    try {
      const page = await browser.newPage();
      await page.goto(`${base}/docs`);
      await page
        .getByRole('button', { name: /Authorize/ })
        .first()
        .click();
      await page.locator('.modal-ux input[type=text], .modal-ux input[type=password]').first().fill(KEYS.case_handler);
      await page.locator('.modal-ux button.authorize').first().click();
      await page.locator('.modal-ux button.btn-done, .modal-ux button.close-modal').first().click();
      const operation = page.locator('#operations-commands-ReceiveComplaint');
      await operation.locator('.opblock-summary').click();
      await operation.getByRole('button', { name: 'Try it out' }).click();
      const [response] = await Promise.all([
        page.waitForResponse((r) => r.url() === `${base}/v1/complaints` && r.request().method() === 'POST'),
        operation.getByRole('button', { name: 'Execute' }).click(),
      ]);
      expect(response.status()).toBe(201);
      expect(await response.json()).toEqual({ id: expect.any(String), revision: 0, position: expect.any(Number) });
    } finally {
      await browser.close();
    }
  });
});
