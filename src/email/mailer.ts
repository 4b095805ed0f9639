import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import nodemailer, { type Transporter } from 'nodemailer';

export interface OutgoingMail {
  to: string;
  subject: string;
  text: string;
  html?: string;
  /** Extra headers, e.g. List-Unsubscribe. */
  headers?: Record<string, string>;
  /** Where a reply goes: a message's own `reply+<token>@INBOUND_DOMAIN` address. */
  replyTo?: string;
  /**
   * Stable Message-ID derived from the idempotency key, so a retried send is recognisable
   * downstream and the outbox overwrites rather than duplicates.
   */
  messageId?: string;
}

export interface SentMail {
  messageId: string;
  /** Where it went: 'smtp' or the .eml path in the outbox. */
  destination: string;
}

export interface Mailer {
  readonly kind: 'smtp' | 'outbox';
  send(mail: OutgoingMail): Promise<SentMail>;
  close(): void;
}

export interface MailerOptions {
  smtpUrl?: string;
  from: string;
  outboxDir: string;
  /** SMTP socket timeouts; short in tests. */
  timeoutMs?: number;
}

function toNodemailer(from: string, mail: OutgoingMail) {
  return { from, to: mail.to, subject: mail.subject, text: mail.text, html: mail.html, headers: mail.headers, messageId: mail.messageId, ...(mail.replyTo ? { replyTo: mail.replyTo } : {}) };
}

/** Sends through SMTP when SMTP_URL is set (e.g. Gmail on 465 with TLS), else writes .eml files. */
export function createMailer(options: MailerOptions): Mailer {
  return options.smtpUrl ? smtpMailer(options.smtpUrl, options) : outboxMailer(options);
}

function smtpMailer(url: string, options: MailerOptions): Mailer {
  const timeout = options.timeoutMs ?? 30_000;
  const transport: Transporter = nodemailer.createTransport(url, {
    pool: true,
    maxConnections: 5,
    connectionTimeout: timeout,
    greetingTimeout: timeout,
    socketTimeout: timeout,
  } as object);
  return {
    kind: 'smtp',
    async send(mail) {
      const info = await transport.sendMail(toNodemailer(options.from, mail));
      return { messageId: info.messageId, destination: 'smtp' };
    },
    close: () => transport.close(),
  };
}

function outboxMailer(options: MailerOptions): Mailer {
  const transport = nodemailer.createTransport({ streamTransport: true, buffer: true, newline: 'unix' });
  mkdirSync(options.outboxDir, { recursive: true });
  return {
    kind: 'outbox',
    async send(mail) {
      const info = await transport.sendMail(toNodemailer(options.from, mail));
      const id = info.messageId.replace(/[<>]/g, '').replace(/[^A-Za-z0-9._@-]/g, '_');
      const path = join(options.outboxDir, `${id}.eml`);
      writeFileSync(path, info.message as Buffer);
      return { messageId: info.messageId, destination: path };
    },
    close: () => transport.close(),
  };
}
