"""The model artifact on disk (format 2, models/FORMAT.md): a directory of data files, none of them code.

    <artifact>/manifest.json     format, model version, text-preparation and gazetteer-rules versions,
                                 library versions it was fitted with, and {file: {sha256, bytes}}
    <artifact>/metadata.json     fit config, data summary, validation and gold figures, labels, thresholds
    <artifact>/MODEL_CARD.md     what it is for, what it was trained on, how well it does
    <artifact>/vocabulary.tsv    the feature names, one a line, in column order
    <artifact>/weights.npz       idf, the heads' coefficients, intercepts and thresholds, the aggregate
    <artifact>/text.json         the TF-IDF settings, the body cut, whether names are masked
    <artifact>/topics.json       topic labels, length bands and passage rules of the whole-article judgement
    <artifact>/regions.json      region labels, the region rule and the region of every country
    <artifact>/focus.json        the focus model's features, coefficients and intercept (or the rule)
    <artifact>/gazetteer/*.tsv   the gazetteer's rows, frozen when the model was saved (GazetteerData)

Loading reads every file once, checks it against the manifest (a missing, extra or altered file is
refused, naming it) and only then parses it: JSON, TSV, and `.npz` with `allow_pickle=False`. Nothing
loaded is a scikit-learn object, and the gazetteer comes from the artifact, never from package data or
pycountry: an artifact's output depends only on its files and the code versions its manifest names.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import shutil
import tempfile
import time
import zipfile
from dataclasses import dataclass
from importlib.metadata import PackageNotFoundError, version as package_version
from pathlib import Path
from typing import Any

import numpy as np

from newsfeed.models.errors import ArtifactError
from newsfeed.models.gazetteer import FOCUS_FEATURES, GAZETTEER_RULES_VERSIONS, GAZETTEER_RULES_VERSION, FocusModel, Gazetteer
from newsfeed.models.gazetteer_data import FILES as GAZETTEER_FILES, GazetteerData
from newsfeed.models.pipeline import (
    LENGTH_BAND_EDGES, LENGTH_BANDS, MIN_PASSAGE_CHARS, PASSAGE_ON_TOPIC, PASSAGES_FOR_A_THEME, ArticleAggregate,
    LinearHeads, TextModel,
)
from newsfeed.models.taxonomy import COUNTRY_REGION, REGIONS, TOPICS
from newsfeed.models.text import READS_TEXT_PREP_VERSIONS, TEXT_PREP_VERSION
from newsfeed.models.tfidf import TfidfFeatures, TfidfSettings

FORMAT_VERSION = 2
MANIFEST_FILE = "manifest.json"
METADATA_FILE = "metadata.json"
MODEL_CARD_FILE = "MODEL_CARD.md"
VOCABULARY_FILE = "vocabulary.tsv"
WEIGHTS_FILE = "weights.npz"
TEXT_FILE = "text.json"
TOPICS_FILE = "topics.json"
REGIONS_FILE = "regions.json"
FOCUS_FILE = "focus.json"
GAZETTEER_DIR = "gazetteer"
# Every file of a format-2 artifact, manifest aside: no more, no fewer.
FILES = (METADATA_FILE, MODEL_CARD_FILE, VOCABULARY_FILE, WEIGHTS_FILE, TEXT_FILE, TOPICS_FILE, REGIONS_FILE,
         FOCUS_FILE, *(f"{GAZETTEER_DIR}/{name}" for name in GAZETTEER_FILES))
# A format-1 artifact is recognised by its pickle, and never loaded.
FORMAT_1_PIPELINE = "pipeline.joblib"
CONVERT_COMMAND = "newsfeed model convert"
# A region applies when one of its countries is a focus country (focus score 0.5 or more).
REGION_RULE = {"from": "focus countries", "threshold": 0.5}
_WEIGHTS = ("idf", "topic_coef", "topic_intercept", "topic_threshold", "region_coef", "region_intercept",
            "region_threshold")
_AGGREGATE = ("aggregate_coef", "aggregate_intercept", "aggregate_thresholds")


@dataclass(frozen=True)
class Model:
    """A loaded, verified artifact: what `classify_batch` needs to judge articles. `sha256` is the
    manifest's, so it names every file of the artifact. `gazetteer` is the artifact's own; a model
    that was never saved (training) has None and is served with the package's."""

    version: str
    sha256: str
    path: Path
    text_model: TextModel
    metadata: dict[str, Any]
    load_seconds: float
    gazetteer: Gazetteer | None = None


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


