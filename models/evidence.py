"""Where the evidence of a label is in the text: character spans a UI can highlight and a person can check.

The spans index `prepared_text`, the text the model read, which every record carries: the prepared
title, a blank line, then the prepared body up to the model's cut (models/text.py prepares; the
model reads the first `max_body_chars` characters of the body). Not the input: HTML, entities,
boilerplate and whitespace are gone from it, so a span in the input would need a mapping no consumer
could check, while a span in `prepared_text` is `prepared_text[start:end]`, in code points.

Nothing here rescans the text per n-gram. The model's own count (`Reading`) says in which piece
(title or passage) and at which token each occurrence of an evidence n-gram is, and the model's split
kept the text between the tokens, so where a token is comes from running sums of part lengths: a
piece that holds one of the first SPANS_PER_NGRAM occurrences is walked, in C iterators, only as far
as the last token asked for. Where the occurrences of each feature are is indexed once per batch.
"""

from __future__ import annotations

import bisect
import functools
import itertools
import operator
import re
from collections import defaultdict
from dataclasses import dataclass
from typing import Any, Callable, NamedTuple, Sequence

import numpy as np

from newsfeed.models.pipeline import Reading, mask_names, masked_regions, passage_paragraphs
from newsfeed.models.text import non_ascii_characters
from newsfeed.models.tfidf import TfidfFeatures, lower_and_strip_accents

# How many n-grams name the evidence of a label, and how many of each n-gram's occurrences are given
# (the first ones, in reading order): a UI shows where a word is, not every one of forty repeats.
NGRAMS_PER_LABEL = 5
SPANS_PER_NGRAM = 3
# At most this many spans per label: its n-grams' spans and its passage; and per country, its first
# mentions. This is what bounds the evidence's size (README, "Record contracts").
SPANS_PER_LABEL = NGRAMS_PER_LABEL * SPANS_PER_NGRAM + 1
MENTION_SPANS = SPANS_PER_LABEL
# Between the title and the body in `prepared_text`. The prepared title never has a line break, so
# the title is everything before the first "\n\n".
TITLE_SEPARATOR = "\n\n"

Span = tuple[int, int]


@dataclass(frozen=True)
class NgramEvidence:
    """One n-gram behind a label: what it added to the label's logit, and where it is."""

    ngram: str
    weight: float
    spans: tuple[Span, ...]

    def as_dict(self) -> dict[str, Any]:
        return {"ngram": self.ngram, "weight": self.weight, "spans": [list(span) for span in self.spans]}


@dataclass(frozen=True)
class LabelEvidence:
    """The n-grams behind a label, best first, and the passage of the body that added most to its score
    (None when the body has no passage that adds anything)."""

    ngrams: tuple[NgramEvidence, ...]
    passage: Span | None

    def as_dict(self) -> dict[str, Any]:
        return {"ngrams": [n.as_dict() for n in self.ngrams],
                "passage": list(self.passage) if self.passage is not None else None}


def prepared_text(title: str, body_read: str) -> str:
    return f"{title}{TITLE_SEPARATOR}{body_read}"


class OffsetMap:
    """Positions in a derived text back to the text it was derived from, where the derived text is the
    source with some regions replaced: `replaced` lists (source start, source end, derived start, derived
    end), in order, not overlapping. A position inside a replacement maps to the replaced region's edge."""

    def __init__(self, replaced: Sequence[tuple[int, int, int, int]]):
        self._replaced = list(replaced)
        self._starts = [r[2] for r in self._replaced]

    def start(self, position: int) -> int:
        """Where a span that starts at `position` starts in the source."""
        index = bisect.bisect_right(self._starts, position) - 1
        if index < 0:
            return position
        source_start, source_end, start, end = self._replaced[index]
        return source_start if position < end else source_end + position - end

    def end(self, position: int) -> int:
        """Where a span that ends at `position` (exclusive) ends in the source."""
        index = bisect.bisect_left(self._starts, position) - 1
        if index < 0:
            return position
        source_start, source_end, start, end = self._replaced[index]
        return source_end if position <= end else source_end + position - end


_NOT_ASCII = re.compile(r"[^\x00-\x7f]")


