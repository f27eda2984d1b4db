import { existsSync } from 'node:fs';
import { Command } from 'commander';
import { ConfigError, loadConfig, type Config } from '../platform/config.ts';
import {
  importMarcCommand,
  importOaiCommand,
  searchCommand,
  type ImportOaiOptions,
} from './catalog.ts';
import { migrateCommand } from './migrate.ts';
import { ilsCheckCommand, type IlsCheckOptions } from './ils.ts';
import { serveCommand } from './serve.ts';
import { simulateCommand } from './simulate.ts';
import { wechatCommand } from './wechat.ts';

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

  const importer = program.command('import').description('import data into the catalogue');
  importer
    .command('marc')
    .description('import MARC records: ISO 2709 or MARCXML, MARC 21 or UNIMARC/CNMARC, gzip or not')
    .argument('<files...>', 'files to import')
    .option('--flavour <flavour>', 'marc21, unimarc or cnmarc (default: detected per record)')
    .option(
      '--charset <charset>',
      'utf-8, gbk, gb18030, marc-8 or latin-1 (default: declared, then sniffed)',
    )
    .option(
      '--item-fields <tags>',
      'fields holding items, e.g. 905,995 (default 852/949/952, 905/995)',
    )
    .option('--json', 'print the summary as JSON')
    .action(
      async (
        files: string[],
        options: { flavour?: string; charset?: string; itemFields?: string; json?: boolean },
      ) => {
        await importMarcCommand(configOrExit(), files, options);
      },
    );
  importer
    .command('oai')
    .description(
      'harvest MARC records over OAI-PMH (Koha, Evergreen, FOLIO), incrementally from the last harvest',
    )
    .argument(
      '<url>',
      "the repository's base URL, e.g. https://opac.example.edu/cgi-bin/koha/oai.pl",
    )
    .option(
      '--prefix <prefix>',
      'metadata format (default: marc21, marcxml or MARC21slim as offered)',
    )
    .option('--set <set>', 'harvest one set only')
    .option(
      '--from <date>',
      'YYYY-MM-DD or YYYY-MM-DDThh:mm:ssZ (default: where the last harvest ended)',
    )
    .option('--until <date>', 'YYYY-MM-DD or YYYY-MM-DDThh:mm:ssZ')
    .option('--full', 'harvest everything, ignoring where the last harvest ended')
    .option('--flavour <flavour>', 'marc21, unimarc or cnmarc (default: detected per record)')
    .option(
      '--item-fields <tags>',
      'fields holding items, e.g. 905,995 (default 852/949/952, 905/995)',
    )
    .option('--json', 'print the summary as JSON')
    .action(async (url: string, options: ImportOaiOptions) => {
      await importOaiCommand(configOrExit(), url, options);
    });

  program
    .command('search')
    .description('search the catalogue')
    .argument('<query>', 'words, "phrases", field:value (title, author, subject, isbn, call, clc)')
    .option('--limit <n>', 'hits per page (default 10)')
    .option('--page <n>', 'page (default 1)')
    .option('--json', 'print the result as JSON')
    .action(async (query: string, options: { json?: boolean; limit?: string; page?: string }) => {
      await searchCommand(configOrExit(), query, options);
    });

  const ils = program.command('ils').description("the library's ILS (ILS_CONNECTOR, SIP2_*)");
  ils
    .command('check')
    .description(
      "connect to the ILS and show, step by step, what works (login, status, a patron's account)",
    )
    .option('--patron <barcode>', "also authenticate this patron and fetch the patron's account")
    .option('--password <password>', "the patron's password (never printed)")
    .option('--json', 'print the report as JSON')
    .action(async (options: IlsCheckOptions) => {
      await ilsCheckCommand(configOrExit(), options);
    });

  program.addCommand(wechatCommand(configOrExit));
  program.addCommand(simulateCommand(configOrExit));

  await program.parseAsync(argv);
}
