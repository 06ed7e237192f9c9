"""The rows the gazetteer is built from, and where they come from.

A model is fitted with the package's curated files (`models/data/`) and pycountry's country and
subdivision names; the artifact keeps a copy of all of them (`gazetteer/` in the artifact), and a
loaded model is served from that copy only. So upgrading pycountry or editing `models/data/` changes
the models fitted after it, never the output of one already saved.

    country-aliases.tsv, ambiguous-names.tsv, leaders.tsv   the curated files, byte for byte
    countries.tsv      pycountry's countries, in its order: alpha_2, name, common_name, official_name
    subdivisions.tsv   US states and districts, Canadian provinces and territories: name, alpha_2
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable

DATA_DIR = Path(__file__).parent / "data"
ALIASES_FILE = "country-aliases.tsv"
AMBIGUOUS_FILE = "ambiguous-names.tsv"
LEADERS_FILE = "leaders.tsv"
COUNTRIES_FILE = "countries.tsv"
SUBDIVISIONS_FILE = "subdivisions.tsv"
CURATED_FILES = (ALIASES_FILE, AMBIGUOUS_FILE, LEADERS_FILE)
FILES = (*CURATED_FILES, COUNTRIES_FILE, SUBDIVISIONS_FILE)

_COUNTRIES_HEADER = "# alpha_2\tname\tcommon_name\tofficial_name (pycountry {version})\n"
_SUBDIVISIONS_HEADER = "# name\talpha_2 (pycountry {version}: US states and districts, Canadian provinces)\n"


@dataclass(frozen=True)
class GazetteerData:
    """The gazetteer's source files, as the exact bytes they were read or frozen with."""

    files: dict[str, bytes]

    @classmethod
    def from_package(cls, data_dir: Path = DATA_DIR) -> GazetteerData:
        """The curated files of `data_dir` and the names of the installed pycountry: what a model is fitted with."""
        import pycountry  # only here: a saved model is served from its own copy and needs no pycountry

        files = {name: (Path(data_dir) / name).read_bytes() for name in CURATED_FILES}
        version = _pycountry_version()
        countries = [(c.alpha_2, c.name, getattr(c, "common_name", "") or "", getattr(c, "official_name", "") or "")
                     for c in pycountry.countries]
        # pycountry gives subdivisions as a set, in a different order in each process: sorted, the frozen
        # file is the same bytes every time (the gazetteer does not depend on their order).
        states = sorted(s.name for s in pycountry.subdivisions.get(country_code="US") if s.type in ("State", "District"))
        provinces = sorted(s.name for s in pycountry.subdivisions.get(country_code="CA"))
        subdivisions = [(name, "US") for name in states] + [(name, "CA") for name in provinces]
        files[COUNTRIES_FILE] = _tsv(_COUNTRIES_HEADER.format(version=version), countries)
        files[SUBDIVISIONS_FILE] = _tsv(_SUBDIVISIONS_HEADER.format(version=version), subdivisions)
        return cls(files)

    @classmethod
    def from_directory(cls, directory: Path) -> GazetteerData:
        """The files frozen into an artifact's `gazetteer/` directory (checked against its manifest by the caller)."""
        return cls({name: (Path(directory) / name).read_bytes() for name in FILES})

    def write(self, directory: Path) -> None:
        directory.mkdir(parents=True, exist_ok=True)
        for name in FILES:
            (directory / name).write_bytes(self.files[name])

    def rows(self, name: str) -> list[list[str]]:
        """The rows of one file: tab-separated fields, stripped; blank lines and # comments skipped."""
        lines = io.StringIO(self.files[name].decode("utf-8"), newline="")
        rows = csv.reader((line for line in lines if line.strip() and not line.startswith("#")), delimiter="\t")
        return [[field.strip() for field in row] for row in rows]

    def row_counts(self) -> dict[str, int]:
        return {name: len(self.rows(name)) for name in FILES}


def _tsv(header: str, rows: Iterable[tuple[str, ...]]) -> bytes:
    out = io.StringIO()
    out.write(header)
    csv.writer(out, delimiter="\t", lineterminator="\n").writerows(rows)
    return out.getvalue().encode("utf-8")


def _pycountry_version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("pycountry")
    except PackageNotFoundError:
        return "unknown"