@functools.lru_cache(maxsize=4096)
def _analysed_length(char: str, analyse: Callable[[str], str]) -> int:
    return len(analyse(char))


def analysis_map(text: str, analyse: Callable[[str], str] = lower_and_strip_accents) -> OffsetMap | None:
    """Positions in `analyse(text)` back to `text`, or None where they are the same. `analyse` is the
    model's (TfidfFeatures.analyse): lowercasing, and accent stripping when the model strips accents.

    Both work character by character (a decomposition is reordered only among combining marks, which
    are all dropped; the one contextual lowercasing, a final sigma, keeps the length), so each character
    becomes its own run of 0 to 3 characters: "É" -> "e", "ﬁ" -> "fi", "…" -> "...", a mark -> ""."""
    if text.isascii():
        return None
    # Most non-ASCII characters of news text (quotes, dashes, accented letters) keep their length:
    # the distinct ones are checked first, and only a text with one that does not is mapped.
    if all(_analysed_length(char, analyse) == 1 for char in non_ascii_characters(text)):
        return None
    replaced, shift = [], 0
    for match in _NOT_ASCII.finditer(text):
        length = _analysed_length(match.group(), analyse)
        if length != 1:
            start = match.start() + shift
            replaced.append((match.start(), match.end(), start, start + length))
            shift += length - 1
    return OffsetMap(replaced) if replaced else None


# (start, end) in a title or a passage as the model read it -> (start, end) in prepared_text
ToPrepared = Callable[[int, int], Span]


class ArticleText:
    """One article as the model read it, with the maps from what it read back to `prepared_text`."""

    def __init__(self, title: str, body: str, max_body_chars: int, masked: tuple[Sequence, Sequence] | None = None):
        """`masked`: the title's and the body's mentions, when the model masks names (models.pipeline)."""
        self.title, self.body = title, body
        title_read, body_read = title, body
        self._title_maps: list[OffsetMap] = []
        self._body_maps: list[OffsetMap] = []
        if masked is not None:
            title_read, body_read = mask_names(title, masked[0]), mask_names(body, masked[1])
            self._title_maps = [OffsetMap(r) for r in reversed(masked_regions(title, masked[0]))]
            self._body_maps = [OffsetMap(r) for r in reversed(masked_regions(body, masked[1]))]
        self.title_read, self.body_read = title_read, body_read
        self.max_body_chars = max_body_chars
        # The model reads the first max_body_chars of the (masked) body: so much of the prepared body.
        self.body_cut = self._body_end(min(max_body_chars, len(body_read)))
        self.text = prepared_text(title, body[:self.body_cut])
        self.body_offset = len(title) + len(TITLE_SEPARATOR)
        self.passages = passage_paragraphs(body_read, max_body_chars)
        self._to_prepared: dict[int, ToPrepared] = {}

    def _body_end(self, position: int) -> int:
        for offset_map in self._body_maps:
            position = offset_map.end(position)
        return position

    def title_span(self, start: int, end: int) -> Span:
        for offset_map in self._title_maps:
            start, end = offset_map.start(start), offset_map.end(end)
        return start, end

    def body_span(self, start: int, end: int) -> Span:
        if not self._body_maps:
            return self.body_offset + start, self.body_offset + end
        for offset_map in self._body_maps:
            start, end = offset_map.start(start), offset_map.end(end)
        return self.body_offset + start, self.body_offset + end

    def passage_span(self, index: int) -> Span:
        paragraphs = self.passages[index]
        return self.body_span(paragraphs[0][0], paragraphs[-1][1])

    def piece_text(self, number: int) -> str:
        """The text of piece `number` of a Reading (Reading.TITLE, or FIRST_PASSAGE + k for passage k) as the
        model read it: a passage is its paragraphs joined by one space."""
        if number == Reading.TITLE:
            return self.title_read
        return " ".join(self.body_read[a:b] for a, b in self.passages[number - Reading.FIRST_PASSAGE])

    def to_prepared(self, number: int) -> ToPrepared:
        """How positions in piece `number` map to `prepared_text`. The piece's text is not built: only an
        article whose analysis changes lengths needs it (piece_text), and building it cost more than the map."""
        cached = self._to_prepared.get(number)
        if cached is None:
            cached = self._to_prepared[number] = self._to_prepared_of(number)
        return cached

    def _to_prepared_of(self, number: int) -> ToPrepared:
        if number == Reading.TITLE:
            return self.title_span
        paragraphs = self.passages[number - Reading.FIRST_PASSAGE]
        # A token is inside one paragraph, found by where each paragraph starts in the passage.
        starts, position = [], 0
        for a, b in paragraphs:
            starts.append(position)
            position += b - a + 1
        body_starts = [a for a, _ in paragraphs]

        def to_prepared(start: int, end: int) -> Span:
            first = bisect.bisect_right(starts, start) - 1
            last = bisect.bisect_right(starts, end - 1) - 1
            return self.body_span(body_starts[first] + start - starts[first], body_starts[last] + end - starts[last])

        return to_prepared


