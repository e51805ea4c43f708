// hoso: the PDF viewer over pdf.js (pdfjs-dist, vendored). Pages are drawn as they come into
// view, each with its text layer, and the words searched for are highlighted on every page;
// the viewer opens at the page the search matched. The page works without it: it links to the
// PDF, which the browser shows itself.

// Folds text for matching as search does: no diacritics, no case, đ as d. Returns the folded
// text with, for each of its characters, the index of the character it came from.
function fold(text) {
  let folded = "";
  const from = [];
  for (let i = 0; i < text.length; i++) {
    const plain = text[i].normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase().replace(/đ/g, "d");
    for (const char of plain) {
      folded += char;
      from.push(i);
    }
  }
  return { folded, from };
}

// The stretches of `text` the terms cover, words next to each other (a phrase) as one.
function stretches(text, terms) {
  const { folded, from } = fold(text);
  const ranges = [];
  for (const term of terms) {
    let at = folded.indexOf(term);
    while (at >= 0) {
      ranges.push([from[at], from[at + term.length - 1] + 1]);
      at = folded.indexOf(term, at + term.length);
    }
  }
  ranges.sort((a, b) => a[0] - b[0]);
  const merged = [];
  for (const range of ranges) {
    const last = merged[merged.length - 1];
    if (last && (range[0] <= last[1] || !text.slice(last[1], range[0]).trim())) last[1] = Math.max(last[1], range[1]);
    else merged.push(range.slice());
  }
  return merged;
}

// Wraps each occurrence of the terms in the span's text in <mark>.
function highlight(span, terms) {
  const text = span.textContent;
  if (!text) return;
  const merged = stretches(text, terms);
  if (!merged.length) return;
  const parts = document.createDocumentFragment();
  let done = 0;
  for (const [start, end] of merged) {
    if (start > done) parts.append(text.slice(done, start));
    const mark = document.createElement("mark");
    mark.className = "hit";
    mark.textContent = text.slice(start, end);
    parts.append(mark);
    done = end;
  }
  if (done < text.length) parts.append(text.slice(done));
  span.replaceChildren(parts);
}

// How many marks the terms make in the whole document, page by page from its text (the pages
// need not be drawn): the same stretches the text layers mark, each text item being one span.
async function countHits(pdf, terms) {
  let hits = 0;
  for (let number = 1; number <= pdf.numPages; number++) {
    const content = await (await pdf.getPage(number)).getTextContent();
    for (const item of content.items) if (item.str) hits += stretches(item.str, terms).length;
  }
  return hits;
}

function fill(template, values) {
  return template.replace(/\{(\w+)\}/g, (_, name) => String(values[name] ?? ""));
}

