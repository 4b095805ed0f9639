/**
 * Replies to a message by email, as a mail client would, through the inbound listener that
 * `npm start` runs (INBOUND_SMTP_PORT, 2525 by default):
 *
 *   npx tsx scripts/send-reply.ts <message-id | path/to/mail.eml> "the reply text"
 *
 * Given an .eml from var/outbox, it answers to the mail's own Reply-To and quotes it (as Gmail
 * would, "On … wrote:" and `>` lines, which the listener strips); given a message id, it signs
 * the reply address with this installation's secrets (var/secrets.json), like the mailer does.
 */
import { readFileSync } from 'node:fs';
import { simpleParser } from 'mailparser';
import nodemailer from 'nodemailer';
import { loadConfig } from '../src/config';
import { replyAddress } from '../src/replies/reply-address';

async function main(): Promise<void> {
  const [target, text] = process.argv.slice(2);
  if (!target || !text) {
    console.error('usage: npx tsx scripts/send-reply.ts <message-id | mail.eml> "reply text"');
    process.exit(2);
  }
  const config = loadConfig();
  let to: string;
  let quoted = '';
  let subject = 'Re: your reminder';
  if (target.endsWith('.eml')) {
    const mail = await simpleParser(readFileSync(target));
    const address = mail.replyTo?.value[0]?.address;
    if (!address) throw new Error(`${target} has no Reply-To`);
    to = address;
    subject = `Re: ${mail.subject ?? ''}`;
    quoted = `\n\nOn ${mail.date?.toUTCString() ?? 'Mon'} ShoktiAI <no-reply@shoktiai.local> wrote:\n${(mail.text ?? '').split('\n').map((l) => `> ${l}`).join('\n')}`;
  } else {
    to = replyAddress(config, target);
  }
  const port = config.INBOUND_SMTP_PORT ?? 2525;
  const transport = nodemailer.createTransport({ host: '127.0.0.1', port, secure: false, ignoreTLS: true } as object);
  const info = await transport.sendMail({ from: 'Customer <customer@example.test>', to, subject, text: `${text}${quoted}` });
  transport.close();
  console.log(`sent to ${to} via localhost:${port}: ${info.response}`);
}

main().catch((error: { message?: string; response?: string }) => {
  console.error(`refused: ${error.response ?? error.message}`);
  process.exit(1);
});
