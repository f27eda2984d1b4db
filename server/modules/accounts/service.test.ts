import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { IlsRefusal, IlsUnavailableError } from '../../ils/errors.ts';
import { accountCacheKey, type Reader } from './account.ts';
import { parseBindScene } from './bindings.ts';
import { PasswordSealer } from './crypto.ts';
import { AccountsError, BindRefusal } from './errors.ts';
import { startHarness, tiers, type Harness } from './harness.test-util.ts';
import { MemoryIlsConnector } from './testing.ts';

const ZHANG = { barcode: 'S2024001', password: 'zhang-pass' };
const LI = { barcode: 'T1002', password: 'li-pass' };

async function refusal(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected a refusal');
}

describe.each(tiers)('accounts services on $name', (tier) => {
  let h: Harness;

  beforeEach(async () => {
    h = await startHarness(tier);
  });
  afterEach(async () => {
    await h.close();
  });

  describe('binding lockout', () => {
    it('locks after the configured failures, refuses even the right password, and stops asking the ILS', async () => {
      const { bindings } = h.accounts;
      const wrong = { openid: 'oA', barcode: ZHANG.barcode, password: 'guess' };
      const first = await refusal(bindings.bind(wrong));
      expect(first).toBeInstanceOf(BindRefusal);
      expect(first).toMatchObject({ code: 'INVALID_CREDENTIALS', attemptsLeft: 2 });
      expect(await refusal(bindings.bind(wrong))).toMatchObject({ attemptsLeft: 1 });
      const third = await refusal(bindings.bind(wrong));
      expect(third).toBeInstanceOf(AccountsError);
      expect(third).toMatchObject({ code: 'BIND_LOCKED', params: { minutes: 15 } });
      expect(h.connector.calls.authenticate).toBe(3);

      const right = await refusal(bindings.bind({ openid: 'oA', ...ZHANG }));
      expect(right).toMatchObject({ code: 'BIND_LOCKED' });
      expect((right as AccountsError).params.minutes).toBeGreaterThanOrEqual(14);
      expect(h.connector.calls.authenticate).toBe(3);
      expect(await bindings.bindingFor('oA')).toBeNull();
    });

    it('counts per openid: guessing at several cards locks that reader out of every card', async () => {
      const { bindings } = h.accounts;
      for (const barcode of ['X1', 'X2', 'X3']) {
        await refusal(bindings.bind({ openid: 'oA', barcode, password: 'guess' }));
      }
      expect(await refusal(bindings.bind({ openid: 'oA', ...LI }))).toMatchObject({
        code: 'BIND_LOCKED',
      });
      // Another reader is not affected.
      await expect(bindings.bind({ openid: 'oB', ...LI })).resolves.toMatchObject({
        binding: { openid: 'oB', barcode: 'T1002' },
      });
    });

    it('counts per card: guesses from many openids lock the card, whatever the case of the barcode', async () => {
      const { bindings } = h.accounts;
      await refusal(bindings.bind({ openid: 'o1', barcode: 'S2024001', password: 'g' }));
      await refusal(bindings.bind({ openid: 'o2', barcode: 's2024001', password: 'g' }));
      await refusal(bindings.bind({ openid: 'o3', barcode: ' S2024001 ', password: 'g' }));
      const calls = h.connector.calls.authenticate;
      expect(await refusal(bindings.bind({ openid: 'o4', ...ZHANG }))).toMatchObject({
        code: 'BIND_LOCKED',
      });
      expect(h.connector.calls.authenticate).toBe(calls);
      await expect(bindings.bind({ openid: 'o4', ...LI })).resolves.toBeTruthy();
    });

    it('clears the count on success', async () => {
      const { bindings } = h.accounts;
      await refusal(bindings.bind({ openid: 'oA', barcode: ZHANG.barcode, password: 'g' }));
      await refusal(bindings.bind({ openid: 'oA', barcode: ZHANG.barcode, password: 'g' }));
      await bindings.bind({ openid: 'oA', ...ZHANG });
      expect(
        await refusal(bindings.bind({ openid: 'oA', barcode: ZHANG.barcode, password: 'g' })),
      ).toMatchObject({ code: 'INVALID_CREDENTIALS', attemptsLeft: 2 });
    });

    it('lets parallel guesses through no further than the limit', async () => {
      const { bindings } = h.accounts;
      const results = await Promise.allSettled(
        Array.from({ length: 8 }, (_, i) =>
          bindings.bind({ openid: `p${i}`, barcode: ZHANG.barcode, password: `g${i}` }),
        ),
      );
      expect(results.every((r) => r.status === 'rejected')).toBe(true);
      expect(h.connector.calls.authenticate).toBeLessThanOrEqual(3);
    });

    it('passes an ILS outage through without a binding', async () => {
      h.connector.failing = true;
      expect(await refusal(h.accounts.bindings.bind({ openid: 'oA', ...ZHANG }))).toBeInstanceOf(
        IlsUnavailableError,
      );
      expect(await h.accounts.bindings.bindingFor('oA')).toBeNull();
      expect(h.logs.some((l) => l.includes('library system not answering'))).toBe(true);
    });
  });

  describe('bindings', () => {
    it('moves a card to another openid only after the password is verified', async () => {
      const { bindings, history } = h.accounts;
      await bindings.bind({ openid: 'oA', ...ZHANG });
      await history.setEnabled('oA', true);
      await h.accounts.accounts.account(await bindings.readerFor({ openid: 'oA' }));

      await refusal(bindings.bind({ openid: 'oB', barcode: ZHANG.barcode, password: 'guess' }));
      expect((await bindings.bindingFor('oA'))?.barcode).toBe(ZHANG.barcode);

      const moved = await bindings.bind({ openid: 'oB', ...ZHANG });
      expect(moved.movedFrom).toBe('oA');
      expect(await bindings.bindingFor('oA')).toBeNull();
      expect((await history.list('oA', { offset: 0, limit: 10 })).total).toBe(0);
      expect((await bindings.bindingFor('oB'))?.barcode).toBe(ZHANG.barcode);
    });

    it('keeps one card per openid', async () => {
      const { bindings, repository } = h.accounts;
      await bindings.bind({ openid: 'oA', ...ZHANG });
      await bindings.bind({ openid: 'oA', ...LI });
      expect((await bindings.bindingFor('oA'))?.barcode).toBe(LI.barcode);
      expect(await repository.bindingByBarcode(ZHANG.barcode)).toBeNull();
    });

    it('unbinding deletes the binding, its history and the cached account', async () => {
      const { bindings, history, accounts } = h.accounts;
      await bindings.bind({ openid: 'oA', ...ZHANG });
      await history.setEnabled('oA', true);
      await accounts.account(await bindings.readerFor({ openid: 'oA' }));
      expect(await h.kv.get(accountCacheKey(ZHANG.barcode))).not.toBeNull();
      expect((await history.list('oA', { offset: 0, limit: 10 })).total).toBe(2);

      expect(await bindings.unbind('oA')).toBe(true);
      expect(await bindings.bindingFor('oA')).toBeNull();
      expect((await history.list('oA', { offset: 0, limit: 10 })).total).toBe(0);
      expect(await h.kv.get(accountCacheKey(ZHANG.barcode))).toBeNull();
      expect(await bindings.unbind('oA')).toBe(false);
      expect(await refusal(bindings.readerFor({ openid: 'oA' }))).toMatchObject({
        code: 'NOT_BOUND',
      });
    });

    it('keeps no password when the connector does not need one', async () => {
      const { binding } = await h.accounts.bindings.bind({ openid: 'oA', ...ZHANG });
      expect(binding.passwordSealed).toBeNull();
      expect(await h.accounts.bindings.readerFor({ openid: 'oA' })).not.toHaveProperty('password');
    });

    it('makes a temporary binding QR code through WeChat and reads its scene back', async () => {
      const qr = await h.accounts.bindings.bindQrCode('desk-3');
      expect(qr.imageUrl).toContain('showqrcode?ticket=');
      const made = h.fake.state.qrCodes.at(-1)!;
      expect(made).toMatchObject({ scene: 'bind:desk-3', expireSeconds: 600 });
      expect(parseBindScene(`qrscene_${String(made.scene)}`)).toEqual({ desk: 'desk-3' });
      expect(parseBindScene('bind:desk-3')).toEqual({ desk: 'desk-3' });
      expect(parseBindScene('bind')).toEqual({ desk: null });
      expect(parseBindScene('qrscene_binder')).toBeNull();
      expect(() => h.accounts.bindings.bindQrCode('desk 3')).toThrow(RangeError);
    });
  });

  describe('the account cache', () => {
    const reader: Reader = { barcode: ZHANG.barcode, historyOptIn: false };

    it('serves page loads from the cache and drops it on every action', async () => {
      const { accounts } = h.accounts;
      expect((await accounts.account(reader)).cached).toBe(false);
      expect((await accounts.account(reader)).cached).toBe(true);
      expect(h.connector.calls.account).toBe(1);

      const [outcome] = await accounts.renew(reader, ['31001']);
      expect(outcome).toMatchObject({ ok: true, itemBarcode: '31001' });
      const after = await accounts.account(reader);
      expect(after.cached).toBe(false);
      expect(after.account.loans[0]?.renewals).toBe(1);
      expect(h.connector.calls.account).toBe(2);

      for (const action of [
        () => accounts.renewAll(reader),
        () => accounts.placeHold(reader, { recordId: 'R7' }),
        () => accounts.cancelHold(reader, 'H1'),
      ]) {
        await action();
        await accounts.account(reader);
      }
      expect(h.connector.calls.account).toBe(5);
    });

    it('drops the cache even when the action fails', async () => {
      const { accounts } = h.accounts;
      await accounts.account(reader);
      h.connector.failing = true;
      await refusal(accounts.renew(reader, ['31001']));
      h.connector.failing = false;
      expect((await accounts.account(reader)).cached).toBe(false);
    });

    it('shares one ILS call between simultaneous page loads', async () => {
      const { accounts } = h.accounts;
      await h.kv.del(accountCacheKey(reader.barcode));
      h.connector.hold();
      const loads = Array.from({ length: 6 }, () => accounts.account(reader));
      h.connector.release();
      const results = await Promise.all(loads);
      expect(h.connector.calls.account).toBe(1);
      expect(new Set(results.map((r) => r.fetchedAt)).size).toBe(1);
    });

    it('does not cache an answer fetched before an action invalidated it', async () => {
      const { accounts } = h.accounts;
      h.connector.hold();
      const early = accounts.account(reader);
      await accounts.invalidate(reader.barcode);
      h.connector.release();
      expect((await early).cached).toBe(false);
      expect(await h.kv.get(accountCacheKey(reader.barcode))).toBeNull();
      expect((await accounts.account(reader)).cached).toBe(false);
      expect(h.connector.calls.account).toBe(2);
    });

    it('refuses a capability the connector lacks without calling it', async () => {
      await h.close();
      h = await startHarness(tier, {
        connector: new MemoryIlsConnector({ capabilities: ['authenticate', 'account'] }),
      });
      expect(await refusal(h.accounts.accounts.placeHold(reader, { recordId: 'R1' }))).toEqual(
        new IlsRefusal('NOT_SUPPORTED'),
      );
      expect(h.connector.calls.placeHold).toBe(0);
    });
  });

  describe('reading history', () => {
    it('records nothing until the reader opts in, then follows the loans', async () => {
      const { bindings, history, accounts } = h.accounts;
      await bindings.bind({ openid: 'oA', ...ZHANG });
      await accounts.account(await bindings.readerFor({ openid: 'oA' }));
      expect((await history.list('oA', { offset: 0, limit: 10 })).total).toBe(0);

      await history.setEnabled('oA', true);
      await accounts.invalidate(ZHANG.barcode);
      await accounts.account(await bindings.readerFor({ openid: 'oA' }));
      let page = await history.list('oA', { offset: 0, limit: 10 });
      expect(page.entries.map((e) => [e.title, e.returnedAt])).toEqual([
        ['红楼梦', null],
        ['三体', null],
      ]);

      // 红楼梦 goes back to the library.
      const zhang = h.connector.patrons[0]!;
      zhang.loans = zhang.loans.filter((l) => l.itemBarcode !== '31002');
      await accounts.invalidate(ZHANG.barcode);
      await accounts.account(await bindings.readerFor({ openid: 'oA' }));
      page = await history.list('oA', { offset: 0, limit: 10 });
      expect(page.entries.find((e) => e.title === '红楼梦')?.returnedAt).not.toBeNull();
      expect(page.entries.find((e) => e.title === '三体')?.returnedAt).toBeNull();

      await history.setEnabled('oA', false);
      expect((await history.list('oA', { offset: 0, limit: 10 })).total).toBe(0);
    });
  });
});

