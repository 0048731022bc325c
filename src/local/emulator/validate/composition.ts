/**
 * Composition objects: option, option group, confirmation dialog, placeholder
 * (docs reference/block-kit/composition-objects/*; limits in limits.ts).
 */
import type { Checker, Obj, TextKind } from './checker.js';
import { LIMITS } from './limits.js';

/** Where an option lives decides what it may hold (docs option-object). */
export type OptionHost = 'select' | 'overflow' | 'choice';

/**
 * One option. Select and overflow menus take plain_text only; checkboxes and radio buttons
 * (`choice`) may use mrkdwn for text and description; `url` exists only in overflow menus.
 */
export function checkOption(c: Checker, option: unknown, pointer: string, host: OptionHost): void {
  if (!c.object(option, pointer)) return;
  const kind: TextKind = host === 'choice' ? 'any' : 'plain_text';
  c.text(option.text, `${pointer}/text`, LIMITS.optionText, kind);
  if (option.value === undefined && !(host === 'overflow' && option.url !== undefined))
    c.fail(`${pointer}/value`, 'missing required field');
  else c.string(option.value, `${pointer}/value`, LIMITS.optionValue);
  c.text(option.description, `${pointer}/description`, LIMITS.optionDescription, kind, false);
  if (option.url !== undefined) {
    if (host !== 'overflow') c.fail(`${pointer}/url`, 'url is only available in overflow menus');
    else c.string(option.url, `${pointer}/url`, LIMITS.optionUrl, true);
  }
}

/** An options array of `min..max` items; returns the options' values for `initial_*` checks. */
export function checkOptions(
  c: Checker,
  options: unknown,
  pointer: string,
  host: OptionHost,
  max: number,
  min = 1,
): string[] {
  if (!c.array(options, pointer, max, min)) return [];
  for (const [i, option] of options.entries()) checkOption(c, option, `${pointer}/${i}`, host);
  return options.map((o) => (o as Obj)?.value).filter((v): v is string => typeof v === 'string');
}

/** Option groups of a static select (types OptionGroup: label 75, up to 100 options each). */
export function checkOptionGroups(c: Checker, groups: unknown, pointer: string): string[] {
  if (!c.array(groups, pointer, LIMITS.selectOptions, 1)) return [];
  const values: string[] = [];
  groups.forEach((group, i) => {
    const p = `${pointer}/${i}`;
    if (!c.object(group, p)) return;
    c.text(group.label, `${p}/label`, LIMITS.optionGroupLabel, 'plain_text');
    values.push(...checkOptions(c, group.options, `${p}/options`, 'select', LIMITS.optionGroupOptions));
  });
  return values;
}

/**
 * `initial_option` / `initial_options` must each exactly match one of the element's options
 * (docs static-select / checkboxes / radio-button elements: "must exactly match one of the options").
 */
export function checkInitialOptions(
  c: Checker,
  initial: unknown,
  pointer: string,
  values: readonly string[],
  host: OptionHost,
  many: boolean,
): void {
  if (initial === undefined) return;
  const list = many ? initial : [initial];
  if (many && !Array.isArray(initial)) {
    c.fail(pointer, 'must provide an array');
    return;
  }
  (list as unknown[]).forEach((option, i) => {
    const p = many ? `${pointer}/${i}` : pointer;
    checkOption(c, option, p, host);
    const value = (option as Obj)?.value;
    if (typeof value === 'string' && !values.includes(value))
      c.fail(p, 'must exactly match one of the provided options');
  });
}

/** Confirmation dialog (docs confirmation-dialog-object: title, text, confirm, deny all required). */
export function checkConfirm(c: Checker, confirm: unknown, pointer: string): void {
  if (confirm === undefined) return;
  if (!c.object(confirm, pointer)) return;
  c.text(confirm.title, `${pointer}/title`, LIMITS.confirmTitle, 'plain_text');
  // types ConfirmationDialog.text: PlainTextElement | MrkdwnElement (the docs example uses mrkdwn)
  c.text(confirm.text, `${pointer}/text`, LIMITS.confirmText, 'any');
  c.text(confirm.confirm, `${pointer}/confirm`, LIMITS.confirmButton, 'plain_text');
  c.text(confirm.deny, `${pointer}/deny`, LIMITS.confirmButton, 'plain_text');
  c.oneOf(confirm.style, ['primary', 'danger'], `${pointer}/style`);
}

export function checkPlaceholder(c: Checker, placeholder: unknown, pointer: string): void {
  c.text(placeholder, pointer, LIMITS.placeholder, 'plain_text', false);
}
