"""Print the whole book to one PDF: ``_build/pdf/book.pdf``.

Route: Sphinx's ``singlehtml`` builder puts every page of the book on one
HTML page (the same sources, MathJax, figures and explorers as the website);
Debian's Chromium, driven by Playwright, prints that page. Chromium is the
browser the tests already install, MathJax typesets exactly as on the site,
and Chromium turns the page's in-book links into working PDF links. The
LaTeX route would need TeX Live (about 1 GB from Debian) and a second
rendering of every MyST construct.

The bookmark outline is written here, not by Chromium: its own outline
needs a tagged PDF, which made printing this book take minutes longer than
everything else together (over 6 minutes of a 10-minute run), and it
titled some headings twice. Instead every heading (and every public name
of the API reference) gets a link in a hidden list, so Chromium writes a
named destination for it; pypdf then builds the outline from those
destinations with the headings' own text, nested as the book's sections.

Before printing, a script reshapes the page for paper:

* each chapter starts on a new page;
* the solutions of a chapter's exercises are collected at the end of that
  chapter, under "Solutions", each linked to its exercise and back;
* each explorer keeps its first frame, loses its controls, and gains a
  sentence saying where it is live;
* a display equation wider than the column is scaled down to fit it;
* code wraps instead of running off the margin, and code that the website
  folds away (cells tagged ``hide-input``) is left out;
* the API reference's module pages follow it (``_ext/book_pdf.py``), each
  public name a bookmark under its module.

The print stylesheet is added to the page before it loads (so Chromium
lays the 450 pages out once, for paper) and images load eagerly.

Usage::

    python tools/build_pdf.py [--html _build/singlehtml] [--out _build/pdf/book.pdf]

Run ``jupyter-book build . --builder singlehtml`` first (``make pdf`` does
both).
"""

import argparse
import functools
import http.server
import os
import pathlib
import re
import sys
import threading
import time

ROOT = pathlib.Path(__file__).resolve().parent.parent
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]

PRINT_CSS = """
@page { size: A4; margin: 18mm 16mm 20mm 16mm; }
html, body { background: white !important; }
.bd-header, .bd-sidebar-primary, .bd-sidebar-secondary, .bd-header-article,
.bd-footer, .bd-footer-article, .prev-next-area, .headerlink, .skip-link,
.bd-search, .search-button, .theme-switch-button, .toggle-button,
.cell_input.hide-input > .toggle, button.toggle-button, .copybtn,
#pst-back-to-top, .bd-footer-content, .header-article-items,
.sidebar-toggle, .pst-scrollable-table-container::after { display: none !important; }
.bd-main, .bd-content, .bd-article-container, .bd-page-width, .bd-container,
.bd-container__inner, .bd-article { max-width: 100% !important; width: 100% !important;
  padding: 0 !important; margin: 0 !important; display: block !important; }
pre, pre code { white-space: pre-wrap !important; overflow-wrap: anywhere;
  word-break: break-word; overflow: visible !important; max-height: none !important;
  font-size: 8.5pt; }
.highlight, div.cell_output, .output { overflow: visible !important; max-height: none !important; }
/* the theme keeps every code block whole, which leaves an empty cell frame
   at the foot of a page and half a page blank; let listings break between
   lines instead, never leaving fewer than three lines on either side */
div.highlight, div.literal-block-wrapper, div[class*=highlight-] { break-inside: auto !important; }
pre { orphans: 3; widows: 3; }
img { max-width: 100% !important; height: auto; break-inside: avoid; }
figure, .figure, table, .admonition, .exercise, .solution { break-inside: avoid; }
mjx-container[display="true"] { overflow: visible !important; max-width: 100%; }
h1, h2, h3 { break-after: avoid; }
.book-chapter-start { break-before: page; }
.book-solutions > h2 { break-before: page; }
.book-explorer-note { font-style: italic; margin: 0.4em 0 1em; }
details > *:not(summary) { display: block !important; }
"""

