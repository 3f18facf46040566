// Right pane: a Slack channel as one employee sees it, played through the fake's /_fake/ API.
import { changed, clock, decodeEntities, el, getJson, keepScroll, mrkdwn, plainText, poll, postJson, rebuild, richText, safeUrl, textObject } from "./render.js";

const API = "/slack/_fake";
const USER_KEY = "tandem.playground.employee";
const QUIET_EVERY = 4; // ticks between re-reads of a channel when nothing seems to happen
const HOT_MS = 8000; // after an action or a new message, re-read every tick for this long

const $ = (id) => document.getElementById(id);
const list = $("sl-messages");
const userPicker = $("sl-user");
const channelList = $("sl-channels");
const textInput = $("sl-text");
const status = $("sl-status");

const state = {
  users: new Map(), me: localStorage.getItem(USER_KEY) || "", channels: [], channel: "",
  counts: new Map(), // channel id -> message_count last seen by the fetcher
  seen: new Map(), // channel id -> message_count when last shown
  target: null, // {channel, ts, title}: where the composer replies
  rendered: new Map(), // key -> {sig, node}
  hotUntil: 0, ticks: 0, dirty: true,
  editing: null, deleting: null, // ts of your reply being edited / asked about deleting
  manual: false, looked: false, // picked by hand; the channels were looked at once
  followed: ["0", ""], // [card ts, Slack user] of the offer "You are" last followed
};

const userName = (id) => {
  const u = state.users.get(id);
  return u ? u.profile?.display_name || u.real_name || u.name : id;
};
const realName = (id) => state.users.get(id)?.real_name || userName(id);

const say = (text, isError = false) => {
  status.textContent = text;
  status.classList.toggle("error", isError);
};

// --- blocks ----------------------------------------------------------------------------------

function blocks(message, ephemeral) {
  const box = el("div", { class: "sl-blocks" });
  for (const b of message.blocks ?? []) {
    if (b.type === "header") box.append(el("h3", { class: "sl-header" }, plainText(b.text?.text)));
    else if (b.type === "section") box.append(section(b, message, ephemeral));
    else if (b.type === "actions") box.append(actions(b.elements, message, ephemeral));
    else if (b.type === "context") box.append(el("div", { class: "sl-context" }, (b.elements ?? []).map((e) => (e.type === "image" ? plainText(e.alt_text ?? "") : textObject(e, userName)))));
    else if (b.type === "divider") box.append(el("hr"));
    else if (b.type === "rich_text") box.append(el("div", { class: "sl-text" }, richText(b, userName)));
    else if (b.type === "image") box.append(el("p", { class: "muted" }, `[image: ${b.alt_text ?? "no description"}]`));
    else box.append(el("p", { class: "muted" }, `[${b.type} block]`));
  }
  if (!box.childNodes.length && message.text) box.append(el("div", { class: "sl-text" }, mrkdwn(message.text, userName)));
  for (const f of message.files ?? []) {
    const url = safeUrl(f.url_private, ["http:", "https:"]);
    const label = `File: ${f.title || f.name}`;
    box.append(url ? el("a", { href: url, target: "_blank", rel: "noopener noreferrer", class: "sl-file" }, label) : el("p", {}, label));
  }
  return box;
}

function section(b, message, ephemeral) {
  const node = el("div", { class: "sl-section" });
  if (b.text) node.append(el("div", { class: `sl-text ${b.text.type === "plain_text" ? "plain" : ""}` }, textObject(b.text, userName)));
  if (b.fields?.length) node.append(el("div", { class: "sl-fields" }, b.fields.map((f) => el("div", {}, textObject(f, userName)))));
  if (b.accessory?.type === "button") node.append(actions([b.accessory], message, ephemeral));
  return node;
}

function actions(elements, message, ephemeral) {
  const button = (e) => {
    if (e.type !== "button") return el("span", { class: "muted" }, `[${e.type}]`);
    const style = e.style === "primary" || e.style === "danger" ? e.style : "";
    const onclick = (ev) => click(ev.currentTarget, message, e, ephemeral);
    return el("button", { type: "button", class: `sl-btn ${style}`, "data-focus": `${e.action_id} ${e.value ?? ""}`, onclick }, plainText(e.text?.text ?? e.action_id));
  };
  return el("div", { class: "sl-actions", role: "group", "aria-label": "Actions" }, (elements ?? []).map(button));
}

// --- messages --------------------------------------------------------------------------------

