import type { Redis } from 'ioredis';
import { PostGuard as JobsPostGuard } from '../jobs/index.js';
import type { ReminderKeys } from './keys.js';

/** Transitional: the post guard moved to src/jobs; reminders keep their key layout. */
export class PostGuard extends JobsPostGuard {
  constructor(redis: Redis, keys: ReminderKeys) {
    super(redis, keys.postGuard);
  }
}
