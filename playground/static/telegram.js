// Left pane: the customer's Telegram chat with the bot, played through the fake's /_fake/ API.
import { clock, el, getJson, keepScroll, linkified, poll, postJson, rebuild, safeUrl, telegramHtml, toBottom } from "./render.js";

const API = "/telegram/_fake";
const DEFAULT_CUSTOMER = { id: 7000001, name: "Alex" };
const NEW_NAMES = ["Sam", "Priya", "Jordan", "Mei", "Omar", "Lucía", "Noah", "Grace"];
const STORAGE_KEY = "tandem.playground.customers";
const PHOTO_MAX_HEIGHT = 240; // px, as .bubble .photo in playground.css
const RECHECK_EVERY = 8; // ticks; re-reads recent messages so edits by the bot show up

const $ = (id) => document.getElementById(id);
const list = $("tg-messages");
const picker = $("tg-customer");
const nameInput = $("tg-name");
const textInput = $("tg-text");
const status = $("tg-status");

const state = {
  customers: loadCustomers(),
  chatId: DEFAULT_CUSTOMER.id,
  next: 0, // messages[next:] not fetched yet
  rendered: new Map(), // index -> {sig, node}
  ticks: 0,
  pinned: true, // the newest message is in view (a photo loading keeps it there)
};
state.chatId = state.customers[0].id;

function loadCustomers() {
  try {
    const saved = JSON.parse(localStorage.getItem(STORAGE_KEY) || "[]");
    const valid = saved.filter((c) => Number.isSafeInteger(c.id) && c.id > 0 && typeof c.name === "string");
    if (valid.length) return valid;
  } catch {
    /* private mode or bad JSON: start over */
  }
  return [{ ...DEFAULT_CUSTOMER }];
}

function saveCustomers() {
  try {
    localStorage.setItem(STORAGE_KEY, JSON.stringify(state.customers));
  } catch {
    /* not essential */
  }
}

function current() {
  return state.customers.find((c) => c.id === state.chatId);
}

function renderPicker() {
  picker.replaceChildren(
    ...state.customers.map((c) => el("option", { value: c.id, selected: c.id === state.chatId }, `${c.name} · ${c.id}`)),
  );
  nameInput.value = current().name;
}

function switchTo(chatId) {
  state.chatId = chatId;
  state.next = 0;
  state.rendered.clear();
  list.replaceChildren(emptyNote());
  renderPicker();
  refresh();
}

function emptyNote() {
  return el("li", { class: "empty" }, "No messages yet. Say hello, press /start, or try a sample above.");
}

function say(text, isError = false) {
  status.textContent = text;
  status.classList.toggle("error", isError);
}

// --- rendering -------------------------------------------------------------------------------

function messageNode(m) {
  // Telegram's apps show nothing where a deleted message was (the other side deleted it).
  if (m.deleted) return el("li", { class: "msg gone", hidden: true, "data-index": m.index });
  const mine = !m.from_bot;
  const html = m.from_bot && String(m.parse_mode || "").toUpperCase() === "HTML";
  const formatted = (text) => (html ? telegramHtml(text) : linkified(text));
  const bubble = el("div", { class: "bubble" });
  if (m.photo_url) bubble.append(photo(m, mine));
  if (m.document) bubble.append(fileLink(m, `Document: ${m.document.file_name || "file"}`));
  if (m.voice) bubble.append(fileLink(m, `Voice message (${m.voice.duration}s)`));
  const text = m.text ?? m.caption;
  if (text) bubble.append(el("p", { class: "text" }, formatted(text)));
  const when = clock(new Date(m.date * 1000));
  bubble.append(el("span", { class: "meta" }, m.edits?.length ? `edited ${when}` : when));
  const who = mine ? "You" : "Maple & Main bot";
  return el(
    "li",
    { class: `msg ${mine ? "me" : "bot"}`, "data-index": m.index, "aria-label": `${who}, ${when}` },
    bubble,
    m.from_bot ? keyboard(m) : null,
  );
}

function photo(m, mine) {
  // Its size is reserved before it loads (Telegram sends width and height), so the chat does
  // not jump; and the newest message stays in view once it has loaded.
  const largest = Array.isArray(m.photo) ? m.photo[m.photo.length - 1] : null;
  const img = el("img", { class: "photo", src: safeUrl(m.photo_url, ["http:", "https:"]), alt: mine ? "Photo you sent" : "Photo from the bot" });
  const { width: w, height: h } = largest ?? {};
  if (w > 0 && h > 0) {
    img.style.aspectRatio = `${w} / ${h}`;
    img.style.width = `${Math.min(w, (PHOTO_MAX_HEIGHT * w) / h)}px`; // max-width: 100% still applies
  }
  img.addEventListener("load", () => {
    if (state.pinned) toBottom(list);
  });
  return img;
}

function fileLink(m, label) {
  const url = safeUrl(m.file_url, ["http:", "https:"]);
  return url ? el("a", { href: url, target: "_blank", rel: "noopener noreferrer" }, label) : el("p", {}, label);
}

