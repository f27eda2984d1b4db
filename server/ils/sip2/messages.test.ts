import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { appendErrorDetection, stripErrorDetection } from './codec.ts';
import {
  PATRON_STATUS_FLAGS,
  buildCheckinRequest,
  buildCheckinResponse,
  buildCheckoutRequest,
  buildCheckoutResponse,
  buildEndSessionRequest,
  buildEndSessionResponse,
  buildHoldRequest,
  buildHoldResponse,
  buildItemInformationRequest,
  buildItemInformationResponse,
  buildLoginRequest,
  buildLoginResponse,
  buildPatronInformationRequest,
  buildPatronInformationResponse,
  buildPatronStatusRequest,
  buildPatronStatusResponse,
  buildRenewAllResponse,
  buildRenewRequest,
  buildRenewResponse,
  buildScStatusRequest,
  buildSupportedMessages,
  circulationStatusOf,
  feeTypeOf,
  fineTypeOf,
  itemStatusOf,
  parseAcsStatusResponse,
  parseCheckinRequest,
  parseCheckinResponse,
  parseCheckoutRequest,
  parseEndSessionResponse,
  parseHoldRequest,
  parseHoldResponse,
  parseItemInformationRequest,
  parseItemInformationResponse,
  parseLoginRequest,
  parseLoginResponse,
  parsePatronInformationRequest,
  parsePatronInformationResponse,
  parsePatronStatusRequest,
  parsePatronStatusResponse,
  parseRenewAllRequest,
  parseRenewAllResponse,
  parseRenewRequest,
  parseRequest,
  parseScStatusRequest,
  parseSupportedMessages,
  redactSip2,
  type ItemInformationResponse,
  type PatronInformationResponse,
} from './messages.ts';

const UTC = 'UTC';
const SH = 'Asia/Shanghai';
const at = (iso: string) => new Date(iso);
const ed = (body: string, seq: number) =>
  appendErrorDetection(body, seq, { charset: 'utf-8', checksum: 'bytes' });
const DATE = String.raw`\d{8}    \d{6}`;

