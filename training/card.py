"""The model card written into every artifact: intended use, data and attributions, figures, limits."""

from __future__ import annotations

from models.taxonomy import TOPICS

ATTRIBUTIONS = """\
- **Wikipedia "Portal:Current events"** daily pages, 2025-01 to 2026-06 (event summaries, section
  headings, story threads and links as label signals). Wikipedia contributors, licensed CC BY-SA 4.0.
  Text and figures derived from them are shared under the same licence terms where they apply.
- **NASA news articles**, first half of 2024. Public domain (US government work).
- **White House briefing-room documents**, 2021-01 to 2026-08. Public domain (US government work);
  the source repository is CC0.
- **AG News** test split: used only to evaluate (research / non-commercial licence); never trained on."""

LIMITS = """\
- English only: other languages get `status: unsupported_language`, never a guess. Fewer than six
  words get `status: too_short`.
- The training labels are automatic (section headings, story threads, cue words), so the model
  inherits their blind spots; the hand-labelled gold set measures how far.
- The corpus is dominated by the 2025-26 news cycle (Ukraine, the Middle East, Sudan) and by US
  government press offices: stories about other conflicts, or written in other styles, score lower.
- Space is rare in general news; most space positives come from NASA's press office.
- Regions come from the gazetteer's focus countries first; the linear region model only adds a region
  when the article names a place in it."""


def render_model_card(metadata: dict) -> str:
    gold = (metadata.get("metrics") or {}).get("gold")
    data = metadata.get("data", {})
    lines = [
        f"# Model card: newsfeed-classifier {metadata['version']}",
        "",
        "## Intended use",
        "Tags English news articles in a stream with topics (`diplomacy`, `space`, `defence`; multi-label,",
        "or none), the world regions they are about, and the countries they mention (focus or incidental),",
        "with scores and evidence, for media monitoring and news analytics. Not for decisions about",
        "individual people, and not a substitute for an editor on a single story.",
        "",
        "## Model",
        "TF-IDF word uni- and bigrams (title counted twice, body truncated to "
        f"{metadata.get('fit_config', {}).get('max_body_chars', '?')} characters) and one logistic-regression",
        "head per label, with per-label thresholds tuned on a validation split; a gazetteer of countries",
        f"(pycountry plus curated aliases) for countries and focus. scikit-learn {metadata.get('sklearn_version', '?')}.",
        "",
        "## Training data",
        f"{data.get('examples', '?')} automatically labelled examples (passages of long documents included): "
        + ", ".join(f"{source} {count}" for source, count in sorted(data.get("per_source", {}).items())) + ".",
        "Label counts: " + ", ".join(f"{label} {data.get('labels', {}).get(label, 0)}" for label in TOPICS) + ".",
        "The hand-labelled development gold set (training/gold) is held out of training.",
        "",
        ATTRIBUTIONS,
        "",
        "## Figures",
    ]
    if gold:
        lines += ["On the hand-labelled development gold set "
                  f"({gold['items']} items: Wikipedia events, NASA and White House documents, AG News items, the seed article):", "",
                  "| label | precision | recall | F1 |", "|---|---|---|---|"]
        for label, s in gold["topics"]["per_label"].items():
            lines.append(f"| {label} | {s['precision']:.3f} | {s['recall']:.3f} | {s['f1']:.3f} |")
        lines += [
            f"| topic macro | {gold['topics']['macro']['precision']:.3f} | {gold['topics']['macro']['recall']:.3f} | "
            f"{gold['topics']['macro']['f1']:.3f} |",
            f"| region micro | {gold['regions']['micro']['precision']:.3f} | {gold['regions']['micro']['recall']:.3f} | "
            f"{gold['regions']['micro']['f1']:.3f} |",
            f"| focus countries micro | {gold['focus_countries']['precision']:.3f} | {gold['focus_countries']['recall']:.3f} | "
            f"{gold['focus_countries']['f1']:.3f} |",
            "",
            "The gold set was labelled by the project's developers with the label definitions of the product;",
            "it is small (about 300 items), so each figure carries a few points of sampling error.",
        ]
        seed = (metadata.get("metrics") or {}).get("seed") or {}
        if seed.get("present"):
            verdict = "correct" if seed["passed"] else "not correct"
            lines += ["", f"The shipped example article (`seed-article.txt`, a scraped page) is {verdict}: "
                      f"topics {seed['got']['topics']}, regions {seed['got']['regions']}, focus countries "
                      f"{seed['got']['countries']}."]
        lines += ["", "`newsfeed evaluate` adds AG News false-positive rates, a time split, each source held out "
                  "in turn, calibration and the artifact's footprint; the report of the shipped model is in "
                  "`training/reports/`."]
    else:
        lines.append("Not evaluated on the gold set (the data directory had no gold items).")
    lines += ["", "## Known limits", LIMITS, ""]
    return "\n".join(lines)
