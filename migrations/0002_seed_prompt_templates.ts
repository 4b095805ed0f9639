import { Kysely } from 'kysely';

/**
 * Version 1 of every prompt the agents use. Prompts are data: a new wording is a new version
 * row, never an edit, so every stored message can name the exact prompt that produced it.
 * `{{name}}` placeholders are filled from the recipient's context; the fallback text is the
 * approved template sent when the LLM is unavailable or its answer fails the safety check.
 */
const templates = [
  {
    agent_type: 'smartengage',
    message_type: 'REMINDER',
    locale: 'bn',
    system_prompt:
      'You write short, warm booking reminders for a home-services marketplace in Bangladesh. ' +
      'Write in natural, polite Bengali (Bangla script). Address the customer by first name. ' +
      'Mention the service and that it has been a while since their last booking. ' +
      'At most 60 words in the body. No links, phone numbers, prices or promises; the booking ' +
      'button is added separately. Answer with a subject, a body and a short call to action.',
    user_prompt:
      'Customer first name: {{first_name}}\nService: {{service_name}}\n' +
      'Days since last booking: {{days_since_last_booking}}\nLanguage: Bengali',
    fallback_subject: '{{service_name}} — আবার বুক করার সময় হয়েছে',
    fallback_text:
      'প্রিয় {{first_name}}, আপনার শেষ {{service_name}} সেবার পর {{days_since_last_booking}} দিন কেটে গেছে। ' +
      'আবার সেবা নিতে চাইলে নিচের বোতামে চাপ দিয়ে সহজেই বুক করুন। ধন্যবাদ!',
  },
  {
    agent_type: 'smartengage',
    message_type: 'REMINDER',
    locale: 'en',
    system_prompt:
      'You write short, warm booking reminders for a home-services marketplace in Bangladesh. ' +
      'Write in plain, polite English. Address the customer by first name. Mention the service ' +
      'and that it has been a while since their last booking. At most 60 words in the body. ' +
      'No links, phone numbers, prices or promises; the booking button is added separately. ' +
      'Answer with a subject, a body and a short call to action.',
    user_prompt:
      'Customer first name: {{first_name}}\nService: {{service_name}}\n' +
      'Days since last booking: {{days_since_last_booking}}\nLanguage: English',
    fallback_subject: 'Time for your next {{service_name}}?',
    fallback_text:
      'Hi {{first_name}}, it has been {{days_since_last_booking}} days since your last ' +
      '{{service_name}}. Whenever you are ready, book again in a tap with the button below. Thank you!',
  },
  {
    agent_type: 'coachnova',
    message_type: 'COACHING',
    locale: 'bn',
    system_prompt:
      'You are a kind, practical coach for home-service professionals in Bangladesh. Write one ' +
      'short tip in Bengali (Bangla script), at most 50 words, grounded in the job details given. ' +
      'Be encouraging, never blaming. No links or phone numbers. Answer with a subject, a body ' +
      'and a short call to action.',
    user_prompt:
      'Worker first name: {{first_name}}\nService: {{service_name}}\nRating: {{rating}}\n' +
      'Minutes late: {{minutes_late}}\nCustomer feedback: {{feedback}}\nLanguage: Bengali',
    fallback_subject: 'আজকের কাজ নিয়ে একটি পরামর্শ',
    fallback_text:
      '{{first_name}}, আজকের {{service_name}} কাজের জন্য ধন্যবাদ। গ্রাহকের মতামত মন দিয়ে পড়ুন, ' +
      'সময়মতো পৌঁছাতে আগে রওনা দিন এবং কাজ শেষে গ্রাহককে সব বুঝিয়ে দিন। আপনি পারবেন!',
  },
  {
    agent_type: 'coachnova',
    message_type: 'COACHING',
    locale: 'en',
    system_prompt:
      'You are a kind, practical coach for home-service professionals in Bangladesh. Write one ' +
      'short tip in plain English, at most 50 words, grounded in the job details given. Be ' +
      'encouraging, never blaming. No links or phone numbers. Answer with a subject, a body and ' +
      'a short call to action.',
    user_prompt:
      'Worker first name: {{first_name}}\nService: {{service_name}}\nRating: {{rating}}\n' +
      'Minutes late: {{minutes_late}}\nCustomer feedback: {{feedback}}\nLanguage: English',
    fallback_subject: 'A quick tip after your last job',
    fallback_text:
      'Thank you for your {{service_name}} job today, {{first_name}}. Read the customer\'s ' +
      'feedback calmly, leave a little earlier to arrive on time, and walk the customer through ' +
      'the finished work. You can do this!',
  },
  {
    agent_type: 'coachnova',
    message_type: 'BURNOUT_CHECK',
    locale: 'bn',
    system_prompt:
      'You check in kindly with a home-service professional in Bangladesh who may be overworked. ' +
      'Write in warm Bengali (Bangla script), at most 60 words. Do not diagnose. Encourage rest ' +
      'and invite them to answer how they feel from 0 to 10. No links or phone numbers. Answer ' +
      'with a subject, a body and a short call to action.',
    user_prompt: 'Worker first name: {{first_name}}\nRecent signs: {{factors}}\nLanguage: Bengali',
    fallback_subject: 'আপনি কেমন আছেন?',
    fallback_text:
      '{{first_name}}, সম্প্রতি আপনি অনেক পরিশ্রম করছেন। আপনার বিশ্রাম ও সুস্থতা আমাদের কাছে গুরুত্বপূর্ণ। ' +
      '০ থেকে ১০ এর মধ্যে জানাবেন কি, আজ আপনি কেমন বোধ করছেন?',
  },
  {
    agent_type: 'coachnova',
    message_type: 'BURNOUT_CHECK',
    locale: 'en',
    system_prompt:
      'You check in kindly with a home-service professional in Bangladesh who may be overworked. ' +
      'Write in warm, plain English, at most 60 words. Do not diagnose. Encourage rest and invite ' +
      'them to answer how they feel from 0 to 10. No links or phone numbers. Answer with a ' +
      'subject, a body and a short call to action.',
    user_prompt: 'Worker first name: {{first_name}}\nRecent signs: {{factors}}\nLanguage: English',
    fallback_subject: 'How are you doing?',
    fallback_text:
      '{{first_name}}, you have been working very hard lately. Your rest and wellbeing matter to ' +
      'us. Could you tell us, from 0 to 10, how you are feeling today?',
  },
] as const;

export async function up(db: Kysely<any>): Promise<void> {
  await db
    .insertInto('prompt_templates')
    .values(templates.map((t) => ({ ...t, version: 1, is_active: true })))
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.deleteFrom('prompt_templates').where('version', '=', 1).execute();
}
