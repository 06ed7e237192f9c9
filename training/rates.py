"""Each topic label's expected rate: the share of judged articles (status ok) the model assigns it, on the
articles it was validated on. The drift alarm compares the rate a worker observes with it.

It is the model's own assignment rate, not the share of true labels, so that a worker's observed rate and
the expected one measure the same thing: a model that assigns `space` to 10% of its validation articles
(whatever the truth) should assign it to about 10% of a stream that looks like them. A stream that moves
far from it means the news changed, the input changed (a new source, a broken extractor) or the model is
being fed what it was not validated on; the alert cannot tell which, a person can.

`metadata.json` carries it as
    "expected_rates": {"topics": {label: rate}, "articles": N, "from": "what the articles were"}
and the model card shows it. A model without it (artifacts written before it existed) serves as before,
with no expected-rate series and so no drift alert (see README, "Drift alarm").
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from newsfeed.models.taxonomy import TOPICS

METADATA_KEY = "expected_rates"
CARD_HEADING = "## Expected label rates"


def expected_rates(enrichments: Iterable[Any], source: str) -> dict[str, Any]:
    """The metadata entry for the model's enrichments of its validation articles (`source` says which)."""
    judged = [enrichment for enrichment in enrichments if enrichment.status == "ok"]
    counts = {label: sum(1 for enrichment in judged if label in enrichment.topics) for label in TOPICS}
    return {"topics": {label: round(count / len(judged), 4) if judged else 0.0 for label, count in counts.items()},
            "articles": len(judged), "from": source}


def rates_of(metadata: Mapping[str, Any]) -> dict[str, float] | None:
    """The expected rate of each topic label in an artifact's metadata, or None when it has none (or a
    malformed entry: a model must still serve when only its drift figures are unusable)."""
    entry = metadata.get(METADATA_KEY)
    topics = entry.get("topics") if isinstance(entry, Mapping) else None
    if not isinstance(topics, Mapping):
        return None
    rates = {label: float(rate) for label, rate in topics.items()
             if label in TOPICS and isinstance(rate, (int, float)) and 0.0 <= rate <= 1.0}
    return rates or None


def card_section(metadata: Mapping[str, Any]) -> str:
    """The model card's section on expected rates; empty when the metadata has none."""
    rates = rates_of(metadata)
    if rates is None:
        return ""
    entry = metadata[METADATA_KEY]
    rows = "\n".join(f"| {label} | {rate:.4f} | {rate / 2:.4f} to {min(1.0, rate * 2):.4f} |"
                     for label, rate in rates.items())
    return (f"{CARD_HEADING}\n\nShare of judged articles (status ok) this model assigns each topic, measured on "
            f"{entry.get('articles', '?')} articles of {entry.get('from', 'its validation data')}. The alert "
            "NewsfeedLabelRateDrift fires when a label's rate over 6 h leaves half to double of it.\n\n"
            "| label | expected rate | alert band |\n|---|---|---|\n" + rows + "\n")


def card_without_rates(card: str) -> str:
    """A saved card as its author wrote it (models.artifact.authored_card), less an expected-rates section
    from an earlier run: what to give save_model with new rates."""
    from newsfeed.models.artifact import authored_card

    return authored_card(card).split("\n" + CARD_HEADING)[0].rstrip("\n")


def write_with_rates(source: str | Path, target: str | Path, entry: Mapping[str, Any]) -> Any:
    """Write the artifact `source` again to `target` (which must not exist, or be empty) with `entry` as its
    expected rates, and return it loaded. Same version, model and gazetteer; a new sha256, since metadata
    and card change. For artifacts written before rates existed (`newsfeed model rates`)."""
    from newsfeed.models.artifact import MODEL_CARD_FILE, load_model, save_model
    from newsfeed.models.gazetteer_data import GazetteerData

    source = Path(source)
    model = load_model(source)
    card = card_without_rates((source / MODEL_CARD_FILE).read_text(encoding="utf-8")) + "\n"
    metadata = {**model.metadata, METADATA_KEY: dict(entry), "rates_added_to": {"sha256": model.sha256}}
    save_model(model.text_model, target, metadata, card + "\n" + card_section(metadata),
               GazetteerData.from_directory(source / "gazetteer"))
    return load_model(target)
