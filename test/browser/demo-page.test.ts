/**
 * The demo page in a real browser (Debian chromium driven by playwright-core;
 * never a downloaded browser) against the assembled app: a customer chats
 * with the bot, asks for a human, an agent signs in on the desk view, claims
 * and answers, and the customer sees the agent's reply.
 */
import { existsSync } from 'node:fs';
import { deflateSync } from 'node:zlib';
import { chromium, type Browser, type Page } from 'playwright-core';
import { agentToken, startApp, type App } from '../e2e/app';

// Functions passed to waitForFunction run in the page; the test project has no DOM typings, hence `globalThis as any`.

jest.setTimeout(180_000);

/** A real PNG of one colour (so the page has a picture to decode and show). */
function solidPng(width: number, height: number, rgb: [number, number, number]): Buffer {
  const crcTable = Array.from({ length: 256 }, (_, n) => {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    return c >>> 0;
  });
  const crc = (buf: Buffer) => {
    let c = 0xffffffff;
    for (const b of buf) c = crcTable[(c ^ b) & 0xff]! ^ (c >>> 8);
    return (c ^ 0xffffffff) >>> 0;
  };
  const chunk = (type: string, data: Buffer) => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(data.length);
    const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
    const sum = Buffer.alloc(4);
    sum.writeUInt32BE(crc(body));
    return Buffer.concat([len, body, sum]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr.set([8, 2, 0, 0, 0], 8);
  const row = Buffer.concat([Buffer.from([0]), Buffer.concat(Array.from({ length: width }, () => Buffer.from(rgb)))]);
  const raw = Buffer.concat(Array.from({ length: height }, () => row));
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', ihdr), chunk('IDAT', deflateSync(raw)), chunk('IEND', Buffer.alloc(0))]);
}

const CHROMIUM = '/usr/bin/chromium';
const haveChromium = existsSync(CHROMIUM);
if (!haveChromium) {
  console.warn(`SKIPPED: the browser test needs Debian chromium at ${CHROMIUM} (apt-get install chromium); it never downloads a browser.`);
}

(haveChromium ? describe : describe.skip)('demo page in chromium', () => {
  let app: App;
  let browser: Browser;
  beforeAll(async () => {
    app = await startApp();
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
    });
  });
  afterAll(async () => {
    await browser?.close();
    await app?.stop();
  });

  /** Every Content-Security-Policy violation any page reported, from the console and from the DOM event. */
  const cspViolations: string[] = [];

  async function newPage(hash = ''): Promise<Page> {
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(String(e)));
    page.on('console', (m) => {
      if (/Content Security Policy/i.test(m.text())) cspViolations.push(m.text());
    });
    await page.exposeFunction('__reportCsp', (v: string) => cspViolations.push(v));
    await page.addInitScript(() => {
      (globalThis as any).document.addEventListener('securitypolicyviolation', (e: any) => (globalThis as any).__reportCsp(`${e.violatedDirective} ${e.blockedURI}`));
    });
    const response = await page.goto(`${app.baseUrl}/${hash}`);
    // The page is served under the gateway's policy; the checks below prove the page works within it.
    expect(response?.headers()['content-security-policy']).toContain("default-src 'self'");
    (page as unknown as { errors: string[] }).errors = errors;
    return page;
  }

  afterAll(() => {
    expect(cspViolations).toEqual([]);
  });

  it('customer chats with the bot, escalates, and an agent on the desk view answers', async () => {
    const customer = await newPage();
    await customer.click('#start-chat');
    await customer.waitForSelector('#message-input:not([disabled])');
    await customer.fill('#message-input', 'Where is my order 100000000002?');
    await customer.click('#send');
    const botReply = customer.locator('#messages li.bot .bubble').first();
    await botReply.waitFor({ timeout: 30_000 });
    expect(await botReply.textContent()).toMatch(/100000000002/);
    // The customer's own message is shown with its seq once acknowledged.
    await customer.locator('#messages li.customer[data-seq="1"]').waitFor({ timeout: 10_000 });
    expect(await customer.locator('#messages li.pending').count()).toBe(0);

    await customer.fill('#message-input', 'I want to talk to a human');
    await customer.click('#send');
    await customer.waitForFunction(() => (globalThis as any).document.getElementById('status')?.dataset.phase === 'queued', undefined, { timeout: 30_000 });
    await customer.waitForFunction(() => /position \d+/.test((globalThis as any).document.getElementById('status')?.textContent ?? ''), undefined, {
      timeout: 30_000,
    });

    const desk = await newPage('#agent');
    await desk.fill('#agent-token', agentToken(0));
    await desk.click('#agent-signin');
    await desk.waitForFunction(() => /Signed in as Agent 0/.test((globalThis as any).document.getElementById('agent-name')?.textContent ?? ''));
    const item = desk.locator('#queue li', { hasText: 'I want to talk to a human' });
    await item.waitFor({ timeout: 30_000 });
    await item.locator('button.claim').click();
    await desk.waitForSelector('#agent-input:not([disabled])', { timeout: 30_000 });
    expect(await desk.locator('#agent-messages li.customer').count()).toBeGreaterThan(0);

    await customer.waitForFunction(() => (globalThis as any).document.getElementById('status')?.dataset.phase === 'human', undefined, { timeout: 30_000 });
    expect(await customer.locator('#status').textContent()).toMatch(/Agent 0/);

    await desk.fill('#agent-input', 'Hi, Agent 0 here. Let me check that for you.');
    await desk.click('#agent-send');
    const agentLine = customer.locator('#messages li.agent .bubble', { hasText: 'Agent 0 here' });
    await agentLine.waitFor({ timeout: 30_000 });

    await customer.fill('#message-input', 'Thanks!');
    await customer.click('#send');
    await desk.locator('#agent-messages li.customer .bubble', { hasText: 'Thanks!' }).waitFor({ timeout: 30_000 });

    await desk.click('#release-ai');
    await customer.waitForFunction(() => (globalThis as any).document.getElementById('status')?.dataset.phase === 'ai', undefined, { timeout: 30_000 });

    // Text from the server is rendered as text, never as markup.
    expect(await customer.locator('#messages script, #messages img').count()).toBe(0);
    expect((customer as unknown as { errors: string[] }).errors).toEqual([]);
    expect((desk as unknown as { errors: string[] }).errors).toEqual([]);
    // Both views ran chat, desk, sockets and API calls under the CSP without one violation.
    expect(cspViolations).toEqual([]);
  });

  it('customer sends a photo: it shows in both transcripts, the assistant asks about it, a non-image is refused', async () => {
    const customer = await newPage();
    await customer.click('#start-chat');
    await customer.waitForSelector('#message-input:not([disabled])');
    await customer.setInputFiles('#photo-input', { name: 'broken.png', mimeType: 'image/png', buffer: solidPng(48, 32, [200, 40, 40]) });
    const photo = customer.locator('#messages li.customer img.photo');
    await photo.waitFor({ timeout: 30_000 });
    await customer.waitForFunction(() => {
      const img = (globalThis as any).document.querySelector('#messages li.customer img.photo');
      return img && img.complete && img.naturalWidth === 48;
    }, undefined, { timeout: 30_000 });
    const ask = customer.locator('#messages li.bot .bubble', { hasText: 'Thanks for the photo' });
    await ask.waitFor({ timeout: 30_000 });

    // A text file dressed up as a PNG is refused with a clear message and sends nothing.
    const before = await customer.locator('#messages li[data-seq]').count();
    await customer.setInputFiles('#photo-input', { name: 'fake.png', mimeType: 'image/png', buffer: Buffer.from('definitely not a picture') });
    await customer.locator('#messages li.error-line', { hasText: 'not a JPEG, PNG, WebP or GIF image' }).waitFor({ timeout: 30_000 });
    expect(await customer.locator('#messages li[data-seq]').count()).toBe(before);

    await customer.fill('#message-input', 'I want to talk to a human');
    await customer.click('#send');
    await customer.waitForFunction(() => (globalThis as any).document.getElementById('status')?.dataset.phase === 'queued', undefined, { timeout: 30_000 });
    const desk = await newPage('#agent');
    await desk.fill('#agent-token', agentToken(0));
    await desk.click('#agent-signin');
    const item = desk.locator('#queue li', { hasText: 'I want to talk to a human' });
    await item.waitFor({ timeout: 30_000 });
    await item.locator('button.claim').click();
    await desk.waitForFunction(() => {
      const img = (globalThis as any).document.querySelector('#agent-messages li.customer img.photo');
      return img && img.complete && img.naturalWidth === 48;
    }, undefined, { timeout: 30_000 });
    expect((customer as unknown as { errors: string[] }).errors).toEqual([]);
    expect((desk as unknown as { errors: string[] }).errors).toEqual([]);
  });

  it('renders customer text as text, not HTML', async () => {
    const page = await newPage();
    await page.click('#start-chat');
    await page.waitForSelector('#message-input:not([disabled])');
    await page.fill('#message-input', '<img src=x onerror="window.__pwned=1"> hello');
    await page.click('#send');
    await page.locator('#messages li.customer[data-seq="1"]').waitFor({ timeout: 30_000 });
    expect(await page.locator('#messages img').count()).toBe(0);
    expect(await page.evaluate(() => (globalThis as any).__pwned)).toBeUndefined();
    expect(await page.locator('#messages li.customer .bubble').first().textContent()).toContain('<img');
  });
});
