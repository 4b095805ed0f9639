import { createTestDatabase, type TestDatabase } from '../helpers/database';
import { favouriteBookingHour } from '../../src/smartengage/favourite-booking-hour';
import { personalSendPlan } from '../../src/core/local-time';
import { createCustomer, createService } from './fixtures';

const MIN = 60_000;
const HOUR = 60 * MIN;

describe('personal send plan (pure)', () => {
  // 2026-11-27 12:00 UTC is 18:00 in Dhaka (UTC+6) and 07:00 in New York (UTC−5)
  const noon = new Date('2026-11-27T12:00:00Z');

  it('waits for the favourite hour when it lies inside the window', () => {
    expect(personalSendPlan(noon, 'Asia/Dhaka', '18:00', '21:00', 19)).toEqual({ waitMs: HOUR, target: '19:00', reason: 'favourite_hour' });
    // already inside that hour: now
    expect(personalSendPlan(noon, 'Asia/Dhaka', '18:00', '21:00', 18)).toEqual({ waitMs: 0, target: '18:00', reason: 'favourite_hour' });
    // the hour has passed today: tomorrow's
    expect(personalSendPlan(new Date('2026-11-27T14:30:00Z'), 'Asia/Dhaka', '18:00', '21:00', 19)).toEqual({ waitMs: 22.5 * HOUR, target: '19:00', reason: 'favourite_hour' });
  });

  it("uses the customer's own timezone", () => {
    // 07:00 in New York: 12 hours until 19:00 there
    expect(personalSendPlan(noon, 'America/New_York', '18:00', '21:00', 19)).toEqual({ waitMs: 12 * HOUR, target: '19:00', reason: 'favourite_hour' });
    // 21:00 in Tokyo (UTC+9), window over midnight 20:00–02:00, favourite hour 1: four hours
    expect(personalSendPlan(noon, 'Asia/Tokyo', '20:00', '02:00', 1)).toEqual({ waitMs: 4 * HOUR, target: '01:00', reason: 'favourite_hour' });
  });

  it('falls back to the window start when the hour is outside the window or unknown', () => {
    expect(personalSendPlan(noon, 'Asia/Dhaka', '18:00', '21:00', 9)).toEqual({ waitMs: 0, target: '18:00', reason: 'favourite_hour_outside_window' });
    expect(personalSendPlan(new Date('2026-11-27T10:00:00Z'), 'Asia/Dhaka', '18:00', '21:00', null)).toEqual({ waitMs: 2 * HOUR, target: '18:00', reason: 'too_few_bookings' });
  });

  it('aims at a mid-hour window start when the favourite hour straddles it, and anywhere in an any-time window', () => {
    expect(personalSendPlan(new Date('2026-11-27T11:00:00Z'), 'Asia/Dhaka', '18:30', '21:00', 18)).toEqual({ waitMs: 90 * MIN, target: '18:30', reason: 'favourite_hour' });
    expect(personalSendPlan(noon, 'Asia/Dhaka', '00:00', '00:00', 7)).toEqual({ waitMs: 13 * HOUR, target: '07:00', reason: 'favourite_hour' });
  });
});

describe('favourite booking hour (SQL over bookings)', () => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDatabase();
  });
  afterAll(async () => {
    await database?.drop();
  });

  /** A customer whose bookings were made at the given UTC instants. */
  async function customerBookingAt(instants: string[]): Promise<string> {
    const serviceId = await createService(database.db);
    const { id } = await createCustomer(database.db, { serviceId, completedBookings: 0 });
    for (const at of instants) {
      await database.db
        .insertInto('bookings')
        .values({ customer_id: id, service_id: serviceId, status: 'COMPLETED', scheduled_at: at, finished_at: at, total_price: 1, created_at: at })
        .execute();
    }
    return id;
  }

  it('is the local hour of most bookings, in the given timezone', async () => {
    // 13:10, 13:40 and 13:55 UTC are 19:xx in Dhaka; in New York 09:xx twice (EDT) and 08:55 (EST after 1 November); one more at 03:00 UTC
    const id = await customerBookingAt(['2026-10-01T13:10:00Z', '2026-10-08T13:40:00Z', '2026-11-02T13:55:00Z', '2026-11-05T03:00:00Z']);
    expect(await favouriteBookingHour(database.db, id, 'Asia/Dhaka')).toEqual({ hour: 19, bookingsAtHour: 3, bookings: 4 });
    expect(await favouriteBookingHour(database.db, id, 'America/New_York')).toEqual({ hour: 9, bookingsAtHour: 2, bookings: 4 });
  });

  it('follows daylight saving: the same local hour on both sides of a change', async () => {
    // 19:00 in New York is 23:00 UTC in summer (EDT) and 00:00 UTC in winter (EST)
    const id = await customerBookingAt(['2026-10-20T23:00:00Z', '2026-10-27T23:30:00Z', '2026-11-10T00:15:00Z', '2026-11-17T00:45:00Z']);
    expect(await favouriteBookingHour(database.db, id, 'America/New_York')).toEqual({ hour: 19, bookingsAtHour: 4, bookings: 4 });
  });

  it('needs at least three bookings, and breaks ties by the most recent booking', async () => {
    const two = await customerBookingAt(['2026-10-01T13:10:00Z', '2026-10-08T13:40:00Z']);
    expect(await favouriteBookingHour(database.db, two, 'Asia/Dhaka')).toEqual({ hour: null, bookingsAtHour: 2, bookings: 2 });
    const none = await customerBookingAt([]);
    expect(await favouriteBookingHour(database.db, none, 'Asia/Dhaka')).toEqual({ hour: null, bookingsAtHour: 0, bookings: 0 });
    // two at 19:xx Dhaka, two at 10:xx Dhaka; the latest is at 10:xx
    const tie = await customerBookingAt(['2026-10-01T13:10:00Z', '2026-10-08T13:40:00Z', '2026-10-02T04:00:00Z', '2026-11-20T04:30:00Z']);
    expect((await favouriteBookingHour(database.db, tie, 'Asia/Dhaka')).hour).toBe(10);
  });
});
