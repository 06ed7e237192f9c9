"""The model card written into every artifact: intended use, data and attributions, figures, limits."""

from __future__ import annotations

from newsfeed.models.taxonomy import TOPICS
from newsfeed.training.rates import card_section
from newsfeed.training.report import gold_parts_table

ATTRIBUTIONS = """\
- **Wikipedia "Portal:Current events"** daily pages, 2025-01 to 2026-06 (event summaries, section
  headings, story threads and links as label signals). Wikipedia contributors, licensed CC BY-SA 4.0.
  Text and figures derived from them are shared under the same licence terms where they apply.
- **NASA news articles**, first half of 2024. Public domain (US government work).
- **White House briefing-room documents**, 2021-01 to 2026-08. Public domain (US government work);
  the source repository is CC0.
- **AG News** test split: used only to evaluate (research / non-commercial licence); never trained on."""

LEADERS_NOTE = """\
- **Leader names** (`models/data/leaders.tsv`): heads of state and government, foreign and defence
  ministers of the G20 members and of the states most in the news, 2021-2026, compiled by the
  project from public knowledge. This data ages: a leader who takes office after it was compiled is
  found only through the country's other names until the file is updated."""

LIMITS = """\
- English only: other languages get `status: unsupported_language`, never a guess. Fewer than six
  words get `status: too_short`.
- The read labels cover about 4,000 items of three sources (Wikipedia summaries, White House and NASA
  press documents); the rest of the corpus keeps automatic labels only for the topics where those
  agree with reading (kappa >= 0.8 per source), directly or after the consensus filter (see Training
  data). Other styles of writing (opinion, interviews, local news) are unseen: the
  leave-one-source-out figures are the estimate for them. On such sources the scores shift more than
  their order does; `newsfeed model calibrate` re-fits scores and thresholds to a few hundred of their
  articles labelled by a person.
- Training documents were read, and are trained on, up to their first 3,000 characters, except 58
  long documents read whole. Those are the only validation articles over 8,000 characters: a topic
  with fewer than 12 of them takes the threshold chosen on all lengths there.
- The corpus is dominated by the 2025-26 news cycle (Ukraine, the Middle East, Sudan) and by US
  government press offices: stories about other conflicts score lower.
- A region applies only through a focus country of the article; a story about a group with no
  country code (the EU, ASEAN, NATO) gets its region only when a member country is also a focus.
- US is a focus country of White House and NASA documents by the labelling convention; text from
  other sources that only names a US agency is scored on what it says."""


def consensus_lines(consensus: dict) -> list[str]:
    """The consensus filter's measurements (training.fit.consensus_weights) as a card table."""
    if not consensus:
        return []
    lines = ["Below that kappa, a topic's automatic label is used where heads fitted on the other labels agree",
             "with it, if on read items judged the same way (by heads that never saw them) the automatic labels",
             "kept agree with reading at that kappa; elsewhere it is unknown to that topic's head:", "",
             "| source | topic | kappa of the labels kept, on read items | read items kept | automatic labels used |",
             "|---|---|---|---|---|"]
    for source, topics in sorted(consensus.items()):
        for topic, row in topics.items():
            lines.append(f"| {source} | {topic} | {row['kappa_kept']:.2f} | {row['read_kept']} of {row['read_checked']} | "
                         f"{row['restored']} of {row['automatic']} |")
    return lines + [""]