function messageNode(m, ephemeral, className = "sl-msg") {
  const who = m.bot_id ? { name: m.username || m.bot_profile?.name || "Tandem", bot: true } : { name: realName(m.user), bot: false };
  const when = clock(new Date(Number(m.ts) * 1000));
  const app = who.bot ? el("span", { class: "app" }, "APP") : null;
  const edited = m.edited ? el("span", { class: "muted small" }, "(edited)") : null;
  const head = el("div", { class: "sl-head" }, el("strong", {}, who.name), app, el("time", {}, when), edited);
  const note = ephemeral ? el("p", { class: "eph-note" }, "Only visible to you") : null;
  const mine = className === "sl-reply" && !ephemeral && !m.bot_id && m.user === state.me;
  const body = mine && state.editing === m.ts ? editor(m) : blocks(m, ephemeral);
  return el(
    "li",
    { class: `${className}${ephemeral ? " ephemeral" : ""}`, "aria-label": `${who.name}, ${when}` },
    el("span", { class: `sl-avatar${who.bot ? " bot" : ""}`, "aria-hidden": "true" }, who.name.slice(0, 1)),
    el("div", { class: "sl-main" }, head, note, body, mine && state.editing !== m.ts ? ownControls(m) : null),
  );
}

// --- editing and deleting your own thread replies (Slack's "Edit message" / "Delete message") --

function ownControls(m) {
  const box = el("div", { class: "sl-own", role: "group", "aria-label": "Your message" });
  if (state.deleting === m.ts) {
    box.append(
      el("span", { class: "small" }, "Delete this message?"),
      el("button", { type: "button", class: "link-btn danger", "data-focus": `delete-yes ${m.ts}`, onclick: (e) => remove(e.currentTarget, m) }, "Delete"),
      el("button", { type: "button", class: "link-btn", "data-focus": `delete-no ${m.ts}`, onclick: () => mark({ deleting: null }) }, "Cancel"),
    );
  } else {
    box.append(
      el("button", { type: "button", class: "link-btn", "data-focus": `edit ${m.ts}`, onclick: () => mark({ editing: m.ts, deleting: null }) }, "Edit"),
      el("button", { type: "button", class: "link-btn", "data-focus": `delete ${m.ts}`, onclick: () => mark({ deleting: m.ts, editing: null }) }, "Delete"),
    );
  }
  return box;
}

function editor(m) {
  const input = el("input", { type: "text", class: "sl-edit", value: decodeEntities(m.text ?? ""), "aria-label": "Edit your message", "data-focus": `editing ${m.ts}`, maxlength: 4000 });
  const save = (button) => {
    const text = input.value.trim();
    if (!text) return remove(button, m); // Slack deletes a message edited to nothing
    return act(button, async () => {
      await postJson(`${API}/edit`, { user: state.me, channel: m.channel || state.channel, ts: m.ts, text });
      state.editing = null;
    });
  };
  const form = el(
    "form",
    { class: "sl-edit-form", onsubmit: (e) => (e.preventDefault(), save(e.submitter)) },
    input,
    el("button", { type: "submit", class: "primary small-btn" }, "Save"),
    el("button", { type: "button", class: "link-btn", onclick: () => mark({ editing: null }) }, "Cancel"),
  );
  queueMicrotask(() => input.isConnected && input.focus());
  return form;
}

function remove(button, m) {
  return act(button, async () => {
    await postJson(`${API}/delete`, { user: state.me, channel: m.channel || state.channel, ts: m.ts });
    state.deleting = null;
    state.editing = null;
  });
}

function mark(change) {
  Object.assign(state, change);
  state.dirty = true;
  refresh();
}

function threadTitle(m) {
  const header = (m.blocks ?? []).find((b) => b.type === "header");
  const text = header?.text?.text || m.text || "thread";
  return text.length > 60 ? text.slice(0, 59) + "…" : text;
}

function topLevelNode(item) {
  const { message: m, replies, ephemeral } = item;
  const node = messageNode(m, ephemeral);
  if (ephemeral) return node;
  const selected = state.target?.ts === m.ts;
  const thread = el("div", { class: `sl-thread${selected ? " selected" : ""}` });
  if (replies.length) {
    thread.append(el("ol", { class: "sl-replies", "aria-label": "Thread replies" }, replies.map((r) => messageNode(r.message, r.ephemeral, "sl-reply"))));
  }
  const label = selected ? "Replying here" : `${replies.length ? "Reply in thread" : "Start a thread"}`;
  thread.append(el("button", { type: "button", class: "link-btn", "aria-pressed": String(selected), "data-focus": "thread", onclick: () => setTarget(m) }, label));
  node.querySelector(".sl-main").append(thread);
  return node;
}

function arrange(messages, ephemerals) {
  const byTs = new Map(messages.map((m) => [m.ts, { message: m, replies: (m.replies ?? []).map((r) => ({ message: r })), ephemeral: false }]));
  const items = [...byTs.values()];
  for (const e of ephemerals) {
    const parent = e.thread_ts && byTs.get(e.thread_ts);
    if (parent) parent.replies.push({ message: e, ephemeral: true });
    else items.push({ message: e, replies: [], ephemeral: true });
  }
  for (const item of items) item.replies.sort((a, b) => Number(a.message.ts) - Number(b.message.ts));
  return items.sort((a, b) => Number(a.message.ts) - Number(b.message.ts));
}