describe.each(tiers)('card passwords the ILS needs, on $name', (tier) => {
  let h: Harness;

  beforeEach(async () => {
    h = await startHarness(tier, {
      connector: new MemoryIlsConnector({ needsPatronPassword: true }),
    });
  });
  afterEach(async () => {
    await h.close();
  });

  it('keeps the password sealed, hands it to the ILS, and never logs it', async () => {
    const { binding } = await h.accounts.bindings.bind({ openid: 'oA', ...ZHANG });
    expect(binding.passwordSealed).toMatch(/^v1\./);
    expect(binding.passwordSealed).not.toContain(ZHANG.password);
    const reader = await h.accounts.bindings.readerFor({ openid: 'oA' });
    expect(reader.password).toBe(ZHANG.password);
    await h.accounts.accounts.account(reader);
    expect(h.connector.passwordsSeen.at(-1)).toBe(ZHANG.password);
    await refusal(
      h.accounts.bindings.bind({ openid: 'oB', barcode: 'T1002', password: 'wrong-li' }),
    );
    expect(h.logs.length).toBeGreaterThan(0);
    expect(h.logs.join('\n')).not.toContain(ZHANG.password);
    expect(h.logs.join('\n')).not.toContain('wrong-li');
  });

  it('asks for a new binding when the kept password no longer opens', async () => {
    await h.accounts.repository.saveBinding({
      openid: 'oA',
      barcode: ZHANG.barcode,
      patronName: null,
      passwordSealed: new PasswordSealer('another-secret-key-0123456789abcdef').seal(
        ZHANG.password,
        ZHANG.barcode,
      ),
      locale: null,
      now: Date.now(),
    });
    expect(await refusal(h.accounts.bindings.readerFor({ openid: 'oA' }))).toMatchObject({
      code: 'REBIND_REQUIRED',
    });
  });
});