describe('requests build byte-exact against the verified vectors (research §2.1.5)', () => {
  it('93 login', () => {
    expect(ed(buildLoginRequest({ userId: 'user_id', password: 'passw0rd' }), 1)).toBe(
      '9300CNuser_id|COpassw0rd|AY1AZF594',
    );
    expect(
      ed(
        buildLoginRequest({
          userId: 'LoginUserID',
          password: 'LoginPassword',
          locationCode: 'LocationCode',
        }),
        5,
      ),
    ).toBe('9300CNLoginUserID|COLoginPassword|CPLocationCode|AY5AZEC7B');
  });

  it('23 patron status', () => {
    const body = buildPatronStatusRequest(
      {
        language: '001',
        transactionDate: at('1996-02-12T10:02:39Z'),
        institutionId: 'id_21',
        patronId: '104000000105',
        terminalPassword: '',
        patronPassword: '',
      },
      UTC,
    );
    expect(ed(body, 2)).toBe('2300119960212    100239AOid_21|AA104000000105|AC|AD|AY2AZF271');
  });

  it('63 patron information with a summary and a BP/BQ range', () => {
    const body = buildPatronInformationRequest(
      {
        language: '001',
        transactionDate: at('1998-07-23T09:19:05Z'),
        summary: 'hold',
        institutionId: 'InstitutionID',
        patronId: 'PatronID',
        startItem: 1,
        endItem: 5,
      },
      UTC,
    );
    expect(ed(body, 1)).toBe(
      '6300119980723    091905Y         AOInstitutionID|AAPatronID|BP00001|BQ00005|AY1AZEA83',
    );
  });

  it('11 checkout with an nb due date', () => {
    const body = buildCheckoutRequest(
      {
        scRenewalPolicy: true,
        noBlock: false,
        transactionDate: at('1996-02-12T10:05:14Z'),
        nbDueDate: at('1996-02-12T10:05:14Z'),
        institutionId: '',
        patronId: '104000000105',
        itemId: '000000000005792',
        terminalPassword: '',
      },
      UTC,
    );
    expect(ed(body, 3)).toBe(
      '11YN19960212    10051419960212    100514AO|AA104000000105|AB000000000005792|AC|AY3AZEDC2',
    );
  });

  it('09 checkin, with and without a return date', () => {
    const body = buildCheckinRequest(
      {
        noBlock: false,
        transactionDate: at('1998-08-21T08:57:21Z'),
        returnDate: null,
        currentLocation: 'Certification Terminal Location',
        institutionId: 'Certification Institute ID',
        itemId: 'CheckInBook',
        terminalPassword: 'TPWord',
        cancel: false,
      },
      UTC,
    );
    expect(ed(body, 2)).toBe(
      '09N19980821    085721                  APCertification Terminal Location|AOCertification Institute ID|ABCheckInBook|ACTPWord|BIN|AY2AZD6A5',
    );
    const php = buildCheckinRequest(
      {
        noBlock: false,
        transactionDate: at('2016-04-19T12:20:08Z'),
        returnDate: at('2016-04-19T12:20:08Z'),
        currentLocation: 'Reading Room 1',
        institutionId: '830',
        itemId: '830$28170815',
        terminalPassword: '',
      },
      UTC,
    );
    expect(ed(php, 2)).toBe(
      '09N20160419    12200820160419    122008APReading Room 1|AO830|AB830$28170815|AC|AY2AZEB80',
    );
  });

  it('17 item information (no language field) and 35 end session', () => {
    const item = buildItemInformationRequest(
      {
        transactionDate: at('1998-07-23T10:00:00Z'),
        institutionId: 'Certification Institute ID',
        itemId: 'ItemBook',
      },
      UTC,
    );
    expect(ed(item, 1)).toBe(
      '1719980723    100000AOCertification Institute ID|ABItemBook|AY1AZEBEB',
    );
    const end = buildEndSessionRequest(
      {
        transactionDate: at('1998-07-23T09:40:14Z'),
        institutionId: 'Certification Institute ID',
        patronId: 'PatronID',
      },
      UTC,
    );
    expect(ed(end, 3)).toBe(
      '3519980723    094014AOCertification Institute ID|AAPatronID|AY3AZEBF2',
    );
  });
});

