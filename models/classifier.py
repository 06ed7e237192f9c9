"""`classify_batch`: articles in, enrichments out, the same code for the worker, the CLI and evaluation.

The batch is prepared article by article (text preparation and country mentions are per-text work),
then vectorised and scored in one sparse product per label set. Articles the model cannot judge
(too short, not English) get a status instead of a guess, and no labels.
"""

from __future__ import annotations

import time
from typing import Sequence

import numpy as np

from newsfeed.models.artifact import REGION_RULE, Model
from newsfeed.models.evidence import NGRAMS_PER_LABEL, ArticleText, EvidenceFinder, index_batch, mention_spans, prepared_text
from newsfeed.models.pipeline import Reading, SparseRow, mask_names
from newsfeed.models.gazetteer import Gazetteer, regions_from_countries, score_countries
from newsfeed.models.schema import Article, CountryMention, Enrichment, ModelRef
from newsfeed.models.taxonomy import REGIONS, TOPICS
from newsfeed.models.text import PreparedText, prepare_article

# Fewer words than this (title and body together) is a headline fragment, not a story to judge.
MIN_WORDS = 6
# How sure the language check must be before it refuses a text as not English.
LANGUAGE_CONFIDENCE = 0.5
SUPPORTED_LANGUAGES = frozenset({"en"})
EVIDENCE_PER_LABEL = NGRAMS_PER_LABEL
# A region applies when one of its countries is a focus country of the article (focus score 0.5 or
# more): never for a country merely mentioned, and never from the words alone. Every artifact records
# this rule (regions.json), so it is defined with the format.
REGION_THRESHOLD = REGION_RULE["threshold"]


def classify(article: Article, model: Model) -> Enrichment:
    return classify_batch([article], model)[0]


def classify_batch(articles: Sequence[Article], model: Model, article_seconds: list[float] | None = None) -> list[Enrichment]:
    """Enrich every article, in order. Deterministic, and total over valid articles.

    When `article_seconds` is given, it receives each article's own cost in seconds, in order: its
    text preparation and country scoring, the per-article work whose cost grows with the article's
    size. (The features of the batch are counted together, from at most `max_body_chars` of each.)"""
    clock = time.perf_counter
    costs = [0.0] * len(articles)
    prepared = []
    for i, a in enumerate(articles):
        started = clock()
        prepared.append(prepare_article(a.title, a.text, a.html))
        costs[i] = clock() - started
    statuses = [_status(p, a.language_hint) for p, a in zip(prepared, articles)]
    judged = [i for i, status in enumerate(statuses) if status == "ok"]
    ref = ModelRef(version=model.version, sha256=model.sha256)
    max_body_chars = model.text_model.max_body_chars
    # A judged article's record is built below: its placeholder here would be thrown away, with the
    # copy of its prepared text (a few KB) made for it.
    results = [_unjudged(status, _language(p, a.language_hint), ref, prepared_text(p.title, p.body[:max_body_chars]))
               if status != "ok" else None for p, a, status in zip(prepared, articles, statuses)]
    if not judged:
        if article_seconds is not None:
            article_seconds[:] = costs
        return results

    text_model = model.text_model
    # The artifact's own gazetteer; a model fitted in this process (training) has none yet and is
    # judged with the package's, which is the one it will be saved with.
    gazetteer = model.gazetteer or Gazetteer.load()
    mentions = {}  # per judged article, its title's and body's country mentions: found once, used twice
    for i in judged:
        started = clock()
        mentions[i] = (gazetteer.find_mentions(prepared[i].title), gazetteer.find_mentions(prepared[i].body))
        costs[i] += clock() - started
    titles = [prepared[i].title for i in judged]
    bodies = [prepared[i].body for i in judged]
    if text_model.masks_names:
        titles = [mask_names(title, mentions[i][0]) for title, i in zip(titles, judged)]
        bodies = [mask_names(body, mentions[i][1]) for body, i in zip(bodies, judged)]
    readings: list[Reading] = []
    features, topic_probs = text_model.features_and_topic_probabilities(titles, bodies, readings)
    topic_thresholds = text_model.topic_thresholds([len(prepared[i].body) for i in judged])
    # Each article's row as its slices of the CSR arrays: what `evidence` reads, without building a
    # one-row sparse matrix per article (features[row] costs ~40 us).
    starts, ends = features.indptr[:-1], features.indptr[1:]
    rows = [SparseRow(features.indices[a:b], features.data[a:b]) for a, b in zip(starts.tolist(), ends.tolist())]
    analyser = text_model.analyser()
    # Where each article's features occur in what it read, for the whole batch at once (evidence spans).
    occurrences = index_batch(readings, features.indptr, features.indices, features.shape[1]) if readings else None
    for row, i in enumerate(judged):
        started = clock()
        countries = score_countries(prepared[i].title, prepared[i].body, gazetteer, text_model.focus, mentions[i])
        text = ArticleText(prepared[i].title, prepared[i].body, text_model.max_body_chars,
                           mentions[i] if text_model.masks_names else None)
        reading = readings[row] if readings else None
        finder = EvidenceFinder(text, reading, rows[row].indices, occurrences[row] if occurrences else None, analyser)
        results[i] = _enrichment(text_model, rows[row], topic_probs[row], topic_thresholds[row], countries,
                                 gazetteer.country_regions, prepared[i].language, ref, text, finder,
                                 mention_spans(text, mentions[i]))
        costs[i] += clock() - started
    if article_seconds is not None:
        article_seconds[:] = costs
    return results


