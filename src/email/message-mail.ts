import type { Locale } from '../db/types';
import type { OutgoingMail } from './mailer';

export interface MessageMailInput {
  to: string;
  /** The ai_messages id: it becomes the stable Message-ID, so a retried send is recognisable. */
  messageId: string;
  locale: Locale;
  subject: string;
  body: string;
  callToAction: string;
  /** Our own tracked deep link; the button is shown only when there is one. */
  deepLink?: string | null;
  /** Present for marketing mail: the one-click unsubscribe address (RFC 8058). */
  unsubscribeUrl?: string | null;
  /** The message's signed reply address (`reply+<token>@INBOUND_DOMAIN`): a reply reaches the inbound listener. */
  replyTo?: string | null;
}

const escapeHtml = (text: string) =>
  text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

const COPY: Record<Locale, { footer: string; unsubscribe: string; unsubscribeLead: string; buttonFallback: string }> = {
  bn: {
    footer: 'ShoktiAI — আপনার ঘরের সেবার সঙ্গী।',
    unsubscribeLead: 'এ ধরনের ইমেইল আর না পেতে চাইলে',
    unsubscribe: 'আনসাবস্ক্রাইব করুন',
    buttonFallback: 'বোতাম কাজ না করলে এই ঠিকানাটি খুলুন:',
  },
  en: {
    footer: 'ShoktiAI — your home-services companion.',
    unsubscribeLead: 'Don\'t want these emails?',
    unsubscribe: 'Unsubscribe',
    buttonFallback: 'If the button does not work, open this address:',
  },
};

/** Bengali needs a font that has the script; system fonts first, then widely installed ones. */
const FONT_STACK: Record<Locale, string> = {
  bn: "'Noto Sans Bengali','Hind Siliguri','SolaimanLipi','Vrinda',Arial,sans-serif",
  en: "-apple-system,'Segoe UI',Roboto,Arial,sans-serif",
};

function paragraphsHtml(body: string): string {
  return body
    .split(/\n{2,}/)
    .map((p) => `<p style="margin:0 0 14px">${escapeHtml(p).replace(/\n/g, '<br>')}</p>`)
    .join('');
}

function renderHtml(input: MessageMailInput): string {
  const copy = COPY[input.locale];
  const button = input.deepLink
    ? `<p style="margin:22px 0"><a href="${escapeHtml(input.deepLink)}" style="background:#e2136e;color:#ffffff;text-decoration:none;padding:12px 22px;border-radius:6px;display:inline-block;font-weight:bold">${escapeHtml(input.callToAction)}</a></p>` +
      `<p style="font-size:12px;color:#666">${escapeHtml(copy.buttonFallback)}<br><a href="${escapeHtml(input.deepLink)}" style="color:#666">${escapeHtml(input.deepLink)}</a></p>`
    : '';
  const unsubscribe = input.unsubscribeUrl
    ? `<br>${escapeHtml(copy.unsubscribeLead)} <a href="${escapeHtml(input.unsubscribeUrl)}" style="color:#888">${escapeHtml(copy.unsubscribe)}</a>`
    : '';
  return [
    '<!doctype html>',
    `<html lang="${input.locale}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">`,
    `<title>${escapeHtml(input.subject)}</title></head>`,
    `<body style="margin:0;padding:0;background:#f4f4f6"><div style="max-width:560px;margin:0 auto;padding:24px;background:#ffffff;font-family:${FONT_STACK[input.locale]};font-size:16px;line-height:1.6;color:#222">`,
    paragraphsHtml(input.body),
    button,
    `<hr style="border:none;border-top:1px solid #eee;margin:24px 0 12px">`,
    `<p style="font-size:12px;color:#888;margin:0">${escapeHtml(copy.footer)}${unsubscribe}</p>`,
    '</div></body></html>',
  ].join('');
}

function renderText(input: MessageMailInput): string {
  const copy = COPY[input.locale];
  const lines = [input.body.trim(), ''];
  if (input.deepLink) lines.push(`${input.callToAction}: ${input.deepLink}`, '');
  lines.push('--', copy.footer);
  if (input.unsubscribeUrl) lines.push(`${copy.unsubscribeLead} ${copy.unsubscribe}: ${input.unsubscribeUrl}`);
  return `${lines.join('\n')}\n`;
}

/**
 * An agent's message as an email: HTML and plain-text parts in the recipient's language, the
 * call to action as a button to our deep link, and for marketing mail the List-Unsubscribe
 * headers that let mail clients offer one-click unsubscribe (RFC 2369 and RFC 8058).
 */
export function messageMail(input: MessageMailInput): OutgoingMail {
  const headers: Record<string, string> = {};
  if (input.unsubscribeUrl) {
    headers['List-Unsubscribe'] = `<${input.unsubscribeUrl}>`;
    headers['List-Unsubscribe-Post'] = 'List-Unsubscribe=One-Click';
  }
  return {
    to: input.to,
    subject: input.subject,
    text: renderText(input),
    html: renderHtml(input),
    headers,
    messageId: `<${input.messageId}@shoktiai>`,
    ...(input.replyTo ? { replyTo: input.replyTo } : {}),
  };
}
