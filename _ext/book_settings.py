"""The book's one repository setting, read by the build and by the tools.

``repository.url`` in ``_config.yml`` drives the website's repository and
launch buttons (Binder, Colab), the install cell at the top of every chapter
notebook and the launch badges in ``README.md``. Until the book's repository
is published it holds :data:`PLACEHOLDER`; then the build hides those
buttons and says so, the install cell tells a reader how to install
``bplib`` from a checkout, and the README shows no badges.

Plain Python (no Sphinx), so that ``tools/prepare_notebooks.py`` can import
it too.
"""

import pathlib
import re

__all__ = ["PLACEHOLDER", "Repository", "read_repository"]

PLACEHOLDER = "https://github.com/OWNER/REPOSITORY"

_GITHUB = re.compile(r"^https://github\.com/(?P<owner>[\w.-]+)/(?P<name>[\w.-]+?)/?$")


class Repository:
    """The book's repository as ``_config.yml`` names it."""

    def __init__(self, url, branch="main"):
        self.url = (url or "").strip().rstrip("/")
        self.branch = (branch or "main").strip()

    @property
    def is_placeholder(self):
        """True while ``repository.url`` is not a real GitHub repository."""
        return self.url in {"", PLACEHOLDER} or not _GITHUB.match(self.url)

    @property
    def slug(self):
        """``owner/name``."""
        match = _GITHUB.match(self.url)
        return f"{match['owner']}/{match['name']}" if match else ""

    @property
    def install_source(self):
        """What ``pip install`` needs to install ``bplib`` from the repository."""
        return "" if self.is_placeholder else f"git+{self.url}@{self.branch}"

    def binder_url(self, path):
        return (f"https://mybinder.org/v2/gh/{self.slug}/{self.branch}"
                f"?urlpath=lab/tree/{path}")

    def colab_url(self, path):
        return f"https://colab.research.google.com/github/{self.slug}/blob/{self.branch}/{path}"


def read_repository(root):
    """The :class:`Repository` of the ``_config.yml`` in the folder ``root``."""
    import yaml

    config = yaml.safe_load((pathlib.Path(root) / "_config.yml").read_text(encoding="utf-8"))
    repository = config.get("repository") or {}
    return Repository(repository.get("url"), repository.get("branch"))
