/**
 * Collects Slack-format problems while walking a payload: `[ERROR] <what> [json-pointer:<where>]`,
 * the lines Slack puts in `response_metadata.messages`. Holds the primitive checks (objects,
 * arrays, lengths, text objects) that block, element and composition rules are written with.
 */

export type Obj = Record<string, unknown>;
export type TextKind = 'plain_text' | 'mrkdwn' | 'any';

/** Slack lists a bounded number of problems per answer. */
const MAX_ERRORS = 20;

export class Checker {
  readonly errors: string[] = [];
  /** `focus_on_load` may be true on one element per surface (types extensions.d.ts Focusable). */
  focusSeen = false;

  fail(pointer: string, message: string): void {
    if (this.errors.length < MAX_ERRORS) this.errors.push(`[ERROR] ${message} [json-pointer:${pointer}]`);
  }

  object(value: unknown, pointer: string): value is Obj {
    if (value && typeof value === 'object' && !Array.isArray(value)) return true;
    this.fail(pointer, 'must provide an object');
    return false;
  }

  /** An array with `min..max` items; false (and a problem) when it is not an array. */
  array(value: unknown, pointer: string, max: number, min = 0): value is unknown[] {
    if (!Array.isArray(value)) {
      this.fail(pointer, 'must provide an array');
      return false;
    }
    if (value.length < min) this.fail(pointer, `must provide at least ${min} items`);
    if (value.length > max) this.fail(pointer, `no more than ${max} items allowed`);
    return true;
  }

  string(value: unknown, pointer: string, max: number, required = false): void {
    if (value === undefined) {
      if (required) this.fail(pointer, 'missing required field');
      return;
    }
    if (typeof value !== 'string') this.fail(pointer, 'must be a string');
    else if (required && value.length === 0) this.fail(pointer, 'must be more than 0 characters');
    else this.maxLength(value, max, pointer);
  }

  maxLength(value: unknown, max: number, pointer: string): void {
    if (typeof value === 'string' && value.length > max)
      this.fail(pointer, `must be less than ${max + 1} characters`);
  }

  boolean(value: unknown, pointer: string): void {
    if (value !== undefined && typeof value !== 'boolean') this.fail(pointer, 'must be a boolean');
  }

  oneOf(value: unknown, allowed: readonly string[], pointer: string): void {
    if (value !== undefined && !allowed.includes(value as string))
      this.fail(pointer, `must be one of ${allowed.join(', ')}`);
  }

  /**
   * A text object (docs composition-objects/text-object): type plain_text or mrkdwn, text of 1..max
   * characters; `kind` narrows the type where Slack requires one of them.
   */
  text(value: unknown, pointer: string, max: number, kind: TextKind, required = true): void {
    if (value === undefined) {
      if (required) this.fail(pointer, 'missing required field');
      return;
    }
    if (!this.object(value, pointer)) return;
    if (value.type !== 'plain_text' && value.type !== 'mrkdwn')
      this.fail(`${pointer}/type`, 'must be one of plain_text, mrkdwn');
    else if (kind !== 'any' && value.type !== kind) this.fail(`${pointer}/type`, `must be a ${kind} object`);
    if (typeof value.text !== 'string') this.fail(`${pointer}/text`, 'must be a string');
    else if (value.text.length === 0) this.fail(`${pointer}/text`, 'must be more than 0 characters');
    else this.maxLength(value.text, max, `${pointer}/text`);
    // docs text-object: `emoji` is only usable with plain_text, `verbatim` only with mrkdwn
    if (value.type === 'mrkdwn' && value.emoji !== undefined)
      this.fail(`${pointer}/emoji`, 'emoji is only usable with plain_text');
    if (value.type === 'plain_text' && value.verbatim !== undefined)
      this.fail(`${pointer}/verbatim`, 'verbatim is only usable with mrkdwn');
  }

  /** `focus_on_load`: a boolean, true on at most one element of the surface. */
  focus(value: unknown, pointer: string): void {
    this.boolean(value, pointer);
    if (value !== true) return;
    if (this.focusSeen) this.fail(pointer, 'only one element may set focus_on_load');
    this.focusSeen = true;
  }
}
