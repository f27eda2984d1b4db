import type {
  Branch,
  CirculationOutcome,
  HoldOutcome,
  IlsCapability,
  IlsConnector,
  IlsHealth,
  ItemInfo,
  PatronAccount,
  PatronRef,
  PatronSummary,
  PlaceHoldRequest,
  RenewOutcome,
} from '../types.ts';
import type { EmbeddedIls } from './service.ts';

const CAPABILITIES: ReadonlySet<IlsCapability> = new Set<IlsCapability>([
  'authenticate',
  'account',
  'renew',
  'renewAll',
  'placeHold',
  'cancelHold',
  'itemInfo',
  'pickupLocations',
  'checkout',
  'checkin',
]);

/**
 * The embedded ILS behind the ILS seam (`ILS_CONNECTOR=embedded`). It can do everything
 * and needs no patron password after binding: the patron's barcode identifies them.
 *
 * @example
 * const connector = new EmbeddedConnector(new EmbeddedIls({ db, dialect, clock, timezone, logger }));
 * await connector.renew({ barcode: '20260001' }, ['1000000003']);
 */
export class EmbeddedConnector implements IlsConnector {
  readonly name = 'embedded';
  readonly capabilities = CAPABILITIES;
  readonly needsPatronPassword = false;

  constructor(readonly ils: EmbeddedIls) {}

  authenticate(barcode: string, password: string): Promise<PatronSummary> {
    return this.ils.authenticate(barcode, password);
  }

  account(patron: PatronRef): Promise<PatronAccount> {
    return this.ils.account(patron.barcode);
  }

  renew(patron: PatronRef, itemBarcodes: readonly string[]): Promise<RenewOutcome[]> {
    return this.ils.renew(patron.barcode, itemBarcodes);
  }

  renewAll(patron: PatronRef): Promise<RenewOutcome[]> {
    return this.ils.renewAll(patron.barcode);
  }

  placeHold(patron: PatronRef, request: PlaceHoldRequest): Promise<HoldOutcome> {
    return this.ils.placeHold(patron.barcode, request);
  }

  cancelHold(patron: PatronRef, holdId: string): Promise<HoldOutcome> {
    return this.ils.cancelHold(patron.barcode, holdId);
  }

  itemInfo(barcode: string): Promise<ItemInfo | null> {
    return this.ils.itemInfo(barcode);
  }

  pickupLocations(): Promise<Branch[]> {
    return this.ils.pickupLocations();
  }

  checkout(patron: PatronRef, itemBarcode: string): Promise<CirculationOutcome> {
    return this.ils.checkout(patron.barcode, itemBarcode);
  }

  checkin(itemBarcode: string, branch?: string): Promise<CirculationOutcome> {
    return this.ils.checkin(itemBarcode, branch ? { branch } : {});
  }

  async health(): Promise<IlsHealth> {
    const started = performance.now();
    try {
      await this.ils.ping();
      return {
        ok: true,
        connector: this.name,
        latencyMs: Math.round(performance.now() - started),
      };
    } catch (error) {
      return {
        ok: false,
        connector: this.name,
        detail: error instanceof Error ? error.message : String(error),
      };
    }
  }

  /** Nothing to release: the database belongs to the app. */
  async close(): Promise<void> {}
}