function render(items) {
  keepScroll(list, () => {
    const keep = new Set();
    items.forEach((item, i) => {
      const key = (item.ephemeral ? "e" : "m") + item.message.ts;
      const sig = JSON.stringify([item, state.target?.ts === item.message.ts, state.users.size, state.me, state.editing, state.deleting]);
      let known = state.rendered.get(key);
      if (known?.sig !== sig) {
        const node = topLevelNode(item);
        if (known) rebuild(known.node, () => node);
        else node.classList.add("fresh"); // only new messages fade in, not updated ones
        known = { sig, node };
        state.rendered.set(key, known);
      }
      if (list.children[i] !== known.node) list.insertBefore(known.node, list.children[i] ?? null);
      keep.add(key);
    });
    for (const [key, { node }] of state.rendered) {
      if (!keep.has(key)) {
        node.remove();
        state.rendered.delete(key);
      }
    }
    if (!items.length) list.replaceChildren(el("li", { class: "empty" }, "Nothing here yet. Hand-offs from the bot appear in #handoff or a store's desk."));
    else list.querySelector(".empty")?.remove();
  });
}

// --- fetching --------------------------------------------------------------------------------

async function loadUsers() {
  const { users } = await getJson(`${API}/users`);
  state.users = new Map(users.map((u) => [u.id, u]));
  const people = users.filter((u) => !u.is_bot && !u.deleted);
  if (!people.some((u) => u.id === state.me)) state.me = people[0]?.id ?? "";
  if (!changed(userPicker, [people, state.me])) return;
  rebuild(userPicker, () => people.map((u) => el("option", { value: u.id, selected: u.id === state.me }, u.real_name || u.name)));
}

function renderChannels() {
  const rows = state.channels.map((c) => [c.id, c.name, c.id === state.channel ? 0 : c.message_count - (state.seen.get(c.id) ?? 0), c.id === state.channel]);
  if (!changed(channelList, rows)) return; // rebuilding every tick would steal keyboard focus
  rebuild(channelList, () =>
    rows.map(([id, name, unread, open]) => {
      const badge = unread > 0 ? el("span", { class: "unread", "aria-label": `${unread} new` }, String(unread)) : null;
      const button = el("button", { type: "button", class: "channel", "aria-current": open ? "true" : null, "data-focus": id, onclick: () => pickChannel(id) }, el("span", {}, `# ${name}`), badge);
      return el("li", {}, button);
    }),
  );
}

function pickChannel(id) {
  state.manual = true;
  openChannel(id);
}

function openChannel(id) {
  if (id === state.channel) return;
  state.channel = id;
  state.rendered.clear();
  list.replaceChildren();
  setTarget(null);
  state.dirty = true;
  renderChannels();
  refresh();
}

async function refresh() {
  state.ticks += 1;
  if (!state.users.size || state.ticks % 40 === 0) await loadUsers();
  const { channels } = await getJson(`${API}/channels`);
  state.channels = channels;
  for (const c of channels) {
    if (state.counts.has(c.id) && state.counts.get(c.id) !== c.message_count) state.hotUntil = Date.now() + HOT_MS;
    state.counts.set(c.id, c.message_count);
  }
  if (!state.channel && channels.length) state.channel = channels[0].id;
  const hot = Date.now() < state.hotUntil || state.dirty || state.ticks % QUIET_EVERY === 0;
  if (hot && state.channel) {
    const channel = state.channel;
    state.dirty = false;
    const [data, eph] = await Promise.all([
      getJson(`${API}/channels/${encodeURIComponent(channel)}/messages`),
      state.me ? getJson(`${API}/ephemerals?user=${encodeURIComponent(state.me)}`) : { ephemerals: [] },
    ]);
    if (channel !== state.channel) return;
    const items = arrange(data.messages, eph.ephemerals.filter((e) => e.channel === channel));
    autoTarget(data.messages);
    render(items);
  }
  await followNewestCard(channels);
  const open = channels.find((c) => c.id === state.channel);
  if (open) state.seen.set(open.id, open.message_count);
  renderChannels();
}

// --- following the newest hand-off, as its person's Slack notification would -----------------

const OFFER = /^\*(?:Offered to|Escalated to):\* <@([UW][A-Z0-9]+)>/m;

/** The Slack user a card is offered to, from its status line; null when offered to everyone. */
function offeredTo(m) {
  for (const b of m.blocks ?? []) {
    const found = b.type === "section" && b.text?.type === "mrkdwn" && OFFER.exec(b.text.text ?? "");
    if (found) return found[1];
  }
  return null;
}

