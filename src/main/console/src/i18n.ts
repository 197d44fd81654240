// Chinese and English. Texts are written in English in the code; ZH maps each to its Chinese (zh.ts).
// The choice is kept in localStorage (a preference, not a secret).
import { ZH } from './zh';
import type { ApiError } from './api';

export type Lang = 'en' | 'zh';

let lang: Lang = initial();
const listeners = new Set<() => void>();

function initial(): Lang {
  const saved = localStorage.getItem('ljq.lang');
  if (saved === 'en' || saved === 'zh') return saved;
  return navigator.language && navigator.language.toLowerCase().startsWith('zh') ? 'zh' : 'en';
}

export function currentLang(): Lang {
  return lang;
}

export function setLang(l: Lang) {
  lang = l;
  localStorage.setItem('ljq.lang', l);
  document.documentElement.lang = l === 'zh' ? 'zh-CN' : 'en';
  listeners.forEach((fn) => fn());
}

export function onLang(fn: () => void): () => void {
  listeners.add(fn);
  return () => listeners.delete(fn);
}

/** The text in the current language; {name} placeholders are filled from vars. */
export function t(text: string, vars?: Record<string, string | number>): string {
  let s = lang === 'zh' ? ZH[text] ?? text : text;
  if (vars) for (const [k, v] of Object.entries(vars)) s = s.split('{' + k + '}').join(String(v));
  return s;
}

/** An API error's message in the current language (the API's message_i18n), else its message. */
export function errorText(e: unknown): string {
  const err = e as ApiError;
  if (err && err.i18n) {
    const m = lang === 'zh' ? err.i18n.zh_CN : err.i18n.en_US;
    if (m) return m;
  }
  if (err && err.message) return err.message;
  return String(e);
}

document.documentElement.lang = lang === 'zh' ? 'zh-CN' : 'en';
