/**
 * The `shulin` command as users run it: `node bin/shulin.js …` in a child
 * process, with nothing but the environment it is given.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runShulin, startShulin } from './support/cli.ts';
import { createTestDatabase, pgUrl } from './support/databases.ts';
import { migrations } from '../server/migrations/index.ts';
import { DEMO_WECHAT } from '../server/platform/config.ts';
import { signVerification } from '../server/wechat/signer.ts';

const dir = mkdtempSync(join(tmpdir(), 'shulin-cli-'));

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

const shulin = (args: string[], env: Record<string, string> = {}) => startShulin(args, dir, env);
const run = (args: string[], env: Record<string, string> = {}) => runShulin(args, dir, env);

describe.concurrent('the shulin command', () => {
  it('lists its commands on --help', async () => {
    const { code, stdout } = await run(['--help']);
    expect(code).toBe(0);
    expect(stdout).toMatch(/Usage: shulin/);
    expect(stdout).toMatch(/^\s+serve\b/m);
    expect(stdout).toMatch(/^\s+migrate\b/m);
  });

  it('migrates a SQLite file, printing JSON, and applies nothing the second time', async () => {
    const env = { DATABASE_URL: `sqlite:${join(dir, 'x.db')}` };
    const first = await run(['migrate', '--json'], env);
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    expect(JSON.parse(first.stdout)).toEqual({
      dialect: 'sqlite',
      applied: migrations.map((m) => m.name),
    });
    const second = await run(['migrate', '--json'], env);
    expect(second.code).toBe(0);
    expect(JSON.parse(second.stdout)).toEqual({ dialect: 'sqlite', applied: [] });
  });

  it.skipIf(!pgUrl)('migrates PostgreSQL the same way', async () => {
    const tdb = await createTestDatabase('postgres', { migrate: false });
    try {
      const url = new URL(pgUrl!);
      url.searchParams.set('options', `-c search_path=${tdb.searchPath}`);
      const env = { DATABASE_URL: url.toString() };
      const first = await run(['migrate', '--json'], env);
      expect(first.stderr).toBe('');
      expect(JSON.parse(first.stdout)).toEqual({
        dialect: 'postgres',
        applied: migrations.map((m) => m.name),
      });
      expect(JSON.parse((await run(['migrate', '--json'], env)).stdout)).toEqual({
        dialect: 'postgres',
        applied: [],
      });
    } finally {
      await tdb.cleanup();
    }
  });

  it('refuses an invalid environment with exit code 2, listing every problem', async () => {
    const { code, stdout, stderr } = await run(['migrate', '--json'], {
      PORT: 'abc',
      WECHAT_AES_KEY: 'short',
    });
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toMatch(/Invalid configuration/);
    expect(stderr).toMatch(/^\s+- PORT: /m);
    expect(stderr).toMatch(/^\s+- WECHAT_AES_KEY: .*43-character/m);
    expect(stderr).toMatch(/\.env\.example/);
  });

  it('serves on PORT=0, logs its URL, answers /healthz and WeChat, and exits cleanly on SIGTERM', async () => {
    const { child, done, stdout } = shulin(['serve'], {
      PORT: '0',
      HOST: '127.0.0.1',
      DATABASE_URL: `sqlite:${join(dir, 'serve.db')}`,
      LOG_LEVEL: 'info',
    });
    let exited = false;
    void done.then(() => (exited = true));
    try {
      // The "listening" log line carries the URL with the port the system chose.
      let url: string | undefined;
      const deadline = Date.now() + 15_000;
      while (!url) {
        if (exited) throw new Error(`serve exited early: ${JSON.stringify(await done)}`);
        if (Date.now() > deadline) throw new Error('serve did not log its URL in time');
        const line = stdout()
          .split('\n')
          .filter(Boolean)
          .map((l) => JSON.parse(l) as { msg?: string; url?: string })
          .find((l) => l.msg === 'Shulin is listening');
        url = line?.url;
        if (!url) await new Promise((r) => setTimeout(r, 25));
      }
      expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect(url).not.toMatch(/:0$/);

      let health: Response | undefined;
      while (health?.status !== 200) {
        if (Date.now() > deadline) throw new Error('serve did not become healthy in time');
        health = await fetch(`${url}/healthz`).catch(() => undefined);
        if (health?.status !== 200) await new Promise((r) => setTimeout(r, 25));
      }
      expect(await health.json()).toMatchObject({
        status: 'ok',
        checks: { db: { dialect: 'sqlite' } },
      });
      // Unconfigured, the demo account answers WeChat's URL verification.
      const verify = await fetch(
        `${url}/wechat?${signVerification(DEMO_WECHAT.token, 'cli-echo').toString()}`,
      );
      expect(await verify.text()).toBe('cli-echo');

      const stopping = Date.now();
      child.kill('SIGTERM');
      const result = await Promise.race([
        done,
        new Promise<never>((_, reject) =>
          setTimeout(() => reject(new Error('no exit within 10 s of SIGTERM')), 10_000),
        ),
      ]);
      expect(Date.now() - stopping).toBeLessThan(10_000);
      expect(result).toMatchObject({ code: 0, signal: null });
      expect(result.stderr).toBe('');
      expect(result.stdout).toMatch(/"msg":"shutting down"/);
      expect(
        await fetch(`${url}/healthz`).then(
          () => 'answered',
          () => 'refused',
        ),
      ).toBe('refused');
    } finally {
      if (!exited) child.kill('SIGKILL');
    }
  });
});