async function show(root) {
  const status = root.querySelector("[data-viewer-status]");
  const holder = root.querySelector(".pdf-pages");
  const say = (text) => { if (status) status.textContent = text; };
  const terms = JSON.parse(root.dataset.terms || "[]").map((term) => fold(term).folded).filter((term) => term.length > 1);
  let pdfjs;
  let pdf;
  try {
    pdfjs = await import(root.dataset.pdfjs);
    pdfjs.GlobalWorkerOptions.workerSrc = root.dataset.worker;
    pdf = await pdfjs.getDocument({ url: root.dataset.src, isEvalSupported: false, enableXfa: false }).promise;
  } catch (error) {
    say(root.dataset.failed || "");
    return;
  }
  const count = pdf.numPages;
  const wanted = Math.min(Math.max(parseInt(root.dataset.page, 10) || 1, 1), count);
  const first = (await pdf.getPage(wanted)).getViewport({ scale: 1 });
  // Each layout draws the pages to the holder's width (at most a comfortable reading width);
  // a window resized far enough (a phone turned) lays them out again.
  let layout = null;
  const widthNow = () => Math.min(Math.max(holder.clientWidth - 16, 200), 920);

  function lay(focus) {
    if (layout) layout.watcher.disconnect();
    const width = widthNow();
    const state = { width, slots: [], watcher: null };
    layout = state;
    holder.replaceChildren();
    for (let number = 1; number <= count; number++) {
      const slot = document.createElement("div");
      slot.className = "pdf-page";
      slot.dataset.number = String(number);
      slot.setAttribute("aria-label", fill(root.dataset.pageLabel || "{page}", { page: number, pages: count }));
      slot.setAttribute("role", "region");
      slot.style.width = width + "px";
      slot.style.height = Math.round(width * first.height / first.width) + "px";
      holder.append(slot);
      state.slots.push(slot);
    }
    state.watcher = new IntersectionObserver((entries) => {
      for (const entry of entries) {
        if (entry.isIntersecting) {
          state.watcher.unobserve(entry.target);
          draw(state, entry.target);
        }
      }
    }, { rootMargin: "600px 0px" });
    const target = state.slots[focus - 1];
    return draw(state, target).then(() => {
      if (focus > 1) target.scrollIntoView({ block: "start" });
      const hit = target.querySelector("mark.hit");
      if (hit) hit.scrollIntoView({ block: "center" });
      for (const slot of state.slots) if (!slot.dataset.drawn) state.watcher.observe(slot);
    });
  }

  async function draw(state, slot) {
    if (slot.dataset.drawn) return;
    slot.dataset.drawn = "1";
    const page = await pdf.getPage(Number(slot.dataset.number));
    const scale = state.width / page.getViewport({ scale: 1 }).width;
    const viewport = page.getViewport({ scale });
    const ratio = window.devicePixelRatio || 1;
    const canvas = document.createElement("canvas");
    canvas.width = Math.floor(viewport.width * ratio);
    canvas.height = Math.floor(viewport.height * ratio);
    canvas.style.width = Math.floor(viewport.width) + "px";
    canvas.style.height = Math.floor(viewport.height) + "px";
    slot.style.height = Math.floor(viewport.height) + "px";
    slot.style.setProperty("--scale-factor", String(scale));
    slot.style.setProperty("--user-unit", "1");
    slot.style.setProperty("--total-scale-factor", String(scale));
    const layer = document.createElement("div");
    layer.className = "textLayer";
    slot.append(canvas, layer);
    await page.render({
      canvas,
      canvasContext: canvas.getContext("2d"),
      viewport,
      transform: ratio !== 1 ? [ratio, 0, 0, ratio, 0, 0] : undefined,
    }).promise;
    const text = new pdfjs.TextLayer({ textContentSource: page.streamTextContent(), container: layer, viewport });
    await text.render();
    if (terms.length) {
      for (const span of layer.querySelectorAll("span:not(.markedContent)")) {
        if (!span.querySelector("span")) highlight(span, terms);
      }
    }
    slot.classList.add("drawn");
  }

  // Counted over the whole document once, whatever has been drawn.
  let hits = null;
  function report() {
    const text = fill(root.dataset.pages || "{pages}", { page: wanted, pages: count });
    say(terms.length && hits !== null ? text + " · " + fill(root.dataset.hits || "{hits}", { hits }) : text);
  }

  // The page most in view, to keep in view when the pages are laid out again.
  function inView() {
    const middle = window.innerHeight / 2;
    for (const slot of layout.slots) {
      const box = slot.getBoundingClientRect();
      if (box.top <= middle && box.bottom >= middle) return Number(slot.dataset.number);
    }
    return wanted;
  }

  await lay(wanted);
  report();
  if (terms.length) {
    hits = await countHits(pdf, terms).catch(() => null);
    report();
  }
  let pending = 0;
  window.addEventListener("resize", () => {
    clearTimeout(pending);
    pending = setTimeout(() => {
      if (Math.abs(widthNow() - layout.width) > 40) lay(inView()).then(report);
    }, 250);
  });
}

for (const root of document.querySelectorAll("[data-pdf-viewer]")) show(root);