function keyboard(m) {
  const rows = m.reply_markup?.inline_keyboard;
  if (!Array.isArray(rows) || !rows.length) return null;
  const box = el("div", { class: "keyboard", role: "group", "aria-label": "Bot buttons" });
  for (const row of rows) {
    const line = el("div", { class: "kb-row" });
    for (const b of row) {
      const url = b.url ? safeUrl(b.url, ["http:", "https:", "tg:"]) : null;
      if (url) {
        line.append(el("a", { class: "kb-btn", href: url, target: "_blank", rel: "noopener noreferrer" }, `${b.text} ↗`));
      } else if (b.callback_data !== undefined) {
        line.append(el("button", { type: "button", class: "kb-btn", "data-focus": b.callback_data, onclick: (e) => press(e.currentTarget, m, b) }, b.text));
      } else {
        line.append(el("span", { class: "kb-btn disabled" }, b.text));
      }
    }
    box.append(line);
  }
  return box;
}

function show(messages) {
  if (!messages.length) return;
  let arrived = false;
  keepScroll(list, () => {
    list.querySelector(".empty")?.remove();
    for (const m of messages) {
      const sig = JSON.stringify(m);
      const known = state.rendered.get(m.index);
      if (known?.sig === sig) continue;
      const node = messageNode(m);
      if (known) {
        rebuild(known.node, () => node);
      } else {
        node.classList.add("fresh"); // only new messages fade in, not edited ones
        list.append(node);
        arrived = true;
      }
      state.rendered.set(m.index, { sig, node });
    }
  });
  if (arrived) showNewest(); // Telegram shows a new message, whoever sent it
}

function showNewest() {
  toBottom(list);
  state.pinned = true;
}

// --- talking to the fake ---------------------------------------------------------------------

async function refresh() {
  const chatId = state.chatId;
  state.ticks += 1;
  const recheck = state.ticks % RECHECK_EVERY === 0;
  const after = recheck ? Math.max(0, state.next - 20) : state.next;
  const data = await getJson(`${API}/chats/${chatId}/messages?after=${after}`);
  if (chatId !== state.chatId) return; // switched customer meanwhile
  show(data.messages);
  state.next = data.next_after;
  if (recheck) await discoverChats();
}

async function discoverChats() {
  const { chats } = await getJson(`${API}/chats`);
  let changed = false;
  for (const chat of chats) {
    if (!state.customers.some((c) => c.id === chat.id)) {
      state.customers.push({ id: chat.id, name: chat.first_name || `Customer ${chat.id}` });
      changed = true;
    }
  }
  if (changed) {
    saveCustomers();
    renderPicker();
  }
}

async function act(busy, work) {
  if (busy) busy.disabled = true;
  say("");
  try {
    await work();
    await refresh();
    showNewest(); // what you sent, or what your tap brought
    return true;
  } catch (error) {
    say(`Telegram: ${error.message}`, true);
    return false;
  } finally {
    if (busy) busy.disabled = false;
  }
}

async function sendText(text) {
  const clean = text.trim();
  if (!clean) return;
  textInput.value = "";
  const body = { text: clean, first_name: current().name };
  const sent = await act(null, () => postJson(`${API}/chats/${state.chatId}/messages`, body));
  if (!sent && !textInput.value) textInput.value = clean; // keep what they typed
}

function press(button, m, b) {
  return act(button, () => postJson(`${API}/chats/${state.chatId}/press`, { message_id: m.message_id, data: b.callback_data }));
}

function sendPhoto(file) {
  const form = new FormData();
  form.append("file", file);
  form.append("first_name", current().name);
  if (textInput.value.trim()) form.append("caption", textInput.value.trim());
  textInput.value = "";
  return act(null, async () => {
    const response = await fetch(`${API}/chats/${state.chatId}/photo`, { method: "POST", body: form });
    if (!response.ok) throw new Error((await response.json().catch(() => ({}))).error || response.statusText);
  });
}

// --- wiring ----------------------------------------------------------------------------------

$("tg-form").addEventListener("submit", (event) => {
  event.preventDefault();
  sendText(textInput.value);
});
$("tg-start").addEventListener("click", () => sendText("/start"));
$("tg-photo").addEventListener("change", (event) => {
  const [file] = event.target.files;
  event.target.value = "";
  if (file) sendPhoto(file);
});
for (const chip of document.querySelectorAll("[data-sample]")) {
  chip.addEventListener("click", () => sendText(chip.dataset.sample));
}
picker.addEventListener("change", () => switchTo(Number(picker.value)));
list.addEventListener("scroll", () => {
  state.pinned = list.scrollHeight - list.scrollTop - list.clientHeight < 48;
});
nameInput.addEventListener("change", () => {
  const name = nameInput.value.trim().slice(0, 64);
  if (!name) return void (nameInput.value = current().name);
  current().name = name;
  saveCustomers();
  renderPicker();
});
$("tg-new").addEventListener("click", () => {
  const taken = new Set(state.customers.map((c) => c.name));
  const name = NEW_NAMES.find((n) => !taken.has(n)) ?? `Customer ${state.customers.length + 1}`;
  const id = Math.max(...state.customers.map((c) => c.id)) + 1;
  state.customers.push({ id, name });
  saveCustomers();
  switchTo(id);
  nameInput.focus();
  nameInput.select();
  say(`New customer ${name} (chat ${id}). Rename them in the box if you like.`);
});

renderPicker();
list.replaceChildren(emptyNote());
poll(refresh, 700);
