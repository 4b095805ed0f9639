import { coachingSettingsFromConfig, type CoachingSettings } from '../../src/coachnova/settings';
import type { Config } from '../../src/config';
import { quietHoursAwayFromNow } from '../coachnova/fixtures';
import { draft, SAFE, type ActivityMocks } from './harness';

/**
 * The coaching session's activities as jest mocks, for a worker in Dhaka (with an email address
 * when `hasEmail`): every call succeeds unless `overrides` says otherwise. `settings` is what
 * the configuration says today (read when the session continues as new).
 */
export function coachingActivities(settings: CoachingSettings, overrides: ActivityMocks = {}, hasEmail = false) {
  let ids = 0;
  const mocks = {
    loadCoachingProfile: jest.fn().mockResolvedValue({ firstName: 'Rahim', locale: 'en', timezone: 'Asia/Dhaka', hasEmail }),
    loadRecentJobs: jest.fn().mockResolvedValue([]),
    storeBurnoutAssessments: jest.fn().mockResolvedValue(undefined),
    loadBookingServiceName: jest.fn().mockResolvedValue('AC Repair'),
    generateDraft: jest.fn().mockResolvedValue(draft('A tip for tomorrow')),
    renderTemplateDraft: jest.fn().mockResolvedValue(draft('Template tip', 'template')),
    checkSafety: jest.fn().mockResolvedValue(SAFE),
    recordMessage: jest.fn(async () => ({ messageId: `msg-${++ids}` })),
    markInAppDelivered: jest.fn().mockResolvedValue(undefined),
    sendMessageEmail: jest.fn().mockResolvedValue(undefined),
    markMessageFailed: jest.fn().mockResolvedValue(undefined),
    recordMessageResponse: jest.fn().mockResolvedValue(undefined),
    noteSkippedMessage: jest.fn().mockResolvedValue(undefined),
    sendSupervisorAlert: jest.fn().mockResolvedValue(undefined),
    loadCoachingSettings: jest.fn().mockResolvedValue(settings),
  };
  return { ...mocks, ...overrides } as Record<keyof typeof mocks, jest.Mock>;
}

/** Settings for fast session tests: quiet hours away from now, reminder and timeout in minutes, a generous cap. */
export function testCoachingSettings(config: Config): CoachingSettings {
  const quiet = quietHoursAwayFromNow();
  return {
    ...coachingSettingsFromConfig(config),
    quietHoursStart: quiet.CN_QUIET_HOURS_START,
    quietHoursEnd: quiet.CN_QUIET_HOURS_END,
    ackReminderSeconds: 600,
    ackTimeoutSeconds: 1200,
    assessmentIntervalSeconds: 3600,
    dailyMessageCap: 10,
  };
}
