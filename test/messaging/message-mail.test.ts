import { messageMail, type MessageMailInput } from '../../src/email/message-mail';

const base: MessageMailInput = {
  to: 'someone@example.test',
  messageId: '7f1c2a9e-0000-4000-8000-000000000001',
  locale: 'bn',
  subject: 'আবার বুক করার সময় হয়েছে',
  body: 'প্রিয় রহিম,\n\nআপনার শেষ সেবার পর ৩০ দিন কেটে গেছে।',
  callToAction: 'এখনই বুক করুন',
  deepLink: 'https://app.sheba.xyz/book?service=1&t=a"b',
  unsubscribeUrl: null,
};

describe('messageMail', () => {
  it('escapes whatever the text contains, in the HTML part', () => {
    const mail = messageMail({ ...base, body: 'Hi <script>alert(1)</script> & "friends"' });
    expect(mail.html).not.toContain('<script>');
    expect(mail.html).toContain('Hi &lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;friends&quot;');
    expect(mail.html).toContain('href="https://app.sheba.xyz/book?service=1&amp;t=a&quot;b"');
  });

  it('keeps paragraphs and line breaks', () => {
    const mail = messageMail(base);
    expect(mail.html).toContain('<p style="margin:0 0 14px">প্রিয় রহিম,</p><p style="margin:0 0 14px">আপনার শেষ সেবার পর ৩০ দিন কেটে গেছে।</p>');
    expect(mail.text.startsWith('প্রিয় রহিম,\n\nআপনার শেষ সেবার পর ৩০ দিন কেটে গেছে।\n\nএখনই বুক করুন: https://app.sheba.xyz')).toBe(true);
  });

  it('shows no button and no link without a deep link', () => {
    const mail = messageMail({ ...base, deepLink: null });
    expect(mail.html).not.toContain('<a href');
    expect(mail.text).not.toContain('এখনই বুক করুন:');
  });

  it('adds the unsubscribe headers and footer only to marketing mail', () => {
    expect(messageMail(base).headers).toEqual({});
    const marketing = messageMail({ ...base, unsubscribeUrl: 'https://api.example/unsubscribe/abc.def' });
    expect(marketing.headers).toEqual({
      'List-Unsubscribe': '<https://api.example/unsubscribe/abc.def>',
      'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click',
    });
    expect(marketing.text).toContain('আনসাবস্ক্রাইব করুন: https://api.example/unsubscribe/abc.def');
  });

  it('uses the English layout for English recipients and a stable Message-ID', () => {
    const mail = messageMail({ ...base, locale: 'en', unsubscribeUrl: 'https://api.example/u/x' });
    expect(mail.html).toContain('lang="en"');
    expect(mail.text).toContain('Unsubscribe: https://api.example/u/x');
    expect(mail.messageId).toBe('<7f1c2a9e-0000-4000-8000-000000000001@shoktiai>');
  });
});
