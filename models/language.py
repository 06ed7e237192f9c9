"""Language: which language an article is in, with a confidence, from its function words (Latin
script) or its alphabet (other scripts).

Part of text preparation (models/text.py): a change to what it returns is a change of TEXT_PREP_VERSION.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections import Counter

# Function words of each Latin-script language: the most frequent words, which any paragraph uses.
_STOPWORDS: dict[str, str] = {
    "en": "the of and to in is that for it was on with as be by at this are from have has had not but or an "
          "which were been their they he she his her its will would said there who also than more about after into "
          "a over against during including between under amid while whether what when them if we our can all",
    "fr": "le la les des du un une et est dans que qui pour pas sur au aux avec par ce cette sont ont été il elle "
          "ils nous vous mais ou plus se ne son sa ses leur était selon lors être aussi entre",
    "de": "der die das und ist nicht den dem des ein eine einer einen mit auf für von zu sich auch es im sie er "
          "wird wurde werden sind hat haben bei nach aus als dass oder noch wie über nur",
    "es": "el la los las de del y que en un una es por con para se no su sus al lo como más pero fue ha han "
          "este esta son según también sobre entre",
    "it": "il lo la gli le di del della dei delle e che è un una per con non si sono da dal nel nella al alla "
          "anche come più ma ha hanno questo questa stato dopo",
    "pt": "o a os as de do da dos das e que em um uma para com não se por no na nos nas ao é foi são mais mas "
          "também pelo pela seu sua como",
    "nl": "de het een en van in is op te dat die niet met voor zijn er aan ook als maar bij door naar heeft "
          "hebben werd wordt om tot uit over nog dan",
    "sv": "och att det som en ett är på för med av till inte den har de om var men ska kan från efter också "
          "när vid eller sin hade blev",
    "da": "og at det som en et er på for med af til ikke den har de om var men skal kan fra efter også når "
          "ved eller sin havde blev",
    "pl": "i w na z do nie się że to jest jak o po od za przez dla jego ale czy tak już być są który która "
          "które także oraz tym może był była",
    "cs": "a v na se je že to s z do o ve k i jako by byl byla jsou jeho ale pro po od které který která také "
          "podle už při jak",
    "tr": "ve bir bu da de için ile olarak olan çok daha gibi en ama değil ne o her kadar sonra ise veya mi "
          "mı ya şu göre tarafından",
    "id": "yang dan di ke dari ini itu untuk dengan tidak dalam pada akan adalah juga oleh ada tersebut atau "
          "sebagai karena telah bahwa mereka kami",
    "ro": "și în de la cu a al ale cel care ce nu se pe din pentru este sunt un o fost mai dar sau după prin "
          "lui acest această",
    "hu": "a az és hogy nem is egy van volt meg de ez azt mint már csak el ki be még kell lesz vagy után "
          "szerint pedig",
    "fi": "ja on ei se että oli hän mutta kun myös tai ovat ole joka mukaan sen kuin ne jo nyt voi vain jälkeen",
}
_LATIN_LANGUAGES = tuple(_STOPWORDS)


_WEIGHT_UNIT = 720720  # divisible by 1..16, the most languages one word can be in


def _stopword_weights() -> dict[str, tuple[tuple[int, int], ...]]:
    """word -> ((language index, weight), ...). A word shared by k languages weighs 1/k in each, so
    "de" says little and "the" says a lot. Integer weights keep sums exact in any order."""
    owners: dict[str, list[int]] = {}
    for index, words in enumerate(_STOPWORDS.values()):
        for word in set(words.split()):
            owners.setdefault(word, []).append(index)
    return {word: tuple((i, _WEIGHT_UNIT // len(langs)) for i in langs) for word, langs in owners.items()}


_STOPWORD_WEIGHTS = _stopword_weights()
# What the boilerplate filter counts to tell prose from a site's chrome (models/boilerplate.py).
FUNCTION_WORDS = frozenset(_STOPWORD_WEIGHTS)

# Scripts other than Latin, as (first code point, last code point, script). Sorted by start.
_SCRIPT_RANGES = sorted(
    [
        (0x0370, 0x03FF, "el"), (0x1F00, 0x1FFF, "el"), (0x0400, 0x052F, "cyrillic"),
        (0x0530, 0x058F, "hy"), (0x0590, 0x05FF, "he"), (0x0600, 0x06FF, "arabic"),
        (0x0750, 0x077F, "arabic"), (0xFB50, 0xFDFF, "arabic"), (0xFE70, 0xFEFF, "arabic"),
        (0x0900, 0x097F, "hi"), (0x0980, 0x09FF, "bn"), (0x0A00, 0x0A7F, "pa"), (0x0A80, 0x0AFF, "gu"),
        (0x0B80, 0x0BFF, "ta"), (0x0C00, 0x0C7F, "te"), (0x0C80, 0x0CFF, "kn"), (0x0D00, 0x0D7F, "ml"),
        (0x0D80, 0x0DFF, "si"), (0x0E00, 0x0E7F, "th"), (0x0E80, 0x0EFF, "lo"), (0x1000, 0x109F, "my"),
        (0x10A0, 0x10FF, "ka"), (0x1100, 0x11FF, "ko"), (0x3130, 0x318F, "ko"), (0xAC00, 0xD7AF, "ko"),
        (0x1200, 0x137F, "am"), (0x1780, 0x17FF, "km"), (0x3040, 0x30FF, "kana"), (0x31F0, 0x31FF, "kana"),
        (0x3400, 0x4DBF, "han"), (0x4E00, 0x9FFF, "han"), (0xF900, 0xFAFF, "han"),
    ]
)
_SCRIPT_STARTS = [start for start, _, _ in _SCRIPT_RANGES]
NON_LATIN_RE = re.compile(
    r"[\u0370-\u03ff\u0400-\u052f\u0530-\u1fff\u3040-\u30ff\u3130-\u318f\u31f0-\u31ff\u3400-\u4dbf"
    r"\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff\ufb50-\ufdff\ufe70-\ufeff]"
)

_LANGUAGE_SAMPLE_CHARS = 2000
_MIN_LATIN_WORDS = 4
_MIN_LATIN_LETTERS = 15
_MIN_SCRIPT_LETTERS = 10  # alphabets: Cyrillic, Greek, Arabic, ...
_MIN_IDEOGRAPHS = 4  # Chinese and Japanese: one character is about a word
_CONFIDENT_LETTERS = 60  # below this many letters, confidence is scaled down


def detect_language(text: str) -> tuple[str | None, float]:
    """ISO 639-1 code of the text's language and a confidence in [0, 1]; (None, 0.0) when the text is
    too short or gives no clue. Reads only the first ~2,000 characters."""
    sample = text[:_LANGUAGE_SAMPLE_CHARS]
    # Split on spaces rather than a word regex (four times faster): a function word is rarely the
    # one that carries the comma, and the letter count needs no precision.
    words = sample.lower().split()
    letters = sum(map(len, words))
    non_latin = NON_LATIN_RE.findall(sample)
    if len(non_latin) * 2 > letters:
        return _detect_by_script(Counter(c for c in non_latin if c.isalpha()), letters)
    return _detect_latin(words, letters)


def _detect_latin(words: list[str], letters: int) -> tuple[str | None, float]:
    if len(words) < _MIN_LATIN_WORDS or letters < _MIN_LATIN_LETTERS:
        return None, 0.0
    scores = [0] * len(_LATIN_LANGUAGES)
    # Only the function words are counted (filtered in C): they are all that scores, a third of the words.
    for word, count in Counter(filter(_STOPWORD_WEIGHTS.__contains__, words)).items():
        for index, weight in _STOPWORD_WEIGHTS[word]:
            scores[index] += weight * count
    ranked = sorted(range(len(scores)), key=lambda i: (-scores[i], i))
    best, second = scores[ranked[0]], scores[ranked[1]]
    if best == 0:
        return None, 0.0
    margin = (best - second) / best
    coverage = min(1.0, best / _WEIGHT_UNIT / len(words) / 0.2)  # news prose: ~20-40% of words are these
    return _LATIN_LANGUAGES[ranked[0]], _confidence(margin * 0.5 + coverage * 0.5, letters)


def _detect_by_script(counts: Counter[str], letters: int) -> tuple[str | None, float]:
    by_script: Counter[str] = Counter()
    for char, count in counts.items():
        index = bisect_right(_SCRIPT_STARTS, ord(char)) - 1
        if index >= 0 and ord(char) <= _SCRIPT_RANGES[index][1]:
            by_script[_SCRIPT_RANGES[index][2]] += count
    # Chinese characters are also part of Japanese writing: judge kana and han together.
    by_script["cjk"] = by_script.pop("han", 0) + by_script.pop("kana", 0)
    script, count = max(by_script.items(), key=lambda item: (item[1], item[0]))
    minimum = _MIN_IDEOGRAPHS if script == "cjk" else _MIN_SCRIPT_LETTERS
    if count < minimum:
        return None, 0.0
    language = _LANGUAGE_OF_SCRIPT.get(script, lambda _counts, _n: script)(counts, count)
    # An ideograph carries about as much as three letters of an alphabet.
    size = count * 3 if script == "cjk" else count
    return language, _confidence(count / max(letters, count), size)


def _share(counts: Counter[str], chars: str, total: int) -> float:
    return sum(counts[c] for c in chars) / total


def _cyrillic_language(counts: Counter[str], total: int) -> str:
    if counts["ў"]:
        return "be"
    if _share(counts, "їєґ", total) > 0.002 or (counts["і"] and not counts["ы"]):
        return "uk"
    if _share(counts, "ѓќѕ", total) > 0.002:
        return "mk"
    if _share(counts, "ђјљњћџ", total) > 0.002:
        return "sr"
    # Bulgarian writes ъ as a common vowel and has no ы or э.
    if _share(counts, "ъ", total) > 0.01 and not counts["ы"] and not counts["э"]:
        return "bg"
    return "ru"


def _arabic_script_language(counts: Counter[str], total: int) -> str:
    if _share(counts, "ٹڈڑںے", total) > 0.01:
        return "ur"
    if _share(counts, "پچژگ", total) > 0.01:
        return "fa"
    return "ar"


def _cjk_language(counts: Counter[str], total: int) -> str:
    kana = sum(count for char, count in counts.items() if "\u3040" <= char <= "\u30ff" or "\u31f0" <= char <= "\u31ff")
    return "ja" if kana / total > 0.05 else "zh"


_LANGUAGE_OF_SCRIPT = {"cyrillic": _cyrillic_language, "arabic": _arabic_script_language, "cjk": _cjk_language}


def _confidence(raw: float, letters: int) -> float:
    """Scale a raw score down for short samples, clamp to [0, 1], round for stable output."""
    return round(max(0.0, min(1.0, raw * min(1.0, letters / _CONFIDENT_LETTERS))), 3)
