import EmailReplyParser from 'email-reply-parser';

/**
 * The new text of a reply, without the quoted history and the signature. `email-reply-parser`
 * (a port of GitHub's EmailReplyParser) knows Gmail's "On … wrote:", Outlook's "From: … Sent:"
 * block and "-----Original Message-----", `>` lines and "-- " signatures; what it does not know
 * is cut here first: Bengali quote headers ("… লিখেছেন:", as Gmail in Bengali writes them, also
 * when the header wraps onto a second line), and a header that is the last thing left.
 */
const CUT_BEFORE: RegExp[] = [
  // Outlook's header block without the "-----Original Message-----" line
  /^\s*(From|প্রেরক)\s*:.*\n\s*(Sent|Date|পাঠানো হয়েছে|তারিখ)\s*:/m,
  /^-{2,}\s*(Original Message|মূল বার্তা)\s*-{2,}\s*$/im,
];

/** A quote header's last line: Gmail in Bengali ("… <…> লিখেছেন:") or English ("… wrote:"). */
const HEADER_END = /^.*(লিখেছেন|\bwrote)\s*:\s*$/m;
/** What the first line of a quote header looks like when it wrapped: an address or a date. */
const HEADER_START = /(<[^>]*@[^>]*>|@|\d|[০-৯]|^On\s)/;

/** Where the quote header starts: its last line, or the line before when the header wrapped there. */
function quoteHeaderAt(body: string): number | null {
  const match = HEADER_END.exec(body);
  if (!match) return null;
  const headerLine = match[0];
  const before = body.slice(0, match.index).replace(/\n$/, '');
  const previousStart = before.lastIndexOf('\n') + 1;
  const previous = before.slice(previousStart);
  const wrapped = !HEADER_START.test(headerLine.replace(/(লিখেছেন|wrote)\s*:\s*$/, '')) && previous.trim() !== '' && HEADER_START.test(previous);
  return wrapped ? previousStart : match.index;
}

const MAX_REPLY_CHARS = 4000;

export function stripQuotedReply(text: string): string {
  let body = text.replace(/\r\n?/g, '\n');
  const header = quoteHeaderAt(body);
  if (header !== null) body = body.slice(0, header);
  for (const pattern of CUT_BEFORE) {
    const match = pattern.exec(body);
    if (match) body = body.slice(0, match.index);
  }
  const visible = new EmailReplyParser().parseReply(body);
  return visible
    .split('\n')
    .filter((line) => !/^\s*>/.test(line))
    .join('\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim()
    .slice(0, MAX_REPLY_CHARS);
}
