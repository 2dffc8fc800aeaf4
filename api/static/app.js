// Chat page for the papers API: no build step, no network beyond this server.
"use strict";

const STORE_KEY = "papers-rag.conversation";
const KEY_KEY = "papers-rag.api-key";
const $ = (id) => document.getElementById(id);

const state = {
  turns: JSON.parse(localStorage.getItem(STORE_KEY) || "[]"),
  papers: [],
  busy: false,
};

function headers(extra = {}) {
  const key = $("api-key").value.trim();
  return key ? { ...extra, Authorization: `Bearer ${key}` } : extra;
}

function save() {
  localStorage.setItem(STORE_KEY, JSON.stringify(state.turns));
}

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (k === "class") node.className = v;
    else if (k.startsWith("on")) node.addEventListener(k.slice(2), v);
    else node.setAttribute(k, v);
  }
  for (const c of children) node.append(c);
  return node;
}

function where(c) {
  const who = [c.authors, c.year].filter(Boolean).join(", ");
  return `${c.title}${who ? ` (${who})` : ""}, p. ${c.page_label ?? c.page}${c.section ? `, ${c.section}` : ""}`;
}

// Answer text with every [n] turned into a button that opens that source.
// The text before each marker is what the answer quotes from that source.
function renderText(target, text, sources) {
  target.replaceChildren();
  const parts = text.split(/(\[\d+\])/);
  const quotes = {};
  parts.forEach((part, i) => {
    const m = part.match(/^\[(\d+)\]$/);
    if (m && i > 0) (quotes[m[1]] = quotes[m[1]] || []).push(parts[i - 1].trim());
  });
  for (const part of parts) {
    const m = part.match(/^\[(\d+)\]$/);
    const source = m && sources.find((s) => s.n === Number(m[1]));
    if (source) {
      target.append(
        el("button", {
          type: "button",
          class: "cite",
          "aria-label": `Source ${source.n}: ${where(source)}`,
          onclick: () => openPassage(source, quotes[m[1]] || []),
        }, part),
      );
    } else {
      target.append(part);
    }
  }
}

function renderAnswer(item, answer) {
  const box = item.querySelector(".answer-text");
  const sources = answer.citations.length ? answer.citations : answer.related;
  item.className = `msg ${answer.answered ? "answer" : "refusal"}`;
  if (!answer.answered && !item.querySelector(".label")) {
    item.prepend(el("p", { class: "label" }, "Not in the papers"));
  }
  renderText(box, answer.answer, sources);
  item.querySelector(".sources")?.remove();
  item.querySelector(".msg-foot")?.remove();
  if (sources.length) {
    const list = el("ol", { class: "sources", "aria-label": answer.answered ? "Sources" : "Closest passages" });
    for (const s of sources) {
      list.append(el("li", { value: String(s.n) },
        el("button", { type: "button", class: "cite", onclick: () => openPassage(s) }, where(s))));
    }
    item.append(el("p", { class: "meta" }, answer.answered ? "Sources:" : "Closest passages:"), list);
  }
  const took = answer.timings_ms && answer.timings_ms.total;
  const foot = el("div", { class: "msg-foot" },
    el("p", { class: "meta" }, `answered by ${answer.backend}${took ? ` in ${Math.round(took)} ms` : ""}`
      + (answer.fallback_reason ? ` (${answer.fallback_reason})` : "")),
    el("button", {
      type: "button",
      onclick: (e) => {
        navigator.clipboard?.writeText(answer.answer);
        e.target.textContent = "Copied";
      },
    }, "Copy answer"));
  item.append(foot);
}

function addMessage(role, text) {
  const item = el("li", { class: `msg ${role}` });
  if (role === "user") item.textContent = text;
  else item.append(el("div", { class: "answer-text" }, text));
  $("messages").append(item);
  item.scrollIntoView({ block: "end" });
  return item;
}