describe('responses build byte-exact against the verified vectors', () => {
  it('94 login', () => {
    expect(ed(buildLoginResponse({ ok: true }), 0)).toBe('941AY0AZFDFD');
    expect(parseLoginResponse('940').ok).toBe(false);
  });

  it('64 patron information (charged 10, unavailable holds 9) parses and rebuilds', () => {
    const vector =
      '64              00020180711    185645000000000010000000000009AOExample City Library|AA1381380|AEMr Joe Tester|BZ9999|CA9999|CB9999|BLY|CQY|BV0.00|BEjoe.tester@example.com|AY0AZCF82';
    const { body } = stripErrorDetection(vector);
    const parsed = parsePatronInformationResponse(body, UTC);
    expect(parsed.counts).toEqual({
      hold: 0,
      overdue: 0,
      charged: 10,
      fine: 0,
      recall: 0,
      unavailableHolds: 9,
    });
    expect(parsed).toMatchObject({
      institutionId: 'Example City Library',
      patronId: '1381380',
      personalName: 'Mr Joe Tester',
      holdItemsLimit: 9999,
      validPatron: true,
      validPatronPassword: true,
      feeAmount: 0,
      email: 'joe.tester@example.com',
    });
    expect(parsed.transactionDate?.toISOString()).toBe('2018-07-11T18:56:45.000Z');
    expect(ed(buildPatronInformationResponse(parsed, UTC), 0)).toBe(vector);
  });

  it('10 checkin response parses and rebuilds', () => {
    const vector =
      '101YNN19980821    085721AOCertification Institute ID|ABCheckInBook|AQPermanent Location for CheckinBook, Language 1|AJTitle For CheckinBook|AAGoodPatron1|CK001|CHCheckinBook Properties|CLsort bin A1|AFScreen Message for CheckInBook|AGPrint Line for CheckInBook|AY2AZA3FF';
    const parsed = parseCheckinResponse(stripErrorDetection(vector).body, UTC);
    expect(parsed).toMatchObject({
      ok: true,
      resensitize: true,
      magneticMedia: 'N',
      alert: false,
      itemId: 'CheckInBook',
      titleId: 'Title For CheckinBook',
      patronId: 'GoodPatron1',
      sortBin: 'sort bin A1',
      screenMessages: ['Screen Message for CheckInBook'],
      printLines: ['Print Line for CheckInBook'],
    });
    expect(ed(buildCheckinResponse(parsed, UTC), 2)).toBe(vector);
  });

  it('36 end session with repeated AF and AG parses and rebuilds', () => {
    const vector =
      '36Y19980723    110658AOInstitutionID for PatronID|AAPatronID|AFScreenMessage 0 for PatronID, Language 1|AFScreen Message 1 for PatronID, Language 1|AFScreen Message 2 for PatronID, Language 1|AGPrint Line 0 for PatronID, Language 1|AGPrint Line 1 for PatronID, Language 1|AGPrint Line 2 for PatronID, language 1|AY5AZ970F';
    const parsed = parseEndSessionResponse(stripErrorDetection(vector).body, UTC);
    expect(parsed.screenMessages).toHaveLength(3);
    expect(parsed.printLines?.[2]).toBe('Print Line 2 for PatronID, language 1');
    expect(ed(buildEndSessionResponse(parsed, UTC), 5)).toBe(vector);
  });

  it('18 item information parses', () => {
    const vector =
      '1808000119980723    115615CF00000|ABItemBook|AJTitle For Item Book|CK003|AQPermanent Location for ItemBook, Language 1|APCurrent Location ItemBook|CHFree-form text with new item property|AY0AZC05B';
    const parsed = parseItemInformationResponse(stripErrorDetection(vector).body, UTC);
    expect(parsed).toMatchObject({
      circulationStatus: '08',
      securityMarker: '00',
      feeType: '01',
      holdQueueLength: 0,
      itemId: 'ItemBook',
      titleId: 'Title For Item Book',
      mediaType: '003',
      currentLocation: 'Current Location ItemBook',
      itemProperties: 'Free-form text with new item property',
    });
    expect(itemStatusOf(parsed.circulationStatus)).toBe('on-hold-shelf');
  });

  it('98 ACS status (the spec example, without BX)', () => {
    const parsed = parseAcsStatusResponse(
      '98YYYNYN01000319960214    1447001.00AOID_21|AMCentral Library|ANtty30|AFScreen Message|AGPrint Message|',
      UTC,
    );
    expect(parsed).toMatchObject({
      online: true,
      checkinOk: true,
      checkoutOk: true,
      renewalPolicy: false,
      statusUpdateOk: true,
      offlineOk: false,
      timeoutPeriod: 10,
      retriesAllowed: 3,
      protocolVersion: '1.00',
      institutionId: 'ID_21',
      libraryName: 'Central Library',
      supportedMessages: '',
      terminalLocation: 'tty30',
    });
    expect(parseSupportedMessages(parsed.supportedMessages)).toBeNull();
  });
});

