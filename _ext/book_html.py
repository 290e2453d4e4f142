"""The book's own Sphinx extension: small fixes to what Jupyter Book 1 writes.

1. **Accessibility.** Sphinx marks each bibliography entry
   ``role="doc-biblioentry"``, a role that WAI-ARIA 1.2 deprecated, inside a
   ``role="list"`` container that then has no list items (axe-core:
   aria-deprecated-role, aria-required-children). The entries are list
   items, so say so.
2. **One copy of each script.** Sphinx 7.4 with sphinx-thebe 0.3.1 adds the
   inline script declaring ``THEBE_JS_URL`` twice (once with the file name
   ``None``, once ``''``), and the second declaration throws on every page.
   Scripts equal in body, priority and attributes are kept once.
3. **No frozen ipywidgets on the website.** A widget saved in a notebook
   shows on a static page as controls that move but recompute nothing, and
   needs a 3.6 MB widget manager. The website has the precomputed explorers
   instead; each widget view is replaced by one line saying what the cell
   does in Jupyter, and the stored widget state and the manager's scripts
   are not added to the page. The notebooks keep their widgets.
4. **Unnumbered pages number their own equations.** With ``math_numfig``,
   Sphinx numbers the equations (and figures) of every page outside a
   numbered part with one shared counter, so the notation page's first
   equation was (14). Each unnumbered page now counts from 1.
5. **One repository setting.** While ``repository.url`` in ``_config.yml``
   is the placeholder (see ``book_settings.py``), the repository, issues
   and launch buttons are hidden and the build says so in one line.
6. **Wide equations scroll in their own box** (``_assets/book.js`` makes
   such a box focusable so that keyboard users can scroll it too).
7. **Explorer frames load when the explorer comes into view.** A static
   explorer's output (``bplib``'s static explorer renderer) carries all its
   precomputed frames inline, 0.3-1.5 MB of SVG text per explorer, which
   the notebook needs (it must work without a server) but a web page need
   not load up front. On the website the frames move to a JSON file beside
   the page, and the explorer's start-up script is kept, unrun, until
   ``book.js`` has fetched them (when the explorer is within a screen of
   the view). Without JavaScript nothing changes: the first frame and its
   verdict are inline.
8. **Images load as they come into view** (``loading="lazy"``): a chapter's
   figures are 0.1-0.3 MB each, and a reader on a phone sees one at a time.
9. **One viewport tag.** Sphinx's layout, the theme and docutils each write
   ``<meta name="viewport">``; docutils' copy is dropped here, the theme's
   by ``templates/layout.html``.
"""

import json
import pathlib
import re
import sys

from docutils import nodes
from sphinx.util import logging

sys.path.insert(0, str(pathlib.Path(__file__).parent))
from book_settings import Repository  # noqa: E402 - the folder is put on the path above

logger = logging.getLogger(__name__)

WIDGET_VIEW = '<script type="application/vnd.jupyter.widget-view+json">'
WIDGET_NOTE = ("In a running notebook (JupyterLab, Binder or Colab) this cell shows "
               "sliders that rerun the experiment; this page has the precomputed "
               "explorer instead.")


def _fix_roles(app, pagename, templatename, context, doctree):
    body = context.get("body")
    if body and 'role="doc-biblioentry"' in body:
        context["body"] = body.replace('role="doc-biblioentry"', 'role="listitem"')


def _script_key(script):
    attributes = getattr(script, "attributes", {}) or {}
    return (
        getattr(script, "filename", script) or "",
        getattr(script, "priority", None),
        tuple(sorted((str(k), str(v)) for k, v in attributes.items())),
    )


_VIEWPORT = re.compile(r'<meta name="viewport"[^>]*>\n?')


def _one_viewport(app, pagename, templatename, context, doctree):
    if "metatags" in context:
        context["metatags"] = _VIEWPORT.sub("", context["metatags"])


