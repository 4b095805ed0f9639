import { createServer, type Server, type Socket } from 'node:net';
import { createSentMailbox, parseSentMailboxUrl, SentMailboxUnavailable } from '../../src/email/sent-mailbox';
import { freePort } from '../../src/temporal/dev-server';
import { startImapServer, type TestImapServer } from '../helpers/imap';

/**
 * The Sent-mailbox check against a real IMAP server laid out like a Gmail account: it answers
 * found / not found, and a mailbox it cannot ask (timeout, refused login, nothing listening)
 * is an error naming the problem, never a "not found".
 */
let imap: TestImapServer;
beforeAll(async () => {
  imap = await startImapServer();
});
afterAll(async () => {
  await imap.close();
});

const rawMail = (messageId: string) =>
  [`From: ShoktiAI <bot@example.test>`, `To: customer@example.test`, `Subject: hello`, `Message-ID: ${messageId}`, `Date: ${new Date().toUTCString()}`, '', 'body', ''].join('\r\n');

it('finds a mail in the Sent mailbox by its Message-ID, and only that one', async () => {
  imap.fileSent(rawMail('<11111111-aaaa@shoktiai>'));
  const mailbox = createSentMailbox(imap.url, { timeoutMs: 3000 });
  expect(await mailbox.contains('<11111111-aaaa@shoktiai>')).toBe(true);
  expect(await mailbox.contains('<22222222-bbbb@shoktiai>')).toBe(false);
  // a Message-ID that merely starts like a filed one is another message
  expect(await mailbox.contains('<11111111@shoktiai>')).toBe(false);
});

it('finds the mailbox marked \\Sent when the URL names none', async () => {
  imap.fileSent(rawMail('<33333333-cccc@shoktiai>'));
  const mailbox = createSentMailbox(`imap://bot:pw@127.0.0.1:${imap.port}`, { timeoutMs: 3000 });
  expect(mailbox.description).toBe(`imap://bot:***@127.0.0.1:${imap.port}/(\\Sent)`);
  expect(await mailbox.contains('<33333333-cccc@shoktiai>')).toBe(true);
});

it('reads the Gmail URL form: TLS on 993, user and app password decoded, the mailbox path URL-encoded', () => {
  expect(parseSentMailboxUrl('imaps://bot%40example.com:abcd%20efgh@imap.gmail.com/%5BGmail%5D%2FSent%20Mail')).toEqual({
    host: 'imap.gmail.com',
    port: 993,
    secure: true,
    user: 'bot@example.com',
    password: 'abcd efgh',
    mailbox: '[Gmail]/Sent Mail',
  });
  expect(parseSentMailboxUrl('imap://u:p@mail.internal')).toMatchObject({ port: 143, secure: false, mailbox: undefined });
});

const problemOf = (promise: Promise<unknown>) =>
  promise.then(
    () => 'answered',
    (error: unknown) => (error instanceof SentMailboxUnavailable ? error.problem : `other: ${String(error)}`),
  );

it('reports a refused login as an authentication problem, with the password kept out of the description', async () => {
  const mailbox = createSentMailbox(`imap://bot:wrong-password@127.0.0.1:${imap.port}/${encodeURIComponent('[Gmail]/Sent Mail')}`, { timeoutMs: 3000 });
  expect(mailbox.description).not.toContain('wrong-password');
  expect(await problemOf(mailbox.contains('<11111111-aaaa@shoktiai>'))).toBe('authentication');
});

it('gives up after its timeout on a server that accepts the connection and never answers', async () => {
  const sockets = new Set<Socket>();
  const mute: Server = createServer((socket) => void sockets.add(socket));
  await new Promise<void>((resolve) => mute.listen(0, '127.0.0.1', resolve));
  try {
    const mailbox = createSentMailbox(`imap://bot:pw@127.0.0.1:${(mute.address() as { port: number }).port}/INBOX`, { timeoutMs: 800 });
    const started = Date.now();
    expect(await problemOf(mailbox.contains('<11111111-aaaa@shoktiai>'))).toBe('timeout');
    expect(Date.now() - started).toBeLessThan(3000);
  } finally {
    sockets.forEach((socket) => socket.destroy());
    await new Promise((resolve) => mute.close(resolve));
  }
});

it('reports nothing listening as unreachable, and a mailbox that does not exist as a problem, not as "not found"', async () => {
  const nobody = createSentMailbox(`imap://bot:pw@127.0.0.1:${await freePort()}/INBOX`, { timeoutMs: 3000 });
  expect(await problemOf(nobody.contains('<11111111-aaaa@shoktiai>'))).toBe('unreachable');
  const missing = createSentMailbox(`imap://bot:pw@127.0.0.1:${imap.port}/Sent%20Items`, { timeoutMs: 3000 });
  expect(await problemOf(missing.contains('<11111111-aaaa@shoktiai>'))).toBe('protocol');
});

it('reports a server with no Sent mailbox, when the URL names none, as a problem rather than "not found"', async () => {
  const unmarked = await startImapServer({ markSent: false, sentFolder: 'Outgoing Archive' });
  try {
    const mailbox = createSentMailbox(`imap://bot:pw@127.0.0.1:${unmarked.port}`, { timeoutMs: 3000 });
    expect(await problemOf(mailbox.contains('<11111111-aaaa@shoktiai>'))).toBe('no-sent-mailbox');
  } finally {
    await unmarked.close();
  }
});
