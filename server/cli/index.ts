import { existsSync } from 'node:fs';
import { Command } from 'commander';
import { ConfigError, loadConfig, type Config } from '../platform/config.ts';
import { migrateCommand } from './migrate.ts';
import { serveCommand } from './serve.ts';

/** Loads `.env` from the working directory (without overriding the real environment). */
function loadDotEnv(): void {
  if (existsSync('.env')) process.loadEnvFile('.env');
}

/** Parses the configuration, or prints every problem and exits with status 2. */
export function configOrExit(): Config {
  try {
    return loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\nSee .env.example for every setting.\n`);
      process.exit(2);
    }
    throw error;
  }
}

export async function main(argv: string[]): Promise<void> {
  loadDotEnv();
  const program = new Command()
    .name('shulin')
    .description("Shulin (书林): a library's WeChat Official Account and mobile services")
    .showHelpAfterError();

  program
    .command('serve')
    .description('serve the whole product (WeChat callback, API, pages) on PORT')
    .option('--port <port>', 'override PORT')
    .action(async (options: { port?: string }) => {
      await serveCommand(configOrExit(), options);
    });

  program
    .command('migrate')
    .description('bring the database schema up to date (serve also does this at start-up)')
    .option('--json', 'print the result as JSON')
    .action(async (options: { json?: boolean }) => {
      await migrateCommand(configOrExit(), options);
    });

  await program.parseAsync(argv);
}
