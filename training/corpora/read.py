"""Examples labelled by reading (training/labelling/read-labels.jsonl), and what they teach beyond themselves.

- `read_examples`: each read label with the exact text it was given for: a Wikipedia event, the
  first part of a document (`labelled_text`), or a passage of consecutive paragraphs. A text whose
  fingerprint no longer matches is left out and counted.
- `auto_agreement`: how far the automatic labels of a source agree with the read ones (Cohen's kappa
  per topic, on the items that have both). An automatic label is used only where this is high.
- `spliced_negatives`: an off-topic read document with one on-topic sentence put into its middle,
  still off-topic: a mention is not a subject.
"""

from __future__ import annotations

import hashlib
import json
import random
import re
from collections import Counter
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from sklearn.metrics import cohen_kappa_score

from newsfeed.models.taxonomy import TOPICS
from newsfeed.training.corpora import nasa, whitehouse, wikipedia
from newsfeed.training.corpora.passages import UNKNOWN_TOPICS

READ_LABELS_FILE = Path(__file__).resolve().parents[1] / "labelling" / "read-labels.jsonl"
# Agreement needed before a source's automatic label for a topic is trusted (Landis and Koch's
# "almost perfect" starts at 0.81). Below it, that topic of that source's unread items is unknown:
# the topic's head neither learns from them nor is tuned on them.
AUX_MIN_KAPPA = 0.8
# A spliced negative: hosts at least this long, so that one sentence is a passing mention in them.
SPLICE_MIN_HOST_CHARS = 1_200
# Meta key of a spliced negative: the source its spliced sentence comes from. A split that leaves a
# source out must leave these out too, or it trains on that source's sentences labelled negative.
SPLICED_FROM = "spliced_from"
# Meta keys: the topics of an automatic example whose rule is distrusted in its source, and the
# automatic topics of a read item (training.fit's consensus filter uses both).
DISTRUSTED_TOPICS = "distrusted_topics"
AUTOMATIC_TOPICS = "automatic_topics"
# Training documents are read up to this many characters, cut at a paragraph end: the label is for
# that text, and training reads the same text (`labelled_text`).
TRAINING_DOCUMENT_CHARS = 3_000
# Id suffix of a document read whole (labelling round 3, long documents): its label is for the whole
# text, it stands in for the document's automatic example, and training reads the whole text.
WHOLE_MARK = "@whole"
_PASSAGE_ID = re.compile(r"(?P<doc>.+)@p(?P<start>\d+)-(?P<end>\d+)")
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z\"“])")