RESHAPE_JS = r"""
(siteUrl) => {
  const root = document.querySelector('article.bd-article > section');
  // the book's pages (chapters, appendices); the API reference's module
  // pages sit inside the API reference's own section
  const docs = [...document.querySelectorAll('span[id^="document-"]')]
    .filter(span => span.closest('section') === root);
  // 1. every page of the book starts on a new sheet
  docs.forEach((span) => {
    const next = span.nextElementSibling;
    if (next) next.classList.add('book-chapter-start');
  });
  // 2. show what the website toggles: dropdowns, hidden cells, details
  document.querySelectorAll('.headerlink').forEach(e => e.remove());
  document.querySelectorAll('.toggle-hidden').forEach(e => e.classList.remove('toggle-hidden'));
  document.querySelectorAll('details').forEach(d => d.open = true);
  document.querySelectorAll('button.toggle-button').forEach(b => b.remove());
  // code the website folds away (helpers, hide-input) stays off paper
  document.querySelectorAll('.tag_hide-input .cell_input, .tag_hide-input details.hide')
    .forEach(e => e.remove());
  // 3. solutions to the end of their chapter
  let moved = 0;
  docs.forEach((span) => {
    const section = span.nextElementSibling;
    if (!section) return;
    const solutions = [...section.querySelectorAll('.solution')];
    if (!solutions.length) return;
    const box = document.createElement('section');
    box.className = 'book-solutions';
    const title = section.querySelector('h1, h2');
    const h = document.createElement('h2');
    h.id = span.id.replace('document-', 'solutions-');
    h.textContent = 'Solutions' + (title ? ' to \u201c' + title.textContent.replace(/^[\d.]+\s*/, '').trim() + '\u201d' : '');
    box.appendChild(h);
    solutions.forEach((sol) => {
      const ref = sol.querySelector('.admonition-title a, p.admonition-title a');
      const back = document.createElement('p');
      if (ref) {
        const a = document.createElement('a');
        a.href = ref.getAttribute('href');
        a.textContent = 'back to the exercise';
        back.appendChild(a);
      }
      sol.appendChild(back);
      box.appendChild(sol);
      moved += 1;
    });
    section.appendChild(box);
  });
  // 4. explorers: first frame, no controls, a sentence saying where they live
  let explorers = 0;
  document.querySelectorAll('.bplib-explorer').forEach((ex) => {
    ex.querySelectorAll('[id$="-controls"], input, select, output').forEach(c => c.remove());
    const note = document.createElement('p');
    note.className = 'book-explorer-note';
    note.textContent = 'This is the first frame of an interactive explorer. It is live '
      + 'on the book\u2019s website' + (siteUrl ? ' (' + siteUrl + ')' : '')
      + ' and in the chapter\u2019s notebook, where its controls redraw the figure.';
    ex.appendChild(note);
    explorers += 1;
  });
  // 5. frozen ipywidgets have no meaning on paper
  document.querySelectorAll('.jupyter-widgets, script[type="application/vnd.jupyter.widget-view+json"]')
    .forEach(w => w.remove());
  // 6. the outline: every heading, and each public name of the API
  // reference under its module; a hidden link to each makes Chromium
  // write a named destination for it
  const titleOf = (el) => {
    const copy = el.cloneNode(true);
    // math keeps the text of its hidden MathML (what a screen reader reads)
    copy.querySelectorAll('.headerlink').forEach(e => e.remove());
    return copy.textContent.replace(/\s+/g, ' ').trim();
  };
  const entries = [];
  const seen = new Set();
  let n = 0;
  const ensureId = (el) => { if (!el.id) el.id = 'book-outline-' + (n += 1); return el.id; };
  document.querySelectorAll('article.bd-article h1, article.bd-article h2, '
      + 'article.bd-article h3, article.bd-article h4, '
      + 'article.bd-article dl.py:not(dl.py dl.py) > dt.sig[id]').forEach((el) => {
    const heading = /^H[1-6]$/.test(el.tagName);
    // the heading itself, not its section: a section can begin at the foot
    // of a page whose heading moved on to the next; and the single page
    // repeats the pages' section ids ("exercises", "summary"), which would
    // land on their first use
    const target = el;
    if (target.id && (seen.has(target.id) || document.getElementById(target.id) !== target)) {
      target.removeAttribute('id');
    }
    let title;
    if (heading) {
      title = titleOf(el);
    } else {
      const name = el.querySelector('.sig-name');
      title = (name ? name.textContent : el.id).trim();
    }
    if (!title) return;
    seen.add(ensureId(target));
    entries.push({id: target.id, level: heading ? +el.tagName[1] : 0,
                  api: !heading, title: title});
  });
  const nav = document.createElement('nav');
  nav.style.display = 'none';
  entries.forEach(e => { const a = document.createElement('a'); a.href = '#' + e.id; nav.appendChild(a); });
  document.body.appendChild(nav);
  return {docs: docs.length, solutions: moved, explorers: explorers, outline: entries};
}
"""