function restore() {
  $("messages").replaceChildren();
  for (const t of state.turns) {
    if (t.role === "user") addMessage("user", t.content);
    else if (t.answer) renderAnswer(addMessage("answer", ""), t.answer);
  }
}

// The cited page of a PDF paper, rendered by the server with the passage highlighted.
const ZOOMS = [400, 600, 800, 1000, 1400, 2000];
const pageView = { paper: null, chunk: null, quotes: [], page: 1, pages: 1, zoom: 1 };

function paperOf(id) {
  return state.papers.find((p) => p.id === id);
}

async function showPage() {
  const v = pageView;
  const paper = encodeURIComponent(v.paper);
  const width = ZOOMS[v.zoom];
  $("page-label").textContent = `Page ${v.page} of ${v.pages}`;
  $("page-prev").disabled = v.page <= 1;
  $("page-next").disabled = v.page >= v.pages;
  $("zoom-out").disabled = v.zoom === 0;
  $("zoom-in").disabled = v.zoom === ZOOMS.length - 1;
  $("open-pdf").href = `/papers/${paper}/file#page=${v.page}`;
  const cited = new URLSearchParams({ chunk: v.chunk });
  for (const q of v.quotes) cited.append("quote", q);
  const img = $("page-image");
  img.style.width = `${width}px`;
  const loaded = new Promise((resolve) => { img.onload = resolve; img.onerror = resolve; });
  const marked = new URLSearchParams(cited);
  marked.delete("chunk");
  marked.set("highlight", v.chunk);
  img.src = `/papers/${paper}/pages/${v.page}.png?width=${width}&${marked}`;
  const boxes = fetch(`/papers/${paper}/pages/${v.page}/boxes?${cited}`, { headers: headers() })
    .then((r) => (r.ok ? r.json() : null))
    .catch(() => null);
  const [, found] = await Promise.all([loaded, boxes]);
  const first = found && found.sentences.flatMap((s) => s.boxes)[0];
  const scroll = $("page-scroll");
  if (first) {
    const scale = img.clientWidth / found.width;
    scroll.scrollTop = Math.max(0, first.y0 * scale - 40);
    scroll.scrollLeft = Math.max(0, first.x0 * scale - 20);
  } else {
    scroll.scrollTop = 0;
  }
}

function turnPage(step) {
  const next = pageView.page + step;
  if (next >= 1 && next <= pageView.pages) {
    pageView.page = next;
    showPage();
  }
}

function zoom(step) {
  pageView.zoom = Math.min(ZOOMS.length - 1, Math.max(0, pageView.zoom + step));
  showPage();
}

function openPage(source, quotes) {
  const paper = paperOf(source.paper_id);
  const isPdf = Boolean(paper && /\.pdf$/i.test(paper.source || ""));
  $("page-view").hidden = !isPdf;
  document.querySelector(".layout").classList.toggle("with-page", isPdf);
  if (!isPdf) return;
  Object.assign(pageView, {
    paper: source.paper_id, chunk: source.chunk_id, quotes, page: source.page, pages: paper.pages,
  });
  showPage();
}

async function openPassage(source, quotes = []) {
  const panel = $("passage");
  panel.hidden = false;
  document.querySelector(".layout").classList.add("with-passage");
  openPage(source, quotes);
  $("passage-title").textContent = `[${source.n}] ${source.title}`;
  $("passage-meta").textContent = where(source);
  $("passage-text").textContent = source.text;
  $("passage-before").textContent = "";
  $("passage-after").textContent = "";
  $("copy-bibtex").dataset.paper = source.paper_id;
  $("copy-status").textContent = "";
  $("close-passage").focus();
  try {
    const r = await fetch(`/passages/${encodeURIComponent(source.chunk_id)}`);
    if (r.ok) {
      const view = await r.json();
      $("passage-before").textContent = view.before ? `… ${view.before.slice(-400)}` : "";
      $("passage-after").textContent = view.after ? `${view.after.slice(0, 400)} …` : "";
    }
  } catch (err) {
    $("passage-after").textContent = "";
  }
}