def _status(prepared: PreparedText, hint: str | None) -> str:
    # Split off no more than MIN_WORDS words: a long text then gives MIN_WORDS + 1 parts, a short one its words.
    if len(f"{prepared.title} {prepared.body}".split(maxsplit=MIN_WORDS)) < MIN_WORDS:
        return "too_short"
    language = prepared.language if prepared.language_confidence >= LANGUAGE_CONFIDENCE else None
    language = language or _hint_code(hint)
    if language is not None and language not in SUPPORTED_LANGUAGES:
        return "unsupported_language"
    return "ok"


def _language(prepared: PreparedText, hint: str | None) -> str | None:
    if prepared.language is not None and prepared.language_confidence >= LANGUAGE_CONFIDENCE:
        return prepared.language
    return _hint_code(hint) or prepared.language


def _hint_code(hint: str | None) -> str | None:
    # A hint like "en-GB" or "EN" names the language by its first two letters.
    code = (hint or "").strip()[:2].lower()
    return code if len(code) == 2 and code.isalpha() else None


def _unjudged(status: str, language: str | None, ref: ModelRef, text: str) -> Enrichment:
    return Enrichment(
        topics=[],
        topic_scores={label: 0.0 for label in TOPICS},
        regions=[],
        region_scores={slug: 0.0 for slug in REGIONS},
        countries=[],
        evidence={},
        status=status,
        language=language,
        model=ref,
        prepared_text=text,
    )


def _enrichment(text_model, row, topic_probs, topic_thresholds, countries, country_regions, language,
                ref, text, finder, mentions) -> Enrichment:
    topic_heads, region_heads = text_model.topic_heads, text_model.region_heads
    topics = _assigned(topic_heads.labels, topic_probs, topic_thresholds)
    region_scores = regions_from_countries(countries, country_regions)
    regions = sorted((slug for slug, score in region_scores.items() if score >= REGION_THRESHOLD),
                     key=lambda slug: (-region_scores[slug], REGIONS.index(slug)))
    names = text_model.feature_names
    tops = {label: topic_heads.top_contributions(row, topic_heads.labels.index(label), names, EVIDENCE_PER_LABEL)
            for label in topics}
    for slug in regions:
        tops[slug] = region_heads.top_contributions(row, region_heads.labels.index(slug), names, EVIDENCE_PER_LABEL)
    evidence = finder.labels(tops)
    return Enrichment(
        topics=topics,
        topic_scores={label: round(float(p), 4) for label, p in zip(topic_heads.labels, topic_probs)},
        regions=regions,
        region_scores={slug: round(score, 4) for slug, score in region_scores.items()},
        countries=[CountryMention(c.code, c.name, c.mentions, c.focus, tuple(mentions.get(c.code, ()))) for c in countries],
        evidence=evidence,
        status="ok",
        language=language,
        model=ref,
        prepared_text=text.text,
    )


def _assigned(labels: Sequence[str], probs: np.ndarray, thresholds: np.ndarray) -> list[str]:
    hits = [(float(p), label) for label, p, t in zip(labels, probs, thresholds) if p >= t]
    return [label for _, label in sorted(hits, reverse=True)]
