import { ConfigError, loadConfig } from '../../src/config';

/** A bad environment stops start-up with a message that names the variable. */
describe('loadConfig', () => {
  it('fills embedded defaults when nothing is set', () => {
    const config = loadConfig({});
    expect(config.PORT).toBe(3000);
    expect(config.DATABASE_URL).toBeUndefined();
    expect(config.OTP_TTL_SECONDS).toBe(600);
    expect(config.OTP_MAX_ATTEMPTS).toBe(5);
    expect(config.JWT_TTL_SECONDS).toBeGreaterThan(0);
  });

  it('coerces numbers and flags from strings, and treats empty values as unset', () => {
    const config = loadConfig({ PORT: '8080', TEMPORAL_TLS: 'yes', OTP_REQUESTS_PER_WINDOW: '3', DATABASE_URL: '' });
    expect(config).toMatchObject({ PORT: 8080, TEMPORAL_TLS: true, OTP_REQUESTS_PER_WINDOW: 3 });
    expect(config.DATABASE_URL).toBeUndefined();
  });

  it.each([
    ['PORT', 'eighty'],
    ['PORT', '70000'],
    ['DATABASE_URL', 'not a url'],
    ['JWT_SECRET', 'too-short'],
    ['OTP_TTL_SECONDS', '-1'],
    ['OTP_IP_REQUESTS_PER_WINDOW', '0'],
    ['SE_SEND_WINDOW_START', '25:00'],
    ['LOG_LEVEL', 'loud'],
    ['TEMPORAL_TLS', 'maybe'],
    ['SENT_MAILBOX_URL', 'smtps://user:app-password@smtp.gmail.com:465'],
    ['SENT_MAILBOX_URL', 'imaps://imap.gmail.com:993/%5BGmail%5D%2FSent%20Mail'],
  ])('rejects %s=%j naming the variable', (name, value) => {
    expect(() => loadConfig({ [name]: value })).toThrow(ConfigError);
    expect(() => loadConfig({ [name]: value })).toThrow(new RegExp(`\\b${name}\\b`));
  });

  it('takes a Sent mailbox as an imap(s) URL with its credentials (Gmail: an app password)', () => {
    const url = 'imaps://bot%40example.com:app-password@imap.gmail.com:993/%5BGmail%5D%2FSent%20Mail';
    expect(loadConfig({ SENT_MAILBOX_URL: url }).SENT_MAILBOX_URL).toBe(url);
    expect(loadConfig({ SENT_MAILBOX_URL: '' }).SENT_MAILBOX_URL).toBeUndefined();
  });

  it('names every bad variable at once', () => {
    let message = '';
    try {
      loadConfig({ PORT: 'x', OTP_MAX_ATTEMPTS: 'many' });
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toContain('PORT');
    expect(message).toContain('OTP_MAX_ATTEMPTS');
  });
});
