import { canonical, type RuleResult } from './text';

/**
 * No link of any kind in generated text: the only link a recipient sees is our own deep link,
 * which the email layout adds as a button. Catches schemes, "www.", bare domains on common
 * and regional top-level domains, shorteners, and spelled-out "dot com" (also in Bengali).
 */
const SCHEME_URL = /\b(?:https?|ftp|mailto|tel|whatsapp|viber|tg):\/{0,2}[^\s]+/gi;
const WWW = /\bwww\d?\.[^\s]+/gi;
const TLDS = [
  'com', 'net', 'org', 'info', 'biz', 'xyz', 'top', 'site', 'online', 'shop', 'store', 'app', 'dev', 'link', 'click', 'live',
  'club', 'win', 'bid', 'loan', 'io', 'ai', 'co', 'me', 'ly', 'gl', 'gg', 'to', 'tk', 'ml', 'ga', 'cf', 'gq', 'ru', 'cn',
  'in', 'pk', 'bd', 'uk', 'us', 'de', 'fr', 'edu', 'gov', 'mil', 'int', 'tv', 'cc', 'ws', 'su', 'page', 'web', 'social',
];
const BARE_DOMAIN = new RegExp(`(?<![\\p{L}\\p{N}@.-])(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\\.)+(?:${TLDS.join('|')})(?![\\p{L}\\p{N}])`, 'giu');
const SPELLED_DOT = /(?:\bdot\s?(?:com|net|org)\b|ডট\s?(?:কম|নেট|অর্গ))/giu;

export function findLinks(text: string): string[] {
  const clean = canonical(text);
  const found = [SCHEME_URL, WWW, BARE_DOMAIN, SPELLED_DOT].flatMap((pattern) => [...clean.matchAll(pattern)].map((m) => m[0]));
  return [...new Set(found)];
}

export function linksRule(text: string): RuleResult {
  const links = findLinks(text);
  return links.length === 0
    ? { name: 'links', passed: true }
    : { name: 'links', passed: false, detail: `links: ${links.slice(0, 5).join(', ')}`, score: links.length };
}
