/**
 * Slack's documented Block Kit limits, each with its source. `types` = the doc comments of
 * `@slack/types` (node_modules/@slack/types/dist/block-kit/*.d.ts, views.d.ts); `docs` = the
 * docs.slack.dev Block Kit reference page named beside it; `ref` = ../shared/slack-reference/README.md.
 * Where they disagree the current docs.slack.dev page wins (it describes what Slack enforces today).
 */
export const LIMITS = {
  // surfaces: docs reference/block-kit/blocks ("up to 50 blocks in each message, 100 in modals or Home tabs"); ref
  messageBlocks: 50,
  viewBlocks: 100,
  // docs methods/chat.postMessage: text is truncated past 40,000 characters (msg_too_long beyond)
  messageText: 40_000,

  // ids: types extensions.d.ts Actionable.action_id and blocks.d.ts Block.block_id (255)
  actionId: 255,
  blockId: 255,

  // views: types views.d.ts (title/submit/close 24, private_metadata 3000, callback_id 255, external_id 255)
  viewTitle: 24,
  viewButton: 24,
  privateMetadata: 3000,
  callbackId: 255,
  externalId: 255,

  // blocks: types blocks.d.ts
  sectionText: 3000, // SectionBlock.text; docs section-block
  sectionFields: 10, // SectionBlock.fields, max items
  sectionField: 2000, // SectionBlock.fields, text per item
  headerText: 150, // HeaderBlock.text
  contextElements: 10, // ContextBlock.elements
  actionsElements: 25, // ActionsBlock.elements
  inputLabel: 2000, // InputBlock.label
  inputHint: 2000, // InputBlock.hint
  imageAltText: 2000, // ImageBlock.alt_text; docs image-block
  imageUrl: 3000, // docs image-block image_url
  imageTitle: 2000, // ImageBlock.title
  markdownText: 12_000, // MarkdownBlock.text ("Limit 12,000 characters max")

  // composition objects: types composition-objects.d.ts + docs option-object / confirmation-dialog-object
  optionText: 75, // Option.text
  optionValue: 150, // docs option-object: value max 150 (types OptionDescriptor.value still says 75)
  optionDescription: 75, // Option.description
  optionUrl: 3000, // OptionDescriptor.url (overflow only)
  optionGroupLabel: 75, // OptionGroup.label
  optionGroupOptions: 100, // OptionGroup.options
  confirmTitle: 100, // ConfirmationDialog.title
  confirmText: 300, // ConfirmationDialog.text
  confirmButton: 30, // ConfirmationDialog.confirm / deny
  placeholder: 150, // types extensions.d.ts Placeholdable.placeholder

  // elements: types block-elements.d.ts
  buttonText: 75, // Button.text
  buttonValue: 2000, // Button.value
  buttonUrl: 3000, // Button.url
  accessibilityLabel: 75, // Button.accessibility_label
  selectOptions: 100, // StaticSelect.options / option_groups
  overflowOptions: 5, // docs overflow-menu-element: "An array of up to five option objects"; types Overflow.options
  checkboxOptions: 10, // Checkboxes.options
  radioOptions: 10, // RadioButtons.options
  inputLength: 3000, // PlainTextInput.min_length/max_length ("Maximum value is 3000")
  fileInputMaxFiles: 10, // FileInput.max_files (1..10)
  richTextInputLines: 100, // RichTextInput min/max lines (1..100)
} as const;