def mention_spans(article: ArticleText, mentions: tuple[Sequence, Sequence]) -> dict[str, list[Span]]:
    """Per country code, the spans of its first MENTION_SPANS mentions in `prepared_text`."""
    spans: dict[str, list[Span]] = defaultdict(list)
    for mention in mentions[0]:
        if len(spans[mention.code]) < MENTION_SPANS:
            spans[mention.code].append((mention.start, mention.end))
    for mention in mentions[1]:
        if mention.end > article.body_cut:
            break  # mentions come in order: the rest are past what the model read
        if len(spans[mention.code]) < MENTION_SPANS:
            spans[mention.code].append((article.body_offset + mention.start, article.body_offset + mention.end))
    return spans


class Occurrences(NamedTuple):
    """The occurrences of known features in one article's Reading, in reading order: per occurrence its
    column, its place in the article's row (which lists the article's columns sorted), its piece and its
    index among that piece's features; and per place in the row, how many occurrences it has."""

    columns: np.ndarray
    row_position: np.ndarray
    piece: np.ndarray
    feature: np.ndarray
    counts: np.ndarray


def index_batch(readings: Sequence[Reading], indptr: np.ndarray, indices: np.ndarray, n_columns: int) -> list[Occurrences]:
    """The Occurrences of every article of a batch, from its Readings and its CSR feature rows (article k's
    row is indices[indptr[k]:indptr[k + 1]], sorted). Built for the whole batch in a fixed number of numpy
    calls, then sliced per article: done per article, the calls (not their elements) were what cost."""
    n = len(readings)
    if not n:
        return []
    columns = np.concatenate([r.columns for r in readings])
    piece_lengths = np.concatenate([r.piece_lengths for r in readings])
    n_pieces = np.fromiter((len(r.piece_lengths) for r in readings), dtype=np.intp, count=n)
    # Per piece of the batch: its article, its number within the article, and where its features start.
    piece_article = np.repeat(np.arange(n), n_pieces)
    piece_number = np.arange(len(piece_lengths)) - np.repeat(np.cumsum(n_pieces) - n_pieces, n_pieces)
    piece_start = np.cumsum(piece_lengths) - piece_lengths
    known = np.flatnonzero(columns >= 0)
    # A feature is in the piece whose run of features holds it (empty pieces hold none).
    batch_piece = np.repeat(np.arange(len(piece_lengths)), piece_lengths)[known]
    article = piece_article[batch_piece]
    known_columns = columns[known]
    # The batch's rows as one sorted array of (article, column) keys: one search places every occurrence.
    indptr = np.asarray(indptr, dtype=np.int64)
    row_keys = np.repeat(np.arange(n, dtype=np.int64), np.diff(indptr)) * n_columns + indices
    place = np.searchsorted(row_keys, article * np.int64(n_columns) + known_columns)
    counts = np.bincount(place, minlength=len(indices))
    row_position = place - indptr[article]
    piece = piece_number[batch_piece]
    feature = known - piece_start[batch_piece]
    # Occurrences come article by article: each article's are one slice.
    bounds = np.searchsorted(article, np.arange(n + 1)).tolist()
    starts, ends = indptr[:-1].tolist(), indptr[1:].tolist()
    return [Occurrences(known_columns[a:b], row_position[a:b], piece[a:b], feature[a:b], counts[row_a:row_b])
            for a, b, row_a, row_b in zip(bounds[:-1], bounds[1:], starts, ends)]


