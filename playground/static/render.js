// Safe rendering helpers shared by both panes.
//
// Nothing here ever parses a string as markup: every piece of text
// from Telegram or Slack becomes a text node, and the few formatting elements we allow are
// created with createElement. A tag or entity we do not understand is shown as the text it is.

/** el("p", {class: "x", "aria-label": "y"}, child, "text", ...) -> HTMLElement */
export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === null || value === undefined || value === false) continue;
    if (name === "class") node.className = value;
    else if (name === "text") node.textContent = value;
    else if (name.startsWith("on")) node.addEventListener(name.slice(2), value);
    else node.setAttribute(name, value === true ? "" : String(value));
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

/** The only link targets we make clickable. */
export function safeUrl(href, schemes = ["http:", "https:", "mailto:", "tg:"]) {
  try {
    const url = new URL(String(href).trim(), window.location.href);
    return schemes.includes(url.protocol) ? url.href : null;
  } catch {
    return null;
  }
}

function link(href, ...children) {
  const url = safeUrl(href);
  if (!url) return el("span", {}, ...children);
  return el("a", { href: url, target: "_blank", rel: "noopener noreferrer" }, ...children);
}

const NAMED = { lt: "<", gt: ">", amp: "&", quot: '"', apos: "'" };

/** Decodes the few entities Telegram and Slack use; anything else stays as typed. */
export function decodeEntities(text) {
  return String(text).replace(/&(#x[0-9a-f]{1,6}|#[0-9]{1,7}|[a-z]{2,4});/gi, (whole, ref) => {
    if (ref[0] !== "#") return NAMED[ref.toLowerCase()] ?? whole;
    const code = ref[1] === "x" || ref[1] === "X" ? parseInt(ref.slice(2), 16) : parseInt(ref.slice(1), 10);
    return code > 0 && code <= 0x10ffff && !(code >= 0xd800 && code <= 0xdfff)
      ? String.fromCodePoint(code)
      : whole;
  });
}

// --- Telegram: the bot's parse_mode=HTML text ------------------------------------------------

// Telegram's HTML style (core.telegram.org/bots/api#html-style), each made as one element.
const TELEGRAM_TAGS = {
  b: "b", strong: "b", i: "i", em: "i", u: "u", ins: "u", s: "s", strike: "s", del: "s",
  code: "code", pre: "pre", blockquote: "blockquote", a: "a",
};

/** Renders Telegram HTML allowing only Telegram's own tags; the rest is text. */
export function telegramHtml(source) {
  const root = document.createDocumentFragment();
  const stack = [{ node: root, tag: null }];
  const top = () => stack[stack.length - 1].node;
  const inLink = () => stack.some((entry) => entry.tag === "a");
  const text = (s) => s && top().append(inLink() ? decodeEntities(s) : linkified(decodeEntities(s)));
  const tagRe = /<(\/?)([a-z][a-z0-9-]*)(\s[^<>]*)?>/gi;
  let last = 0;
  for (const match of String(source).matchAll(tagRe)) {
    text(String(source).slice(last, match.index));
    last = match.index + match[0].length;
    const [raw, closing, name, attrs = ""] = match;
    const tag = TELEGRAM_TAGS[name.toLowerCase()];
    if (!tag) {
      top().append(raw); // e.g. <script>: shown, never created
    } else if (closing) {
      const at = stack.findLastIndex((entry) => entry.tag === tag);
      if (at > 0) stack.length = at;
      else top().append(raw);
    } else {
      let node;
      if (tag === "a") {
        const href = /\bhref\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+))/i.exec(attrs);
        node = link(href ? decodeEntities(href[1] ?? href[2] ?? href[3]) : "");
      } else {
        node = document.createElement(tag);
      }
      top().append(node);
      stack.push({ node, tag });
    }
  }
  text(String(source).slice(last));
  return root;
}

/** Customer text and plain-text Slack blocks: exactly what was typed. */
export function plainText(text) {
  return document.createTextNode(String(text ?? ""));
}

