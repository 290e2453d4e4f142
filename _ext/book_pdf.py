"""The whole-book PDF: what the single-page build needs, and the download link.

* myst-nb registers its hidden-cell node for the ``html`` builder only;
  other extensions register handlers for ``singlehtml``, so Sphinx stops
  falling back to the html ones and the single-page build (which
  ``tools/build_pdf.py`` prints) fails on any notebook with a hidden cell.
  Register the same visitors for ``singlehtml`` too (and the skip node
  that Jupyter Book's latex helpers leave in that build).
* The API reference's per-module pages (``chapters/generated/*``, written
  by autosummary) reach the single page through the toctree that
  autosummary hides inside its table's ``autosummary_toc`` node; the html
  visitor skips that node (the website lists the pages in its sidebar), so
  the single page, and the PDF, lost every module. The single-page build
  renders its children instead: each module's page follows the table, in
  the table's order, with its own heading (a bookmark in the PDF). The
  summary tables themselves (a comment node the single page would drop)
  are rendered as on the website.
* Every page of the website offers the PDF in its download menu
  (``book.pdf`` at the site's root, put there by ``make publish-dir``).
"""

from myst_nb.sphinx_ import HideCodeCellNode, depart_HideCellInput, visit_HideCellInput
from sphinx.ext.autosummary import (
    autosummary_noop,
    autosummary_table,
    autosummary_table_visit_html,
    autosummary_toc,
)
from sphinx_jupyterbook_latex.nodes import HiddenCellNode, visit_HiddenCellNode

PDF_NAME = "book.pdf"


def _download_menu(app, pagename, templatename, context, doctree):
    """Add the whole-book PDF to the theme's download dropdown, and say
    that its ".pdf" entry prints only this page."""
    if app.builder.name != "html":
        return
    entry = {
        "type": "link",
        "url": context["pathto"](PDF_NAME, 1),
        "text": "Whole book (.pdf)",
        "tooltip": "The whole book as one PDF",
        "icon": "fas fa-file-pdf",
        "label": "download-book-pdf-button",
    }
    buttons = context.get("header_buttons", [])
    for button in buttons:
        if button.get("type") == "group" and button.get("label") == "download-buttons":
            for item in button["buttons"]:
                if item.get("label") == "download-pdf-button":  # window.print()
                    item["text"], item["tooltip"] = "This page (print)", "Print this page"
            button["buttons"].append(entry)


def setup(app):
    app.setup_extension("sphinx.ext.autosummary")  # its node first, then ours
    app.add_node(HideCodeCellNode, override=True,
                 html=(visit_HideCellInput, depart_HideCellInput),
                 singlehtml=(visit_HideCellInput, depart_HideCellInput))
    app.add_node(HiddenCellNode, override=True, singlehtml=(visit_HiddenCellNode, None))
    app.add_node(autosummary_toc, override=True,
                 singlehtml=(autosummary_noop, autosummary_noop))
    app.add_node(autosummary_table, override=True,
                 singlehtml=(autosummary_table_visit_html, autosummary_noop))
    # after sphinx-book-theme has filled header_buttons (priority 501)
    app.connect("html-page-context", _download_menu, priority=600)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