# The website loads images lazily (only when scrolled into view); paper needs
# them all. Give up on any image after a minute rather than hang.
# The column on paper: A4's 210 mm less the 15 mm margins either side, in
# CSS px (96 per inch). The page is laid out at this width before printing,
# so what is measured below is what will be printed.
PAPER_COLUMN_PX = round((210 - 2 * 15) / 25.4 * 96)

# A display equation wider than the column cannot scroll on paper: its font
# is scaled down (MathJax's output is sized in em) until it fits.
FIT_EQUATIONS_JS = r"""
() => {
  let fitted = 0;
  for (const m of document.querySelectorAll('mjx-container[display="true"]')) {
    const box = m.parentElement.getBoundingClientRect().width;
    const math = m.querySelector('mjx-math');
    const wide = math ? math.getBoundingClientRect().width : 0;
    if (box > 0 && wide > box) {
      m.style.fontSize = (100 * box / wide * 0.98).toFixed(1) + '%';
      fitted += 1;
    }
  }
  return fitted;
}
"""

WAIT_FOR_IMAGES = """
() => Promise.all([...document.images].map(img => {
  img.loading = 'eager';
  if (img.complete) return 0;
  return Promise.race([
    new Promise(r => { img.onload = img.onerror = r; }),
    new Promise(r => setTimeout(r, 60000)),
  ]);
}))
"""


def _serve(directory):
    """Serve ``directory`` on a free loopback port; return (server, url)."""
    handler = functools.partial(_QuietHandler, directory=str(directory))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}/"


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


def _root_page(html_dir):
    """The single page, copied to the build's root as ``book.html``, ready
    for paper: the print stylesheet in its head, every image loaded eagerly.

    index.html only redirects to the root document, which Sphinx writes to
    ``chapters/…html`` while linking its assets relative to the root.
    """
    index = (html_dir / "index.html").read_text()
    match = re.search(r'url=([^"]+)"', index)
    source = html_dir / match.group(1) if match else html_dir / "index.html"
    html = source.read_text().replace(' loading="lazy"', "")
    html = html.replace("</head>", f'<style id="book-print">{PRINT_CSS}</style>\n</head>', 1)
    (html_dir / "book.html").write_text(html)
    return "book.html"


@functools.cache
def _config():
    import yaml
    return yaml.safe_load((ROOT / "_config.yml").read_text()) or {}


def _site_url():
    """The published site's address from _config.yml, if it is not the placeholder."""
    return ((_config().get("html") or {}).get("baseurl") or "").strip()