// Research §2.1.6: SIPServer's transcripts (patron 999999 / PIN 6789, item 1565921879, BR1).
describe('transcripts (research §2.1.6)', () => {
  it('login and SC status requests', () => {
    expect(parseLoginRequest('9300CNscclient|COclientpwd|CPBR1|')).toMatchObject({
      userId: 'scclient',
      password: 'clientpwd',
      locationCode: 'BR1',
    });
    expect(parseScStatusRequest('9910302.00')).toEqual({
      statusCode: 1,
      maxPrintWidth: 30,
      protocolVersion: '2.00',
    });
    expect(
      buildScStatusRequest({ statusCode: 0, maxPrintWidth: 40, protocolVersion: '2.00' }),
    ).toBe('9900402.00');
    expect(buildLoginResponse({ ok: true })).toMatch(/^941$/);
    expect(buildLoginResponse({ ok: false })).toMatch(/^940$/);
  });

  it('23 → 24', () => {
    const req = parsePatronStatusRequest('2300120060101    084237AOBR1|AA999999|AD6789|AC|', UTC);
    expect(req).toMatchObject({
      language: '001',
      institutionId: 'BR1',
      patronId: '999999',
      patronPassword: '6789',
      terminalPassword: '',
    });
    expect(req.transactionDate?.toISOString()).toBe('2006-01-01T08:42:37.000Z');
    const res = buildPatronStatusResponse(
      {
        patronStatus: {},
        language: '001',
        transactionDate: req.transactionDate,
        institutionId: 'BR1',
        patronId: '999999',
        personalName: 'David J. Fiander',
        validPatron: true,
        validPatronPassword: true,
      },
      UTC,
    );
    expect(res).toMatch(new RegExp(`^24 [ Y]{13}\\d{3}${DATE}`));
  });

  it('63 → 64', () => {
    const req = parsePatronInformationRequest(
      '6300020060329    201700          AOBR1|AA999999|',
      UTC,
    );
    expect(req).toMatchObject({ language: '000', summary: null, patronId: '999999' });
    const res = buildPatronInformationResponse(
      {
        patronStatus: {},
        counts: { hold: 0, overdue: 0, charged: 1, fine: 0, recall: 0, unavailableHolds: 0 },
        institutionId: 'BR1',
        patronId: '999999',
        personalName: 'David J. Fiander',
        chargedItems: ['1565921879'],
      },
      UTC,
    );
    expect(res).toMatch(new RegExp(`^64 [ Y]{13}\\d{3}${DATE}(\\d{4}){6}`));
    expect(res).toContain('AU1565921879|');
  });

  it('11 → 12', () => {
    const req = parseCheckoutRequest(
      '11YN20060329    203000                  AOBR1|AA999999|AB1565921879|AC|',
      UTC,
    );
    expect(req).toMatchObject({
      scRenewalPolicy: true,
      noBlock: false,
      nbDueDate: null,
      institutionId: 'BR1',
      patronId: '999999',
      itemId: '1565921879',
      terminalPassword: '',
    });
    const res = buildCheckoutResponse(
      {
        ok: true,
        renewalOk: false,
        magneticMedia: 'N',
        desensitize: 'Y',
        institutionId: 'BR1',
        patronId: '999999',
        itemId: '1565921879',
        titleId: 'Perl 5 desktop reference',
        dueDate: at('2006-04-19T23:59:59Z'),
      },
      UTC,
    );
    expect(res).toMatch(new RegExp(`^121NNY${DATE}`));
    expect(res).toContain('AH20060419    235959|');
  });

  it('09 → 10', () => {
    const req = parseCheckinRequest(
      '09N20060102    08423620060113    084235APUnder the bed|AOBR1|AB1565921879|ACterminal password|',
      UTC,
    );
    expect(req).toMatchObject({
      noBlock: false,
      currentLocation: 'Under the bed',
      itemId: '1565921879',
      terminalPassword: 'terminal password',
    });
    expect(req.returnDate?.toISOString()).toBe('2006-01-13T08:42:35.000Z');
    const res = buildCheckinResponse(
      {
        ok: true,
        resensitize: true,
        magneticMedia: 'N',
        alert: false,
        institutionId: 'BR1',
        itemId: '1565921879',
        permanentLocation: 'BR1',
      },
      UTC,
    );
    expect(res).toMatch(new RegExp(`^101YNN${DATE}`));
  });

  it('29 → 30', () => {
    const req = parseRenewRequest(
      '29NN20060102    084236                  AOBR1|AA999999|AB1565921879|',
      UTC,
    );
    expect(req).toMatchObject({
      thirdPartyAllowed: false,
      noBlock: false,
      nbDueDate: null,
      patronId: '999999',
      itemId: '1565921879',
    });
    expect(
      buildRenewRequest({ ...req, transactionDate: at('2006-01-02T08:42:36Z'), extra: [] }, UTC),
    ).toBe('29NN20060102    084236                  AOBR1|AA999999|AB1565921879|');
    const res = buildRenewResponse(
      {
        ok: true,
        renewalOk: true,
        magneticMedia: 'N',
        desensitize: 'N',
        institutionId: 'BR1',
        patronId: '999999',
        itemId: '1565921879',
        titleId: 'Perl 5 desktop reference',
        dueDate: at('2006-02-02T08:42:36Z'),
      },
      UTC,
    );
    expect(res).toMatch(new RegExp(`^301YNN${DATE}`));
  });

  it('65 → 66', () => {
    const req = parseRenewAllRequest('6520060102    084236AOBR1|AA999999|', UTC);
    expect(req).toMatchObject({ institutionId: 'BR1', patronId: '999999' });
    const res = buildRenewAllResponse(
      {
        ok: true,
        renewedCount: 1,
        unrenewedCount: 0,
        institutionId: 'BR1',
        renewedItems: ['1565921879'],
      },
      UTC,
    );
    expect(res).toMatch(new RegExp(`^66100010000${DATE}`));
  });

  it('15 → 16', () => {
    const req = parseHoldRequest(
      '15+20060415    110158BW20060815    110158|BSTaylor|BY2|AOBR1|AA999999|AB1565921879|',
      UTC,
    );
    expect(req).toMatchObject({
      mode: '+',
      pickupLocation: 'Taylor',
      holdType: 2,
      institutionId: 'BR1',
      patronId: '999999',
      itemId: '1565921879',
    });
    expect(req.expirationDate?.toISOString()).toBe('2006-08-15T11:01:58.000Z');
    expect(
      buildHoldRequest({ ...req, transactionDate: at('2006-04-15T11:01:58Z'), extra: [] }, UTC),
    ).toBe('15+20060415    110158BW20060815    110158|BSTaylor|BY2|AOBR1|AA999999|AB1565921879|');
    const res = buildHoldResponse(
      { ok: true, available: false, institutionId: 'BR1', patronId: '999999', queuePosition: 1 },
      UTC,
    );
    expect(res).toMatch(new RegExp(`^161N${DATE}`));
    expect(parseHoldResponse(res, UTC).queuePosition).toBe(1);
  });

  it('17 → 18', () => {
    const req = parseItemInformationRequest('1720060110    215612AOBR1|AB1565921879|', UTC);
    expect(req).toMatchObject({ institutionId: 'BR1', itemId: '1565921879' });
    for (const circulationStatus of ['01', '03']) {
      const res = buildItemInformationResponse(
        {
          circulationStatus,
          securityMarker: '02',
          feeType: '01',
          itemId: '1565921879',
          titleId: 'Perl 5 desktop reference',
        },
        UTC,
      );
      expect(res).toMatch(new RegExp(`^180[13]0201${DATE}`));
    }
  });

  it('dispatches by command code and refuses unknown ones', () => {
    expect(parseRequest('1720060110    215612AOBR1|AB1565921879|', UTC).command).toBe('17');
    expect(parseRequest('97', UTC).command).toBe('97');
    expect(() => parseRequest('XX12345', UTC)).toThrow(/unknown command/);
    expect(() => parseRequest('15?20060415    110158AOBR1|AA1|', UTC)).toThrow(/hold mode/);
    expect(() => parseRequest('63001', UTC)).toThrow(/shorter/);
  });
});

