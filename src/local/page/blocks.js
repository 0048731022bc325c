// Block Kit and mrkdwn rendering for the local workspace page. Plain DOM, no build step.

const EMOJI = {
  red_circle: '🔴',
  large_orange_circle: '🟠',
  large_yellow_circle: '🟡',
  large_green_circle: '🟢',
  large_blue_circle: '🔵',
  large_purple_circle: '🟣',
  white_circle: '⚪',
  black_circle: '⚫',
  mag: '🔍',
  shield: '🛡️',
  eyes: '👀',
  white_check_mark: '✅',
  heavy_check_mark: '✔️',
  ballot_box_with_check: '☑️',
  warning: '⚠️',
  rotating_light: '🚨',
  fire: '🔥',
  pushpin: '📌',
  round_pushpin: '📍',
  alarm_clock: '⏰',
  clock1: '🕐',
  hourglass: '⌛',
  hourglass_flowing_sand: '⏳',
  memo: '📝',
  lock: '🔒',
  unlock: '🔓',
  key: '🔑',
  bell: '🔔',
  no_bell: '🔕',
  x: '❌',
  no_entry: '⛔',
  no_entry_sign: '🚫',
  stop_sign: '🛑',
  information_source: 'ℹ️',
  link: '🔗',
  page_facing_up: '📄',
  package: '📦',
  zap: '⚡',
  construction: '🚧',
  arrow_right: '➡️',
  arrow_left: '⬅️',
  arrows_counterclockwise: '🔄',
  leftwards_arrow_with_hook: '↩️',
  thumbsup: '👍',
  '+1': '👍',
  thumbsdown: '👎',
  tada: '🎉',
  speech_balloon: '💬',
  bar_chart: '📊',
  chart_with_upwards_trend: '📈',
  robot_face: '🤖',
  new: '🆕',
  loudspeaker: '📢',
  mega: '📣',
  calendar: '📅',
  date: '📅',
  spiral_note_pad: '🗒️',
  card_index_dividers: '🗂️',
  scales: '⚖️',
  money_with_wings: '💸',
  moneybag: '💰',
  email: '✉️',
  'e-mail': '📧',
  envelope: '✉️',
  incoming_envelope: '📨',
  sos: '🆘',
  question: '❓',
  exclamation: '❗',
  heavy_plus_sign: '➕',
  point_right: '👉',
  busts_in_silhouette: '👥',
  bust_in_silhouette: '👤',
  satellite: '📡',
  gear: '⚙️',
  wrench: '🔧',
  hammer_and_wrench: '🛠️',
  clipboard: '📋',
  file_folder: '📁',
  open_file_folder: '📂',
  inbox_tray: '📥',
  outbox_tray: '📤',
  traffic_light: '🚦',
  vertical_traffic_light: '🚦',
  sleeping: '😴',
  zzz: '💤',
  snooze: '💤',
  pause_button: '⏸️',
  arrow_forward: '▶️',
  repeat: '🔁',
  heavy_minus_sign: '➖',
  hand: '✋',
  raised_hand: '✋',
  wave: '👋',
  pencil: '📝',
  pencil2: '✏️',
  lower_left_fountain_pen: '🖋️',
  newspaper: '📰',
  telephone_receiver: '📞',
  globe_with_meridians: '🌐',
  bookmark: '🔖',
  label: '🏷️',
  hourglass_done: '⌛',
  dart: '🎯',
  white_large_square: '⬜',
  black_large_square: '⬛',
  ok: '🆗',
  sparkles: '✨',
  slightly_smiling_face: '🙂',
  smile: '😄',
  pray: '🙏',
  muscle: '💪',
  skull: '💀',
  test_tube: '🧪',
  microscope: '🔬',
  detective: '🕵️',
  lock_with_ink_pen: '🔏',
  closed_lock_with_key: '🔐',
  broom: '🧹',
  recycle: '♻️',
  rewind: '⏪',
  fast_forward: '⏩',
  checkered_flag: '🏁',
  triangular_flag_on_post: '🚩',
  siren: '🚨',
  large_red_square: '🟥',
  large_orange_square: '🟧',
  large_yellow_square: '🟨',
  large_green_square: '🟩',
};

