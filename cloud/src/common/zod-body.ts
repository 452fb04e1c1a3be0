import { BadRequestException } from '@nestjs/common';
import type { z } from 'zod';

/** Validates a request part; a failure is a 400 listing every problem in one readable message. */
export function parseOr400<S extends z.ZodType>(schema: S, value: unknown, what = 'body'): z.infer<S> {
  const r = schema.safeParse(value);
  if (r.success) return r.data;
  const problems = r.error.issues.map((i) => (i.path.length ? `${i.path.join('.')}: ${i.message}` : i.message));
  throw new BadRequestException(`invalid ${what}: ${problems.join('; ')}`);
}
