/**
 * WeChat's JS-SDK, loaded only inside WeChat and only when a page needs it (scanning).
 * `wx.config` is signed by the server for the page URL without its fragment. With
 * client-side routing, iOS's WeChat keeps the URL the page was entered with for the
 * signature, while Android's checks the current one.
 */
import { api } from './api.ts';

interface WxConfig {
  appId: string;
  timestamp: number;
  nonceStr: string;
  signature: string;
  jsApiList: string[];
}

interface Wx {
  config(config: WxConfig & { debug: boolean }): void;
  ready(callback: () => void): void;
  error(callback: (result: { errMsg: string }) => void): void;
  scanQRCode(options: {
    needResult: 0 | 1;
    scanType: string[];
    success(result: { resultStr: string }): void;
    fail(result: { errMsg: string }): void;
    cancel?(): void;
  }): void;
}

declare global {
  interface Window {
    wx?: Wx;
  }
}

const SDK_URL = 'https://res.wx.qq.com/open/js/jweixin-1.6.0.js';
const SDK_TIMEOUT_MS = 8000;

/** The URL the page was first loaded at, before any client-side navigation. */
const entryUrl = location.href.split('#')[0] ?? location.href;
const isIos = /iPhone|iPad|iPod/i.test(navigator.userAgent);

/** The URL WeChat will check the signature against on this phone. */
export function urlToSign(): string {
  return isIos ? entryUrl : (location.href.split('#')[0] ?? location.href);
}

let sdk: Promise<Wx> | null = null;

function loadSdk(): Promise<Wx> {
  sdk ??= new Promise<Wx>((resolve, reject) => {
    if (window.wx) {
      resolve(window.wx);
      return;
    }
    const script = document.createElement('script');
    script.src = SDK_URL;
    script.async = true;
    const timer = setTimeout(() => reject(new Error('JS-SDK did not load')), SDK_TIMEOUT_MS);
    script.onload = () => {
      clearTimeout(timer);
      if (window.wx) resolve(window.wx);
      else reject(new Error('JS-SDK loaded without wx'));
    };
    script.onerror = () => {
      clearTimeout(timer);
      reject(new Error('JS-SDK did not load'));
    };
    document.head.appendChild(script);
  }).catch((error: unknown) => {
    sdk = null;
    throw error;
  });
  return sdk;
}

let configuredFor: string | null = null;

async function configured(): Promise<Wx> {
  const wx = await loadSdk();
  const url = urlToSign();
  if (configuredFor === url) return wx;
  const config = await api<WxConfig>(`/wechat/jssdk-config?url=${encodeURIComponent(url)}`);
  await new Promise<void>((resolve, reject) => {
    wx.ready(() => resolve());
    wx.error((result) => reject(new Error(result.errMsg)));
    wx.config({ debug: false, ...config });
  });
  configuredFor = url;
  return wx;
}

/**
 * Opens WeChat's scanner and resolves with what it read (a barcode's digits, a QR code's
 * text), or null when the reader cancelled. Rejects when the JS-SDK is not available, so
 * the caller can fall back to the camera.
 */
export async function scanInWeChat(): Promise<string | null> {
  const wx = await configured();
  return new Promise<string | null>((resolve, reject) => {
    wx.scanQRCode({
      needResult: 1,
      scanType: ['barCode', 'qrCode'],
      // Barcodes come as "EAN_13,9787536692930".
      success: (result) => resolve(result.resultStr.replace(/^[A-Z_0-9]+,/, '')),
      fail: (result) =>
        /cancel/i.test(result.errMsg) ? resolve(null) : reject(new Error(result.errMsg)),
      cancel: () => resolve(null),
    });
  });
}
