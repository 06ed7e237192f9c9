"""`newsfeed model convert`: a format-1 artifact (a joblib pickle) rewritten once as format 2.

This is the one place that still unpickles a model, so it is a deliberate, offline step: the pickle is
unpickled only after its sha256 matches the one its metadata records, and the result is written as
data files that load without running code. The gazetteer frozen into the new artifact is the package's
at conversion time: the one the format-1 model was being served with. It needs scikit-learn and joblib
(the pickle holds a scikit-learn vectorizer); serving the converted artifact needs neither.
"""

from __future__ import annotations

import importlib
import pkgutil
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from newsfeed.models.artifact import (
    FORMAT_1_PIPELINE, MANIFEST_FILE, MODEL_CARD_FILE, Model, authored_card, load_model, read_metadata, save_model, sha256_of,
)
from newsfeed.models.errors import ArtifactError
from newsfeed.models.pipeline import TextModel
from newsfeed.models.text import READS_TEXT_PREP_VERSIONS


def convert_model(source: str | Path, target: str | Path) -> Model:
    """Read the format-1 artifact `source`, write it as format 2 to `target` (which must not exist or be
    empty) with the same version, and return the loaded result."""
    source, target = Path(source), Path(target)
    if (source / MANIFEST_FILE).is_file():
        raise ArtifactError(f"{source}: already a format-2 artifact; nothing to convert")
    pipeline = source / FORMAT_1_PIPELINE
    if not pipeline.is_file():
        raise ArtifactError(f"{source}: not a format-1 artifact (no {FORMAT_1_PIPELINE})")
    metadata = read_metadata(source)
    for key in ("version", "sha256", "text_prep_version"):
        if key not in metadata:
            raise ArtifactError(f"{source / 'metadata.json'}: lacks {key!r}")
    if metadata["text_prep_version"] not in READS_TEXT_PREP_VERSIONS:
        raise ArtifactError(f"{source}: trained with text preparation v{metadata['text_prep_version']}, which this "
                            "code does not serve; retrain instead of converting")
    actual = sha256_of(pipeline)
    if actual != metadata["sha256"]:
        raise ArtifactError(f"{pipeline}: sha256 {actual[:12]}… does not match metadata {str(metadata['sha256'])[:12]}…; "
                            "the file is corrupted or was replaced, and is not unpickled")
    text_model = _unpickle(pipeline)
    card_path = source / MODEL_CARD_FILE
    card = card_path.read_text(encoding="utf-8") if card_path.is_file() else f"# Model {metadata['version']}\n"
    card = authored_card(card)  # a converted card keeps one copy of the gazetteer section
    converted = {key: value for key, value in metadata.items() if key not in ("sha256", "format_version")}
    converted["converted_from"] = {"format_version": metadata.get("format_version", 1), "sha256": actual}
    save_model(text_model, target, converted, card)
    return load_model(target)


def _unpickle(pipeline: Path) -> TextModel:
    import joblib  # only here: nothing else in the project reads a pickle

    try:
        with _format_1_module_names():
            text_model = joblib.load(pipeline)
    except Exception as exc:  # a pickle can fail in many ways; all of them mean "unusable artifact"
        raise ArtifactError(f"{pipeline}: cannot be loaded: {type(exc).__name__}: {exc}") from exc
    if not isinstance(text_model, TextModel):
        raise ArtifactError(f"{pipeline}: holds a {type(text_model).__name__}, not a TextModel")
    return text_model



@contextmanager
def _format_1_module_names() -> Iterator[None]:
    """Let a format-1 pickle find its classes, for the length of the unpickling only.

    Format-1 artifacts were written before the package took one import name, so their pickles name
    `models.pipeline`, `models.tfidf`, ...: modules that are `newsfeed.models.*` now, and that an
    installed package must not provide as `models` (the name would collide with other projects').
    Unpickling imports a class's module by name through sys.modules, so each old name points at its
    new module while joblib reads, and whatever those names held before (nothing, or some other
    project's `models`) is put back afterwards. Process-wide while it lasts: fine for a one-off
    offline command, which is the only caller.
    """
    from newsfeed import models

    aliases = {"models": models}
    for module in pkgutil.iter_modules(models.__path__):
        aliases[f"models.{module.name}"] = importlib.import_module(f"{models.__name__}.{module.name}")
    missing = object()
    before = {name: sys.modules.get(name, missing) for name in aliases}
    sys.modules.update(aliases)
    try:
        yield
    finally:
        for name, previous in before.items():
            if previous is missing:
                sys.modules.pop(name, None)
            else:
                sys.modules[name] = previous