describe('code values', () => {
  it('reads every patron status flag from its position', () => {
    PATRON_STATUS_FLAGS.forEach((flag, i) => {
      const fixed = Array.from({ length: 14 }, (_, j) => (j === i ? 'Y' : ' ')).join('');
      const parsed = parsePatronStatusResponse(`24${fixed}00020180508    214544AOx|AAy|AEz|`, UTC);
      const set = PATRON_STATUS_FLAGS.filter((f) => parsed.patronStatus[f]);
      expect(set).toEqual([flag]);
    });
  });

  it('maps circulation statuses and fee types both ways', () => {
    expect(itemStatusOf('03')).toBe('available');
    expect(itemStatusOf('04')).toBe('checked-out');
    expect(itemStatusOf('10')).toBe('in-transit');
    expect(itemStatusOf('13')).toBe('missing');
    expect(itemStatusOf('99')).toBe('unknown');
    expect(circulationStatusOf('on-hold-shelf')).toBe('08');
    expect(circulationStatusOf('withdrawn')).toBe('01');
    expect(fineTypeOf('04')).toBe('overdue');
    expect(fineTypeOf('07')).toBe('lost');
    expect(fineTypeOf('02')).toBe('other');
    expect(feeTypeOf('damage')).toBe('03');
  });

  it('reads and writes BX in the spec order', () => {
    const bx = buildSupportedMessages(['patronInformation', 'renew', 'itemInformation']);
    expect(bx).toBe('NNNNNNNYNNYNNNYN');
    expect([...(parseSupportedMessages(bx) ?? [])]).toEqual([
      'patronInformation',
      'itemInformation',
      'renew',
    ]);
    expect(parseSupportedMessages('YYYN')?.has('checkin')).toBe(true);
    expect(parseSupportedMessages('YYYN')?.has('renewAll')).toBe(false);
    expect(parseSupportedMessages('garbage')).toBeNull();
  });

  it('redacts patron, login and terminal passwords for logs', () => {
    expect(redactSip2('9300CNuser|COsecret|CPBR1|')).toBe('9300CNuser|CO[redacted]|CPBR1|');
    expect(redactSip2('2300120060101    084237AOBR1|AA999999|AD6789|ACtpw|')).toBe(
      '2300120060101    084237AOBR1|AA999999|AD[redacted]|AC[redacted]|',
    );
    // A field code inside a value is not a field.
    expect(redactSip2('6300020060329    201700          AOADCO|AA1|AD9|')).toBe(
      '6300020060329    201700          AOADCO|AA1|AD[redacted]|',
    );
    expect(redactSip2('ZZgarbageADpw|')).not.toContain('pw');
  });
});

