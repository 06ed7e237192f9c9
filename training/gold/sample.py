"""Seeded, stratified selection of the items of the development gold set.

Prints one id per line (``<stratum>\t<id>``) in the scheme of ``dev-gold.jsonl``. The labels
themselves are hand-made (see README.md); this script only fixes *which* items were labelled, so
the selection is reproducible:

    python -m newsfeed.training.gold.sample --data ../shared/data [--only nasa,whitehouse,agnews,wikipedia]
    python -m newsfeed.training.gold.sample --data ../shared/data --validate   # check dev-gold.jsonl
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import json
import random
import re
import sys
from pathlib import Path

SEED = 20260701

# White House: strata by document genre (title prefix), plus a small stratum of titles naming
# military or space matters so that the rarer White House defence/space documents are present.
WH_STRATA = {"readout": 14, "fact-sheet": 9, "statement": 12, "other": 9, "defence-space-title": 4}
WH_DEFSPACE = re.compile(
    r"\b(military|defen[cs]e|armed forces|troops|nato|missile|nuclear|war|army|navy|"
    r"space|nasa|satellite|artemis|moon)\b",
    re.I,
)
NASA_N = 48
# A supplement drawn afterwards (own generator, so the first draws above stay as they were) to
# bring the held-out full-length documents past 100: uniformly from the rest of each source.
SUPPLEMENT_N = {"whitehouse": 4, "nasa": 4}
AGNEWS_PER_CLASS = 10  # 1 World, 2 Sports, 3 Business, 4 Sci/Tech
# Wikipedia current events: per section (over-sampling Science and technology and International
# relations so that space and diplomacy positives are not rare).
WIKI_STRATA = {
    "Science and technology": 35,
    "International relations": 35,
    "Armed conflicts and attacks": 30,
    "Politics and elections": 14,
    "Law and crime": 11,
    "Disasters and accidents": 10,
    "Business and economy": 8,
    "Health and environment": 7,
    "Arts and culture": 5,
    "Sports": 5,
}


def _title(path: Path) -> str:
    with path.open(encoding="utf-8") as fh:
        head = fh.read(2000)
    m = re.search(r"^title:\s*(.*)$", head, re.M)
    return m.group(1).strip().strip("'\"").replace("\\_", " ") if m else ""


def whitehouse_stratum(title: str) -> str:
    t = title.lower()
    if t.startswith("readout"):
        return "readout"
    if t.startswith("fact sheet"):
        return "fact-sheet"
    if t.startswith(("statement", "joint statement")):
        return "statement"
    return "other"


def sample_whitehouse(data: Path, rng: random.Random) -> list[tuple[str, str]]:
    root = data / "whitehouse-briefing-room"
    files = sorted(p for p in root.rglob("*.md") if p.name != "README.md")
    pools: dict[str, list[Path]] = {k: [] for k in WH_STRATA}
    for p in files:
        title = _title(p)
        pools[whitehouse_stratum(title)].append(p)
    chosen: list[tuple[str, str]] = []
    taken: set[Path] = set()
    for stratum in ("readout", "fact-sheet", "statement", "other"):
        for p in rng.sample(pools[stratum], WH_STRATA[stratum]):
            taken.add(p)
            chosen.append((f"whitehouse/{stratum}", p.relative_to(data).as_posix()))
    defspace = [p for p in files if p not in taken and WH_DEFSPACE.search(_title(p))]
    for p in rng.sample(defspace, WH_STRATA["defence-space-title"]):
        chosen.append(("whitehouse/defence-space-title", p.relative_to(data).as_posix()))
    return chosen


def sample_nasa(data: Path, rng: random.Random) -> list[tuple[str, str]]:
    files = sorted((data / "nasa-news-2024" / "articles").glob("*.md"))
    return [("nasa", p.relative_to(data).as_posix()) for p in rng.sample(files, NASA_N)]


def sample_agnews(data: Path, rng: random.Random) -> list[tuple[str, str]]:
    with (data / "agnews-test" / "test.csv").open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    chosen = []
    for cls in ("1", "2", "3", "4"):
        idx = [i + 1 for i, r in enumerate(rows) if r["label"] == cls]
        for i in sorted(rng.sample(idx, AGNEWS_PER_CLASS)):
            chosen.append((f"agnews/class{cls}", f"agnews-test/test.csv#{i}"))
    return chosen


def sample_supplement(data: Path, taken: list[tuple[str, str]], only: set[str]) -> list[tuple[str, str]]:
    have = {item for _, item in taken}
    chosen = []
    for source, folder in (("whitehouse", "whitehouse-briefing-room"), ("nasa", "nasa-news-2024/articles")):
        if source not in only:
            continue
        rng = random.Random(f"{SEED}-{source}-supplement")
        pool = sorted(
            p.relative_to(data).as_posix()
            for p in (data / folder).rglob("*.md")
            if p.name != "README.md" and p.relative_to(data).as_posix() not in have
        )
        chosen += [(f"{source}/supplement", item) for item in rng.sample(pool, SUPPLEMENT_N[source])]
    return chosen


def _norm_section(s: str) -> str:
    s = s.strip().lower()
    for name in WIKI_STRATA:
        if s == name.lower():
            return name
    # misspelled variants: match on the first word
    for name in WIKI_STRATA:
        if s.split()[:1] == name.lower().split()[:1]:
            return name
    return s


def sample_wikipedia(data: Path, rng: random.Random) -> list[tuple[str, str]]:
    from newsfeed.training.corpora.wikipedia import iter_events

    pools: dict[str, list[str]] = {k: [] for k in WIKI_STRATA}
    for ev in iter_events(data):
        sec = _norm_section(getattr(ev, "section", None) or ev["section"])
        eid = getattr(ev, "id", None) or ev["id"]
        if sec in pools:
            pools[sec].append(eid)
    chosen = []
    for sec, n in WIKI_STRATA.items():
        for eid in rng.sample(sorted(pools[sec]), n):
            chosen.append((f"wikipedia/{sec}", eid))
    return chosen


GOLD = Path(__file__).with_name("dev-gold.jsonl")
SEED_ID = "../examples/seed-article.txt"
SOURCES = {"wikipedia", "nasa", "whitehouse", "agnews", "seed"}
ALL = {"whitehouse", "nasa", "agnews", "wikipedia"}


def draw(data: Path, only: set[str] = ALL) -> list[tuple[str, str]]:
    """The seeded selection, as (stratum, id) pairs."""
    # one independent generator per source, so each source's draw does not depend on the others
    out: list[tuple[str, str]] = []
    if "whitehouse" in only:
        out += sample_whitehouse(data, random.Random(f"{SEED}-whitehouse"))
    if "nasa" in only:
        out += sample_nasa(data, random.Random(f"{SEED}-nasa"))
    if "whitehouse" in only or "nasa" in only:
        out += sample_supplement(data, out, only)
    if "agnews" in only:
        out += sample_agnews(data, random.Random(f"{SEED}-agnews"))
    if "wikipedia" in only:
        out += sample_wikipedia(data, random.Random(f"{SEED}-wikipedia"))
    return out


def _sha16(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()[:16]


def validate(data: Path, gold: Path = GOLD) -> list[str]:
    """Problems with the gold file: ids that do not resolve, text hashes that no longer match,
    labels outside the taxonomy, duplicates, too few items, ids the seeded selection does not give."""
    from newsfeed.models.taxonomy import COUNTRY_REGION, REGIONS, TOPICS
    from newsfeed.training.corpora.wikipedia import iter_events

    errors: list[str] = []
    rows = [json.loads(line) for line in gold.read_text(encoding="utf-8").splitlines() if line.strip()]
    if len(rows) < 700:
        errors.append(f"only {len(rows)} items")
    ids = [r["id"] for r in rows]
    if len(set(ids)) != len(ids):
        errors.append("duplicate ids")
    wiki = {e.id: e.text for e in iter_events(data)}
    with (data / "agnews-test" / "test.csv").open(encoding="utf-8", newline="") as fh:
        ag = list(csv.DictReader(fh))
    for r in rows:
        i, src = r["id"], r["source"]
        if src not in SOURCES:
            errors.append(f"{i}: source {src!r}")
        if list(r["topics"]) != [t for t in TOPICS if t in r["topics"]]:
            errors.append(f"{i}: topics {r['topics']}")
        if list(r["regions"]) != [g for g in REGIONS if g in r["regions"]]:
            errors.append(f"{i}: regions {r['regions']}")
        if any(c not in COUNTRY_REGION for c in r["countries"]):
            errors.append(f"{i}: countries {r['countries']}")
        raw: bytes | None = None
        if src == "wikipedia":
            text = wiki.get(i)
            raw = text.encode("utf-8") if text is not None else None
        elif src == "agnews":
            n = int(i.split("#")[1])
            if 0 < n <= len(ag):
                raw = (ag[n - 1]["title"] + " " + ag[n - 1]["description"]).encode("utf-8")
        elif (data / i).is_file():
            raw = (data / i).read_bytes()
        if raw is None:
            errors.append(f"{i}: does not resolve")
        elif _sha16(raw) != r["text_sha256"]:
            errors.append(f"{i}: text hash differs (the id now points at other text)")
        if r["full_length"] != (src in {"nasa", "whitehouse", "seed"}):
            errors.append(f"{i}: full_length")
    # The first draw (this module) and the additions of the labelling draw (training.labelling.select).
    from newsfeed.training.labelling.select import draw_all

    expected = {item for _, item in draw(data)} | {SEED_ID} | {item.id for item in draw_all(data)["gold"]}
    if set(ids) != expected:
        errors.append(f"ids differ from the seeded selections: {sorted(set(ids) ^ expected)[:5]}")
    return errors


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", type=Path, default=Path("../shared/data"))
    ap.add_argument("--only", default=",".join(sorted(ALL)))
    ap.add_argument("--validate", action="store_true", help="check dev-gold.jsonl instead")
    args = ap.parse_args()
    if args.validate:
        problems = validate(args.data)
        for problem in problems:
            print(problem, file=sys.stderr)
        print("ok" if not problems else f"{len(problems)} problems")
        sys.exit(1 if problems else 0)
    for stratum, item in draw(args.data, set(args.only.split(","))):
        print(f"{stratum}\t{item}")


if __name__ == "__main__":
    main()