// The shown source's paper as BibTeX, from the server's citation export, to the clipboard.
async function copyBibtex() {
  const status = $("copy-status");
  const paper = $("copy-bibtex").dataset.paper;
  try {
    const r = await fetch(`/papers/${encodeURIComponent(paper)}/cite?format=bibtex`);
    if (!r.ok) throw new Error((await r.json().catch(() => ({}))).detail || r.statusText);
    await navigator.clipboard.writeText(await r.text());
    status.className = "";
    status.textContent = "Copied";
  } catch (err) {
    status.className = "error";
    status.textContent = `Could not copy: ${err.message}`;
  }
}

function closePassage() {
  $("passage").hidden = true;
  document.querySelector(".layout").classList.remove("with-passage", "with-page");
}

// Read a fetch body as Server-Sent Events: yields {event, data} objects.
async function* sse(response) {
  const reader = response.body.getReader();
  const decoder = new TextDecoder();
  let buffer = "";
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    buffer += decoder.decode(value, { stream: true }).replace(/\r\n/g, "\n");
    let cut;
    while ((cut = buffer.indexOf("\n\n")) >= 0) {
      const block = buffer.slice(0, cut);
      buffer = buffer.slice(cut + 2);
      let event = "message";
      const data = [];
      for (const line of block.split("\n")) {
        if (line.startsWith("event:")) event = line.slice(6).trim();
        else if (line.startsWith("data:")) data.push(line.slice(5).replace(/^ /, ""));
      }
      if (data.length) yield { event, data: JSON.parse(data.join("\n")) };
    }
  }
}

function selectedPapers() {
  const boxes = [...document.querySelectorAll("#paper-list input[type=checkbox]")];
  const checked = boxes.filter((b) => b.checked).map((b) => b.value);
  return checked.length === boxes.length ? null : checked;
}

async function ask(question) {
  state.busy = true;
  $("send").disabled = true;
  const history = state.turns.slice(-10).map((t) => ({ role: t.role, content: t.content }));
  addMessage("user", question);
  const item = addMessage("answer", "");
  item.setAttribute("aria-busy", "true");
  const box = item.querySelector(".answer-text");
  let text = "";
  let sources = [];
  try {
    const papers = selectedPapers();
    const body = { question, history };
    if (papers) body.papers = papers;
    const r = await fetch("/ask/stream", {
      method: "POST",
      headers: headers({ "Content-Type": "application/json" }),
      body: JSON.stringify(body),
    });
    if (!r.ok) {
      const err = await r.json().catch(() => ({ detail: r.statusText }));
      throw new Error(err.detail || r.statusText);
    }
    for await (const { event, data } of sse(r)) {
      if (event === "citations") sources = data;
      else if (event === "token") {
        text += data;
        renderText(box, text, sources);
      } else if (event === "done") {
        renderAnswer(item, data);
        state.turns.push({ role: "user", content: question });
        state.turns.push({ role: "assistant", content: data.answer, answer: data });
        save();
      } else if (event === "error") throw new Error(data.detail || data.error);
    }
  } catch (err) {
    item.className = "msg error";
    box.textContent = `Could not answer: ${err.message}`;
  } finally {
    item.removeAttribute("aria-busy");
    state.busy = false;
    $("send").disabled = false;
  }
}

async function loadPapers() {
  const list = $("paper-list");
  try {
    const r = await fetch("/papers");
    state.papers = r.ok ? await r.json() : [];
  } catch (err) {
    state.papers = [];
  }
  list.replaceChildren();
  if (!state.papers.length) {
    list.append(el("li", { class: "hint" }, "No papers indexed yet."));
    return;
  }
  for (const p of state.papers) {
    const who = [p.authors.join(", "), p.year].filter(Boolean).join(", ");
    const id = `paper-${p.id}`;
    list.append(el("li", {},
      el("label", { for: id },
        el("input", { type: "checkbox", id, value: p.id, checked: "" }),
        el("span", {}, p.title, el("small", {}, `${who ? `${who} · ` : ""}${p.pages} pages`)))));
  }
}