# --- save ----------------------------------------------------------------------------------------

def save_model(text_model: TextModel, directory: str | Path, metadata: dict[str, Any], model_card: str,
               gazetteer: GazetteerData | None = None) -> Path:
    """Write a format-2 artifact directory (which must not exist, or be empty), all at once: it is
    written beside and renamed into place. `metadata` must hold "version". The gazetteer frozen into it
    is `gazetteer`, by default the package's (the one the model was fitted with)."""
    directory = Path(directory)
    if "version" not in metadata:
        raise ArtifactError(f"{directory}: metadata lacks 'version'")
    if directory.exists() and any(directory.iterdir()):
        raise ArtifactError(f"{directory} exists and is not empty; an artifact is written once")
    gazetteer = gazetteer if gazetteer is not None else GazetteerData.from_package()
    files = _artifact_files(text_model, metadata, model_card, gazetteer)
    manifest = {
        "format_version": FORMAT_VERSION,
        "version": str(metadata["version"]),
        "text_prep_version": TEXT_PREP_VERSION,
        "gazetteer_rules_version": GAZETTEER_RULES_VERSION,
        "fitted_with": {name: _installed(name) for name in ("numpy", "scipy", "scikit-learn", "pycountry")},
        "files": {name: {"sha256": hashlib.sha256(data).hexdigest(), "bytes": len(data)}
                  for name, data in sorted(files.items())},
    }
    files[MANIFEST_FILE] = _json(manifest)
    try:
        directory.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(dir=directory.parent, prefix=f".{directory.name}."))
    except OSError as exc:
        raise ArtifactError(f"{directory}: cannot be written: {exc.strerror or exc}") from exc
    try:
        for name, data in files.items():
            (staging / name).parent.mkdir(exist_ok=True)
            (staging / name).write_bytes(data)
            os.chmod(staging / name, 0o644)
        os.chmod(staging, 0o755)  # mkdtemp makes it private; the worker may run as another user
        if directory.exists():
            directory.rmdir()
        os.replace(staging, directory)
    except OSError as exc:  # a full disk, a permission: the half-written copy goes, the target is untouched
        shutil.rmtree(staging, ignore_errors=True)
        raise ArtifactError(f"{directory}: cannot be written: {exc.strerror or exc}") from exc
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return directory


def _artifact_files(text_model: TextModel, metadata: dict[str, Any], model_card: str,
                    gazetteer: GazetteerData) -> dict[str, bytes]:
    vectorizer = text_model.vectorizer
    features = vectorizer if isinstance(vectorizer, TfidfFeatures) else TfidfFeatures.from_vectorizer(vectorizer)
    names = [str(name) for name in features.names]
    if any("\n" in name or "\t" in name for name in names):
        raise ArtifactError("a feature name holds a tab or line break: the vocabulary cannot be one per line")
    topics, regions = text_model.topic_heads, text_model.region_heads
    arrays = {"idf": features.idf, "topic_coef": topics.coef, "topic_intercept": topics.intercept,
              "topic_threshold": topics.threshold, "region_coef": regions.coef,
              "region_intercept": regions.intercept, "region_threshold": regions.threshold}
    if text_model.aggregate is not None:
        arrays |= {"aggregate_coef": text_model.aggregate.coef, "aggregate_intercept": text_model.aggregate.intercept,
                   "aggregate_thresholds": text_model.aggregate.thresholds}
    weights = io.BytesIO()
    np.savez_compressed(weights, **{name: np.asarray(value) for name, value in arrays.items()})
    focus = text_model.focus
    row_counts = gazetteer.row_counts()
    full_metadata = {
        **metadata,
        "format_version": FORMAT_VERSION,
        "text_prep_version": TEXT_PREP_VERSION,
        "topics": list(text_model.topics),
        "regions": list(text_model.regions),
        "thresholds": text_model.thresholds(),
        "features": len(names),
        "gazetteer_rows": row_counts,
    }
    return {
        METADATA_FILE: _json(full_metadata),
        MODEL_CARD_FILE: (model_card.rstrip("\n") + "\n\n" + _gazetteer_card(row_counts)).encode("utf-8"),
        VOCABULARY_FILE: "".join(f"{name}\n" for name in names).encode("utf-8"),
        WEIGHTS_FILE: weights.getvalue(),
        TEXT_FILE: _json({**features.settings.as_dict(), "max_body_chars": text_model.max_body_chars,
                          "masks_names": bool(text_model.masks_names)}),
        TOPICS_FILE: _json({"labels": list(topics.labels), "aggregate": text_model.aggregate is not None,
                            "length_band_edges": list(LENGTH_BAND_EDGES), "length_bands": list(LENGTH_BANDS),
                            "min_passage_chars": MIN_PASSAGE_CHARS, "passages_for_a_theme": PASSAGES_FOR_A_THEME,
                            "passage_on_topic": PASSAGE_ON_TOPIC}),
        REGIONS_FILE: _json({"labels": list(regions.labels), "rule": REGION_RULE,
                             "country_regions": dict(sorted(COUNTRY_REGION.items()))}),
        FOCUS_FILE: _json({"features": list(FOCUS_FEATURES),
                           "coef": None if focus is None else [float(w) for w in focus.coef],
                           "intercept": None if focus is None else float(focus.intercept)}),
        **{f"{GAZETTEER_DIR}/{name}": data for name, data in gazetteer.files.items()},
    }


