import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { simpleParser } from 'mailparser';

/**
 * `npm run login-code [email]`: the newest login code mailed to an address (default the demo
 * operator) in the development outbox (OUTBOX_DIR, var/outbox), so a newcomer can sign in to the
 * console without reading .eml files (quoted-printable or base64) by hand.
 */
async function main(): Promise<void> {
  const email = (process.argv[2] ?? 'operator@shoktiai.local').toLowerCase();
  const dir = process.env.OUTBOX_DIR ?? 'var/outbox';
  const files = readdirSync(dir)
    .filter((f) => f.endsWith('.eml'))
    .map((f) => join(dir, f))
    .sort((a, b) => statSync(b).mtimeMs - statSync(a).mtimeMs);
  for (const file of files) {
    const mail = await simpleParser(readFileSync(file));
    const to = (Array.isArray(mail.to) ? mail.to : [mail.to]).map((t) => t?.text.toLowerCase() ?? '');
    const code = /login code: (\d{6})/.exec(mail.text ?? '')?.[1];
    if (code && to.some((t) => t.includes(email))) {
      console.log(`${code}  (mailed to ${email} at ${mail.date?.toISOString() ?? '?'})`);
      return;
    }
  }
  console.error(`no login code for ${email} in ${dir}: ask for one on the console's sign-in page first`);
  process.exitCode = 1;
}

void main();
