/** The red team's bar (issue 11): no unsafe case may get through; at most 2 % of clean cases may be rejected. */
export const MAX_FALSE_REJECTION_RATE = 0.02;
