"""Small fixes to the HTML that Sphinx writes, for accessibility.

Sphinx marks each bibliography entry ``role="doc-biblioentry"``, a role that
WAI-ARIA 1.2 deprecated, inside a ``role="list"`` container that then has no
list items (axe-core: aria-deprecated-role, aria-required-children). The
entries are list items, so say so.
"""


def _fix_roles(app, pagename, templatename, context, doctree):
    body = context.get("body")
    if body and 'role="doc-biblioentry"' in body:
        context["body"] = body.replace('role="doc-biblioentry"', 'role="listitem"')


def setup(app):
    app.connect("html-page-context", _fix_roles)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
