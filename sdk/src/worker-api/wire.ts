/**
 * The worker API's wire shapes (web/app/api/worker/v1/…): the web app validates with them, the Node client
 * parses with them, the Python client follows the same shapes.
 */
import { z } from 'zod';

/** `GET /api/worker/v1/hello`: the server's package version and the worker protocols it serves (`oldest`…`current`). */
export const helloAnswer = z.object({
  server: z.object({ version: z.string().min(1) }),
  protocol: z.object({ current: z.number().int().min(1), oldest: z.number().int().min(1) }),
});
export type HelloAnswer = z.infer<typeof helloAnswer>;

/** Every refusal of the worker API: `{ error: { code, message } }`. */
export const errorAnswer = z.object({ error: z.object({ code: z.string(), message: z.string() }) });