# The section save_model appends to every card, counting the frozen gazetteer's rows.
GAZETTEER_CARD_HEADING = "## Gazetteer"


def authored_card(card: str) -> str:
    """A saved card as its author wrote it, without the section save_model appended: the card to give
    save_model when an artifact is written again (it appends the section anew)."""
    return card.split(f"\n{GAZETTEER_CARD_HEADING}\n")[0]


def _gazetteer_card(row_counts: dict[str, int]) -> str:
    rows = ", ".join(f"{count} rows of `{name}`" for name, count in row_counts.items())
    return (f"{GAZETTEER_CARD_HEADING}\n\nThe country gazetteer is part of this artifact (`gazetteer/`), frozen when it was saved: "
            f"{rows}. Editing `models/data/` or upgrading pycountry does not change this model's output; "
            "a gazetteer fix ships as a new model version.\n")


# --- load ----------------------------------------------------------------------------------------

def read_metadata(directory: str | Path) -> dict[str, Any]:
    path = Path(directory) / METADATA_FILE
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ArtifactError(f"{directory}: not a model artifact (no {METADATA_FILE})") from None
    except (OSError, ValueError) as exc:
        raise ArtifactError(f"{path}: unreadable metadata: {exc}") from exc


def artifact_digest(directory: str | Path) -> str:
    """The sha256 of an artifact's manifest, which names the sha256 of each of its files."""
    path = Path(directory) / MANIFEST_FILE
    if not path.is_file():
        raise ArtifactError(_not_format_2(Path(directory)))
    return sha256_of(path)


def artifact_bytes(directory: str | Path) -> int:
    """The size of an artifact on disk: all its files."""
    return sum(path.stat().st_size for path in Path(directory).rglob("*") if path.is_file())


def verified_files(directory: str | Path) -> tuple[dict[str, Any], dict[str, bytes]]:
    """The manifest and the bytes of every file it lists, refused (ArtifactError naming the file) when
    a file is missing, extra, or not the size and sha256 the manifest gives."""
    directory = Path(directory)
    manifest_path = directory / MANIFEST_FILE
    if not manifest_path.is_file():
        raise ArtifactError(_not_format_2(directory))
    try:
        manifest_bytes = manifest_path.read_bytes()
        manifest = json.loads(manifest_bytes)
        listed = manifest["files"]
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise ArtifactError(f"{manifest_path}: unreadable manifest: {exc}") from exc
    if not isinstance(manifest, dict) or not isinstance(listed, dict) or not all(
            isinstance(entry, dict) for entry in listed.values()):
        raise ArtifactError(f"{manifest_path}: unreadable manifest: files is not a table of sha256 and bytes")
    if manifest.get("format_version") != FORMAT_VERSION:
        raise ArtifactError(f"{directory}: artifact format {manifest.get('format_version')}, this code reads "
                            f"{FORMAT_VERSION}")
    for name in FILES:
        if name not in listed:
            raise ArtifactError(f"{manifest_path}: does not list {name}")
    present = {path.relative_to(directory).as_posix() for path in directory.rglob("*") if not path.is_dir()}
    for name in sorted(present - set(listed) - {MANIFEST_FILE}):
        raise ArtifactError(f"{directory / name}: not in the manifest; an artifact holds only the files it lists")
    for name in sorted(set(listed) - set(FILES)):
        raise ArtifactError(f"{manifest_path}: lists {name}, which is no part of format {FORMAT_VERSION}")
    files = {}
    for name in FILES:
        path = directory / name
        try:
            data = path.read_bytes()
        except FileNotFoundError:
            raise ArtifactError(f"{path}: missing (listed in the manifest)") from None
        except OSError as exc:
            raise ArtifactError(f"{path}: unreadable: {exc.strerror or exc}") from exc
        expected = listed[name]
        actual = hashlib.sha256(data).hexdigest()
        if len(data) != expected.get("bytes") or actual != expected.get("sha256"):
            raise ArtifactError(f"{path}: sha256 {actual[:12]}… ({len(data)} bytes) does not match the manifest's "
                                f"{str(expected.get('sha256'))[:12]}… ({expected.get('bytes')} bytes); "
                                "the file is corrupted or was replaced")
        files[name] = data
    files[MANIFEST_FILE] = manifest_bytes
    return manifest, files