def render_model_card(metadata: dict) -> str:
    gold = (metadata.get("metrics") or {}).get("gold")
    data = metadata.get("data", {})
    validation = metadata.get("validation", {})
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
        "head per topic, scoring the whole text and each passage of a long article."
        + (" A whole-article aggregate per topic (a logistic regression on the whole text's score, the lead"
           " passage's, the best and second-best passage's and the share of passages on the topic), fitted on"
           " read-labelled articles held out of the heads' training, turns them into a calibrated probability;"
           " thresholds are chosen per length band on the same held-out articles." if "whole_article" in validation
           else " Per-topic thresholds tuned on a validation split."),
        *(["The topic model reads country names, space agencies and government buildings as neutral tokens, so",
           "a topic comes from what the story says, not from whom it names."]
          if metadata.get("fit_config", {}).get("masks_names") else []),
        "Countries come from a gazetteer (pycountry, curated aliases, demonyms, capitals, metonyms, leader",
        "names)" + ("; which of them are focus is decided by a logistic regression over how each is mentioned,"
                    " fitted on the read labels" if "focus" in validation else " with a hand-set focus rule")
        + "; a region applies when one of its countries is a focus country.",
        f"scikit-learn {metadata.get('sklearn_version', '?')}.",
        "",
        "## Training data",
    ]
    if data.get("read_examples"):
        kappa = data.get("auto_label_kappa", {})
        lines += [
            f"{data.get('examples', '?')} examples: {data['read_examples']} labelled by reading against the label "
            "definitions (training/labelling), "
            f"{data.get('spliced_negatives', 0)} spliced negatives (an off-topic document with one on-topic sentence, "
            "still off-topic), and automatically labelled items of the sources. Per source: "
            + ", ".join(f"{source} {count}" for source, count in sorted(data.get("per_source", {}).items())) + ".",
            "An automatic label is used only for a topic whose automatic labels agree with reading on the read "
            f"items of that source (Cohen's kappa >= {data.get('aux_min_kappa', 0.8)}); the measured kappa:",
            "", "| source | " + " | ".join(TOPICS) + " |", "|---|" + "---|" * len(TOPICS)]
        for source, row in sorted(kappa.items()):
            lines.append(f"| {source} | " + " | ".join("n/a" if row.get(t) is None else f"{row[t]:.2f}" for t in TOPICS) + " |")
        lines.append("")
        lines += consensus_lines(validation.get("consensus") or {})
    else:
        lines.append(f"{data.get('examples', '?')} automatically labelled examples: "
                     + ", ".join(f"{source} {count}" for source, count in sorted(data.get("per_source", {}).items())) + ".")
    lines += [
        "Label counts: " + ", ".join(f"{label} {data.get('labels', {}).get(label, 0)}" for label in TOPICS) + ".",
        "The hand-labelled development gold set (training/gold) is held out of training.",
        "",
        ATTRIBUTIONS,
        LEADERS_NOTE,
        "",
        "## Figures",
    ]
    if gold:
        lines += ["On the hand-labelled development gold set "
                  f"({gold['items']} items: Wikipedia events, NASA and White House documents, AG News items, the seed article):", "",
                  "| label | precision | recall | F1 | expected calibration error |", "|---|---|---|---|---|"]
        calibration = gold["topics"].get("calibration", {})
        for label, s in gold["topics"]["per_label"].items():
            ece = calibration.get(label, {}).get("ece")
            lines.append(f"| {label} | {s['precision']:.3f} | {s['recall']:.3f} | {s['f1']:.3f} | "
                         + (f"{ece:.3f}" if ece is not None else "") + " |")
        lines += [
            f"| topic macro | {gold['topics']['macro']['precision']:.3f} | {gold['topics']['macro']['recall']:.3f} | "
            f"{gold['topics']['macro']['f1']:.3f} | |",
            f"| region micro | {gold['regions']['micro']['precision']:.3f} | {gold['regions']['micro']['recall']:.3f} | "
            f"{gold['regions']['micro']['f1']:.3f} | |",
            f"| focus countries micro | {gold['focus_countries']['precision']:.3f} | {gold['focus_countries']['recall']:.3f} | "
            f"{gold['focus_countries']['f1']:.3f} | |",
            "", "By part of the gold set (F1):", "", *gold_parts_table(gold), "",
            "The gold set was labelled by reading, against the label definitions; with 700 items each",
            "figure still carries a few points of sampling error, more for the small parts.",
        ]
        seed = (metadata.get("metrics") or {}).get("seed") or {}
        if seed.get("present"):
            verdict = "correct" if seed["passed"] else "not correct"
            lines += ["", f"The shipped example article (`seed-article.txt`, a scraped page) is {verdict}: "
                      f"topics {seed['got']['topics']}, regions {seed['got']['regions']}, focus countries "
                      f"{seed['got']['countries']}."]
        lines += ["", "`newsfeed evaluate` adds AG News false-positive rates, a time split, each source left out "
                  "in turn (tested on its gold items), the reliability plot and the artifact's footprint; the report "
                  "of the shipped model is in `training/reports/`."]
    else:
        lines.append("Not evaluated on the gold set (the data directory had no gold items).")
    lines += ["", "## Known limits", LIMITS, ""]
    if rates := card_section(metadata):  # what the drift alarm compares a stream with
        lines += [rates]
    return "\n".join(lines)