export function emoji(text) {
  return text.replace(/:([a-z0-9_+-]+):/g, (m, name) => EMOJI[name] ?? m);
}

export function escapeHtml(text) {
  return String(text)
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;');
}

function decodeSlack(text) {
  return text.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
}

const ORDINAL = (n) => {
  const s = ['th', 'st', 'nd', 'rd'];
  const v = n % 100;
  return n + (s[(v - 20) % 10] || s[v] || s[0]);
};

/** Slack's `<!date^epoch^format|fallback>` tokens, in the reader's timezone. */
export function formatSlackDate(epoch, format) {
  const at = new Date(epoch * 1000);
  const now = new Date();
  const day = (d) => new Date(d.getFullYear(), d.getMonth(), d.getDate()).getTime();
  const diffDays = Math.round((day(at) - day(now)) / 86_400_000);
  const month = at.toLocaleString(undefined, { month: 'long' });
  const monthShort = at.toLocaleString(undefined, { month: 'short' });
  const weekday = at.toLocaleString(undefined, { weekday: 'long' });
  const pretty = (long) =>
    diffDays === 0 ? 'today' : diffDays === -1 ? 'yesterday' : diffDays === 1 ? 'tomorrow' : long;
  const tokens = {
    date_num: `${at.getFullYear()}-${String(at.getMonth() + 1).padStart(2, '0')}-${String(at.getDate()).padStart(2, '0')}`,
    date: `${month} ${ORDINAL(at.getDate())}, ${at.getFullYear()}`,
    date_short: `${monthShort} ${at.getDate()}, ${at.getFullYear()}`,
    date_long: `${weekday}, ${month} ${ORDINAL(at.getDate())}, ${at.getFullYear()}`,
    date_pretty: pretty(`${month} ${ORDINAL(at.getDate())}, ${at.getFullYear()}`),
    date_short_pretty: pretty(`${monthShort} ${at.getDate()}, ${at.getFullYear()}`),
    date_long_pretty: pretty(`${weekday}, ${month} ${ORDINAL(at.getDate())}, ${at.getFullYear()}`),
    time: at.toLocaleTimeString(undefined, { hour: 'numeric', minute: '2-digit' }),
    time_secs: at.toLocaleTimeString(undefined, { hour: 'numeric', minute: '2-digit', second: '2-digit' }),
  };
  return format.replace(/\{(\w+)\}/g, (m, token) => tokens[token] ?? m);
}

function inlineFormat(html) {
  return html
    .replace(/(^|[\s(\uE001])\*([^*\n]+)\*(?=$|[\s).,:;!?\uE000])/g, '$1<strong>$2</strong>')
    .replace(/(^|[\s(\uE001])_([^_\n]+)_(?=$|[\s).,:;!?\uE000])/g, '$1<em>$2</em>')
    .replace(/(^|[\s(\uE001])~([^~\n]+)~(?=$|[\s).,:;!?\uE000])/g, '$1<del>$2</del>');
}

/**
 * mrkdwn → safe HTML: *bold*, _italic_, ~strike~, `code`, ```pre```, > quotes, links, user,
 * channel and group mentions, dates and :emoji:. `ctx` resolves ids to names.
 */
export function mrkdwn(text, ctx, { plain = false } = {}) {
  if (!text) return '';
  if (plain) return escapeHtml(emoji(decodeSlack(text))).replace(/\n/g, '<br>');
  const parts = String(text).split('```');
  return parts
    .map((part, i) => {
      if (i % 2 === 1)
        return `<pre class="code-block">${escapeHtml(decodeSlack(part.replace(/^\n/, '')))}</pre>`;
      return formatLines(part, ctx);
    })
    .join('');
}