def load_model(directory: str | Path) -> Model:
    """Load an artifact, refusing it (ArtifactError, with the reason) unless every check passes."""
    started = time.perf_counter()
    directory = Path(directory)
    manifest, files = verified_files(directory)
    _check_compatible(directory, manifest)
    metadata = _parse_json(files, METADATA_FILE)
    if str(metadata.get("version")) != str(manifest.get("version")):
        raise ArtifactError(f"{directory}: {METADATA_FILE} says version {metadata.get('version')}, "
                            f"{MANIFEST_FILE} {manifest.get('version')}")
    try:
        text_model, country_regions = _text_model(files)
    except (KeyError, TypeError, ValueError) as exc:  # a field missing or of the wrong kind in a verified file
        raise ArtifactError(f"{directory}: a model file lacks what format {FORMAT_VERSION} puts in it: "
                            f"{type(exc).__name__}: {exc}") from exc
    except ArtifactError as exc:
        raise ArtifactError(f"{directory}: {exc}") from exc
    gazetteer_data = GazetteerData({name: files[f"{GAZETTEER_DIR}/{name}"] for name in GAZETTEER_FILES})
    try:
        gazetteer = Gazetteer.from_data(gazetteer_data, country_regions, manifest["gazetteer_rules_version"])
    except (ValueError, IndexError, UnicodeDecodeError) as exc:
        raise ArtifactError(f"{directory / GAZETTEER_DIR}: cannot build the gazetteer: {exc}") from exc
    return Model(
        version=str(manifest["version"]),
        sha256=hashlib.sha256(files[MANIFEST_FILE]).hexdigest(),
        path=directory,
        text_model=text_model,
        metadata=metadata,
        load_seconds=time.perf_counter() - started,
        gazetteer=gazetteer,
    )


