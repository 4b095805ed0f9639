import { SMTPServer } from 'smtp-server';

export interface AcceptedMail {
  to: string[];
  /** Date.now() when the sink accepted the message (end of DATA). */
  at: number;
  bytes: number;
}

export interface SmtpSink {
  url: string;
  accepted: AcceptedMail[];
  /** How many mails each recipient got since the last reset. */
  countsByRecipient(): Map<string, number>;
  /** Resolves with the time the `count`-th mail arrived; rejects after `timeoutMs`. */
  waitFor(count: number, timeoutMs: number): Promise<number>;
  reset(): void;
  close(): Promise<void>;
}

/**
 * An SMTP server that accepts and counts mail without parsing it (optionally after `delayMs`, a
 * slow mail server) (the test helper parses every
 * message with mailparser, which would make the sink the bottleneck at hundreds per second).
 */
export async function startSmtpSink(options: { delayMs?: number } = {}): Promise<SmtpSink> {
  const accepted: AcceptedMail[] = [];
  let waiters: Array<() => void> = [];
  const closed = new Set<string>();
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    maxClients: 1000,
    onClose(session) {
      closed.add(session.id);
    },
    onData(stream, session, callback) {
      let bytes = 0;
      stream.on('data', (chunk: Buffer) => {
        bytes += chunk.length;
      });
      // with a delay (a slow mail server), a sender that vanished before the answer never saw
      // its mail accepted, so it is not counted
      const accept = () => {
        if (closed.has(session.id)) return;
        accepted.push({ to: session.envelope.rcptTo.map((r) => r.address.toLowerCase()), at: Date.now(), bytes });
        const ready = waiters;
        waiters = [];
        ready.forEach((w) => w());
        callback();
      };
      stream.on('end', () => (options.delayMs ? setTimeout(accept, options.delayMs) : accept()));
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.server.address() as { port: number };
  return {
    url: `smtp://127.0.0.1:${port}`,
    accepted,
    countsByRecipient() {
      const counts = new Map<string, number>();
      for (const mail of accepted) for (const to of mail.to) counts.set(to, (counts.get(to) ?? 0) + 1);
      return counts;
    },
    async waitFor(count, timeoutMs) {
      const deadline = Date.now() + timeoutMs;
      while (accepted.length < count) {
        if (Date.now() > deadline) throw new Error(`SMTP sink: ${accepted.length} of ${count} mails after ${timeoutMs} ms`);
        await new Promise<void>((resolve) => {
          waiters.push(resolve);
          setTimeout(resolve, 250);
        });
      }
      return accepted[count - 1].at;
    },
    reset() {
      accepted.length = 0;
    },
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
