import { spawn } from 'node:child_process';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../platform/config.ts';
import { startSimulatorServer, type SimulatorServer } from '../simulator/harness.test-util.ts';
import type { MessageRouter } from '../wechat/router.ts';
import {
  actionOf,
  callbackUrlOf,
  DEFAULT_CLI_OPENID,
  runSimulate,
  type CliIo,
} from './simulate.ts';

const ROOT = resolve(import.meta.dirname, '../..');

function handlers(router: MessageRouter): void {
  router
    .onMenuKey('HOURS', () => ({ type: 'text', content: '总馆今天 8:00–22:00 开馆' }))
    .onMenuKey('SCAN_RENEW', (m) => ({
      type: 'text',
      content: m.event === 'scancode_waitmsg' ? `renew ${m.scanCodeInfo.scanResult}` : '?',
    }))
    .onText('slow', async () => {
      await sleep(400);
      return { type: 'text', content: '稍后送达的回答' };
    })
    .onMessage('text', (m, context) => ({
      type: 'text',
      content: `echo:${m.content}:${context.mode}:${context.openid}`,
    }))
    .onEvent('subscribe', (m) => ({ type: 'text', content: `welcome ${m.scene ?? '-'}` }));
}

function capture(): CliIo & { stdout: () => string; stderr: () => string } {
  let out = '';
  let err = '';
  return {
    out: (text) => void (out += text),
    err: (text) => void (err += text),
    exit: () => {},
    stdout: () => out,
    stderr: () => err,
  };
}

describe('actionOf and callbackUrlOf', () => {
  it('reads each kind from the command line', () => {
    expect(actionOf('text', ['红楼梦', '第一回'])).toEqual({
      kind: 'text',
      content: '红楼梦 第一回',
    });
    expect(actionOf('scan', ['9787500007913'])).toEqual({
      kind: 'scan',
      key: 'SCAN_SEARCH',
      code: '9787500007913',
    });
    expect(actionOf('click', ['开馆时间'])).toEqual({ kind: 'click', key: 'HOURS' });
    expect(actionOf('click', ['My loans'])).toEqual({ kind: 'click', key: 'MY_LOANS' });
    expect(actionOf('location', ['30.2741', '120.1251', '书林路'])).toEqual({
      kind: 'location',
      latitude: 30.2741,
      longitude: 120.1251,
      label: '书林路',
    });
    expect(actionOf('follow', [], { scene: 'bind_desk_1' })).toEqual({
      kind: 'follow',
      scene: 'bind_desk_1',
    });
    expect(() => actionOf('text', [])).toThrow(/needs the text/);
    expect(() => actionOf('location', ['north', '1'])).toThrow(/LAT LNG/);
    expect(() => actionOf('shake', [])).toThrow(/unknown kind "shake"/);
  });

  it('takes a server or its callback URL', () => {
    expect(callbackUrlOf('http://127.0.0.1:3000').toString()).toBe('http://127.0.0.1:3000/wechat');
    expect(callbackUrlOf('https://lib.example.edu.cn/shulin/wechat').pathname).toBe(
      '/shulin/wechat',
    );
    expect(() => callbackUrlOf('localhost:3000')).toThrow(/not an http\(s\) URL|not a URL/);
  });
});