function upload(file) {
  const status = $("upload-status");
  const bar = $("upload-progress");
  status.className = "";
  status.textContent = `Uploading ${file.name}…`;
  bar.hidden = false;
  bar.value = 0;
  const form = new FormData();
  form.append("file", file);
  const xhr = new XMLHttpRequest();
  xhr.open("POST", "/papers");
  for (const [k, v] of Object.entries(headers())) xhr.setRequestHeader(k, v);
  xhr.upload.onprogress = (e) => {
    if (e.lengthComputable) bar.value = Math.round((100 * e.loaded) / e.total);
  };
  xhr.onload = async () => {
    bar.hidden = true;
    let body = {};
    try { body = JSON.parse(xhr.responseText); } catch (err) { body = {}; }
    if (xhr.status === 201) {
      status.textContent = `Added "${body.title}" (${body.chunks} passages).`;
      await loadPapers();
    } else {
      status.className = "error";
      status.textContent = `${file.name} was not added: ${body.detail || xhr.statusText}`;
    }
  };
  xhr.onerror = () => {
    bar.hidden = true;
    status.className = "error";
    status.textContent = `${file.name} was not added: the upload failed.`;
  };
  xhr.send(form);
}

function wire() {
  $("api-key").value = localStorage.getItem(KEY_KEY) || "";
  $("api-key").addEventListener("change", (e) => localStorage.setItem(KEY_KEY, e.target.value));
  $("ask-form").addEventListener("submit", (e) => {
    e.preventDefault();
    const q = $("question").value.trim();
    if (!q || state.busy) return;
    $("question").value = "";
    ask(q);
  });
  $("question").addEventListener("keydown", (e) => {
    if (e.key === "Enter" && !e.shiftKey && !e.isComposing) {
      e.preventDefault();
      $("ask-form").requestSubmit();
    }
  });
  $("new-chat").addEventListener("click", () => {
    state.turns = [];
    save();
    restore();
    closePassage();
    $("question").focus();
  });
  $("close-passage").addEventListener("click", closePassage);
  $("copy-bibtex").addEventListener("click", copyBibtex);
  $("page-prev").addEventListener("click", () => turnPage(-1));
  $("page-next").addEventListener("click", () => turnPage(1));
  $("zoom-out").addEventListener("click", () => zoom(-1));
  $("zoom-in").addEventListener("click", () => zoom(1));
  document.addEventListener("keydown", (e) => {
    if ($("passage").hidden) return;
    if (e.key === "Escape") closePassage();
    const typing = ["INPUT", "TEXTAREA"].includes(document.activeElement.tagName);
    if ($("page-view").hidden || typing) return;
    if (e.key === "ArrowLeft") turnPage(-1);
    if (e.key === "ArrowRight") turnPage(1);
  });
  $("toggle-papers").addEventListener("click", (e) => {
    const collapsed = $("papers").classList.toggle("collapsed");
    e.target.setAttribute("aria-expanded", String(!collapsed));
  });
  $("upload").addEventListener("change", (e) => {
    if (e.target.files[0]) upload(e.target.files[0]);
    e.target.value = "";
  });
  const drop = $("drop");
  drop.addEventListener("dragover", (e) => { e.preventDefault(); drop.classList.add("over"); });
  drop.addEventListener("dragleave", () => drop.classList.remove("over"));
  drop.addEventListener("drop", (e) => {
    e.preventDefault();
    drop.classList.remove("over");
    if (e.dataTransfer.files[0]) upload(e.dataTransfer.files[0]);
  });
}

wire();
restore();
loadPapers();
