"""Where the reference-data tier gets its data: the way the app does, once per test session.

Order (``store.locate_catalog_files``): ``RECOMMENDER_CATALOG`` → ``RECOMMENDER_DATA_DIR`` →
the download cache (``RECOMMENDER_CACHE_DIR``, else the per-user cache) → a download of the
public files (through ``RECOMMENDER_MIRROR_URL`` when set). Without data the tier is skipped
with one line naming what to set; where ``.ci/run`` runs (``RECOMMENDER_REQUIRE_REFERENCE_DATA=1``
or ``CI=true``) the run fails instead.

Tests assert properties that hold for the full public files; exact figures only where the
data is recognised, table by table, as the development copies (``reference_tables.sha256``).
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Final

if TYPE_CHECKING:
    from recommender.settings import Settings

TESTS: Final = Path(__file__).resolve().parent
DEV_COPY_HASHES: Final = TESTS / "reference_tables.sha256"
WHAT_TO_SET: Final = (
    "set RECOMMENDER_CATALOG (or RECOMMENDER_DATA_DIR) to the dataset files, or "
    "RECOMMENDER_MIRROR_URL to a mirror of them (docs/development.md, Tests)"
)


@dataclass(frozen=True, slots=True)
class ReferenceData:
    """The files found, where they came from, and whether they are the development copies."""

    paths: tuple[Path, ...]
    origin: str
    table_hashes: dict[str, str]  # table name -> sha256 of its bytes

    @property
    def catalog_env(self) -> str:
        """The value of ``RECOMMENDER_CATALOG`` that names exactly these files."""
        return os.pathsep.join(str(path) for path in self.paths)

    @property
    def dev_copies(self) -> bool:
        """True when every source table is one of the development copies, and all are here."""
        return sorted(self.table_hashes.values()) == sorted(dev_copy_hashes().values())

    def tables(self, kind: str) -> list[tuple[str, bytes]]:
        """(name, bytes) of every source table of ``kind`` ("kaggle", "tidytuesday", ...)."""
        from recommender.data.detect import source_tables

        return [
            (table.name, table.read_bytes())
            for table in source_tables(self.paths)
            if table.adapter.kind == kind
        ]

    def table(self, kind: str) -> bytes:
        """The one table of ``kind``; fails when there are none or several."""
        found = self.tables(kind)
        if len(found) != 1:
            names = [name for name, _ in found]
            msg = f"expected one {kind} table in the reference data, found {names}"
            raise AssertionError(msg)
        return found[0][1]


def catalog_env(settings: Settings) -> str:
    """The ``RECOMMENDER_CATALOG`` value naming all of ``settings``' catalog files and folders."""
    return os.pathsep.join(str(path) for path in settings.catalog_paths)


def dev_copy_hashes() -> dict[str, str]:
    """Public file name -> sha256 of the development copy of that table."""
    hashes = {}
    for line in DEV_COPY_HASHES.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            digest, name = line.split()
            hashes[name] = digest
    return hashes


def required() -> bool:
    """Whether missing reference data must fail the run (under ``.ci/run``)."""
    flag = os.environ.get("RECOMMENDER_REQUIRE_REFERENCE_DATA", "")
    return flag.lower() in ("1", "true", "yes") or os.environ.get("CI", "").lower() == "true"


@cache
def resolve() -> ReferenceData | str:
    """The reference data, or why there is none (one line, ending in what to set)."""
    from recommender.data.detect import CatalogError, source_tables
    from recommender.data.sources import SOURCES
    from recommender.data.store import CatalogUnavailable, locate_catalog_files
    from recommender.settings import Settings

    try:
        env = dict(os.environ)
        # The reference data are the development copies of the small sources; a download
        # fetches those, not the default big one.
        env.setdefault("RECOMMENDER_SOURCES", ",".join(s.name for s in SOURCES if s.quick))
        settings = Settings.from_sources(env=env, secrets={})
        found = locate_catalog_files(settings)
        tables = source_tables(found.paths)
    except CatalogUnavailable as exc:
        return f"no reference data ({_tried(exc.tried)}); {WHAT_TO_SET}"
    except (CatalogError, OSError, ValueError) as exc:
        return f"reference data unusable ({str(exc).splitlines()[0]}); {WHAT_TO_SET}"
    if found.problems:
        # Half the sources would make every figure wrong in a way that looks like a bug.
        missing = ", ".join(line.split(":", 1)[0] for line in found.problems)
        return f"reference data incomplete (could not download {missing}); {WHAT_TO_SET}"
    hashes = {table.name: hashlib.sha256(table.read_bytes()).hexdigest() for table in tables}
    return ReferenceData(paths=found.paths, origin=found.origin, table_hashes=hashes)


def _tried(tried: tuple[str, ...]) -> str:
    # One short clause per place; the downloads folded into one (8 lines of URLs otherwise).
    downloads = [line for line in tried if line.startswith("download ")]
    downloads = [line for line in downloads if not line.startswith("download cache")]
    places = [line for line in tried if line not in downloads]
    places = [line.split(" (", 1)[0] for line in places]
    if downloads:
        reason = downloads[0].rsplit(": ", 1)[-1]
        places.append(f"{len(downloads)} public files not downloadable, e.g. {reason}")
    return "; ".join(places)


def reference_data() -> ReferenceData:
    """The resolved data; only called from tests the tier hook let run (data was found)."""
    data = resolve()
    if isinstance(data, str):
        msg = f"reference tier ran without data: {data}"
        raise AssertionError(msg)
    return data