// A bare address as Telegram's clients link it: http(s)://… or www.…, without the
// punctuation that ends a sentence around it.
const BARE_URL = /\b(?:https?:\/\/|www\.)[^\s<>"]+/gi;
const TRAILING = /[.,;:!?'")\]}]+$/;

/** Text as Telegram shows it: exactly what was typed, bare URLs made links. */
export function linkified(text) {
  const root = document.createDocumentFragment();
  const source = String(text ?? "");
  let last = 0;
  for (const m of source.matchAll(BARE_URL)) {
    const url = m[0].replace(TRAILING, "");
    root.append(source.slice(last, m.index));
    const href = url.toLowerCase().startsWith("www.") ? `https://${url}` : url;
    root.append(link(href, url));
    last = m.index + url.length;
  }
  root.append(source.slice(last));
  return root;
}

// --- Slack mrkdwn ----------------------------------------------------------------------------

const INLINE = [
  { re: /`([^`\n]+)`/, tag: "code", nested: false },
  { re: /(^|[^\w*])\*([^*\n]+)\*(?![\w*])/, tag: "b", nested: true },
  { re: /(^|[^\w_])_([^_\n]+)_(?![\w_])/, tag: "i", nested: true },
  { re: /(^|[^\w~])~([^~\n]+)~(?![\w~])/, tag: "s", nested: true },
];

/**
 * Renders Slack mrkdwn: *bold*, _italic_, ~strike~, `code`, <@U…> / <#C…|name> / <!here>
 * mentions and <https://…|label> links. Text is used as Slack sends it (already escaped with
 * &lt; &gt; &amp;): those entities become the characters they stand for, as text.
 */
export function mrkdwn(source, userName = (id) => id) {
  const root = document.createDocumentFragment();
  inline(root, String(source ?? ""), userName);
  return root;
}

function inline(parent, text, userName) {
  let best = null;
  for (const rule of INLINE) {
    const m = rule.re.exec(text);
    if (m && (!best || m.index < best.m.index)) best = { rule, m };
  }
  if (!best) return controls(parent, text, userName);
  const { rule, m } = best;
  const lead = rule.nested ? m[1] : "";
  const inner = rule.nested ? m[2] : m[1];
  controls(parent, text.slice(0, m.index) + lead, userName);
  const node = document.createElement(rule.tag);
  if (rule.nested) inline(node, inner, userName);
  else node.append(decodeEntities(inner));
  parent.append(node);
  inline(parent, text.slice(m.index + m[0].length), userName);
}

function controls(parent, text, userName) {
  let last = 0;
  for (const m of text.matchAll(/<([^<>\n]+)>/g)) {
    parent.append(decodeEntities(text.slice(last, m.index)));
    last = m.index + m[0].length;
    parent.append(control(m[1], m[0], userName));
  }
  parent.append(decodeEntities(text.slice(last)));
}

function control(inner, raw, userName) {
  const [target, label] = splitOnce(inner, "|");
  const mention = (t) => el("span", { class: "mention" }, t);
  if (/^@[UW][A-Z0-9]+$/.test(target)) return mention("@" + (label || userName(target.slice(1))));
  if (/^#C[A-Z0-9]+$/.test(target)) return mention("#" + decodeEntities(label || target.slice(1)));
  if (/^!(here|channel|everyone)$/.test(target)) return mention("@" + target.slice(1));
  if (target.startsWith("!subteam^") && label) return mention(decodeEntities(label));
  if (/^(https?|mailto):/i.test(target)) {
    return link(decodeEntities(target), decodeEntities(label || target));
  }
  return document.createTextNode(decodeEntities(raw));
}

function splitOnce(text, sep) {
  const at = text.indexOf(sep);
  return at === -1 ? [text, ""] : [text.slice(0, at), text.slice(at + 1)];
}

/** A Slack text object: mrkdwn formatted, plain_text shown as typed. */
export function textObject(obj, userName) {
  if (!obj || typeof obj !== "object") return plainText("");
  return obj.type === "mrkdwn" ? mrkdwn(obj.text, userName) : plainText(obj.text);
}

/** Slack's rich_text block, as the Slack client attaches to what a person types. */
export function richText(block, userName) {
  const root = document.createDocumentFragment();
  for (const part of block.elements ?? []) {
    if (part.type === "rich_text_list") {
      const list = el(part.style === "ordered" ? "ol" : "ul");
      for (const item of part.elements ?? []) list.append(el("li", {}, richLine(item, userName)));
      root.append(list);
    } else if (part.type === "rich_text_preformatted") {
      root.append(el("pre", {}, richLine(part, userName)));
    } else if (part.type === "rich_text_quote") {
      root.append(el("blockquote", {}, richLine(part, userName)));
    } else {
      root.append(el("div", {}, richLine(part, userName)));
    }
  }
  return root;
}

function richLine(section, userName) {
  const root = document.createDocumentFragment();
  for (const item of section.elements ?? []) {
    let node;
    if (item.type === "user") node = el("span", { class: "mention" }, "@" + userName(item.user_id));
    else if (item.type === "channel") node = el("span", { class: "mention" }, "#" + item.channel_id);
    else if (item.type === "broadcast") node = el("span", { class: "mention" }, "@" + item.range);
    else if (item.type === "emoji") node = plainText(item.unicode ? emoji(item.unicode) : `:${item.name}:`);
    else if (item.type === "link") node = link(item.url, item.text || item.url);
    else node = plainText(item.text ?? "");
    const style = item.style ?? {};
    for (const [flag, tag] of [["code", "code"], ["bold", "b"], ["italic", "i"], ["strike", "s"]]) {
      if (style[flag]) node = el(tag, {}, node);
    }
    root.append(node);
  }
  return root;
}

function emoji(unicode) {
  try {
    return String.fromCodePoint(...unicode.split("-").map((h) => parseInt(h, 16)));
  } catch {
    return "";
  }
}

// --- small things ----------------------------------------------------------------------------

// The business's timezone (GET /playground.json), as the people using it read the time.
let timeZone;
export const settings = getJson("/playground.json")
  .then((found) => {
    timeZone = found.timezone;
    return found;
  })
  .catch(() => ({}));

export function clock(date) {
  const options = { hour: "2-digit", minute: "2-digit" };
  try {
    return date.toLocaleTimeString([], timeZone ? { ...options, timeZone } : options);
  } catch {
    return date.toLocaleTimeString([], options); // a zone this browser does not know
  }
}

/** True (and remembered) when `data` differs from what `node` last showed. */
export function changed(node, data) {
  const sig = JSON.stringify(data);
  if (node.dataset.sig === sig) return false;
  node.dataset.sig = sig;
  return true;
}

/**
 * Re-renders without stealing keyboard focus: `make()` returns the new children of `node`
 * (an array) or its replacement (a Node); focus moves to the control with the same data-focus.
 */
export function rebuild(node, make) {
  const active = document.activeElement;
  const key = node.contains(active) ? active.dataset.focus : null;
  const made = make();
  let scope = node;
  if (Array.isArray(made)) node.replaceChildren(...made);
  else node.replaceWith((scope = made));
  if (key) (scope.querySelector(`[data-focus="${CSS.escape(key)}"]`) ?? scope.querySelector("[data-focus]"))?.focus();
}

/** Shows the newest message, as chat apps do on sending and on arrival. */
export function toBottom(container) {
  container.scrollTop = container.scrollHeight;
}

/** Keeps a scrolled list pinned to the bottom if (and only if) the reader was there. */
export function keepScroll(container, update) {
  const atBottom = container.scrollHeight - container.scrollTop - container.clientHeight < 48;
  update();
  if (atBottom) container.scrollTop = container.scrollHeight;
}

/** POST JSON and return the parsed answer; throws Error(message) on failure. */
export async function postJson(url, body) {
  const response = await fetch(url, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify(body),
  });
  const data = await response.json().catch(() => ({}));
  if (!response.ok) throw new Error(data.error || `${response.status} ${response.statusText}`);
  return data;
}

export async function getJson(url) {
  const response = await fetch(url, { headers: { Accept: "application/json" } });
  if (!response.ok) throw new Error(`${url}: ${response.status}`);
  return response.json();
}

/** Runs `tick` now and then every `ms` milliseconds after each run finishes. */
export function poll(tick, ms = 700) {
  const run = async () => {
    await settings; // times in the business's timezone from the first render
    try {
      await tick();
    } catch (error) {
      console.warn("poll failed:", error);
    }
    setTimeout(run, document.hidden ? ms * 4 : ms);
  };
  run();
}