describe('shulin simulate', () => {
  let server: SimulatorServer;
  const demo = loadConfig({ LOG_LEVEL: 'silent' });

  beforeAll(async () => {
    server = await startSimulatorServer({
      env: { WECHAT_REPLY_BUDGET_MS: '100' },
      overrides: { configureRouter: handlers },
    });
  });
  afterAll(async () => {
    await server?.close();
  });

  it('presses a menu button and prints the reply', async () => {
    const io = capture();
    expect(await runSimulate(demo, 'click', ['HOURS'], { url: server.url }, io)).toBe(0);
    expect(io.stderr()).toBe('');
    expect(io.stdout()).toMatch(
      new RegExp(
        `^→ sending click as ${DEFAULT_CLI_OPENID} \\(plaintext\\) → ${server.url}/wechat\n`,
      ),
    );
    expect(io.stdout()).toMatch(
      /← passive reply \(text, \d+ ms\):\n {2}总馆今天 8:00–22:00 开馆\n$/,
    );
  });

  it('sends an encrypted text as another reader and prints JSON', async () => {
    const io = capture();
    const code = await runSimulate(
      demo,
      'text',
      ['红楼梦'],
      { url: `${server.url}/wechat`, safe: true, openid: 'oCliOther', json: true },
      io,
    );
    expect(code).toBe(0);
    expect(JSON.parse(io.stdout())).toMatchObject({
      url: `${server.url}/wechat`,
      openid: 'oCliOther',
      mode: 'safe',
      action: { kind: 'text', content: '红楼梦' },
      status: 200,
      reply: { type: 'text', content: 'echo:红楼梦:safe:oCliOther' },
    });
  });

  it('scans with a key and follows through a QR scene, labels in Chinese', async () => {
    const scan = capture();
    await runSimulate(
      demo,
      'scan',
      ['31001000123'],
      { url: server.url, key: 'SCAN_RENEW', lang: 'zh-CN' },
      scan,
    );
    expect(scan.stdout()).toMatch(/← 被动回复 \(text, \d+ ms\):\n {2}renew CODE_128,31001000123\n/);
    const follow = capture();
    await runSimulate(demo, 'follow', [], { url: server.url, scene: 'bind_desk_1' }, follow);
    expect(follow.stdout()).toContain('welcome bind_desk_1');
  });

  it('waits for the customer-service message of an answer that missed the budget', async () => {
    const io = capture();
    const code = await runSimulate(
      demo,
      'text',
      ['slow'],
      { url: server.url, wait: '3', openid: 'oCliSlow', json: true },
      io,
    );
    expect(code).toBe(0);
    expect(io.stderr()).toBe('');
    const result = JSON.parse(io.stdout()) as { reply: unknown; messages: unknown[] };
    expect(result.reply).toBeNull();
    expect(result.messages).toEqual([
      expect.objectContaining({
        source: 'custom',
        reply: { type: 'text', content: '稍后送达的回答' },
      }),
    ]);
  });

  it('fails with one clear line when the server is not there', async () => {
    const closed = createServer();
    await new Promise<void>((done) => closed.listen(0, '127.0.0.1', done));
    const { port } = closed.address() as AddressInfo;
    await new Promise((done) => closed.close(done));
    const io = capture();
    expect(
      await runSimulate(demo, 'click', ['HOURS'], { url: `http://127.0.0.1:${port}` }, io),
    ).toBe(1);
    expect(io.stderr()).toBe(
      `cannot reach http://127.0.0.1:${port}/wechat: ECONNREFUSED: is Shulin running there? (--url)\n`,
    );
  });

  it('fails with one clear line when the server refuses the signature', async () => {
    const other = loadConfig({
      WECHAT_APPID: 'wx134c8103faa5a59e',
      WECHAT_SECRET: 's',
      WECHAT_TOKEN: 'AnotherToken',
      LOG_LEVEL: 'silent',
    });
    const io = capture();
    expect(await runSimulate(other, 'text', ['hi'], { url: server.url }, io)).toBe(1);
    expect(io.stderr()).toMatch(
      /^http:\/\/127\.0\.0\.1:\d+\/wechat refused the push: HTTP 401 bad_signature: the server signs with another token \(WECHAT_TOKEN\)\n$/,
    );
  });

  it('refuses a misused command line with status 2', async () => {
    const io = capture();
    expect(await runSimulate(demo, 'location', ['1'], { url: server.url }, io)).toBe(2);
    expect(await runSimulate(demo, 'click', ['HOURS'], { url: 'nowhere' }, io)).toBe(2);
    expect(await runSimulate(demo, 'click', ['HOURS'], { url: server.url, wait: 'soon' }, io)).toBe(
      2,
    );
    expect(io.stderr().trim().split('\n')).toHaveLength(3);
    expect(io.stdout()).toBe('');
  });

  it('runs as a command in a process of its own', async () => {
    // The command as `cli/index.ts` registers it, in a child process with a clean environment.
    const script = [
      "const { simulateCommand } = await import('./server/cli/simulate.ts');",
      "const { loadConfig } = await import('./server/platform/config.ts');",
      "await simulateCommand(() => loadConfig()).parseAsync(process.argv.slice(1), { from: 'user' });",
    ].join('\n');
    const child = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        '--input-type=module',
        '-e',
        script,
        '--',
        'click',
        '开馆时间',
        '--url',
        server.url,
        '--safe',
      ],
      { cwd: ROOT, env: { PATH: process.env.PATH, HOME: process.env.HOME, LOG_LEVEL: 'silent' } },
    );
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const code = await new Promise<number | null>((done) => child.on('close', done));
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(stdout).toMatch(/\(safe mode\)/);
    expect(stdout).toMatch(/← passive reply \(text, \d+ ms\):\n {2}总馆今天 8:00–22:00 开馆\n$/);
  });
});
