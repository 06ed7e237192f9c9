"""`python -m bench.cost_search`: let hypothesis hunt for inputs whose cost grows faster than their size.

Hypothesis builds a short unit from atoms that the text-preparation, HTML and gazetteer code treat
specially (punctuation runs, markup openers, country names with context rules, separators, combining
marks, ...), places it in the title, the text or the HTML, and repeats it to two sizes. Its target is
the cost ratio of the larger size over the smaller: about the size ratio (4) for linear work, its
square (16) for quadratic. The shapes with the highest ratios are printed; any that grows
super-linearly belongs in bench/adversarial.py, where the complexity tests and `--worst-case` use it.

This is a search, run on demand (minutes), not a test: the tests run the shapes it found.
"""

from __future__ import annotations

import argparse
import sys
import time

SMALL, LARGE = 5_000, 20_000
ATOMS = (
    "#", "-", "=", "*", " ", "\n", "\n\n", ".", ",", '"', "'", "»", ">", " > ", "|", ":", "(", ")", "[", "]",
    "<", "</", "<p>", "<div>", "<![CDATA[", "<![if ", "]]>", "]>", "<!--", "-->", "<!", "<?", "<script>",
    "<nav>", "&amp;", "&#", "&", "\u0301", "\u0323", "\u200b", "Georgia", "Indian", "Jordan", "Chad",
    "Congo", "Korea", "South", "Paris,", " Texas", "New", "Lake", "By ", "Home", "Related", "share",
    "cookie", "Advertisement", "Jane Doe", " is a ", "reporter", "President", " of ", "the ", "Updated",
    "2024", "06:22", "Monday", "a", "A", "x", "ab", "The minister said the talks would continue. ",
)


def _timed(fields: dict[str, str], model) -> float:
    from newsfeed.models.classifier import classify_batch
    from newsfeed.models.schema import Article

    article = Article(id="x", **fields)
    best = float("inf")
    for _ in range(2):
        start = time.perf_counter()
        classify_batch([article], model)
        best = min(best, time.perf_counter() - start)
    return best


def _fields(where: str, unit: str, size: int) -> dict[str, str]:
    body = (unit * (size // max(len(unit), 1) + 1))[:size]
    prose = "The minister said the talks would continue next week in the capital city."
    if where == "title":
        return {"title": body, "text": prose, "html": ""}
    if where == "html":
        return {"title": "Talks", "text": "", "html": "<p>" + body + "</p>"}
    if where == "head":
        return {"title": "Talks", "text": body + "\n\n" + prose, "html": ""}
    return {"title": "Talks", "text": body, "html": ""}


def search(examples: int, seed: int) -> list[tuple[float, str, str]]:
    from hypothesis import HealthCheck, Phase, given, settings, seed as hypothesis_seed, strategies as st, target

    from newsfeed.models.artifact import load_model
    from newsfeed.models.model_registry import resolve_model_dir

    model = load_model(resolve_model_dir(None))
    found: list[tuple[float, str, str]] = []

    @hypothesis_seed(seed)
    @settings(max_examples=examples, deadline=None, database=None, phases=[Phase.generate, Phase.target],
              suppress_health_check=list(HealthCheck))
    @given(st.lists(st.sampled_from(ATOMS), min_size=1, max_size=8), st.sampled_from(("text", "title", "html", "head")))
    def probe(atoms: list[str], where: str) -> None:
        unit = "".join(atoms)
        small = _timed(_fields(where, unit, SMALL), model)
        large = _timed(_fields(where, unit, LARGE), model)
        ratio = large / max(small, 1e-4)
        # Tiny costs make noisy ratios: count the growth only where the large input costs something.
        score = ratio if large > 0.002 else 0.0
        target(score)
        found.append((score, where, unit))

    probe()
    return sorted(found, reverse=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.cost_search", description=__doc__.split("\n\n")[0])
    parser.add_argument("--examples", type=int, default=300, help="inputs hypothesis tries (default 300)")
    parser.add_argument("--seed", type=int, default=0, help="hypothesis seed (default 0)")
    parser.add_argument("--top", type=int, default=15, help="shapes to print (default 15)")
    args = parser.parse_args(argv)
    if args.examples < 1 or args.top < 1:
        parser.exit(2, "error: --examples and --top must be at least 1\n")
    results = search(args.examples, args.seed)
    print(f"cost ratio of {LARGE:,} over {SMALL:,} characters: linear ~{LARGE / SMALL:.0f}, quadratic ~{(LARGE / SMALL) ** 2:.0f}")
    for score, where, unit in results[: args.top]:
        print(f"{score:6.2f}  {where:5s}  {unit!r}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
