import { createHash } from 'node:crypto';
import { SMTPServer } from 'smtp-server';

export interface ReceivedMail {
  to: string[];
  /** The Message-ID header without brackets (the app derives it from the ai_messages id). */
  messageId: string;
  at: number;
}

export interface FaultySmtp {
  url: string;
  received: ReceivedMail[];
  /** First attempts refused with 451 (the message came back later, or did not: see `received`). */
  refused(): number;
  /** Attempts that found the server down (connection refused or cut). */
  downAttempts(): number;
  /** Stops listening and cuts every open connection, as a crashed mail server; `up()` restores it. */
  down(): Promise<void>;
  up(): Promise<void>;
  close(): Promise<void>;
}

/** A deterministic 30 %: the same message is refused on its first attempt however often the suite runs. */
const refusedFirstTime = (messageId: string, share: number) => createHash('sha1').update(messageId).digest().readUInt16BE(0) / 65536 < share;

/**
 * The chaos suite's mail server: accepts mail (after `delayMs`, so sends are in flight when a
 * worker is killed), answers `451 try again later` to the first attempt of `refuseShare` of the
 * messages (by Message-ID), and can be taken down and brought back on the same port. A mail is
 * received only when its DATA is accepted; one whose connection was cut first was never accepted
 * from the sender's point of view and is not counted. With `sentMailbox`, each accepted mail is
 * filed there (its headers) before the 250 goes out, as Gmail files what its relay accepted in
 * "[Gmail]/Sent Mail".
 */
export async function startFaultySmtp(options: { delayMs: number; refuseShare: number; sentMailbox?: { fileSent(raw: string): void } }): Promise<FaultySmtp> {
  const received: ReceivedMail[] = [];
  const attempted = new Set<string>();
  const open = new Set<string>();
  let refused = 0;
  let downAttempts = 0;
  let isDown = false;
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    maxClients: 1000,
    onConnect(session, callback) {
      if (isDown) {
        downAttempts++;
        return callback(Object.assign(new Error('service not available'), { responseCode: 421 }));
      }
      open.add(session.id);
      callback();
    },
    onClose(session) {
      open.delete(session.id);
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      let headerBytes = 0;
      stream.on('data', (chunk: Buffer) => {
        // the headers are enough to find the Message-ID
        if (headerBytes < 16_384) {
          chunks.push(chunk);
          headerBytes += chunk.length;
        }
      });
      stream.on('end', () => {
        const head = Buffer.concat(chunks).toString('utf8').split(/\r?\n\r?\n/)[0];
        const messageId = /^message-id:\s*<?([^>\r\n]+)>?/im.exec(head)?.[1]?.trim() ?? '';
        const first = !attempted.has(messageId);
        attempted.add(messageId);
        if (first && refusedFirstTime(messageId, options.refuseShare)) {
          refused++;
          return callback(Object.assign(new Error('try again later'), { responseCode: 451 }));
        }
        setTimeout(() => {
          if (isDown || !open.has(session.id)) {
            downAttempts++;
            return callback(Object.assign(new Error('service not available'), { responseCode: 421 }));
          }
          received.push({ to: session.envelope.rcptTo.map((r) => r.address.toLowerCase()), messageId, at: Date.now() });
          options.sentMailbox?.fileSent(`${head}\r\n\r\n(the chaos mail server keeps the headers only)\r\n`);
          callback();
        }, options.delayMs);
      });
    },
  });
  // a sender cut off by down() resets its connection: expected here, not a crash
  server.on('error', () => undefined);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.server.address() as { port: number };
  const connections = () => (server as unknown as { connections: Set<{ close(): void }> }).connections;
  return {
    url: `smtp://127.0.0.1:${port}`,
    received,
    refused: () => refused,
    downAttempts: () => downAttempts,
    async down() {
      isDown = true;
      const closed = new Promise<void>((resolve) => server.server.close(() => resolve()));
      for (const connection of connections()) connection.close();
      open.clear();
      await closed;
    },
    async up() {
      await new Promise<void>((resolve, reject) => {
        server.server.once('error', reject);
        server.server.listen(port, '127.0.0.1', () => {
          server.server.off('error', reject);
          resolve();
        });
      });
      isDown = false;
    },
    close: () =>
      new Promise((resolve) => {
        for (const connection of connections()) connection.close();
        server.close(() => resolve());
      }),
  };
}