class EvidenceFinder:
    """Locates the evidence of one article's labels, from the model's Reading of it."""

    def __init__(self, article: ArticleText, reading: Reading | None, row_indices: np.ndarray,
                 occurrences: Occurrences | None, analyser: TfidfFeatures | None):
        """`occurrences`: the article's, from index_batch (None when there is no Reading)."""
        self._article, self._reading, self._analyser = article, reading, analyser
        self._row_indices, self._occurrences = row_indices, occurrences
        self._scans: _Scans | None = None

    def labels(self, tops: dict[str, tuple[Sequence[tuple[str, int, float]], np.ndarray]]) -> dict[str, LabelEvidence]:
        """The evidence of each label, from its (top n-grams, contributions) as LinearHeads.top_contributions
        gives them."""
        if self._reading is None or self._analyser is None:
            return {label: LabelEvidence(tuple(NgramEvidence(name, round(weight, 4), ()) for name, _, weight in top), None)
                    for label, (top, _) in tops.items()}
        if not tops:
            return {}
        wanted = sorted({column for top, _ in tops.values() for _, column, _ in top})
        spans = self._spans_of(wanted)
        return {label: LabelEvidence(tuple(NgramEvidence(name, round(weight, 4), spans[column]) for name, column, weight in top),
                                     self._best_passage(contributions))
                for label, (top, contributions) in tops.items()}

    def _best_passage(self, contributions: np.ndarray) -> Span | None:
        """The passage whose occurrences add most to the label's logit: each occurrence of a feature carries
        an equal share of that feature's contribution (bigrams across two pieces count in neither)."""
        n_pieces = len(self._reading.piece_lengths)
        occurrences = self._occurrences
        if n_pieces <= Reading.FIRST_PASSAGE or not len(occurrences.row_position):
            return None
        shares = (contributions / np.maximum(occurrences.counts, 1))[occurrences.row_position]
        per_piece = np.bincount(occurrences.piece, weights=shares, minlength=n_pieces)
        passages = per_piece[Reading.FIRST_PASSAGE:]
        best = int(np.argmax(passages))
        return self._article.passage_span(best) if passages[best] > 0 else None

    def _spans_of(self, columns: list[int]) -> dict[int, tuple[Span, ...]]:
        """The first SPANS_PER_NGRAM spans of each column, in reading order, found in one pass over the features."""
        reading, occurrences = self._reading, self._occurrences
        # The occurrences of these columns: marked by their place in the row, which each occurrence has.
        marked = np.zeros(len(occurrences.counts), dtype=bool)
        marked[np.searchsorted(self._row_indices, columns)] = True
        selected = marked[occurrences.row_position]
        # Candidates, in the order of the features (title, its copy, seams, passages): per column the first
        # SPANS_PER_NGRAM of the title, of the seams (two passages joined: they sit between passages in
        # the text, so they are put in order once located) and of the passages.
        taken: dict[tuple[int, int], int] = defaultdict(int)
        by_piece: dict[int, list[tuple[int, int]]] = defaultdict(list)
        for column, piece, feature in zip(occurrences.columns[selected].tolist(), occurrences.piece[selected].tolist(),
                                          occurrences.feature[selected].tolist()):
            kind = min(piece, Reading.FIRST_PASSAGE)
            if kind == Reading.TITLE_AGAIN or taken[column, kind] >= SPANS_PER_NGRAM:
                continue  # the title's copy has the same words as the title
            taken[column, kind] += 1
            by_piece[piece].append((column, feature))
        seams = by_piece.pop(Reading.SEAMS, [])
        self._scans = _Scans(reading, self._analyser, self._article)
        located: dict[int, list[Span]] = {column: [] for column in columns}
        for column, feature in seams:
            span = self._seam_span(feature)
            if span is not None:
                located[column].append(span)
        for piece, wanted in by_piece.items():
            tokens = reading.tokens(piece)
            to_prepared = self._article.to_prepared(piece)
            span_of = self._scans.places(piece).span
            for column, feature in wanted:
                span = span_of(feature, feature) if feature < tokens else span_of(feature - tokens, feature - tokens + 1)
                if span is not None:
                    located[column].append(to_prepared(*span))
        return {column: tuple(sorted(spans)[:SPANS_PER_NGRAM]) for column, spans in located.items()}

    def _seam_pieces(self, seam: int) -> tuple[int, int] | None:
        """The two passages a seam bigram joins, or None when it joins the title to itself or to the body
        (not a phrase of the article)."""
        reading = self._reading
        non_empty = [p for p in (Reading.TITLE, Reading.TITLE_AGAIN, *range(Reading.FIRST_PASSAGE, len(reading.piece_lengths)))
                     if reading.tokens(p)]
        if seam + 1 >= len(non_empty) or non_empty[seam] < Reading.FIRST_PASSAGE:
            return None
        return non_empty[seam], non_empty[seam + 1]

    def _seam_span(self, seam: int) -> Span | None:
        """A bigram from the last token of one passage to the first of the next non-empty one."""
        joined = self._seam_pieces(seam)
        if joined is None:
            return None
        a, b = joined
        last_of_a = self._reading.tokens(a) - 1
        end_of_a, start_of_b = self._scans.places(a).span(last_of_a, last_of_a), self._scans.places(b).span(0, 0)
        if end_of_a is None or start_of_b is None:
            return None
        return self._article.to_prepared(a)(*end_of_a)[0], self._article.to_prepared(b)(*start_of_b)[1]


