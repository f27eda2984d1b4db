import type { Kysely } from 'kysely';
import type { Dialect } from '../platform/db/index.ts';
import type { ShulinMigration } from '../platform/db/migrate.ts';

/** The embedded ILS: branches and calendar, patrons, loan policies, loans, holds, fines. */
export const ils: ShulinMigration = {
  name: '0003-ils',
  async up(db: Kysely<unknown>, dialect: Dialect) {
    const serial = dialect === 'postgres' ? 'bigserial' : 'integer';
    const float = dialect === 'postgres' ? 'double precision' : 'real';

    await db.schema
      .createTable('ils_branches')
      .addColumn('code', 'text', (c) => c.primaryKey())
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('name_en', 'text')
      .addColumn('address', 'text')
      .addColumn('latitude', float)
      .addColumn('longitude', float)
      // Booleans are 0/1 integers: better-sqlite3 cannot bind JavaScript booleans.
      .addColumn('pickup', 'integer', (c) => c.notNull().defaultTo(1))
      .addColumn('sort_order', 'integer', (c) => c.notNull().defaultTo(0))
      .execute();

    // A weekday without a row is a closed day.
    await db.schema
      .createTable('ils_opening_hours')
      .addColumn('branch', 'text', (c) =>
        c.notNull().references('ils_branches.code').onDelete('cascade'),
      )
      .addColumn('weekday', 'integer', (c) => c.notNull())
      .addColumn('opens', 'text', (c) => c.notNull())
      .addColumn('closes', 'text', (c) => c.notNull())
      .addPrimaryKeyConstraint('ils_opening_hours_pk', ['branch', 'weekday'])
      .execute();

    await db.schema
      .createTable('ils_calendar_exceptions')
      .addColumn('id', serial, (c) => c.primaryKey())
      // NULL: every branch.
      .addColumn('branch', 'text', (c) => c.references('ils_branches.code').onDelete('cascade'))
      .addColumn('date', 'text', (c) => c.notNull())
      .addColumn('closed', 'integer', (c) => c.notNull())
      .addColumn('opens', 'text')
      .addColumn('closes', 'text')
      .addColumn('note', 'text')
      .addColumn('note_en', 'text')
      .execute();
    await db.schema
      .createIndex('ils_calendar_exceptions_date')
      .on('ils_calendar_exceptions')
      .columns(['date', 'branch'])
      .execute();

    await db.schema
      .createTable('ils_patrons')
      .addColumn('id', serial, (c) => c.primaryKey())
      .addColumn('barcode', 'text', (c) => c.notNull().unique())
      .addColumn('name', 'text', (c) => c.notNull())
      .addColumn('patron_type', 'text', (c) => c.notNull())
      // argon2id; the PIN itself is never stored.
      .addColumn('pin_hash', 'text', (c) => c.notNull())
      .addColumn('email', 'text')
      .addColumn('expires_on', 'text')
      .addColumn('blocked', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('block_note', 'text')
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .execute();

    await db.schema
      .createTable('ils_loan_policies')
      .addColumn('id', serial, (c) => c.primaryKey())
      .addColumn('name', 'text')
      // NULL criteria match anything; the all-NULL row is the fallback.
      .addColumn('patron_type', 'text')
      .addColumn('item_type', 'text')
      .addColumn('branch', 'text')
      .addColumn('loanable', 'integer', (c) => c.notNull().defaultTo(1))
      .addColumn('loan_days', 'integer', (c) => c.notNull())
      // NULL: unlimited.
      .addColumn('renewals_allowed', 'integer')
      // NULL: the loan period again.
      .addColumn('renewal_days', 'integer')
      .addColumn('renew_from', 'text', (c) => c.notNull().defaultTo('due'))
      .addColumn('renew_window_days', 'integer')
      .addColumn('hard_due_date', 'text')
      .addColumn('holds_block_renewal', 'integer', (c) => c.notNull().defaultTo(1))
      .addColumn('overdues_block_renewal', 'integer', (c) => c.notNull().defaultTo(0))
      // Money in fen.
      .addColumn('fine_limit', 'integer')
      .addColumn('fine_per_day', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('fine_grace_days', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('fine_cap', 'integer')
      .addColumn('hold_shelf_days', 'integer', (c) => c.notNull().defaultTo(5))
      .addColumn('max_loans', 'integer')
      .addColumn('max_holds', 'integer')
      .addColumn('holds_allowed', 'integer', (c) => c.notNull().defaultTo(1))
      .execute();

    await db.schema
      .createTable('ils_loans')
      .addColumn('id', serial, (c) => c.primaryKey())
      .addColumn('patron_id', 'bigint', (c) => c.notNull().references('ils_patrons.id'))
      .addColumn('item_barcode', 'text', (c) => c.notNull())
      .addColumn('control_number', 'text')
      .addColumn('branch', 'text', (c) => c.notNull())
      .addColumn('loaned_at', 'bigint', (c) => c.notNull())
      .addColumn('due_at', 'bigint', (c) => c.notNull())
      .addColumn('renewals', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('last_renewed_at', 'bigint')
      .addColumn('returned_at', 'bigint')
      // The item's barcode while the loan is open, NULL once returned: the unique index
      // makes a second open loan of one item impossible on both dialects.
      .addColumn('open_item', 'text', (c) => c.unique())
      // 'lost' or 'claimed-returned' when declared during the loan.
      .addColumn('item_state', 'text')
      .execute();
    await db.schema
      .createIndex('ils_loans_patron')
      .on('ils_loans')
      .columns(['patron_id', 'returned_at'])
      .execute();
    await db.schema.createIndex('ils_loans_item').on('ils_loans').column('item_barcode').execute();

    await db.schema
      .createTable('ils_holds')
      .addColumn('id', serial, (c) => c.primaryKey())
      .addColumn('patron_id', 'bigint', (c) => c.notNull().references('ils_patrons.id'))
      .addColumn('control_number', 'text', (c) => c.notNull())
      // A specific copy, or the copy trapped for this hold.
      .addColumn('item_barcode', 'text')
      .addColumn('pickup_branch', 'text', (c) => c.notNull())
      .addColumn('status', 'text', (c) => c.notNull())
      .addColumn('placed_at', 'bigint', (c) => c.notNull())
      .addColumn('trapped_at', 'bigint')
      .addColumn('pickup_by', 'bigint')
      .addColumn('closed_at', 'bigint')
      // `patron:record` while the hold is open, NULL once closed: one open hold per
      // patron and record, whatever the timing.
      .addColumn('open_key', 'text', (c) => c.unique())
      .execute();
    await db.schema
      .createIndex('ils_holds_record')
      .on('ils_holds')
      .columns(['control_number', 'status'])
      .execute();
    await db.schema.createIndex('ils_holds_patron').on('ils_holds').column('patron_id').execute();
    await db.schema
      .createIndex('ils_holds_shelf')
      .on('ils_holds')
      .columns(['status', 'pickup_by'])
      .execute();

    await db.schema
      .createTable('ils_fines')
      .addColumn('id', serial, (c) => c.primaryKey())
      .addColumn('patron_id', 'bigint', (c) => c.notNull().references('ils_patrons.id'))
      .addColumn('loan_id', 'bigint', (c) => c.references('ils_loans.id'))
      .addColumn('type', 'text', (c) => c.notNull())
      .addColumn('amount', 'integer', (c) => c.notNull())
      .addColumn('description', 'text')
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('paid_at', 'bigint')
      .execute();
    await db.schema.createIndex('ils_fines_patron').on('ils_fines').column('patron_id').execute();
  },
  async down(db: Kysely<unknown>) {
    for (const table of [
      'ils_fines',
      'ils_holds',
      'ils_loans',
      'ils_loan_policies',
      'ils_patrons',
      'ils_calendar_exceptions',
      'ils_opening_hours',
      'ils_branches',
    ]) {
      await db.schema.dropTable(table).execute();
    }
  },
};
