// The paper viewer: PDF.js draws each page with its text layer, so the reader can select words.
// A selection fills the "Add a note" form (page, the words, where they are on the page); the
// form is saved as JSON without leaving the page (a note with problems is posted as the form,
// so the page shows them as it does without JavaScript). Notes on this version are highlighted.
// Without JavaScript the form and the list of notes work on their own.
const viewer = document.getElementById("paper-viewer");
const form = document.querySelector("[data-note-form]");
const formStatus = document.querySelector("[data-note-form-status]");
const list = document.querySelector("[data-notes-list]");
const bar = document.querySelector("[data-selection-bar]");
const pages = new Map(); // page number -> { layer, strings }
let lastSelection = null; // kept: pressing the button may clear the selection itself

function say(element, message) {
  if (element) element.textContent = message;
}

function field(name) {
  return form.querySelector(`[name="${name}"]`);
}

// Where a point of the selection falls in the page's text: the length of the text before the
// span it is in, plus the offset inside that span.
function offsetIn(page, node, offset) {
  const span = (node.nodeType === Node.TEXT_NODE ? node.parentElement : node).closest(".textLayer > span, .textLayer span");
  const index = page.layer.textDivs.indexOf(span);
  if (index < 0) return null;
  let before = 0;
  for (let i = 0; i < index; i += 1) before += page.strings[i].length;
  return before + Math.min(offset, page.strings[index].length);
}

function pageOf(node) {
  const element = node.nodeType === Node.TEXT_NODE ? node.parentElement : node;
  const holder = element && element.closest("[data-page-number]");
  return holder ? Number(holder.dataset.pageNumber) : null;
}

function currentSelection() {
  const selection = window.getSelection();
  if (!selection || selection.isCollapsed || !viewer.contains(selection.anchorNode)) return null;
  const range = selection.getRangeAt(0);
  const number = pageOf(range.startContainer);
  if (!number || number !== pageOf(range.endContainer)) return { error: "Select words on one page at a time." };
  const page = pages.get(number);
  const start = offsetIn(page, range.startContainer, range.startOffset);
  const end = offsetIn(page, range.endContainer, range.endOffset);
  if (start === null || end === null || end <= start) return null;
  return { page: number, start, end, quote: selection.toString().replace(/\s+/g, " ").trim() };
}

function useSelection() {
  const chosen = currentSelection() || lastSelection;
  if (!chosen) return;
  if (chosen.error) {
    say(formStatus, chosen.error);
    return;
  }
  field("page").value = chosen.page;
  field("quote").value = chosen.quote;
  field("start_offset").value = chosen.start;
  field("end_offset").value = chosen.end;
  say(formStatus, `Page ${chosen.page}: “${chosen.quote}” is highlighted. Write your note, then save it.`);
  field("body").focus();
}

function highlight(page, start, end, shared) {
  if (!page) return;
  let position = 0;
  page.layer.textDivs.forEach((span, index) => {
    const length = page.strings[index].length;
    if (position < end && position + length > start) {
      span.classList.add("note-highlight");
      if (shared) span.classList.add("shared");
    }
    position += length;
  });
}

function highlightNotes(number) {
  const page = pages.get(number);
  if (!page || !list) return;
  list.querySelectorAll(`[data-page="${number}"][data-start]`).forEach((item) => {
    highlight(page, Number(item.dataset.start), Number(item.dataset.end), Boolean(item.querySelector(".text-bg-info")));
  });
}

function noteItem(note) {
  const item = document.createElement("li");
  item.className = "note card mb-2";
  item.id = `note-${note.id}`;
  item.dataset.noteId = note.id;
  item.dataset.page = note.page;
  if (note.start !== null && !note.earlier_version) {
    item.dataset.start = note.start;
    item.dataset.end = note.end;
  }
  const body = document.createElement("div");
  body.className = "card-body p-3";
  const head = document.createElement("p");
  head.className = "small mb-1";
  const page = document.createElement("strong");
  page.textContent = `Page ${note.page}`;
  const badge = document.createElement("span");
  badge.className = note.shared ? "badge text-bg-info" : "badge text-bg-secondary";
  badge.textContent = note.shared ? "Shared" : "Private";
  head.append(page, ` · ${note.mine ? "Your note" : note.author} · `, badge);
  body.append(head);
  if (note.quote) {
    const quote = document.createElement("blockquote");
    quote.className = "note-quote small mb-1";
    quote.textContent = note.quote;
    body.append(quote);
  }
  const text = document.createElement("p");
  text.className = "mb-1";
  text.textContent = note.body;
  const change = document.createElement("a");
  change.className = "small";
  change.href = note.edit_url;
  change.textContent = "Change or delete";
  body.append(text, change);
  item.append(body);
  return item;
}

