/**
 * The friendly pages a person sees when a reminder's link cannot take them to the booking page:
 * in Bengali and English (the recipient's language is not known from a bad token), no details
 * that would help someone probing tokens.
 */
export type LinkProblem = 'expired' | 'invalid';

const TEXT: Record<LinkProblem, { bnTitle: string; bn: string; enTitle: string; en: string }> = {
  expired: {
    bnTitle: 'লিংকটির মেয়াদ শেষ হয়ে গেছে',
    bn: 'এই লিংকটি আর কাজ করছে না। অ্যাপ খুলে যেকোনো সময় আবার বুক করতে পারেন।',
    enTitle: 'This link has expired',
    en: 'This link is no longer valid. You can still book any time in the app.',
  },
  invalid: {
    bnTitle: 'লিংকটি সঠিক নয়',
    bn: 'এই লিংকটি আমরা চিনতে পারছি না। অনুগ্রহ করে ইমেইলের লিংকটি পুরোপুরি কপি করেছেন কিনা দেখুন, অথবা অ্যাপ থেকে বুক করুন।',
    enTitle: 'This link is not valid',
    en: 'We could not recognise this link. Please check that it was copied completely, or book in the app.',
  },
};

const escape = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

export function linkProblemPage(problem: LinkProblem, appBaseUrl: string): string {
  const t = TEXT[problem];
  const app = escape(appBaseUrl);
  return `<!doctype html>
<html lang="bn">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><meta name="robots" content="noindex">
<title>${t.bnTitle} · ${t.enTitle}</title>
<style>body{font-family:system-ui,'Noto Sans Bengali',sans-serif;max-width:32rem;margin:3rem auto;padding:0 1rem;color:#222}
h1{font-size:1.3rem}a.button{display:inline-block;margin-top:1rem;padding:.6rem 1.2rem;background:#e2136e;color:#fff;border-radius:6px;text-decoration:none}
hr{margin:2rem 0;border:none;border-top:1px solid #ddd}</style></head>
<body>
<section lang="bn"><h1>${t.bnTitle}</h1><p>${t.bn}</p></section>
<hr>
<section lang="en"><h1>${t.enTitle}</h1><p>${t.en}</p></section>
<a class="button" href="${app}">অ্যাপে যান · Open the app</a>
</body></html>`;
}