describe('build/parse round trips (fast-check)', () => {
  const text = fc
    .string({ unit: fc.constantFrom(...'ABCxyz019 .,-:红楼梦三体书林é'.split('')), maxLength: 30 })
    .map((s) => s.trim());
  const id = fc.string({
    unit: fc.constantFrom(...'0123456789ABC'.split('')),
    minLength: 1,
    maxLength: 14,
  });
  const instant = fc
    .integer({ min: Date.UTC(2000, 0, 1) / 1000, max: Date.UTC(2040, 0, 1) / 1000 })
    .map((s) => new Date(s * 1000));
  const count = fc.integer({ min: 0, max: 9999 });

  it('18 item information', () => {
    fc.assert(
      fc.property(
        fc.constantFrom('01', '03', '04', '08', '10', '13'),
        instant,
        fc.option(instant, { nil: undefined }),
        id,
        text,
        fc.array(text, { maxLength: 3 }),
        (circulationStatus, transactionDate, dueDate, itemId, titleId, screenMessages) => {
          const msg: ItemInformationResponse = {
            circulationStatus,
            securityMarker: '02',
            feeType: '01',
            transactionDate,
            dueDate,
            itemId,
            titleId,
            screenMessages,
          };
          const parsed = parseItemInformationResponse(buildItemInformationResponse(msg, SH), SH);
          expect(parsed).toMatchObject({ circulationStatus, itemId, titleId, screenMessages });
          expect(parsed.transactionDate?.getTime()).toBe(transactionDate.getTime());
          expect(parsed.dueDate?.getTime()).toBe(dueDate?.getTime());
        },
      ),
    );
  });

  it('64 patron information', () => {
    fc.assert(
      fc.property(
        fc.subarray([...PATRON_STATUS_FLAGS]),
        fc.record({
          hold: count,
          overdue: count,
          charged: count,
          fine: count,
          recall: count,
          unavailableHolds: count,
        }),
        id,
        text,
        fc.array(id, { maxLength: 5 }),
        fc.option(
          fc.integer({ min: 0, max: 99999 }).map((c) => c / 100),
          { nil: undefined },
        ),
        (flags, counts, patronId, personalName, chargedItems, feeAmount) => {
          const msg: PatronInformationResponse = {
            patronStatus: Object.fromEntries(flags.map((f) => [f, true])),
            counts,
            institutionId: 'SHULIN',
            patronId,
            personalName,
            chargedItems,
            feeAmount,
          };
          const parsed = parsePatronInformationResponse(
            buildPatronInformationResponse(msg, SH),
            SH,
          );
          expect(parsed.counts).toEqual(counts);
          expect(PATRON_STATUS_FLAGS.filter((f) => parsed.patronStatus[f])).toEqual(
            PATRON_STATUS_FLAGS.filter((f) => flags.includes(f)),
          );
          expect(parsed).toMatchObject({ patronId, personalName, chargedItems, feeAmount });
        },
      ),
    );
  });

  it('29 renew and 15 hold requests', () => {
    fc.assert(
      fc.property(
        id,
        id,
        fc.option(text, { nil: undefined }),
        instant,
        (patronId, itemId, patronPassword, date) => {
          const renew = parseRenewRequest(
            buildRenewRequest(
              {
                thirdPartyAllowed: false,
                noBlock: true,
                transactionDate: date,
                institutionId: 'SHULIN',
                patronId,
                itemId,
                patronPassword,
              },
              SH,
            ),
            SH,
          );
          expect(renew).toMatchObject({ noBlock: true, patronId, itemId, patronPassword });
          expect(renew.transactionDate?.getTime()).toBe(date.getTime());
          const hold = parseHoldRequest(
            buildHoldRequest(
              {
                mode: '-',
                transactionDate: date,
                holdType: 3,
                institutionId: 'SHULIN',
                patronId,
                itemId,
              },
              SH,
            ),
            SH,
          );
          expect(hold).toMatchObject({ mode: '-', holdType: 3, patronId, itemId });
        },
      ),
    );
  });

  it('24 and 66 responses', () => {
    fc.assert(
      fc.property(text, fc.boolean(), fc.array(id, { maxLength: 4 }), (name, valid, items) => {
        const status = parsePatronStatusResponse(
          buildPatronStatusResponse(
            {
              patronStatus: { cardReportedLost: true },
              institutionId: 'SHULIN',
              patronId: '1',
              personalName: name,
              validPatron: valid,
            },
            SH,
          ),
          SH,
        );
        expect(status).toMatchObject({ personalName: name, validPatron: valid });
        expect(status.patronStatus.cardReportedLost).toBe(true);
        const all = parseRenewAllResponse(
          buildRenewAllResponse(
            {
              ok: true,
              renewedCount: items.length,
              unrenewedCount: 0,
              institutionId: 'SHULIN',
              renewedItems: items,
            },
            SH,
          ),
          SH,
        );
        expect(all).toMatchObject({ ok: true, renewedCount: items.length, renewedItems: items });
      }),
    );
  });
});