async function saveNote(event) {
  event.preventDefault();
  const data = Object.fromEntries(new FormData(form));
  delete data.csrfmiddlewaretoken;
  data.shared = field("shared").checked;
  for (const name of ["page", "start_offset", "end_offset"]) {
    data[name] = data[name] === "" || data[name] === undefined ? null : Number(data[name]);
  }
  try {
    const response = await fetch(form.action, {
      method: "POST",
      credentials: "same-origin",
      headers: {
        "Content-Type": "application/json",
        Accept: "application/json",
        "X-CSRFToken": form.querySelector("[name=csrfmiddlewaretoken]").value,
      },
      body: JSON.stringify(data),
    });
    const answer = await response.json();
    if (response.status === 400 && answer.errors) {
      // What was typed needs correcting: the page itself shows the problems, with the error
      // summary and each field's message, as it does without JavaScript.
      form.submit();
      return;
    }
    if (!response.ok) {
      const details = Object.values(answer.errors || {}).flat().join(" ");
      throw new Error(`${answer.error || "The note was not saved."} ${details}`.trim());
    }
    const item = noteItem(answer.note);
    list.append(item);
    document.querySelector("[data-no-notes]")?.classList.add("d-none");
    if (item.dataset.start !== undefined) {
      highlight(pages.get(answer.note.page), answer.note.start, answer.note.end, answer.note.shared);
    }
    form.reset();
    say(formStatus, answer.note.shared ? "Your note is saved and shared." : "Your note is saved (private).");
  } catch (error) {
    say(formStatus, error.message);
  }
}

async function renderPage(pdf, number, width) {
  const page = await pdf.getPage(number);
  const unscaled = page.getViewport({ scale: 1 });
  const scale = Math.max(0.5, (width - 8) / unscaled.width);
  const viewport = page.getViewport({ scale });
  const holder = document.createElement("div");
  holder.className = "pdf-page";
  holder.dataset.pageNumber = number;
  holder.setAttribute("role", "region");
  holder.setAttribute("aria-label", `Page ${number} of ${pdf.numPages}`);
  holder.style.setProperty("--total-scale-factor", String(scale));
  holder.style.width = `${Math.floor(viewport.width)}px`;
  holder.style.height = `${Math.floor(viewport.height)}px`;
  const canvas = document.createElement("canvas");
  const ratio = window.devicePixelRatio || 1;
  canvas.width = Math.floor(viewport.width * ratio);
  canvas.height = Math.floor(viewport.height * ratio);
  canvas.setAttribute("aria-hidden", "true");
  const text = document.createElement("div");
  text.className = "textLayer";
  holder.append(canvas, text);
  viewer.append(holder);
  await page.render({
    canvas,
    canvasContext: canvas.getContext("2d"),
    viewport,
    transform: ratio === 1 ? null : [ratio, 0, 0, ratio, 0, 0],
  }).promise;
  return { page, viewport, text };
}

async function open() {
  const status = viewer.querySelector("[data-viewer-status]");
  try {
    const pdfjs = await import(viewer.dataset.libraryUrl);
    pdfjs.GlobalWorkerOptions.workerSrc = viewer.dataset.workerUrl;
    const pdf = await pdfjs.getDocument({ url: viewer.dataset.pdfUrl, isEvalSupported: false, withCredentials: true }).promise;
    say(status, `The paper has ${pdf.numPages} page${pdf.numPages === 1 ? "" : "s"}.`);
    const width = viewer.clientWidth - 24;
    for (let number = 1; number <= pdf.numPages; number += 1) {
      const { page, viewport, text } = await renderPage(pdf, number, width);
      const layer = new pdfjs.TextLayer({ textContentSource: page.streamTextContent(), container: text, viewport });
      await layer.render();
      pages.set(number, { layer, strings: layer.textContentItemsStr });
      highlightNotes(number);
    }
    viewer.dataset.ready = "true";
  } catch (error) {
    say(status, "The paper could not be shown here. Download it with the link above; the notes below still work.");
    viewer.dataset.ready = "failed";
  }
}

if (viewer && form) {
  form.addEventListener("submit", saveNote);
  document.addEventListener("selectionchange", () => {
    const chosen = currentSelection();
    if (chosen) {
      lastSelection = chosen;
      bar.classList.remove("d-none");
    }
  });
  bar.querySelector("[data-note-selection]").addEventListener("click", useSelection);
  open();
} else if (form) {
  form.addEventListener("submit", saveNote);
}
