import { useEffect, useState } from 'react';
import { useI18n, useTitle } from '../i18n.tsx';
import { RequireCard } from '../require-card.tsx';
import type { Me } from '../types.ts';

interface WakeLockSentinel {
  release(): Promise<void>;
}

/** Keeps the screen on while the card is shown at a gate, where the phone supports it. */
function useWakeLock(): void {
  useEffect(() => {
    const wakeLock = (
      navigator as Navigator & {
        wakeLock?: { request(type: 'screen'): Promise<WakeLockSentinel> };
      }
    ).wakeLock;
    let sentinel: WakeLockSentinel | null = null;
    wakeLock?.request('screen').then(
      (s) => {
        sentinel = s;
      },
      () => undefined,
    );
    return () => {
      void sentinel?.release();
    };
  }, []);
}

function Card(props: { me: Me }) {
  const { t } = useI18n();
  const [symbology, setSymbology] = useState(props.me.ecard.symbology);
  const barcode = props.me.patron?.barcode ?? '';
  useWakeLock();
  return (
    <div className="ecard">
      <div className="ecard__card">
        <p className="ecard__library">{t('app.name')}</p>
        <h1 className="ecard__name">{props.me.patron?.name ?? ''}</h1>
        <img
          className={`ecard__code ecard__code_${symbology}`}
          src={`/api/v1/me/ecard.svg?symbology=${symbology}`}
          alt={t('ecard.alt', { barcode })}
        />
      </div>
      <div className="ecard__switch" role="group" aria-label={t('ecard.format')}>
        {props.me.ecard.symbologies.map((s) => (
          <button
            key={s}
            type="button"
            className={s === symbology ? 'chip chip_on' : 'chip'}
            aria-pressed={s === symbology}
            onClick={() => setSymbology(s)}
          >
            {s === 'qr' ? t('ecard.qr') : s === 'code39' ? 'Code 39' : 'Code 128'}
          </button>
        ))}
      </div>
      <p className="hint">{t('ecard.hint')}</p>
    </div>
  );
}

export default function EcardPage() {
  const { t } = useI18n();
  useTitle(t('ecard.title'));
  return <RequireCard>{(me) => <Card me={me} />}</RequireCard>;
}
