/**
 * The small bilingual pages of the unsubscribe flow. GET shows a confirm button rather than
 * unsubscribing at once, because mail scanners and link previews follow links by GET; the
 * button (and RFC 8058 one-click clients) POST to the same address.
 */
type PageKind = 'confirm' | 'done' | 'invalid';

const COPY: Record<PageKind, { title: string; bn: string; en: string }> = {
  confirm: {
    title: 'আনসাবস্ক্রাইব / Unsubscribe',
    bn: 'আপনি কি ShoktiAI থেকে অফার ও রিমাইন্ডার ইমেইল আর পেতে চান না?',
    en: 'Stop receiving offers and reminder emails from ShoktiAI?',
  },
  done: {
    title: 'আনসাবস্ক্রাইব সম্পন্ন / Unsubscribed',
    bn: 'আপনাকে আনসাবস্ক্রাইব করা হয়েছে। আপনি আর কোনো মার্কেটিং ইমেইল পাবেন না। বুকিং-সংক্রান্ত জরুরি বার্তা আগের মতোই আসবে।',
    en: 'You have been unsubscribed and will get no more marketing emails. Messages about your bookings will still reach you.',
  },
  invalid: {
    title: 'লিংকটি সঠিক নয় / Invalid link',
    bn: 'দুঃখিত, এই আনসাবস্ক্রাইব লিংকটি সঠিক নয়। ইমেইলের লিংকটি পুরোটা কপি করে আবার চেষ্টা করুন।',
    en: 'Sorry, this unsubscribe link is not valid. Please open the complete link from the email again.',
  },
};

const escapeHtml = (text: string) =>
  text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

export function unsubscribePage(kind: PageKind, actionPath?: string): string {
  const copy = COPY[kind];
  const form =
    kind === 'confirm' && actionPath
      ? `<form method="post" action="${escapeHtml(actionPath)}"><input type="hidden" name="List-Unsubscribe" value="One-Click">` +
        '<button type="submit" style="background:#e2136e;color:#fff;border:0;border-radius:6px;padding:12px 22px;font-size:16px;cursor:pointer">আনসাবস্ক্রাইব করুন / Unsubscribe</button></form>'
      : '';
  return [
    '<!doctype html><html lang="bn"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">',
    `<meta name="robots" content="noindex"><title>${escapeHtml(copy.title)}</title></head>`,
    "<body style=\"font-family:'Noto Sans Bengali','Hind Siliguri',Arial,sans-serif;background:#f4f4f6;margin:0\">",
    '<main style="max-width:480px;margin:48px auto;background:#fff;padding:28px;border-radius:8px;line-height:1.6;color:#222">',
    `<h1 style="font-size:20px;margin-top:0">${escapeHtml(copy.title)}</h1>`,
    `<p lang="bn">${escapeHtml(copy.bn)}</p><p lang="en">${escapeHtml(copy.en)}</p>`,
    form,
    '</main></body></html>',
  ].join('');
}