const isCard = (m) => (m.blocks ?? []).some((b) => b.type === "actions") && offeredTo(m);

async function followNewestCard(channels) {
  // "You are" becomes the person the newest card is offered to, and its channel opens;
  // picking someone else by hand holds until the next offer.
  const busy = channels.filter((c) => c.message_count > 0 && state.counts.get(c.id) !== state.followedCounts?.get(c.id));
  if (!busy.length) return;
  state.followedCounts = new Map(state.counts);
  const lists = await Promise.all(busy.map((c) => getJson(`${API}/channels/${encodeURIComponent(c.id)}/messages`).then((d) => d.messages.map((m) => ({ ...m, channel: c.id })))));
  const newest = lists.flat().filter(isCard).sort((a, b) => Number(b.ts) - Number(a.ts))[0];
  const first = !state.looked; // the page's first look at the channels
  state.looked = true;
  if (!newest) return;
  const person = offeredTo(newest);
  const [ts, who] = state.followed;
  if (Number(newest.ts) < Number(ts) || (newest.ts === ts && person === who)) return; // followed
  state.followed = [newest.ts, person];
  if (first && state.manual) return; // picked by hand before the page's first look: kept
  if (state.users.has(person) && person !== state.me) {
    state.me = person;
    userPicker.value = person;
    say(`You are now ${realName(person)}: the newest hand-off is offered to them.`);
    state.dirty = true;
  }
  if (newest.channel !== state.channel) {
    openChannel(newest.channel);
    setTarget(null); // the composer picks the new card (autoTarget)
  }
}

// --- acting as the employee ------------------------------------------------------------------

function autoTarget(messages) {
  // A resolved (or handed back, or moved) conversation's card has no buttons left: the reply
  // box lets go of its thread.
  const open = (m) => (m.blocks ?? []).some((b) => b.type === "actions");
  const target = state.target && messages.find((m) => m.ts === state.target.ts);
  if (target && !open(target)) {
    setTarget(null);
    say("That conversation is closed; the reply box has let go of its thread.");
  }
  // Convenience for the one-minute tour: reply to the newest hand-off unless one was picked.
  if (state.target) return;
  const newest = [...messages].reverse().find((m) => (m.blocks ?? []).some((b) => b.type === "actions"));
  if (newest) setTarget(newest, false);
}

function setTarget(m, rerender = true) {
  state.target = m ? { channel: state.channel, ts: m.ts, title: threadTitle(m) } : null;
  $("sl-target").textContent = m ? `Replying in thread: ${state.target.title}` : "Pick “Reply in thread” on a conversation.";
  $("sl-target-clear").hidden = !m;
  textInput.disabled = $("sl-send").disabled = !m;
  if (m && rerender) textInput.focus();
  if (rerender) state.dirty = true;
}

async function act(button, work) {
  if (!state.me) return say("Pick which employee you are first.", true);
  if (button) button.disabled = true;
  say("");
  try {
    await work();
  } catch (error) {
    say(`Slack: ${error.message}`, true);
  } finally {
    if (button) button.disabled = false;
    state.hotUntil = Date.now() + HOT_MS;
    state.dirty = true;
    await refresh().catch(() => {});
  }
}

function click(button, message, element, ephemeral) {
  return act(button, async () => {
    const body = { user: state.me, channel: message.channel || state.channel, message_ts: message.ts, action_id: element.action_id };
    if (element.value !== undefined) body.value = element.value;
    const { ok, delivery } = await postJson(`${API}/click`, body);
    if (delivery?.mode === "none") say("Clicked, but no Tandem app is connected to the fake Slack yet (is `tandem run` going?).", true);
    else if (!ok) say(`Tandem did not acknowledge the click (status ${delivery?.status ?? "?"}).`, true);
    else say(`${realName(state.me)} clicked “${element.text?.text ?? element.action_id}”${ephemeral ? " (ephemeral)" : ""}.`);
  });
}

$("sl-form").addEventListener("submit", (event) => {
  event.preventDefault();
  const text = textInput.value.trim();
  if (!text || !state.target) return;
  const target = state.target;
  act($("sl-send"), async () => {
    await postJson(`${API}/post`, { user: state.me, channel: target.channel, text, thread_ts: target.ts });
    textInput.value = "";
  });
});
$("sl-target-clear").addEventListener("click", () => setTarget(null));
userPicker.addEventListener("change", () => {
  state.me = userPicker.value;
  state.manual = true;
  localStorage.setItem(USER_KEY, state.me);
  state.dirty = true;
  say(`You are now ${realName(state.me)}.`);
  refresh();
});

poll(refresh, 700);
