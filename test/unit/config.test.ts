import { ConfigError, describeConfig, loadConfig } from '../../src/config';

describe('config', () => {
  it('has safe defaults for an empty environment', () => {
    const config = loadConfig({});
    expect(config.PORT).toBe(3000);
    expect(config.TEMPORAL_ADDRESS).toBeUndefined();
    expect(config.TASK_QUEUE).toBe('switchboard-conversations');
    expect(config.ALLOWED_ORIGINS).toEqual([]);
  });

  it('names every bad variable at once and hides secrets', () => {
    let error: unknown;
    try {
      loadConfig({ PORT: 'abc', OPENAI_BASE_URL: 'not a url', MAX_AI_TURNS: '-1' });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const problems = (error as ConfigError).problems.join('\n');
    expect(problems).toMatch(/PORT/);
    expect(problems).toMatch(/OPENAI_BASE_URL/);
    expect(problems).toMatch(/MAX_AI_TURNS/);
  });

  it('requires BUS_SECRET with REDIS_URL, and a long one', () => {
    expect(() => loadConfig({ REDIS_URL: 'redis://127.0.0.1:6379' })).toThrow(/BUS_SECRET: required when REDIS_URL is set/);
    expect(() => loadConfig({ REDIS_URL: 'redis://127.0.0.1:6379', BUS_SECRET: 'short' })).toThrow(/BUS_SECRET: must be at least 32/);
    const ok = loadConfig({ REDIS_URL: 'redis://127.0.0.1:6379', BUS_SECRET: 'x'.repeat(32), BUS_SECRET_PREVIOUS: 'a, b' });
    expect(ok.BUS_SECRET_PREVIOUS).toEqual(['a', 'b']);
  });

  it('describes itself without secrets', () => {
    const text = JSON.stringify(describeConfig(loadConfig({ OPENAI_API_KEY: 'sk-secret', INTEGRATION_KEY: 'k123' })));
    expect(text).not.toMatch(/sk-secret|k123/);
  });
});

describe('ports fetch and browsers refuse', () => {
  it('refuses them for the gateway, the sample backend and the tool and LLM URLs, naming the variable', () => {
    const problems = (env: Record<string, string>) => {
      try {
        loadConfig(env);
        return [];
      } catch (error) {
        return (error as ConfigError).problems;
      }
    };
    // 4190 (sieve) and 6000 (X11) are on the Fetch standard's bad-port list: fetch fails with "bad port".
    expect(problems({ COMMERCE_PORT: '4190' })).toEqual([expect.stringMatching(/^COMMERCE_PORT: .*refuse to connect to/)]);
    expect(problems({ PORT: '6000' })).toEqual([expect.stringMatching(/^PORT: .*refuse to connect to/)]);
    expect(problems({ TOOLS_BASE_URL: 'http://127.0.0.1:4190' })).toEqual([expect.stringMatching(/^TOOLS_BASE_URL: its port is one that fetch/)]);
    expect(problems({ OPENAI_BASE_URL: 'http://llm.local:6667/v1' })).toEqual([expect.stringMatching(/^OPENAI_BASE_URL: its port/)]);
    expect(problems({ COMMERCE_PORT: '4111', TOOLS_BASE_URL: 'http://tools.internal:8080', PORT: '3000' })).toEqual([]);
  });
});
