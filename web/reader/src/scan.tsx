/**
 * Scanning a book's barcode or a QR code. Inside WeChat: WeChat's own scanner through the
 * JS-SDK. Elsewhere: the camera, read by the browser's BarcodeDetector where there is one
 * and by a barcode library loaded on demand where not; typing the number always works.
 */
import { useEffect, useId, useRef, useState } from 'react';
import type { FormEvent } from 'react';
import { useI18n } from './i18n.tsx';
import { inWeChat } from './session.tsx';
import { scanInWeChat } from './wechat.ts';

interface DetectedBarcode {
  rawValue: string;
}
interface BarcodeDetectorLike {
  detect(source: CanvasImageSource): Promise<DetectedBarcode[]>;
}
type BarcodeDetectorCtor = new (options?: { formats?: string[] }) => BarcodeDetectorLike;

const FORMATS = ['ean_13', 'ean_8', 'upc_a', 'code_128', 'code_39', 'qr_code'];

/** Starts a camera reader on the video element; resolves with a function that stops it. */
async function startCamera(
  video: HTMLVideoElement,
  onText: (text: string) => void,
): Promise<() => void> {
  const Detector = (window as unknown as { BarcodeDetector?: BarcodeDetectorCtor }).BarcodeDetector;
  if (!Detector) {
    const { decodeFromCamera } = await import('./zxing.ts');
    return decodeFromCamera(video, onText);
  }
  const stream = await navigator.mediaDevices.getUserMedia({
    video: { facingMode: 'environment' },
    audio: false,
  });
  video.srcObject = stream;
  await video.play();
  const detector = new Detector({ formats: FORMATS });
  let stopped = false;
  const tick = async () => {
    if (stopped) return;
    try {
      const [found] = await detector.detect(video);
      if (found?.rawValue) {
        onText(found.rawValue);
        return;
      }
    } catch {
      // A frame the detector could not read; try the next one.
    }
    setTimeout(() => void tick(), 200);
  };
  void tick();
  return () => {
    stopped = true;
    for (const track of stream.getTracks()) track.stop();
    video.srcObject = null;
  };
}

/** The camera and a field to type the number into, over the page. */
export function ScanSheet(props: { onResult: (text: string) => void; onClose: () => void }) {
  const { t } = useI18n();
  const video = useRef<HTMLVideoElement>(null);
  const [camera, setCamera] = useState<'starting' | 'on' | 'unavailable'>('starting');
  const [manual, setManual] = useState('');
  const titleId = useId();
  const inputId = useId();
  const { onClose } = props;
  // The camera starts once per sheet, whatever the parent re-renders.
  const onResult = useRef(props.onResult);
  onResult.current = props.onResult;

  useEffect(() => {
    let stop: (() => void) | null = null;
    let cancelled = false;
    const element = video.current;
    if (!element || !navigator.mediaDevices?.getUserMedia) {
      setCamera('unavailable');
      return;
    }
    startCamera(element, (text) => {
      stop?.();
      onResult.current(text);
    })
      .then((stopper) => {
        if (cancelled) stopper();
        else {
          stop = stopper;
          setCamera('on');
        }
      })
      .catch(() => {
        if (!cancelled) setCamera('unavailable');
      });
    return () => {
      cancelled = true;
      stop?.();
    };
  }, []);

  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      if (event.key === 'Escape') onClose();
    };
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, [onClose]);

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const text = manual.trim();
    if (text) onResult.current(text);
  };

  return (
    <div className="scan-sheet" role="dialog" aria-modal="true" aria-labelledby={titleId}>
      <div className="scan-sheet__head">
        <h2 id={titleId}>{t('scan.title')}</h2>
        <button type="button" className="link-button" onClick={onClose}>
          {t('common.close')}
        </button>
      </div>
      <div className="scan-sheet__camera">
        <video ref={video} muted playsInline aria-label={t('scan.camera')} />
        <p className="scan-sheet__status" role="status">
          {camera === 'starting'
            ? t('scan.starting')
            : camera === 'on'
              ? t('scan.aim')
              : t('scan.noCamera')}
        </p>
      </div>
      <form className="scan-sheet__manual" onSubmit={submit}>
        <label htmlFor={inputId}>{t('scan.manualLabel')}</label>
        <div className="scan-sheet__row">
          <input
            id={inputId}
            className="weui-input"
            inputMode="text"
            autoComplete="off"
            placeholder={t('scan.manualPlaceholder')}
            value={manual}
            onChange={(e) => setManual(e.target.value)}
          />
          <button type="submit" className="weui-btn weui-btn_primary weui-btn_mini">
            {t('scan.go')}
          </button>
        </div>
      </form>
    </div>
  );
}

/**
 * `scan()` opens WeChat's scanner inside WeChat, else the sheet; `sheet` is the element to
 * render (null when closed).
 */
export function useScanner(onResult: (text: string) => void) {
  const [open, setOpen] = useState(false);
  const scan = () => {
    if (!inWeChat) {
      setOpen(true);
      return;
    }
    scanInWeChat()
      .then((text) => {
        if (text) onResult(text);
      })
      .catch(() => setOpen(true));
  };
  const sheet = open ? (
    <ScanSheet
      onResult={(text) => {
        setOpen(false);
        onResult(text);
      }}
      onClose={() => setOpen(false)}
    />
  ) : null;
  return { scan, sheet };
}

/** Where a scanned code leads: an ISBN or other text to search, a reader page to itself. */
export function destinationOf(text: string): string {
  const trimmed = text.trim();
  const isbn = trimmed.replace(/[-\s]/g, '');
  if (/^(97[89]\d{10}|\d{9}[\dXx])$/.test(isbn)) return `/search?q=${isbn}`;
  try {
    const url = new URL(trimmed);
    if (url.origin === location.origin && url.pathname.startsWith('/m/')) {
      return `${url.pathname.slice(2)}${url.search}`;
    }
  } catch {
    // Not a URL: something to search for.
  }
  return `/search?q=${encodeURIComponent(trimmed)}`;
}