function formatLines(text, ctx) {
  const lines = text.split('\n');
  let html = '';
  let quote = [];
  const flush = () => {
    if (quote.length) html += `<blockquote>${quote.join('<br>')}</blockquote>`;
    quote = [];
  };
  lines.forEach((line, index) => {
    const quoted = /^(&gt;|>)\s?/.exec(line);
    if (quoted) {
      quote.push(formatInline(line.slice(quoted[0].length), ctx));
      return;
    }
    flush();
    html += formatInline(line, ctx) + (index < lines.length - 1 ? '<br>' : '');
  });
  flush();
  return html;
}

function formatInline(text, ctx) {
  // code spans and <...> tokens become placeholders, so *bold* and _italic_ can span around them
  const slots = [];
  const hold = (html) => `\uE000${slots.push(html) - 1}\uE001`;
  const held = text
    .replace(/`([^`]+)`/g, (_m, code) => hold(`<code>${escapeHtml(decodeSlack(code))}</code>`))
    .replace(/<([^<>]+)>/g, (_m, inner) => hold(special(inner, ctx)));
  const html = inlineFormat(escapeHtml(emoji(decodeSlack(held))));
  return html.replace(/\uE000(\d+)\uE001/g, (_m, index) => slots[Number(index)]);
}

function special(inner, ctx) {
  const [target, label] = splitOnce(inner, '|');
  if (target.startsWith('@')) {
    const user = ctx.users?.get(target.slice(1));
    const name = user ? user.display_name || user.real_name : label || target.slice(1);
    return `<span class="mention" data-user="${escapeHtml(target.slice(1))}">@${escapeHtml(name)}</span>`;
  }
  if (target.startsWith('#')) {
    const channel = ctx.channels?.get(target.slice(1));
    const name = channel ? channel.name : label || target.slice(1);
    return `<a class="mention channel-link" href="#" data-channel="${escapeHtml(target.slice(1))}">#${escapeHtml(name)}</a>`;
  }
  if (target.startsWith('!subteam^')) {
    const group = ctx.usergroups?.get(target.slice(9));
    return `<span class="mention">${escapeHtml(label || (group ? `@${group.handle}` : '@group'))}</span>`;
  }
  if (target.startsWith('!date^')) {
    const [, epoch, format] = target.split('^');
    const when = formatSlackDate(Number(epoch), format ?? '{date_short} {time}');
    return `<time title="${escapeHtml(new Date(Number(epoch) * 1000).toISOString())}">${escapeHtml(when)}</time>`;
  }
  if (target.startsWith('!')) return `<span class="mention">@${escapeHtml(target.slice(1))}</span>`;
  const href = decodeSlack(target);
  if (!/^(https?:|mailto:)/.test(href)) return escapeHtml(decodeSlack(label || target));
  return `<a href="${escapeHtml(href)}" target="_blank" rel="noopener">${escapeHtml(emoji(decodeSlack(label || target)))}</a>`;
}

function splitOnce(text, separator) {
  const index = text.indexOf(separator);
  return index < 0 ? [text, ''] : [text.slice(0, index), text.slice(index + 1)];
}

