"""Evaluation reports a person reads: Markdown tables, the JSON behind them, and an SVG picture.

The picture is drawn by hand as SVG (precision-recall curves and a reliability diagram per topic)
so that evaluation needs no plotting library.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Sequence

from newsfeed.models.taxonomy import TOPICS
from newsfeed.training import scoring

COLOURS = {"diplomacy": "#1f77b4", "space": "#9467bd", "defence": "#d62728"}


def write_report(report: dict, rows: Sequence, out_dir: str | Path) -> dict[str, Path]:
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = {"json": out_dir / "report.json", "markdown": out_dir / "report.md", "picture": out_dir / "gold-curves.svg"}
    paths["json"].write_text(json.dumps(report, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    paths["markdown"].write_text(render_markdown(report), encoding="utf-8")
    paths["picture"].write_text(render_svg(rows), encoding="utf-8")
    return paths


def render_markdown(report: dict) -> str:
    lines = [f"# Evaluation of model {report['model']['version']}", "", f"sha256 `{report['model']['sha256']}`", ""]
    gold = report.get("gold")
    if gold:
        lines += [f"## (c) Development gold set ({gold['items']} hand-labelled items)", ""]
        lines += _label_table("Topics", gold["topics"]) + _label_table("Regions", gold["regions"])
        lines += _focus_and_calibration(gold)
        lines += ["Per source (topic macro F1 / region micro F1 / focus-country F1):", ""]
        lines += ["| source | items | topic macro F1 | region micro F1 | focus F1 |", "|---|---|---|---|---|"]
        for source, part in gold["per_source"].items():
            lines.append(f"| {source} | {part['items']} | {part['topics']['macro']['f1']:.3f} | "
                         f"{part['regions']['micro']['f1']:.3f} | {part['focus_countries']['f1']:.3f} |")
        lines.append("")
        lines += ["Full-length documents and length bands of the prepared body (F1):", "", *gold_parts_table(gold), ""]
        if gold.get("missing_ids"):
            lines += [f"{len(gold['missing_ids'])} gold items could not be read from the data dir and were left out.", ""]
    disagreement = report.get("auto_label_disagreement")
    if disagreement:
        lines += ["## Automatic corpus labels against the hand labels", "",
                  f"On {disagreement['items']} gold items that the corpus builders also label:", "",
                  "| label | disagreement | auto only | hand only |", "|---|---|---|---|"]
        for label, d in disagreement["per_label"].items():
            lines.append(f"| {label} | {d['rate']:.1%} | {d['auto_only']} | {d['hand_only']} |")
        lines.append("")
    seed = report.get("seed")
    if seed and seed.get("present"):
        verdict = "passes" if seed["passed"] else "FAILS"
        lines += ["## (e) The seed article", "", f"{verdict}: got {seed['got']}, expected {seed['expected']}", ""]
    agnews = report.get("agnews")
    if agnews and agnews.get("present"):
        lines += [f"## (d) AG News test split ({agnews['items']} items; share of each class tagged with each topic)", "",
                  "| class | items | " + " | ".join(TOPICS) + " |", "|---|---|" + "---|" * len(TOPICS)]
        for name, shares in agnews["tagged_share"].items():
            lines.append(f"| {name} | {shares['items']} | " + " | ".join(f"{shares[t]:.1%}" for t in TOPICS) + " |")
        lines += ["", "On Sports and Business every share is a false-positive rate (none of them is diplomacy, space or "
                  "defence news by the label definitions, a few World-like items aside); on World and Sci/Tech it is the "
                  "share of the class the model tags, a recall proxy.", ""]
    news = report.get("news_check")
    if news and news.get("present"):
        lines += [f"## (f) AG News items read against the definitions ({news['items']} items: wire copy, a source never "
                  "trained on)", ""]
        lines += _label_table("Topics", news["topics"])
        lines += [f"Regions (micro): F1 {news['regions']['micro']['f1']:.3f}", "", *_focus_and_calibration(news)]
        if news.get("missing_ids"):
            lines += [f"{len(news['missing_ids'])} items could not be read from the data dir and were left out.", ""]
    footprint = report.get("footprint")
    if footprint:
        lines += ["## Footprint", "",
                  f"Artifact {footprint['artifact_mb']:.1f} MB; in a fresh process, loading it takes "
                  f"{footprint['load_seconds']:.2f} s ({footprint['load_and_first_classification_seconds']:.2f} s with "
                  f"the first classification, which builds the gazetteer) and {footprint['model_memory_mb']:.0f} MB "
                  f"(process RSS {footprint['process_rss_mb']:.0f} MB).", ""]
    for name, split in (report.get("splits") or {}).items():
        if "skipped" in split:
            lines += [f"## Split {name}: skipped ({split['skipped']})", ""]
            continue
        tested = ("whole texts of 2026-04 to 06, with their corpus labels" if name == "time"
                  else f"the gold items of the source left out")
        lines += [f"## ({'a' if name == 'time' else 'b'}) Split `{name}`: retrained on {split['train_items']} "
                  f"examples, tested on {split['items']} {tested}", ""]
        lines += _label_table("Topics", split["topics"])
    return "\n".join(lines) + "\n"


def gold_parts_table(gold: dict) -> list[str]:
    """Markdown rows of F1 per topic, topic macro, region micro and focus countries for all gold items,
    the full-length documents and each length band of the prepared body."""
    rows = ["| part | items | " + " | ".join(TOPICS) + " | topic macro | region micro | focus countries |",
            "|---|---|" + "---|" * (len(TOPICS) + 3)]
    parts = [("all items", gold), ("full-length documents", gold.get("full_length"))]
    parts += [(f"body {name} characters", part) for name, part in (gold.get("by_length_band") or {}).items()]
    for name, part in parts:
        if part and part.get("items"):
            rows.append(f"| {name} | {part['items']} | "
                        + " | ".join(f"{part['topics']['per_label'][t]['f1']:.3f}" for t in TOPICS)
                        + f" | {part['topics']['macro']['f1']:.3f} | {part['regions']['micro']['f1']:.3f} | "
                        f"{part['focus_countries']['f1']:.3f} |")
    return rows


def _focus_and_calibration(part: dict) -> list[str]:
    """The focus-country and calibration lines of a `label_report` (the gold set, the news check)."""
    fc = part["focus_countries"]
    return [f"Focus countries (micro): precision {fc['precision']:.3f}, recall {fc['recall']:.3f}, F1 {fc['f1']:.3f}", "",
            "Calibration (expected calibration error of topic scores): "
            + ", ".join(f"{label} {part['topics']['calibration'][label]['ece']:.3f}" for label in TOPICS), ""]


def _label_table(title: str, block: dict) -> list[str]:
    lines = [f"**{title}**", "", "| label | support | precision | recall | F1 |", "|---|---|---|---|---|"]
    for label, s in block["per_label"].items():
        lines.append(f"| {label} | {s['support']} | {s['precision']:.3f} | {s['recall']:.3f} | {s['f1']:.3f} |")
    for kind in ("micro", "macro"):
        m = block[kind]
        lines.append(f"| *{kind}* | | {m['precision']:.3f} | {m['recall']:.3f} | {m['f1']:.3f} |")
    return lines + [""]


def render_svg(rows: Sequence) -> str:
    """Two panels: precision-recall curves of the topic scores, and their reliability diagram."""
    width, height, pad, panel = 760, 380, 50, 300
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" font-family="sans-serif" font-size="12">',
             '<rect width="100%" height="100%" fill="white"/>']
    for index, (title, x_label, y_label) in enumerate((("Precision-recall, gold set", "recall", "precision"),
                                                        ("Reliability, gold set", "mean score", "share truly labelled"))):
        left = pad + index * (panel + 2 * pad)
        parts += _axes(left, pad, panel, title, x_label, y_label)
        if index == 1:
            parts.append(f'<line x1="{left}" y1="{pad + panel}" x2="{left + panel}" y2="{pad}" stroke="#bbb" stroke-dasharray="4"/>')
        for label in TOPICS:
            scores = [r.enrichment.topic_scores[label] for r in rows]
            truth = [label in r.truth_topics for r in rows]
            if index == 0:
                points = [(recall, precision) for _, precision, recall in scoring.precision_recall_curve(scores, truth)]
            else:
                points = [(b["mean_score"], b["positive_rate"]) for b in scoring.reliability(scores, truth)]
            if points:
                path = " ".join(f"{left + x * panel:.1f},{pad + (1 - y) * panel:.1f}" for x, y in points)
                parts.append(f'<polyline points="{path}" fill="none" stroke="{COLOURS[label]}" stroke-width="2"/>')
    for k, label in enumerate(TOPICS):
        parts.append(f'<text x="{pad + 10}" y="{pad + panel - 50 + 15 * k}" fill="{COLOURS[label]}">{label}</text>')
    parts.append("</svg>")
    return "\n".join(parts) + "\n"


def _axes(left: int, top: int, size: int, title: str, x_label: str, y_label: str) -> list[str]:
    return [
        f'<rect x="{left}" y="{top}" width="{size}" height="{size}" fill="none" stroke="#333"/>',
        f'<text x="{left + size / 2}" y="{top - 10}" text-anchor="middle" font-weight="bold">{title}</text>',
        f'<text x="{left + size / 2}" y="{top + size + 30}" text-anchor="middle">{x_label}</text>',
        f'<text x="{left - 30}" y="{top + size / 2}" text-anchor="middle" transform="rotate(-90 {left - 30} {top + size / 2})">{y_label}</text>',
        f'<text x="{left}" y="{top + size + 14}" text-anchor="middle">0</text>',
        f'<text x="{left + size}" y="{top + size + 14}" text-anchor="middle">1</text>',
        f'<text x="{left - 8}" y="{top + 4}" text-anchor="end">1</text>',
    ]