def build(html_dir, out):
    from playwright.sync_api import sync_playwright

    html_dir, out = pathlib.Path(html_dir), pathlib.Path(out)
    if not (html_dir / "index.html").exists():
        sys.exit(f"{html_dir}/index.html not found: build it with "
                 "`jupyter-book build . --builder singlehtml` first")
    out.parent.mkdir(parents=True, exist_ok=True)
    raw = out.with_suffix(".print.pdf")
    start = time.monotonic()

    def stage(what):
        print(f"  {time.monotonic() - start:6.1f} s  {what}", flush=True)

    server, url = _serve(html_dir)
    outside = []
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
            page = browser.new_page(viewport={"width": PAPER_COLUMN_PX, "height": 1400})
            page.on("request", lambda r: outside.append(r.url)
                    if not r.url.startswith(("http://127.0.0.1", "data:", "about:", "blob:"))
                    else None)
            page.emulate_media(media="print", color_scheme="light")
            page.goto(url + _root_page(html_dir), wait_until="load", timeout=300_000)
            stage("page loaded")
            page.wait_for_function(
                "() => window.MathJax && MathJax.startup && MathJax.startup.promise",
                timeout=300_000)
            page.evaluate("() => MathJax.startup.promise")
            stage("MathJax typeset")
            counts = page.evaluate(RESHAPE_JS, _site_url())
            page.evaluate(WAIT_FOR_IMAGES)
            fitted = page.evaluate(FIT_EQUATIONS_JS)
            stage(f"page reshaped for paper ({fitted} wide equations scaled to the column)")
            page.pdf(path=str(raw), format="A4", print_background=True,
                     display_header_footer=True,
                     header_template="<span></span>",
                     footer_template='<div style="font-size:8px;width:100%;text-align:center;'
                                     'color:#555"><span class="pageNumber"></span></div>',
                     margin={"top": "16mm", "bottom": "18mm", "left": "15mm", "right": "15mm"})
            stage("printed")
            browser.close()
    finally:
        server.shutdown()
    if outside:
        sys.exit(f"the print page asked for other hosts: {sorted(set(outside))[:5]}")
    pages, bookmarks, missing = _add_outline(raw, out, counts["outline"])
    raw.unlink()
    stage("outline written")
    if missing:
        sys.exit(f"{len(missing)} outline entries have no destination in the PDF: {missing[:5]}")
    print(f"wrote {out} ({out.stat().st_size / 2**20:.1f} MiB, {pages} pages): "
          f"{counts['docs']} parts of the book, {counts['solutions']} solutions collected, "
          f"{counts['explorers']} explorers shown by their first frame, "
          f"{bookmarks} bookmarks")


def _add_outline(raw, out, entries):
    """Copy ``raw`` to ``out`` with a bookmark outline.

    ``entries`` are the page's headings in order (id, level 1-6, title) and
    the API reference's public names (``api``: one level below the heading
    before them). Each id is a named destination Chromium wrote. Returns
    (pages, bookmarks, ids without a destination).
    """
    import pypdf

    reader = pypdf.PdfReader(str(raw))
    destinations = reader.named_destinations
    writer = pypdf.PdfWriter(clone_from=reader)
    parents = []  # (level, outline item) of the open headings
    missing, count, heading_level = [], 0, 1
    for entry in entries:
        dest = destinations.get("/" + entry["id"], destinations.get(entry["id"]))
        page = 0  # the book's first heading opens page 1, where Chromium
        # writes no destination for it: the top of page 1 is that heading
        if dest is not None:
            page = reader.get_destination_page_number(dest)
        elif count:
            missing.append(entry["id"])
            continue
        level = heading_level + 1 if entry["api"] else entry["level"]
        if not entry["api"]:
            heading_level = level
        while parents and parents[-1][0] >= level:
            parents.pop()
        item = writer.add_outline_item(
            title=entry["title"], page_number=page,
            parent=parents[-1][1] if parents else None,
            fit=pypdf.generic.Fit.xyz(top=None if dest is None else dest.get("/Top")), is_open=False)
        parents.append((level, item))
        count += 1
    writer.page_mode = "/UseOutlines"
    writer.add_metadata({"/Title": _book_title(), "/Author": _book_author()})
    with open(out, "wb") as f:
        writer.write(f)
    return len(reader.pages), count, missing


def _book_title():
    return _config().get("title", "")


def _book_author():
    return _config().get("author", "")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--html", default=ROOT / "_build" / "singlehtml")
    parser.add_argument("--out", default=ROOT / "_build" / "pdf" / "book.pdf")
    args = parser.parse_args(argv)
    build(args.html, args.out)


if __name__ == "__main__":
    main()
