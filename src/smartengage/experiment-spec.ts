import { z } from 'zod';

/** How a reminder's send moment is chosen: the window's start, or the customer's own booking hour inside it. */
export const SendTimeMode = z.enum(['window', 'personal']);
export type SendTimeMode = z.infer<typeof SendTimeMode>;

export const ArmSpec = z
  .object({
    name: z.string().regex(/^[A-Za-z0-9 _.-]{1,40}$/, 'letters, digits, space, . _ - (1–40)'),
    kind: z.enum(['holdout', 'template', 'llm']),
    weight: z.number().positive().max(1_000_000),
    prompt_version: z.number().int().positive().optional(),
    send_time: SendTimeMode.optional(),
  })
  .strict()
  .refine((arm) => arm.prompt_version === undefined || arm.kind === 'llm', { message: 'prompt_version is only for an llm arm', path: ['prompt_version'] })
  .refine((arm) => arm.send_time === undefined || arm.kind !== 'holdout', { message: 'a holdout arm sends nothing, so it has no send_time', path: ['send_time'] });
export type ArmSpec = z.infer<typeof ArmSpec>;

/** The `experiment` of a run-segment request (DESIGN.md Part 2, "Experiments and uplift"). */
export const ExperimentSpec = z
  .object({
    name: z.string().min(1).max(100).optional(),
    arms: z.array(ArmSpec).min(1).max(10),
  })
  .strict()
  .refine((e) => new Set(e.arms.map((a) => a.name)).size === e.arms.length, { message: 'arm names must be unique', path: ['arms'] });
export type ExperimentSpec = z.infer<typeof ExperimentSpec>;
