import { simpleParser, type ParsedMail } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import type { TestImapServer } from './imap';

export interface TestSmtpServer {
  url: string;
  messages: ParsedMail[];
  /** Rejects the next `count` messages with a 451 temporary failure. */
  failNext(count: number): void;
  /** Resolves once `count` messages (in all) have arrived. */
  waitForMessages(count: number, timeoutMs?: number): Promise<ParsedMail[]>;
  close(): Promise<void>;
}

export interface TestSmtpOptions {
  /** Files a copy of every accepted mail in this IMAP server's Sent mailbox, as Gmail's relay does. */
  sentMailbox?: TestImapServer;
}

/** A real SMTP server in the test process; every accepted mail is parsed with mailparser. */
export async function startSmtpServer(options: TestSmtpOptions = {}): Promise<TestSmtpServer> {
  const messages: ParsedMail[] = [];
  let failures = 0;
  const waiters: Array<() => void> = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onData(stream, _session, callback) {
      let raw: Buffer | undefined;
      stream
        .toArray()
        .then((chunks: Buffer[]) => simpleParser((raw = Buffer.concat(chunks))))
        .then((mail) => {
          if (failures > 0) {
            failures--;
            const error = new Error('temporary failure, try again later') as Error & { responseCode: number };
            error.responseCode = 451;
            return callback(error);
          }
          // the copy is filed before the 250 goes out: a sender that saw the 250 finds it there
          options.sentMailbox?.fileSent(raw!.toString('latin1'));
          messages.push(mail);
          waiters.splice(0).forEach((w) => w());
          callback();
        })
        .catch(callback);
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.server.address() as { port: number };
  return {
    url: `smtp://127.0.0.1:${port}`,
    messages,
    failNext(count) {
      failures = count;
    },
    async waitForMessages(count, timeoutMs = 20_000) {
      const deadline = Date.now() + timeoutMs;
      while (messages.length < count) {
        if (Date.now() > deadline) throw new Error(`expected ${count} mails, got ${messages.length}`);
        await new Promise<void>((resolve) => {
          waiters.push(resolve);
          setTimeout(resolve, 200);
        });
      }
      return messages;
    },
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
