/*
 * The queries and bodies the FinOps routes accept.
 */
import { z } from 'zod/v3';

export const periodQuery = z
  .object({ days: z.coerce.number().int().min(7).max(400).default(30) })
  .strict();

export const pagedQuery = z
  .object({
    days: z.coerce.number().int().min(7).max(400).default(30),
    limit: z.coerce.number().int().min(1).max(200).default(50),
    cursor: z
      .string()
      .regex(/^\d{1,9}$/, 'cursor must come from a previous page')
      .optional(),
  })
  .strict();

export const monthsQuery = z
  .object({ months: z.coerce.number().int().min(1).max(36).default(12) })
  .strict();

export const importQuery = z
  .object({
    source: z
      .string()
      .regex(
        /^[a-z0-9][a-z0-9._-]{0,63}$/i,
        'source must be a short name for the billing export, such as aws-main',
      ),
  })
  .strict();

export const budgetBody = z
  .object({
    monthlyAmount: z
      .number()
      .positive('monthlyAmount must be above 0')
      .max(1e12),
  })
  .strict();
