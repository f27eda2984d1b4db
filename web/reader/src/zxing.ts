/**
 * The barcode library, for browsers without a native BarcodeDetector. Loaded on demand
 * only (it is most of a megabyte before compression), never with the first page.
 */
import { BrowserMultiFormatReader } from '@zxing/browser';

export async function decodeFromCamera(
  video: HTMLVideoElement,
  onText: (text: string) => void,
): Promise<() => void> {
  const reader = new BrowserMultiFormatReader();
  const controls = await reader.decodeFromConstraints(
    { video: { facingMode: 'environment' } },
    video,
    (result) => {
      if (result) onText(result.getText());
    },
  );
  return () => controls.stop();
}
