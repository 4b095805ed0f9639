import { dedupe, matchAll, normalisedPattern, type DraftText, type Finding } from './findings';
import { normalise } from './normalise';
import { fromFindings, type RuleResult } from './text';

/**
 * No link of any kind in generated text: the only link a recipient sees is our own deep link,
 * which the email layout adds as a button (the model never writes it). Catches schemes, "www.",
 * bare domains on common and regional top-level domains, shorteners, spelled-out "dot com"
 * (also in Bengali), domains written with spaces around the dot, and domains written with
 * look-alike letters from other alphabets (matched on the normalised text, reported as such).
 */
const SCHEME_URL = /\b(?:https?|ftp|mailto|tel|whatsapp|viber|tg):\/{0,2}[^\s]+/gi;
const WWW = /\bwww\d?\s?\.\s?[^\s]+/gi;
const TLDS = [
  'com', 'net', 'org', 'info', 'biz', 'xyz', 'top', 'site', 'online', 'shop', 'store', 'app', 'dev', 'link', 'click', 'live',
  'club', 'win', 'bid', 'loan', 'io', 'ai', 'co', 'me', 'ly', 'gl', 'gg', 'to', 'tk', 'ml', 'ga', 'cf', 'gq', 'ru', 'cn',
  'in', 'pk', 'bd', 'uk', 'us', 'de', 'fr', 'edu', 'gov', 'mil', 'int', 'tv', 'cc', 'ws', 'su', 'page', 'web', 'social',
];
const BARE_DOMAIN = new RegExp(`(?<![\\p{L}\\p{N}@.-])(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\\.)+(?:${TLDS.join('|')})(?![\\p{L}\\p{N}])`, 'giu');
/** "cheap-ac . net", "cheap-ac .net": a space before the dot never happens in prose, so these are domains. */
const SPACED_DOMAIN = new RegExp(`(?<![\\p{L}\\p{N}])[a-z0-9][a-z0-9-]*\\s+\\.\\s*(?:${TLDS.join('|')})(?![\\p{L}\\p{N}])`, 'gu');
const SPELLED_DOT = normalisedPattern('(?:\\bdot\\s?(?:com|net|org|xyz|bd|io|info|co)\\b|\\(dot\\)|\\[dot\\]|ডট\\s?(?:কম|নেট|অর্গ|বিডি))');

function linkFindings(text: DraftText): Finding[] {
  const found = matchAll(text.plain, [
    ['link', SCHEME_URL],
    ['link', WWW],
    ['domain', BARE_DOMAIN],
    ['domain', SPACED_DOMAIN],
    ['spelled-out domain', SPELLED_DOT],
  ]);
  return found.map((f) => {
    const written = text.plain.original.slice(text.plain.from[f.start], text.plain.to[f.end - 1]);
    // letters outside ASCII that normalised into a domain: a look-alike of a real one
    return /[^\x00-\x7F]/.test(written.replace(/\p{Script=Bengali}/gu, '')) ? { ...f, kind: `look-alike ${f.kind}` } : f;
  });
}

/** Links and domains in a text (as normalised), for callers that check a single string. */
export function findLinks(text: string): string[] {
  const view = normalise(text);
  const single = { draft: { subject: text, body: '', call_to_action: '' }, plain: view, joined: view };
  return [...new Set(dedupe(linkFindings(single)).map((f) => view.text.slice(f.start, f.end)))];
}

export function linksRule(text: DraftText): RuleResult {
  return fromFindings('links', 'critical', text, text.plain, linkFindings(text));
}
