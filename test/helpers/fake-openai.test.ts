import OpenAI from 'openai';
import { lastUserText, schemaNameOf, startFakeOpenAi, type FakeOpenAi } from './fake-openai';

// The shared fake is used by workflow, gateway and LLM tests: its own behaviour is pinned here.
describe('fake OpenAI server', () => {
  let fake: FakeOpenAi;
  let client: OpenAI;
  beforeEach(async () => {
    fake = await startFakeOpenAi();
    client = new OpenAI({ apiKey: 'k', baseURL: fake.url, maxRetries: 0, timeout: 500 });
  });
  afterEach(async () => {
    await fake.close();
  });

  const ask = (text: string) =>
    client.chat.completions.create({ model: 'm', messages: [{ role: 'user', content: text }] });

  it('answers scripted replies in order and records the requests', async () => {
    fake.enqueue({ content: 'one' }, (req) => ({ content: `echo ${lastUserText(req)}` }));
    expect((await ask('a')).choices[0].message.content).toBe('one');
    expect((await ask('b')).choices[0].message.content).toBe('echo b');
    expect(fake.requests.map(lastUserText)).toEqual(['a', 'b']);
    expect(fake.pending).toBe(0);
  });

  it('fails loudly when nothing is scripted, unless a default is set', async () => {
    await expect(ask('x')).rejects.toMatchObject({ status: 500 });
    fake.setDefault({ json: { ok: true } });
    expect(JSON.parse((await ask('y')).choices[0].message.content!)).toEqual({ ok: true });
  });

  it('scripted errors, delays and hangs', async () => {
    fake.enqueue({ status: 503, error: 'down' }, { content: 'late', delayMs: 150 }, { hang: true });
    await expect(ask('1')).rejects.toMatchObject({ status: 503 });
    const started = Date.now();
    expect((await ask('2')).choices[0].message.content).toBe('late');
    expect(Date.now() - started).toBeGreaterThanOrEqual(140);
    const hungAt = Date.now();
    const hung = ask('3');
    await fake.waitForRequests(3);
    expect(fake.inFlight).toBe(1);
    // Under jest the client reports its own timeout as a connection error (the
    // abort crosses jest's VM realm), so only the timing is checked.
    await expect(hung).rejects.toBeInstanceOf(OpenAI.APIConnectionError);
    expect(Date.now() - hungAt).toBeGreaterThanOrEqual(450);
  });

  it('serves /chat/completions without the /v1 prefix and names the json_schema', async () => {
    const bare = new OpenAI({ apiKey: 'k', baseURL: fake.url.replace(/\/v1$/, ''), maxRetries: 0 });
    fake.enqueue({ json: { intent: 'greeting' } });
    await bare.chat.completions.create({
      model: 'm',
      messages: [{ role: 'user', content: 'hi' }],
      response_format: { type: 'json_schema', json_schema: { name: 'intent_classification', schema: {} } },
    });
    expect(fake.requests[0].path).toBe('/chat/completions');
    expect(schemaNameOf(fake.requests[0])).toBe('intent_classification');
  });

  it('waitForRequests times out with a clear message', async () => {
    await expect(fake.waitForRequests(1, 50)).rejects.toThrow(/0 of 1 requests/);
  });
});
