"""`newsfeed explain`: one article's enrichment for a person to judge, with its evidence highlighted.

The view is built from the same enrichment the worker writes (`classify_batch`), plus the thresholds
the labels were judged against, so what it shows is what the record says. Highlights are ANSI colours
on a terminal and plain markers otherwise (a file, a pipe, a CI log): [[n-gram evidence]] and
{{country mention}}.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

from newsfeed.models.artifact import Model
from newsfeed.models.classifier import REGION_THRESHOLD, classify_batch
from newsfeed.models.evidence import TITLE_SEPARATOR
from newsfeed.models.schema import Article, Enrichment
from newsfeed.models.text import prepare_article


@dataclass(frozen=True)
class Style:
    """How a highlight opens and closes, per kind of span."""

    ngram: tuple[str, str]
    mention: tuple[str, str]
    heading: tuple[str, str]

    def wrap(self, kind: str, text: str) -> str:
        opening, closing = getattr(self, kind)
        return f"{opening}{text}{closing}"


PLAIN = Style(ngram=("[[", "]]"), mention=("{{", "}}"), heading=("", ""))
# Bold yellow for the words the model weighed, underlined cyan for country mentions.
COLOUR = Style(ngram=("\x1b[1;33m", "\x1b[0m"), mention=("\x1b[4;36m", "\x1b[0m"), heading=("\x1b[1m", "\x1b[0m"))

# Where spans overlap (a mention that is also an evidence word), the evidence is shown.
_PRIORITY = {"ngram": 2, "mention": 1}


def highlight(text: str, spans: Sequence[tuple[int, int, str]], style: Style) -> str:
    """`text` with each span (start, end, kind) highlighted; overlapping spans are merged, so markers
    never nest. One sweep over the span edges, sorted."""
    edges = sorted([(start, 1, kind) for start, end, kind in spans if start < end]
                   + [(end, -1, kind) for start, end, kind in spans if start < end])
    open_count = {kind: 0 for kind in _PRIORITY}
    parts: list[str] = []
    position, current = 0, None
    run_start = 0
    for at, change, kind in edges + [(len(text), 0, "ngram")]:
        if at > position:
            # The kind of [position, at): the highest priority still open.
            segment_kind = max((k for k, n in open_count.items() if n > 0), key=_PRIORITY.get, default=None)
            if segment_kind != current:
                parts.append(_run(text[run_start:position], current, style))
                run_start, current = position, segment_kind
            position = at
        open_count[kind] += change
    parts.append(_run(text[run_start:position], current, style))
    parts.append(text[position:])
    return "".join(parts)


def _run(text: str, kind: str | None, style: Style) -> str:
    return style.wrap(kind, text) if kind is not None and text else text


def topic_thresholds(article: Article, model: Model) -> dict[str, float]:
    """The probability each topic needed for this article (thresholds may depend on the body's length)."""
    prepared = prepare_article(article.title, article.text, article.html)
    text_model = model.text_model
    row = text_model.topic_thresholds([len(prepared.body)])[0]
    return {label: float(value) for label, value in zip(text_model.topic_heads.labels, row)}


def explain(article: Article, model: Model, style: Style) -> str:
    """The human view of one article: labels with scores and thresholds, countries, evidence, and the
    text the model read with the evidence highlighted."""
    (enrichment,) = classify_batch([article], model)
    thresholds = topic_thresholds(article, model)
    text = enrichment.prepared_text
    title = text.partition(TITLE_SEPARATOR)[0]
    lines = [style.wrap("heading", title or "(no title)"),
             f"status {enrichment.status}, language {enrichment.language or 'unknown'}; "
             f"model {enrichment.model.version} ({enrichment.model.sha256[:12]})", ""]
    lines += _labels(enrichment, thresholds, style)
    lines += _countries(enrichment, style)
    lines += _evidence(enrichment, style)
    spans = [(a, b, "ngram") for e in enrichment.evidence.values() for n in e.ngrams for a, b in n.spans]
    spans += [(a, b, "mention") for c in enrichment.countries for a, b in c.spans]
    lines += [style.wrap("heading", "text as the model read it") + f"  ({_legend(style)})", "",
              highlight(text, spans, style).strip("\n")]
    return "\n".join(lines) + "\n"


def _legend(style: Style) -> str:
    return f"{style.wrap('ngram', 'evidence n-gram')}, {style.wrap('mention', 'country mention')}"


def _labels(enrichment: Enrichment, thresholds: dict[str, float], style: Style) -> list[str]:
    lines = [style.wrap("heading", "topics") + "          score  threshold"]
    for label, score in sorted(enrichment.topic_scores.items(), key=lambda item: -item[1]):
        mark = "assigned" if label in enrichment.topics else ""
        lines.append(f"  {label:<12} {score:7.4f}  {thresholds[label]:9.4f}  {mark}".rstrip())
    lines.append(style.wrap("heading", "regions") + f"         score  threshold  (a focus country of the region)")
    shown = [(slug, score) for slug, score in enrichment.region_scores.items() if score > 0]
    for slug, score in sorted(shown, key=lambda item: -item[1]):
        mark = "assigned" if slug in enrichment.regions else ""
        lines.append(f"  {slug:<12} {score:7.4f}  {REGION_THRESHOLD:9.4f}  {mark}".rstrip())
    if not shown:
        lines.append("  (no country of any region named)")
    return lines + [""]


def _countries(enrichment: Enrichment, style: Style) -> list[str]:
    lines = [style.wrap("heading", "countries")]
    for country in enrichment.countries:
        focus = "focus" if country.focus else ""
        lines.append(f"  {country.code} {country.name:<24} {country.mentions:4d} mentions  {focus}".rstrip())
    if not enrichment.countries:
        lines.append("  (none named)")
    return lines + [""]


def _evidence(enrichment: Enrichment, style: Style) -> list[str]:
    lines = [style.wrap("heading", "evidence") + "  (n-gram: what it added to the label's logit)"]
    text = enrichment.prepared_text
    for label, evidence in enrichment.evidence.items():
        grams = ", ".join(f"{n.ngram} +{n.weight:.3f}" for n in evidence.ngrams)
        lines.append(f"  {label}: {grams or '(no n-gram)'}")
        if evidence.passage is not None:
            start, end = evidence.passage
            inside = [(a - start, b - start, "ngram") for n in evidence.ngrams for a, b in n.spans
                      if start <= a and b <= end]
            passage = highlight(text[start:end], inside, style).replace("\n", " ")
            lines.append(f"    passage [{start}, {end}): {passage}")
    if not enrichment.evidence:
        lines.append("  (no label assigned)" if enrichment.status == "ok" else f"  (not judged: {enrichment.status})")
    return lines + [""]
