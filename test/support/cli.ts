/**
 * The `shulin` command as users run it: `node bin/shulin.js …` in a child process, in a
 * folder of the test's choosing (no .env, no ./data of the checkout), with nothing of the
 * developer's shell (DATABASE_URL, WECHAT_*…) but PATH and HOME.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';

const BIN = resolve(import.meta.dirname, '../../bin/shulin.js');

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

/**
 * Starts `shulin args…` in `cwd` with `env` on top of PATH, HOME and LOG_LEVEL=silent.
 *
 * @example
 * const { done } = startShulin(['migrate', '--json'], dir, { DATABASE_URL: 'sqlite:x.db' });
 * expect((await done).code).toBe(0);
 */
export function startShulin(
  args: string[],
  cwd: string,
  env: Record<string, string> = {},
): { child: ChildProcess; done: Promise<CliResult>; stdout: () => string } {
  const child = spawn(process.execPath, [BIN, ...args], {
    cwd,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, LOG_LEVEL: 'silent', ...env },
    stdio: 'pipe',
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const done = new Promise<CliResult>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
  return { child, done, stdout: () => stdout };
}

/** `shulin args…` run to its end (see `startShulin`). */
export function runShulin(
  args: string[],
  cwd: string,
  env: Record<string, string> = {},
): Promise<CliResult> {
  return startShulin(args, cwd, env).done;
}
