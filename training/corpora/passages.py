"""Passage examples: the paragraphs of long press-office documents as short examples of their own.

The classifier scores long articles passage by passage as well as whole (models.pipeline), so it
must know what a topic looks like in two or three sentences of a long document, not only in a
Wikipedia summary. A passage inherits a topic of its document only when it carries that topic's
cues itself (MIN_CUES of them): a NASA paragraph about a rocket launch is space, the paragraph
announcing the live stream is not; a readout's paragraph about a call is diplomacy, its paragraph
about domestic jobs is not.
"""

from __future__ import annotations

import random
from collections.abc import Iterable
from dataclasses import replace

from models.gazetteer import Gazetteer
from models.pipeline import split_passages
from models.taxonomy import region_of
from training.corpora import cues

PASSAGE_CUES = {"diplomacy": cues.DIPLOMACY_DOC, "space": cues.SPACE_DOC, "defence": cues.DEFENCE_DOC}
MIN_CUES = 2
# Passages count for less than whole documents: they are many, and their labels are noisier.
PASSAGE_WEIGHT = 0.5
# Per document: the labelled passages (up to this many) and one unlabelled passage as a negative.
MAX_LABELLED_PASSAGES = 3
LONG_SOURCES = ("nasa", "whitehouse")


def passage_examples(examples: Iterable, gazetteer: Gazetteer, seed: int = 0) -> list:
    """Passage examples of every long document among `examples`, deterministic for a seed."""
    rng = random.Random(seed)
    out = []
    for example in examples:
        if example.source not in LONG_SOURCES:
            continue
        passages = split_passages(example.text)
        if len(passages) < 3:
            continue
        labelled, unlabelled = [], []
        for number, passage in enumerate(passages):
            topics = frozenset(t for t in example.topics if cues.count(PASSAGE_CUES[t], passage) >= MIN_CUES)
            (labelled if topics else unlabelled).append((number, passage, topics))
        chosen = labelled[:MAX_LABELLED_PASSAGES] + rng.sample(unlabelled, min(1, len(unlabelled)))
        for number, passage, topics in chosen:
            mentioned = {region_of(m.code) for m in gazetteer.find_mentions(passage)}
            out.append(replace(
                example, id=f"{example.id}@passage{number}", title="", text=passage, topics=topics,
                regions=frozenset(example.regions & mentioned), weight=example.weight * PASSAGE_WEIGHT,
            ))
    return out