def labelled_text(text: str, limit: int = TRAINING_DOCUMENT_CHARS) -> str:
    """The first `limit` characters of a document, cut at the last paragraph end before the limit, or
    at the limit itself when no paragraph ends in its last two thirds."""
    if len(text) <= limit:
        return text
    cut = text.rfind("\n", 0, limit)
    return text[: cut if cut > limit // 3 else limit].rstrip()


def text_fingerprint(text: str) -> str:
    """The first 16 hex digits of the SHA-256 of the text's UTF-8 bytes: what a label was given for."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


@dataclass(frozen=True)
class ReadLabel:
    id: str
    source: str
    stratum: str
    topics: frozenset[str]
    regions: frozenset[str]
    countries: frozenset[str]
    text_sha256: str


def load_read_labels(path: Path = READ_LABELS_FILE) -> list[ReadLabel]:
    if not path.is_file():
        return []
    labels = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            row = json.loads(line)
            labels.append(ReadLabel(row["id"], row["source"], row["stratum"], frozenset(row["topics"]),
                                    frozenset(row["regions"]), frozenset(row["countries"]), row["text_sha256"]))
    return labels


def read_examples(data_dir: str | Path, labels: list[ReadLabel], example_type: Any,
                  weight: float) -> tuple[list, Counter]:
    """(examples, counts): one `example_type` (training.corpora.Example) per label whose text still
    matches its fingerprint; counts of those kept and those left out."""
    data_dir = Path(data_dir)
    events = {e.id: e for e in wikipedia.iter_events(data_dir)} if any(l.source == "wikipedia" for l in labels) else {}
    counts: Counter = Counter()
    examples = []
    for label in labels:
        found = _text_of(data_dir, label, events)
        if found is None or text_fingerprint(found[1]) != label.text_sha256:
            counts["text changed or missing"] += 1
            continue
        title, text, date = found
        counts[label.source] += 1
        examples.append(example_type(
            id=label.id, source=label.source, date=date, title=title, text=text, topics=label.topics,
            regions=label.regions, countries=label.countries, weight=weight,
            meta={"read": True, "stratum": label.stratum},
        ))
    return examples, counts


def _text_of(data_dir: Path, label: ReadLabel, events: dict) -> tuple[str, str, str | None] | None:
    """(title, text, date) exactly as the reader was shown them."""
    if label.source == "wikipedia":
        event = events.get(label.id)
        return ("", event.text, event.day) if event else None
    passage = _PASSAGE_ID.fullmatch(label.id)
    path = data_dir / (passage["doc"] if passage else document_id(label.id))
    if not path.is_file():
        return None
    raw = path.read_text(encoding="utf-8")
    if label.source == "nasa":
        document = nasa.parse_article(raw, label.id)
        title, text, date = document.title, document.text, None
    else:
        parsed = whitehouse.parse_document(raw, label.id)
        title, text, date = parsed.title, parsed.text, parsed.date
    if passage:
        paragraphs = [p.strip() for p in text.split("\n") if p.strip()]
        return "", "\n".join(paragraphs[int(passage["start"]):int(passage["end"])]), date
    return title, (text if label.id.endswith(WHOLE_MARK) else labelled_text(text)), date


def document_id(read_id: str) -> str:
    """The id of the document or event a read label replaces: its own id, or a whole-read
    document's without WHOLE_MARK (a passage replaces nothing: its document stays)."""
    return read_id.removesuffix(WHOLE_MARK)


def auto_agreement(auto: list, read: list) -> dict[str, dict[str, float | None]]:
    """Per source and topic: Cohen's kappa of the automatic labels against the read ones, on the
    documents and events that carry both (passages are read, never automatic)."""
    by_id = {e.id: e for e in auto}
    pairs: dict[str, list] = {}
    for example in read:
        if document_id(example.id) in by_id:
            pairs.setdefault(example.source, []).append((by_id[document_id(example.id)].topics, example.topics))
    agreement: dict[str, dict[str, float | None]] = {}
    for source, rows in sorted(pairs.items()):
        agreement[source] = {}
        for topic in TOPICS:
            a = [topic in automatic for automatic, _ in rows]
            b = [topic in read_topics for _, read_topics in rows]
            agreement[source][topic] = round(float(cohen_kappa_score(a, b)), 3) if len(set(a) | set(b)) > 1 else None
    return agreement


def distrust_disagreeing_topics(auto: list, agreement: dict[str, dict[str, float | None]]) -> list:
    """The automatic examples with each topic whose source's agreement is under AUX_MIN_KAPPA marked
    unknown and listed under DISTRUSTED_TOPICS, where the fit's consensus filter may restore it
    (training.fit). An undefined kappa (neither labelling ever gives the topic in that source) counts
    as agreement."""
    kept = []
    for example in auto:
        kappas = agreement.get(example.source, {})
        distrusted = {t for t in TOPICS if t in kappas and kappas[t] is not None and kappas[t] < AUX_MIN_KAPPA}
        already_unknown = set(example.meta.get(UNKNOWN_TOPICS, ()))
        if not distrusted - already_unknown:
            kept.append(example)
            continue
        kept.append(replace(example, meta={**example.meta, UNKNOWN_TOPICS: sorted(already_unknown | distrusted),
                                           DISTRUSTED_TOPICS: sorted(distrusted - already_unknown)}))
    return kept


def with_automatic_topics(read: list, auto: list) -> list:
    """The read examples, each carrying under AUTOMATIC_TOPICS the topics the rules gave the same
    item, where the rules labelled it: what the consensus filter is measured on."""
    by_id = {e.id: e for e in auto}
    return [replace(e, meta={**e.meta, AUTOMATIC_TOPICS: sorted(by_id[document_id(e.id)].topics)})
            if document_id(e.id) in by_id else e for e in read]


def spliced_negatives(read: list, seed: int, per_topic: int, weight: float) -> list:
    """Per topic, up to `per_topic` long read documents without the topic, each with one sentence of
    a short read item that is about the topic put between two of its paragraphs. The host's labels
    stand: one sentence is a passing mention. Ids are `<host id>@splice-<topic>`, so a host and its
    splices always fall on the same side of a train/validation split."""
    rng = random.Random(f"splice-{seed}")
    out = []
    for topic in TOPICS:
        sentences = [_first_sentence(e.text) for e in read
                     if e.source == "wikipedia" and topic in e.topics and len(e.text) < 400]
        hosts = [e for e in read if topic not in e.topics and len(e.text) >= SPLICE_MIN_HOST_CHARS
                 and e.text.count("\n") >= 3]
        if not sentences or not hosts:
            continue
        for host in rng.sample(hosts, min(per_topic, len(hosts))):
            paragraphs = host.text.split("\n")
            at = rng.randrange(2, len(paragraphs))  # never in the lead: there it would be the subject
            text = "\n".join(paragraphs[:at] + [rng.choice(sentences)] + paragraphs[at:])
            out.append(replace(host, id=f"{host.id}@splice-{topic}", text=text, weight=weight,
                               meta={**host.meta, "spliced": topic, SPLICED_FROM: "wikipedia"}))
    return out


def _first_sentence(text: str) -> str:
    return _SENTENCE_END.split(text.strip(), maxsplit=1)[0]
