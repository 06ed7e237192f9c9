"""Passage examples: the paragraphs of long press-office documents as short examples of their own.

The classifier scores long articles passage by passage as well as whole (models.pipeline), so it
must know what a topic looks like in two or three sentences of a long document, not only in a
Wikipedia summary. A passage inherits a topic of its document only when it carries that topic's
cues itself (MIN_CUES of them): a NASA paragraph about a rocket launch is space, the paragraph
announcing the live stream is not; a readout's paragraph about a call is diplomacy, its paragraph
about domestic jobs is not. A passage without the cues of its document's topic is no evidence
against that topic either (the cue lists are not exhaustive), so the topic is recorded as unknown
for it (meta[UNKNOWN_TOPICS]) and the fit leaves that passage out of that topic's head.
"""

from __future__ import annotations

import random
from collections.abc import Iterable
from dataclasses import replace

from newsfeed.models.gazetteer import Gazetteer
from newsfeed.models.pipeline import split_passages
from newsfeed.models.taxonomy import region_of
from newsfeed.training.corpora import cues

UNKNOWN_TOPICS = "unknown_topics"
# Passages teach the space and defence heads what a secondary theme looks like. For diplomacy they
# cost more than they bring (measured on the gold set: diplomacy F1 0.921 -> 0.880 with diplomacy
# passages, the short Wikipedia items losing most), so a passage is no evidence either way for it.
PASSAGE_CUES = {"space": cues.SPACE_DOC, "defence": cues.DEFENCE_DOC}
NO_PASSAGE_EVIDENCE = frozenset({"diplomacy"})
MIN_CUES = 2
# Passages count for less than whole documents: they are many, and their labels are noisier.
PASSAGE_WEIGHT = 0.5
# Per document: the labelled passages (up to this many) and one unlabelled passage as a negative.
MAX_LABELLED_PASSAGES = 8
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
            topics = frozenset(t for t in example.topics - NO_PASSAGE_EVIDENCE
                               if cues.count(PASSAGE_CUES[t], passage) >= MIN_CUES)
            (labelled if topics else unlabelled).append((number, passage, topics))
        chosen = labelled[:MAX_LABELLED_PASSAGES] + rng.sample(unlabelled, min(1, len(unlabelled)))
        for number, passage, topics in chosen:
            mentioned = {region_of(m.code) for m in gazetteer.find_mentions(passage)}
            out.append(replace(
                example, id=f"{example.id}@passage{number}", title="", text=passage, topics=topics,
                regions=frozenset(example.regions & mentioned), weight=example.weight * PASSAGE_WEIGHT,
                meta={**example.meta, UNKNOWN_TOPICS: sorted((example.topics - topics) | NO_PASSAGE_EVIDENCE)},
            ))
    return out