export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === undefined || value === null || value === false) continue;
    if (key === 'class') el.className = value;
    else if (key === 'html') el.innerHTML = value;
    else if (key.startsWith('on')) el.addEventListener(key.slice(2).toLowerCase(), value);
    else el.setAttribute(key, value === true ? '' : value);
  }
  for (const child of children.flat()) {
    if (child === undefined || child === null || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return el;
}

function textObject(obj, ctx, className) {
  if (!obj) return null;
  const plain = obj.type === 'plain_text';
  return h('div', {
    class: `${className ?? ''} ${plain ? 'plain' : 'mrkdwn'}`,
    html: mrkdwn(obj.text, ctx, { plain }),
  });
}

function plain(obj) {
  return obj ? emoji(decodeSlack(obj.text ?? '')) : '';
}

/**
 * Renders blocks. `ctx`: users/channels/usergroups (Maps), surface ('message'|'modal'|'home'),
 * values (view state, block_id → action_id → state), errors (block_id → message), and
 * onAction(detail) called when a person uses an interactive element.
 */
export function renderBlocks(blocks, ctx) {
  const root = h('div', { class: `blocks surface-${ctx.surface}` });
  (blocks ?? []).forEach((block, index) => {
    const blockId = block.block_id ?? `block_${index}`;
    const el = renderBlock(block, blockId, ctx);
    if (el) {
      el.dataset.blockId = blockId;
      root.append(el);
    }
  });
  return root;
}

function renderBlock(block, blockId, ctx) {
  switch (block.type) {
    case 'header':
      return h('div', { class: 'bk-header', role: 'heading', 'aria-level': '3' }, plain(block.text));
    case 'divider':
      return h('hr', { class: 'bk-divider' });
    case 'section': {
      const body = h('div', { class: 'bk-section-body' });
      if (block.text) body.append(textObject(block.text, ctx, 'bk-text'));
      if (block.fields?.length)
        body.append(
          h(
            'div',
            { class: 'bk-fields' },
            block.fields.map((f) => textObject(f, ctx, 'bk-field')),
          ),
        );
      const section = h('div', { class: 'bk-section' }, body);
      if (block.accessory)
        section.append(
          h('div', { class: 'bk-accessory' }, renderElement(block.accessory, blockId, ctx, false)),
        );
      return section;
    }
    case 'context':
      return h(
        'div',
        { class: 'bk-context' },
        (block.elements ?? []).map((el) =>
          el.type === 'image'
            ? h('img', { src: el.image_url, alt: el.alt_text ?? '', class: 'bk-context-image' })
            : textObject(el, ctx, 'bk-context-text'),
        ),
      );
    case 'actions':
      return h(
        'div',
        { class: 'bk-actions' },
        (block.elements ?? []).map((el) => renderElement(el, blockId, ctx, false)),
      );
    case 'input': {
      const error = ctx.errors?.[blockId];
      const id = `in-${blockId}`;
      return h(
        'div',
        { class: `bk-input${error ? ' has-error' : ''}` },
        h(
          'label',
          { class: 'bk-label', for: id },
          plain(block.label),
          block.optional ? h('span', { class: 'bk-optional' }, ' (optional)') : null,
        ),
        renderElement(
          { ...block.element, _inputId: id, _dispatch: block.dispatch_action },
          blockId,
          ctx,
          true,
        ),
        block.hint ? h('div', { class: 'bk-hint' }, plain(block.hint)) : null,
        error ? h('div', { class: 'bk-error', role: 'alert' }, error) : null,
      );
    }
    case 'image':
      return h(
        'figure',
        { class: 'bk-image' },
        block.title ? h('figcaption', {}, plain(block.title)) : null,
        h('img', { src: block.image_url, alt: block.alt_text ?? '' }),
      );
    case 'markdown':
      return h('div', { class: 'bk-text mrkdwn', html: mrkdwn(block.text, ctx) });
    case 'rich_text':
      return h('div', { class: 'bk-text', html: richText(block, ctx) });
    default:
      return h('div', { class: 'bk-unknown' }, `[${block.type} block]`);
  }
}

function richText(block, ctx) {
  const inline = (elements) =>
    (elements ?? [])
      .map((e) => {
        if (e.type === 'text') {
          let t = escapeHtml(emoji(e.text));
          if (e.style?.bold) t = `<strong>${t}</strong>`;
          if (e.style?.italic) t = `<em>${t}</em>`;
          if (e.style?.code) t = `<code>${t}</code>`;
          if (e.style?.strike) t = `<del>${t}</del>`;
          return t.replace(/\n/g, '<br>');
        }
        if (e.type === 'link')
          return `<a href="${escapeHtml(e.url)}" target="_blank" rel="noopener">${escapeHtml(e.text ?? e.url)}</a>`;
        if (e.type === 'user') return special(`@${e.user_id}`, ctx);
        if (e.type === 'channel') return special(`#${e.channel_id}`, ctx);
        if (e.type === 'emoji') return EMOJI[e.name] ?? `:${e.name}:`;
        return '';
      })
      .join('');
  return (block.elements ?? [])
    .map((el) => {
      if (el.type === 'rich_text_section') return `<div>${inline(el.elements)}</div>`;
      if (el.type === 'rich_text_preformatted') return `<pre class="code-block">${inline(el.elements)}</pre>`;
      if (el.type === 'rich_text_quote') return `<blockquote>${inline(el.elements)}</blockquote>`;
      if (el.type === 'rich_text_list')
        return `<${el.style === 'ordered' ? 'ol' : 'ul'}>${(el.elements ?? []).map((i) => `<li>${inline(i.elements)}</li>`).join('')}</${el.style === 'ordered' ? 'ol' : 'ul'}>`;
      return '';
    })
    .join('');
}

function allOptions(element) {
  return [...(element.options ?? []), ...(element.option_groups ?? []).flatMap((g) => g.options ?? [])];
}

/** Interactive elements. In input blocks they edit view state; elsewhere they send block_actions. */
function renderElement(element, blockId, ctx, inInput) {
  const actionId = element.action_id;
  const state = ctx.values?.[blockId]?.[actionId];
  const setState = (value) => {
    if (!ctx.values) return;
    ctx.values[blockId] ??= {};
    ctx.values[blockId][actionId] = { type: element.type, ...value };
  };
  // inputs only send actions when asked to (dispatch_action); everything else always does
  const act = (detail) => {
    if (inInput && !element._dispatch) return;
    ctx.onAction?.({ block_id: blockId, action_id: actionId, element, ...detail });
  };
  switch (element.type) {
    case 'button': {
      const button = h(
        'button',
        {
          type: 'button',
          class: `bk-button${element.style ? ` bk-${element.style}` : ''}`,
          'data-action-id': actionId,
          title: element.url ? element.url : undefined,
        },
        plain(element.text),
        element.url ? h('span', { class: 'external', 'aria-hidden': 'true' }, ' ↗') : null,
      );
      button.addEventListener('click', async () => {
        if (element.confirm && !(await ctx.confirm(element.confirm))) return;
        if (element.url) window.open(element.url, '_blank', 'noopener');
        button.classList.add('busy');
        setTimeout(() => button.classList.remove('busy'), 800);
        act({ value: element.value });
      });
      return button;
    }
    case 'static_select':
    case 'external_select': {
      const select = h('select', {
        class: 'bk-select',
        id: element._inputId,
        'data-action-id': actionId,
        'aria-label': element._inputId ? undefined : plain(element.placeholder) || 'Choose an option',
      });
      const selected = state?.selected_option?.value ?? element.initial_option?.value;
      select.append(
        h(
          'option',
          { value: '', disabled: true, selected: !selected },
          plain(element.placeholder) || 'Select an option',
        ),
      );
      const add = (parent, option) =>
        parent.append(
          h(
            'option',
            {
              value: option.value,
              selected: option.value === selected,
              title: plain(option.description) || undefined,
            },
            plain(option.text),
          ),
        );
      for (const option of element.options ?? []) add(select, option);
      for (const group of element.option_groups ?? []) {
        const og = h('optgroup', { label: plain(group.label) });
        for (const option of group.options ?? []) add(og, option);
        select.append(og);
      }
      const wrapper = h('div', { class: 'bk-select-wrap' }, select);
      const describe = () => {
        const option = allOptions(element).find((o) => o.value === select.value);
        wrapper.querySelector('.bk-option-description')?.remove();
        if (option?.description)
          wrapper.append(h('div', { class: 'bk-option-description' }, plain(option.description)));
      };
      describe();
      select.addEventListener('change', async () => {
        const option = allOptions(element).find((o) => o.value === select.value);
        if (element.confirm && !(await ctx.confirm(element.confirm))) return;
        setState({ selected_option: option });
        describe();
        act({ selected_value: option?.value });
      });
      if (state === undefined && element.initial_option)
        setState({ selected_option: element.initial_option });
      return wrapper;
    }
    case 'multi_static_select': {
      const chosen = new Set((state?.selected_options ?? element.initial_options ?? []).map((o) => o.value));
      const select = h('select', {
        class: 'bk-select',
        multiple: true,
        id: element._inputId,
        'data-action-id': actionId,
        size: Math.min(6, allOptions(element).length),
      });
      for (const option of allOptions(element))
        select.append(
          h('option', { value: option.value, selected: chosen.has(option.value) }, plain(option.text)),
        );
      select.addEventListener('change', () => {
        const values = [...select.selectedOptions].map((o) => o.value);
        setState({ selected_options: allOptions(element).filter((o) => values.includes(o.value)) });
        act({ selected_values: values });
      });
      return select;
    }
    case 'users_select':
    case 'multi_users_select': {
      const multi = element.type === 'multi_users_select';
      const current = multi
        ? (state?.selected_users ?? element.initial_users ?? [])
        : [state?.selected_user ?? element.initial_user].filter(Boolean);
      const select = h('select', {
        class: 'bk-select',
        multiple: multi || undefined,
        id: element._inputId,
        'data-action-id': actionId,
        'aria-label': element._inputId ? undefined : plain(element.placeholder) || 'Choose a person',
      });
      if (!multi)
        select.append(
          h(
            'option',
            { value: '', disabled: true, selected: current.length === 0 },
            plain(element.placeholder) || 'Choose a person',
          ),
        );
      for (const user of ctx.users.values())
        if (!user.deleted && user.id !== 'USLACKBOT')
          select.append(
            h(
              'option',
              { value: user.id, selected: current.includes(user.id) },
              `${user.real_name}${user.is_bot ? ' (app)' : ''}`,
            ),
          );
      select.addEventListener('change', () => {
        if (multi) {
          const users = [...select.selectedOptions].map((o) => o.value);
          setState({ selected_users: users });
          act({ selected_values: users });
        } else {
          setState({ selected_user: select.value });
          act({ selected_user: select.value });
        }
      });
      return select;
    }
    case 'conversations_select':
    case 'channels_select': {
      const key = element.type === 'channels_select' ? 'selected_channel' : 'selected_conversation';
      const current = state?.[key] ?? element.initial_channel ?? element.initial_conversation;
      const select = h('select', { class: 'bk-select', id: element._inputId, 'data-action-id': actionId });
      select.append(
        h(
          'option',
          { value: '', disabled: true, selected: !current },
          plain(element.placeholder) || 'Choose a channel',
        ),
      );
      for (const channel of ctx.channels.values())
        if (!channel.is_im)
          select.append(
            h('option', { value: channel.id, selected: channel.id === current }, `#${channel.name}`),
          );
      select.addEventListener('change', () => {
        setState({ [key]: select.value });
        act({ value: select.value });
      });
      return select;
    }
    case 'overflow': {
      const menu = h('div', { class: 'bk-overflow-menu', role: 'menu', hidden: true });
      const toggle = h(
        'button',
        { type: 'button', class: 'bk-overflow', 'aria-label': 'More options', 'data-action-id': actionId },
        '⋯',
      );
      for (const option of element.options ?? [])
        menu.append(
          h(
            'button',
            {
              type: 'button',
              role: 'menuitem',
              onclick: () => {
                menu.hidden = true;
                if (option.url) window.open(option.url, '_blank', 'noopener');
                act({ selected_value: option.value });
              },
            },
            plain(option.text),
          ),
        );
      toggle.addEventListener('click', (event) => {
        event.stopPropagation();
        menu.hidden = !menu.hidden;
      });
      document.addEventListener('click', () => {
        menu.hidden = true;
      });
      return h('div', { class: 'bk-overflow-wrap' }, toggle, menu);
    }
    case 'checkboxes':
    case 'radio_buttons': {
      const radio = element.type === 'radio_buttons';
      const chosen = new Set(
        radio
          ? [state?.selected_option?.value ?? element.initial_option?.value].filter(Boolean)
          : (state?.selected_options ?? element.initial_options ?? []).map((o) => o.value),
      );
      const name = `${blockId}-${actionId}-${Math.random().toString(36).slice(2, 7)}`;
      const list = h('div', {
        class: 'bk-choices',
        role: radio ? 'radiogroup' : 'group',
        'data-action-id': actionId,
      });
      for (const option of element.options ?? []) {
        const input = h('input', {
          type: radio ? 'radio' : 'checkbox',
          name,
          value: option.value,
          checked: chosen.has(option.value),
        });
        input.addEventListener('change', () => {
          const values = [...list.querySelectorAll('input:checked')].map((i) => i.value);
          const options = (element.options ?? []).filter((o) => values.includes(o.value));
          if (radio) {
            setState({ selected_option: options[0] ?? null });
            act({ selected_value: values[0] });
          } else {
            setState({ selected_options: options });
            act({ selected_values: values });
          }
        });
        list.append(
          h(
            'label',
            { class: 'bk-choice' },
            input,
            h(
              'span',
              {},
              h('span', {
                class: 'bk-choice-text',
                html: mrkdwn(option.text?.text, ctx, { plain: option.text?.type === 'plain_text' }),
              }),
              option.description
                ? h('span', { class: 'bk-choice-description' }, plain(option.description))
                : null,
            ),
          ),
        );
      }
      return list;
    }
    case 'datepicker': {
      const input = h('input', {
        type: 'date',
        class: 'bk-date',
        id: element._inputId,
        value: state?.selected_date ?? element.initial_date ?? '',
        'data-action-id': actionId,
      });
      input.addEventListener('change', () => {
        setState({ selected_date: input.value || null });
        act({ selected_date: input.value });
      });
      return input;
    }
    case 'timepicker': {
      const input = h('input', {
        type: 'time',
        class: 'bk-date',
        id: element._inputId,
        value: state?.selected_time ?? element.initial_time ?? '',
        'data-action-id': actionId,
      });
      input.addEventListener('change', () => {
        setState({ selected_time: input.value || null });
        act({ value: input.value });
      });
      return input;
    }
    case 'plain_text_input':
    case 'email_text_input':
    case 'url_text_input':
    case 'number_input': {
      const multiline = element.type === 'plain_text_input' && element.multiline;
      const attrs = {
        id: element._inputId,
        class: 'bk-text-input',
        placeholder: plain(element.placeholder) || undefined,
        maxlength: element.max_length,
        'data-action-id': actionId,
      };
      const type =
        { email_text_input: 'email', url_text_input: 'url', number_input: 'number' }[element.type] ?? 'text';
      const input = multiline ? h('textarea', { ...attrs, rows: 5 }) : h('input', { ...attrs, type });
      input.value = state?.value ?? element.initial_value ?? '';
      if (state === undefined && element.initial_value) setState({ value: element.initial_value });
      input.addEventListener('input', () => setState({ value: input.value }));
      input.addEventListener('keydown', (event) => {
        if (event.key === 'Enter' && !multiline && element._dispatch) act({ value: input.value });
      });
      return input;
    }
    case 'image':
      return h('img', { class: 'bk-accessory-image', src: element.image_url, alt: element.alt_text ?? '' });
    default:
      return h('span', { class: 'bk-unknown' }, `[${element.type}]`);
  }
}