def _text_model(files: dict[str, bytes]) -> tuple[TextModel, dict[str, str]]:
    """The text model and the region map of verified artifact files; a file that does not hold what the
    format says is refused, naming it."""
    text, topics, regions = (_parse_json(files, name) for name in (TEXT_FILE, TOPICS_FILE, REGIONS_FILE))
    focus = _parse_json(files, FOCUS_FILE)
    try:
        with np.load(io.BytesIO(files[WEIGHTS_FILE]), allow_pickle=False) as npz:
            arrays = {name: npz[name] for name in npz.files}
    except (ValueError, OSError, zipfile.BadZipFile) as exc:  # allow_pickle=False: an object array is a ValueError
        raise ArtifactError(f"{WEIGHTS_FILE}: unreadable: {exc}") from exc
    _expect(all(array.dtype.kind == "f" for array in arrays.values()), f"{WEIGHTS_FILE}: holds arrays that are not floats")
    wanted = set(_WEIGHTS) | (set(_AGGREGATE) if topics.get("aggregate") else set())
    if set(arrays) != wanted:
        raise ArtifactError(f"{WEIGHTS_FILE}: holds {sorted(arrays)}, expected {sorted(wanted)}")
    names = files[VOCABULARY_FILE].decode("utf-8").split("\n")[:-1]
    _expect(topics.get("labels") == list(TOPICS) and regions.get("labels") == list(REGIONS),
            f"labels {topics.get('labels')}/{regions.get('labels')} differ from this version's")
    rules = {"length_band_edges": list(LENGTH_BAND_EDGES), "min_passage_chars": MIN_PASSAGE_CHARS,
             "passages_for_a_theme": PASSAGES_FOR_A_THEME, "passage_on_topic": PASSAGE_ON_TOPIC}
    for key, value in rules.items():
        _expect(topics.get(key) == value, f"{TOPICS_FILE}: {key} {topics.get(key)!r}; this code judges with {value!r}")
    _expect(regions.get("rule") == REGION_RULE, f"{REGIONS_FILE}: rule {regions.get('rule')!r}; this code applies {REGION_RULE!r}")
    _expect(focus.get("features") == list(FOCUS_FEATURES), f"{FOCUS_FILE}: focus features differ from this code's")
    n = len(names)
    shapes = {"idf": (n,), "topic_coef": (len(TOPICS), n), "topic_intercept": (len(TOPICS),),
              "topic_threshold": (len(TOPICS),), "region_coef": (len(REGIONS), n),
              "region_intercept": (len(REGIONS),), "region_threshold": (len(REGIONS),)}
    for name, shape in shapes.items():
        _expect(arrays[name].shape == shape, f"{WEIGHTS_FILE}: {name} has shape {arrays[name].shape}, expected {shape}")
    tfidf = TfidfFeatures(names, arrays["idf"], TfidfSettings.from_dict(text))
    aggregate = None
    if topics.get("aggregate"):
        aggregate = ArticleAggregate(arrays["aggregate_coef"], arrays["aggregate_intercept"], arrays["aggregate_thresholds"])
        _expect(aggregate.thresholds.shape == (len(TOPICS), len(LENGTH_BANDS)),
                f"{WEIGHTS_FILE}: aggregate_thresholds has shape {aggregate.thresholds.shape}")
    model = TextModel(tfidf, LinearHeads(tuple(TOPICS), arrays["topic_coef"], arrays["topic_intercept"], arrays["topic_threshold"]),
                      LinearHeads(tuple(REGIONS), arrays["region_coef"], arrays["region_intercept"], arrays["region_threshold"]),
                      int(text["max_body_chars"]), aggregate)
    model.masks_names = bool(text.get("masks_names", False))
    if focus.get("coef") is not None:
        _expect(len(focus["coef"]) == len(FOCUS_FEATURES), f"{FOCUS_FILE}: {len(focus['coef'])} coefficients")
        model.focus = FocusModel([float(w) for w in focus["coef"]], float(focus["intercept"]))
    country_regions = regions.get("country_regions")
    _expect(isinstance(country_regions, dict) and set(country_regions.values()) <= set(REGIONS),
            f"{REGIONS_FILE}: country_regions names regions outside {REGIONS}")
    return model, country_regions


def _check_compatible(directory: Path, manifest: dict[str, Any]) -> None:
    for key in ("version", "text_prep_version", "gazetteer_rules_version"):
        if key not in manifest:
            raise ArtifactError(f"{directory}: {MANIFEST_FILE} lacks {key!r}")
    if manifest["text_prep_version"] not in READS_TEXT_PREP_VERSIONS:
        raise ArtifactError(
            f"{directory}: trained with text preparation v{manifest['text_prep_version']}, "
            f"this code prepares text as v{TEXT_PREP_VERSION}; retrain the model"
        )
    if manifest["gazetteer_rules_version"] not in GAZETTEER_RULES_VERSIONS:
        raise ArtifactError(
            f"{directory}: saved with gazetteer rules v{manifest['gazetteer_rules_version']}, this code applies "
            f"v{GAZETTEER_RULES_VERSION}; retrain the model"
        )


def _not_format_2(directory: Path) -> str:
    if (directory / FORMAT_1_PIPELINE).is_file():
        return (f"{directory}: a format-1 (pickle) artifact, which this code does not load; convert it once with "
                f"`{CONVERT_COMMAND} {directory} NEW_DIR`")
    if (directory / METADATA_FILE).is_file():
        return f"{directory}: no {MANIFEST_FILE}; not a format-{FORMAT_VERSION} artifact"
    return f"{directory}: not a model artifact (no {MANIFEST_FILE})"


def _parse_json(files: dict[str, bytes], name: str) -> dict[str, Any]:
    try:
        value = json.loads(files[name])
    except ValueError as exc:
        raise ArtifactError(f"{name}: not JSON: {exc}") from exc
    _expect(isinstance(value, dict), f"{name}: not a JSON object")
    return value


def _expect(condition: bool, message: str) -> None:
    if not condition:
        raise ArtifactError(message)


def _json(value: Any) -> bytes:
    return (json.dumps(value, indent=2, sort_keys=True, ensure_ascii=False) + "\n").encode("utf-8")


def _installed(distribution: str) -> str | None:
    try:
        return package_version(distribution)
    except PackageNotFoundError:
        return None
