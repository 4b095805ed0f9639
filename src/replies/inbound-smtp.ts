import type { AddressInfo } from 'node:net';
import { simpleParser } from 'mailparser';
import { SMTPServer, type SMTPServerDataStream, type SMTPServerSession } from 'smtp-server';
import type { Logger } from '../lib/logger';
import { verifyReplyAddress, type ReplyAddressSettings } from './reply-address';
import type { IncomingReply } from './store';
import { stripQuotedReply } from './strip';

/**
 * The inbound mail listener (DESIGN.md "Replies understood"). It is the MX for INBOUND_DOMAIN:
 * it accepts mail only for a genuine, unexpired `reply+<token>@INBOUND_DOMAIN` (anything else is
 * refused at RCPT, before any content is sent), bounds the size (SIZE is advertised, and a
 * message that exceeds it anyway is drained without being kept and refused with 552), parses
 * with mailparser, strips quoted history and signature, and hands the reply to `onReply` (the
 * reply path). A failure there answers 451, so the sender's server retries — which is why the
 * reply path stores a reply once per Message-ID.
 *
 * No AUTH (anyone may send us a reply) and no STARTTLS here: terminate TLS in front of it in
 * production if the sending servers require it.
 */
export interface InboundSmtpOptions {
  settings: ReplyAddressSettings;
  port: number;
  host?: string;
  maxBytes: number;
  logger: Logger;
  onReply(reply: IncomingReply): Promise<unknown>;
  now?: () => Date;
}

export interface InboundSmtp {
  port: number;
  close(): Promise<void>;
}

const smtpError = (code: number, message: string) => Object.assign(new Error(message), { responseCode: code });

export async function startInboundSmtp(options: InboundSmtpOptions): Promise<InboundSmtp> {
  const log = options.logger.child({ component: 'inbound-smtp' });
  const now = options.now ?? (() => new Date());
  const messageIdsOf = (session: SMTPServerSession) =>
    [...new Set(session.envelope.rcptTo.map((r) => verifyReplyAddress(options.settings, r.address, now())).flatMap((v) => (v.ok ? [v.messageId] : [])))];

  const server = new SMTPServer({
    name: options.settings.INBOUND_DOMAIN,
    banner: 'ShoktiAI replies',
    authOptional: true,
    disabledCommands: ['AUTH', 'STARTTLS'],
    size: options.maxBytes,
    logger: false,
    maxClients: 100,
    socketTimeout: 60_000,
    onRcptTo(address, _session, callback) {
      const verdict = verifyReplyAddress(options.settings, address.address, now());
      if (verdict.ok) return callback();
      log.info({ reason: verdict.reason }, 'inbound mail refused at RCPT');
      callback(smtpError(550, verdict.reason === 'expired' ? '5.1.1 this reply address has expired' : '5.1.1 no such reply address'));
    },
    onData(stream: SMTPServerDataStream, session, callback) {
      // keep at most maxBytes; past that, drain (the client is still sending) and refuse
      const chunks: Buffer[] = [];
      let kept = 0;
      stream.on('data', (chunk: Buffer) => {
        if (kept + chunk.length <= options.maxBytes) {
          chunks.push(chunk);
          kept += chunk.length;
        } else {
          kept = options.maxBytes + 1;
          chunks.length = 0;
        }
      });
      stream.on('error', (error) => callback(error));
      stream.on('end', () => {
        if (stream.sizeExceeded || kept > options.maxBytes) return callback(smtpError(552, `5.3.4 message too big (at most ${options.maxBytes} bytes)`));
        handle(Buffer.concat(chunks), messageIdsOf(session)).then(
          () => callback(),
          (error: unknown) => {
            const code = (error as { responseCode?: number }).responseCode;
            if (code && code >= 500) return callback(error as Error);
            // a genuine address of a message that no longer exists: permanent, not "try again"
            if ((error as { status?: number }).status === 404) return callback(smtpError(550, '5.1.1 no such message'));
            log.warn({ err: error }, 'inbound reply could not be stored; the sender will retry');
            callback(smtpError(451, '4.3.0 temporary failure, try again later'));
          },
        );
      });
    },
  });

  async function handle(raw: Buffer, messageIds: string[]): Promise<void> {
    if (messageIds.length === 0) throw smtpError(550, '5.1.1 no valid reply address');
    const mail = await simpleParser(raw, { skipImageLinks: true, skipTextToHtml: true });
    const text = stripQuotedReply(mail.text ?? '');
    if (!text) {
      log.info('inbound reply without new text (only quoted history); nothing stored');
      return;
    }
    for (const messageId of messageIds) {
      await options.onReply({ messageId, channel: 'email', text, emailMessageId: mail.messageId ?? null });
    }
  }

  server.on('error', (error) => log.warn({ err: error }, 'inbound SMTP connection error'));
  await new Promise<void>((resolve, reject) => {
    server.server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.server.address() as AddressInfo;
  log.info({ port, domain: options.settings.INBOUND_DOMAIN }, 'inbound SMTP listening');
  return { port, close: () => new Promise((resolve) => server.close(() => resolve())) };
}
