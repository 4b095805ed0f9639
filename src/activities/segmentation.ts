import type { SegmentCriteria } from '../smartengage/criteria';
import { fetchSegmentPage } from '../smartengage/segment-query';
import { localDate } from '../core/local-time';
import type { SegmentPage } from '../smartengage/types';
import type { ActivityDeps } from './deps';

export interface SegmentPageRequest {
  criteria: SegmentCriteria;
  /** The campaign's clock (ISO). */
  asOf: string;
  after: string | null;
  limit: number;
}

/** The segment query as an activity: keyset pages small enough for one payload each. */
export function createSegmentationActivities({ db }: ActivityDeps) {
  return {
    async fetchSegmentPage(input: SegmentPageRequest): Promise<SegmentPage> {
      const asOf = new Date(input.asOf);
      const rows = await fetchSegmentPage(db, input.criteria, asOf, input.after, input.limit);
      return {
        members: rows.map((r) => ({ customerId: r.customerId, serviceId: r.serviceId, localDate: localDate(asOf, r.timezone) })),
        nextCursor: rows.length ? rows[rows.length - 1].customerId : input.after,
      };
    },
  };
}