class _Scans:
    """Where the tokens of an article's pieces are, from the parts the model cut them into (no regex runs
    again): a part ends at the running sum of the lengths, and stop words are skipped as the model skips
    them. A piece is walked only when one of its tokens is asked for, and only as far as that token: the
    tokens asked for are a few dozen of an article's hundreds, mostly early in their pieces."""

    def __init__(self, reading: Reading, analyser: TfidfFeatures, article: ArticleText):
        self._reading, self._analyser, self._article = reading, analyser, article
        self._pieces: dict[int, _TokenPlaces] = {}

    def places(self, piece: int) -> _TokenPlaces:
        """The token places of a piece (Reading.TITLE, or FIRST_PASSAGE + k for passage k)."""
        places = self._pieces.get(piece)
        if places is None:
            # The tokenizer said whether the piece kept its characters' lengths (almost every piece of
            # news text does); only one it cannot vouch for is mapped, and analysis_map checks it again.
            offsets = (None if self._reading.keeps_length(piece)
                       else analysis_map(self._article.piece_text(piece), self._analyser.analyse))
            places = self._pieces[piece] = _TokenPlaces(self._reading.parts(piece), self._analyser.stop_words, offsets)
        return places


class _TokenPlaces:
    """The token places of one piece, found as far as they have been asked for. The walks are iterator
    chains that run in C (no Python step per part), resumed where the last request stopped."""

    __slots__ = ("_kept", "_kept_left", "_ends", "_ends_left", "_offsets")

    def __init__(self, parts: list[str], stop_words: frozenset[str], offsets: OffsetMap | None):
        # The index of each token that counts (tokens are the parts at odd places), and each part's end.
        self._kept: list[int] = []
        self._kept_left = itertools.compress(
            itertools.count(), map(operator.not_, map(stop_words.__contains__, itertools.islice(parts, 1, None, 2))))
        self._ends: list[int] = []
        self._ends_left = itertools.accumulate(map(len, parts))
        self._offsets = offsets

    def span(self, first: int, last: int) -> Span | None:
        """The span, in the piece, from the start of its token `first` to the end of its token `last`
        (first <= last; stop words not counted), None when `last` is past the piece's end. One call per
        n-gram, not per token: the calls are most of the cost."""
        kept = self._kept
        if last >= len(kept):
            kept.extend(itertools.islice(self._kept_left, last + 1 - len(kept)))
            if last >= len(kept):
                return None
        # The tokens' indices in the piece, stop words too.
        k_first, k_last = kept[first], kept[last]
        ends = self._ends
        if len(ends) < 2 * k_last + 2:
            ends.extend(itertools.islice(self._ends_left, 2 * k_last + 2 - len(ends)))
        # The gap before a token ends where it starts.
        start, end = ends[2 * k_first], ends[2 * k_last + 1]
        offsets = self._offsets
        return (start, end) if offsets is None else (offsets.start(start), offsets.end(end))
