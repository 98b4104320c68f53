"""Which store direct seeding writes to, chosen explicitly and described without secrets.

``topicsflow bots seed --data-dir DIR`` names the embedded SQLite store of a node started
with ``TOPICSFLOW_DATA_DIR=DIR``; ``--mongodb-url URL`` (with ``--mongodb-database``) a
MongoDB store.  Nothing is taken from the ``TOPICSFLOW_*`` settings: seeding a store no
node reads is the mistake this guards against.  :meth:`StoreTarget.problem` refuses a
data directory without a store in it (a node creates one at its first start), and
:meth:`StoreTarget.describe` names the store for humans: the SQLite file's path, or the
MongoDB URL without its user name, password and options.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path
from urllib.parse import urlsplit

from storage.factory import SQLITE_FILE

MONGODB_SCHEMES = ("mongodb", "mongodb+srv")
DEFAULT_DATABASE = "topicsflow"


@dataclasses.dataclass(frozen=True)
class StoreTarget:
    """Exactly one of ``data_dir`` and ``mongodb_url`` is set (see :meth:`problem`)."""

    data_dir: Path | None = None
    mongodb_url: str | None = dataclasses.field(default=None, repr=False)
    mongodb_database: str = DEFAULT_DATABASE

    def problem(self) -> str | None:
        """Why this target cannot be seeded (one line), or None."""
        if (self.data_dir is None) == (self.mongodb_url is None):
            return "name one store: --data-dir DIR or --mongodb-url URL"
        if self.data_dir is not None:
            if not (self.data_dir / SQLITE_FILE).is_file():
                return (
                    f"no embedded store in {self.data_dir} (no {SQLITE_FILE}): give the "
                    "TOPICSFLOW_DATA_DIR of a node that has started once, or seed with --url"
                )
            return None
        assert self.mongodb_url is not None
        if urlsplit(self.mongodb_url).scheme not in MONGODB_SCHEMES:
            return "--mongodb-url expects a mongodb:// or mongodb+srv:// URL"
        return None

    def describe(self) -> str:
        """The store for humans, with no credentials (see the module docstring)."""
        if self.data_dir is not None:
            return f"the embedded store {(self.data_dir / SQLITE_FILE).resolve()}"
        assert self.mongodb_url is not None
        return f"MongoDB {redacted_mongodb_url(self.mongodb_url)}, database {self.database}"

    @property
    def database(self) -> str:
        """The MongoDB database seeded: the URL's, else ``mongodb_database``."""
        named = urlsplit(self.mongodb_url or "").path.strip("/")
        return named or self.mongodb_database


def redacted_mongodb_url(url: str) -> str:
    """``url`` as scheme and hosts only: no user name, password, database or options."""
    parts = urlsplit(url)
    hosts = parts.netloc.rpartition("@")[2]
    return f"{parts.scheme}://{hosts}"
