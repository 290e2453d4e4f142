"""JupyterLab for the book: the chapters' citations and cross-references
written out as the website writes them (binder/lab_references.py).

Used by `make lab` (`jupyter lab --config=binder/jupyter_server_config.py`),
by Binder (postBuild copies it into the user's Jupyter config) and by the
JupyterLab test (tests/lab).
"""

import pathlib
import sys

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))

c = get_config()  # noqa: F821 - provided by Jupyter when it loads this file
c.ServerApp.contents_manager_class = "lab_references.BookContentsManager"