def _dedupe_scripts(app, pagename, templatename, context, doctree):
    # html_context's default_mode does not reach the pages sphinx.ext.viewcode
    # writes; without it the theme logs "invalid theme mode" there.
    if not context.get("default_mode"):
        context["default_mode"] = "auto"
    scripts = context.get("script_files")
    if not scripts:
        return
    seen, unique = set(), []
    for script in scripts:
        key = _script_key(script)
        if key not in seen:
            seen.add(key)
            unique.append(script)
    scripts[:] = unique


def _drop_widgets(app, doctree):
    """Replace stored widget views by a note; drop the widget manager's scripts."""
    for raw in list(doctree.findall(nodes.raw)):
        if raw.astext().lstrip().startswith(WIDGET_VIEW):
            note = nodes.paragraph("", WIDGET_NOTE, classes=["widget-note"])
            raw.replace_self(note)
    metadata = getattr(app.env, "nb_metadata", {}).get(app.env.docname, {})
    scripts = metadata.get("js_files", {})
    for key in [k for k in scripts if k.startswith("ipywidgets")]:
        del scripts[key]


_EXPLORER = re.compile(
    r'<script type="application/json" id="(?P<id>[\w-]+)-data">(?P<data>.*?)</script>\s*'
    r'<script>(?P<code>\s*\(function \(\) \{\s*var id = "(?P=id)".*?)</script>',
    re.S)


def _lazy_explorers(app, pagename, templatename, context, doctree):
    body = context.get("body")
    if not body or '-data">' not in body:
        return
    folder = pathlib.Path(app.outdir, "_explorers")

    def move_out(match):
        name = match["id"]
        file_name = f"{pagename.replace('/', '--')}--{name}.json"
        json.loads(match["data"])  # refuse to move what is not JSON
        folder.mkdir(exist_ok=True)
        (folder / file_name).write_text(match["data"], encoding="utf-8")
        url = context["pathto"](f"_explorers/{file_name}", 1)
        return (f'<script type="text/x-book-deferred" data-explorer="{name}" '
                f'data-frames="{url}">{match["code"]}</script>')

    context["body"] = _EXPLORER.sub(move_out, body)


_IMG = re.compile(r"<img(?![^>]*\bloading=)")


def _lazy_images(app, pagename, templatename, context, doctree):
    body = context.get("body")
    if body and "<img" in body:
        context["body"] = _IMG.sub('<img loading="lazy"', body)


def _number_unnumbered_pages(app, env):
    """Equations and figures of a page outside the numbered parts count from 1."""
    changed = []
    for docname, by_type in env.toc_fignumbers.items():
        if env.toc_secnumbers.get(docname):
            continue  # a numbered chapter: Sphinx's (chapter, n) numbers stay
        for figtype, numbers in by_type.items():
            in_order = sorted(numbers, key=numbers.get)
            renumbered = {fig_id: (i,) for i, fig_id in enumerate(in_order, start=1)}
            if renumbered != numbers:
                by_type[figtype] = renumbered
                changed.append(docname)
    return changed


def _repository_buttons(app, config):
    options = config.html_theme_options
    repository = Repository(options.get("repository_url"), options.get("repository_branch"))
    if not repository.is_placeholder:
        return
    for key in ("use_repository_button", "use_issues_button", "use_edit_page_button",
                "use_source_button"):
        options[key] = False
    options["launch_buttons"] = {}
    logger.info(
        "book: repository.url in _config.yml is the placeholder %s: the repository and "
        "launch (Binder, Colab) buttons are hidden until it names the published "
        "repository", repository.url or "''")


def setup(app):
    app.connect("config-inited", _repository_buttons)
    app.connect("doctree-read", _drop_widgets)
    app.connect("env-get-updated", _number_unnumbered_pages, priority=900)
    app.connect("html-page-context", _fix_roles)
    app.connect("html-page-context", _lazy_explorers)
    app.connect("html-page-context", _lazy_images)
    app.connect("html-page-context", _one_viewport)
    app.connect("html-page-context", _dedupe_scripts, priority=900)
    app.add_js_file("book.js", loading_method="defer")
    return {"parallel_read_safe": True, "parallel_write_safe": True}
