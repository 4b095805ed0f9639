import { randomUUID } from 'node:crypto';

/**
 * Activities that do nothing, for the floor: what Temporal itself costs for the campaign's
 * shape. `segmentPage` returns a page of the same size and shape as fetchSegmentPage so the
 * payloads match; every other step is a no-op.
 */
export function createFloorActivities() {
  return {
    async floorNoop(step: string): Promise<string> {
      return step;
    },
    async floorSegmentPage(input: { limit: number }): Promise<Array<{ customerId: string; serviceId: string; localDate: string }>> {
      const serviceId = randomUUID();
      return Array.from({ length: input.limit }, () => ({ customerId: randomUUID(), serviceId, localDate: '2026-01-01' }));
    },
  };
}

export type FloorActivities = ReturnType<typeof createFloorActivities>;
