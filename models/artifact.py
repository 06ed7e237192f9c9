"""The model artifact on disk: one directory holding the fitted pipeline, its metadata and its card.

    <artifact>/pipeline.joblib   the fitted text model (vectorizer + per-label linear models)
    <artifact>/metadata.json     version, sha256 of pipeline.joblib, labels, thresholds, versions, metrics
    <artifact>/MODEL_CARD.md     what it is for, what it was trained on, how well it does

The pipeline file is a pickle, so it is unpickled only after its sha256 matches the metadata:
a corrupted or swapped file is refused before any of its code can run.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import joblib
import sklearn

from models.errors import ArtifactError
from models.pipeline import TextModel
from models.taxonomy import REGIONS, TOPICS
from models.text import READS_TEXT_PREP_VERSIONS, TEXT_PREP_VERSION

PIPELINE_FILE = "pipeline.joblib"
METADATA_FILE = "metadata.json"
MODEL_CARD_FILE = "MODEL_CARD.md"
FORMAT_VERSION = 1


@dataclass(frozen=True)
class Model:
    """A loaded, verified artifact: what `classify_batch` needs to judge articles."""

    version: str
    sha256: str
    path: Path
    text_model: TextModel
    metadata: dict[str, Any]
    load_seconds: float


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def save_model(text_model: TextModel, directory: str | Path, metadata: dict[str, Any], model_card: str) -> Path:
    """Write an artifact directory; the metadata gains the pipeline's sha256 and the format versions."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    pipeline_path = directory / PIPELINE_FILE
    joblib.dump(text_model, pipeline_path, compress=3)
    full_metadata = {
        **metadata,
        "sha256": sha256_of(pipeline_path),
        "format_version": FORMAT_VERSION,
        "text_prep_version": TEXT_PREP_VERSION,
        "sklearn_version": sklearn.__version__,
        "topics": list(text_model.topics),
        "regions": list(text_model.regions),
        "thresholds": text_model.thresholds(),
    }
    _write_atomically(directory / METADATA_FILE, json.dumps(full_metadata, indent=2, sort_keys=True) + "\n")
    _write_atomically(directory / MODEL_CARD_FILE, model_card)
    return directory


def read_metadata(directory: str | Path) -> dict[str, Any]:
    path = Path(directory) / METADATA_FILE
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ArtifactError(f"{directory}: not a model artifact (no {METADATA_FILE})") from None
    except (OSError, ValueError) as exc:
        raise ArtifactError(f"{path}: unreadable metadata: {exc}") from exc


def load_model(directory: str | Path) -> Model:
    """Load an artifact, refusing it (ArtifactError, with the reason) unless every check passes."""
    started = time.perf_counter()
    directory = Path(directory)
    metadata = read_metadata(directory)
    _check_compatible(directory, metadata)
    pipeline_path = directory / PIPELINE_FILE
    if not pipeline_path.is_file():
        raise ArtifactError(f"{directory}: {PIPELINE_FILE} is missing")
    actual = sha256_of(pipeline_path)
    if actual != metadata.get("sha256"):
        raise ArtifactError(
            f"{pipeline_path}: sha256 {actual[:12]}… does not match metadata {str(metadata.get('sha256'))[:12]}…; "
            "the file is corrupted or was replaced"
        )
    try:
        text_model = joblib.load(pipeline_path)
    except Exception as exc:  # a pickle can fail in many ways; all of them mean "unusable artifact"
        raise ArtifactError(f"{pipeline_path}: cannot be loaded: {type(exc).__name__}: {exc}") from exc
    if not isinstance(text_model, TextModel):
        raise ArtifactError(f"{pipeline_path}: holds a {type(text_model).__name__}, not a TextModel")
    if list(text_model.topics) != list(TOPICS) or list(text_model.regions) != list(REGIONS):
        raise ArtifactError(f"{directory}: labels {text_model.topics}/{text_model.regions} differ from this version's")
    return Model(
        version=str(metadata["version"]),
        sha256=actual,
        path=directory,
        text_model=text_model,
        metadata=metadata,
        load_seconds=time.perf_counter() - started,
    )


def _check_compatible(directory: Path, metadata: dict[str, Any]) -> None:
    for key in ("version", "sha256", "format_version", "text_prep_version"):
        if key not in metadata:
            raise ArtifactError(f"{directory}: metadata lacks {key!r}")
    if metadata["format_version"] != FORMAT_VERSION:
        raise ArtifactError(f"{directory}: artifact format {metadata['format_version']}, this code reads {FORMAT_VERSION}")
    if metadata["text_prep_version"] not in READS_TEXT_PREP_VERSIONS:
        raise ArtifactError(
            f"{directory}: trained with text preparation v{metadata['text_prep_version']}, "
            f"this code prepares text as v{TEXT_PREP_VERSION}; retrain the model"
        )


def _write_atomically(path: Path, content: str) -> None:
    handle, temp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    with os.fdopen(handle, "w", encoding="utf-8") as out:
        out.write(content)
    os.chmod(temp, 0o644)  # mkstemp makes files private; artifacts are meant to be read by the worker's user
    os.replace(temp, path)
