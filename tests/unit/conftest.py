"""A tiny model trained in-process on a handful of sentences, so model-layer tests need no data dir."""

from __future__ import annotations

import contextlib
import logging
import sys
import types
from dataclasses import dataclass

import pytest

from newsfeed.models.artifact import load_model, save_model
from newsfeed.training.fit import FitConfig, fit_text_model

_SENTENCES = {
    ("diplomacy",): [
        "The foreign minister met the ambassador for talks on a new trade treaty between the two governments",
        "Leaders held a summit and signed an agreement to restore diplomatic relations and reopen embassies",
        "The United Nations Security Council adopted a resolution after negotiations between envoys",
        "Sanctions were imposed on the regime as diplomats were expelled from the embassy",
    ],
    ("space",): [
        "The rocket launched a communications satellite into orbit from the cosmodrome",
        "Astronauts aboard the International Space Station tested a new spacecraft docking system",
        "The space telescope observed a distant galaxy and an asteroid passing the Moon",
        "The lunar lander touched down near the south pole of the Moon on its mission",
    ],
    ("defence",): [
        "Troops and tanks advanced as the army launched a military offensive with artillery strikes",
        "The defence ministry announced a missile test and new fighter jets for the air force",
        "Airstrikes hit military positions as armed forces fought insurgents near the front line",
        "Soldiers from the NATO alliance joined a naval exercise with warships and submarines",
    ],
    (): [
        "The football club won the championship final with a late goal in the stadium",
        "Shares of the retailer rose after quarterly profits beat analyst expectations on the stock market",
        "The film festival awarded its top prize to a drama about a family farm",
        "Heavy rain caused flooding in the valley and the weather service issued a warning",
        "The company released a new smartphone with a faster chip and a larger screen",
        "Local elections saw the mayor reelected after a campaign focused on housing and schools",
    ],
}


@dataclass(frozen=True)
class _Example:
    id: str
    title: str
    text: str
    topics: frozenset[str]
    regions: frozenset[str]
    weight: float = 1.0


def tiny_examples() -> list[_Example]:
    examples = []
    for labels, sentences in _SENTENCES.items():
        for n, sentence in enumerate(sentences):
            for copy in range(3):  # repeated so both the fit and the validation split see every label
                regions = frozenset({"europe"}) if n % 2 == 0 else frozenset()
                examples.append(_Example(f"{labels}-{n}-{copy}", "", sentence, frozenset(labels), regions))
    return examples


@pytest.fixture(scope="session")
def tiny_fit():
    """The tiny model as fitted (scikit-learn vectorizer), with its validation figures; not to be modified."""
    return fit_text_model(tiny_examples(), FitConfig(min_df=1, validation_share=0.25), progress=lambda _: None)


@pytest.fixture(scope="session")
def tiny_model_dir(tmp_path_factory, tiny_fit):
    text_model, validation = tiny_fit
    directory = tmp_path_factory.mktemp("artifact") / "tiny-1"
    return save_model(text_model, directory, {"version": "tiny-1", "validation": validation}, "# tiny test model\n")


@pytest.fixture(scope="session")
def write_format_1():
    """A function writing an artifact as the code before format 2 did: the pickled TextModel, its sha256 in
    the metadata, a card."""
    return _write_format_1


def _write_format_1(text_model, directory, version: str):
    import hashlib
    import json

    import joblib

    directory.mkdir(parents=True)
    with _pre_namespace_module_names():
        joblib.dump(text_model, directory / "pipeline.joblib", compress=3)
    digest = hashlib.sha256((directory / "pipeline.joblib").read_bytes()).hexdigest()
    metadata = {"version": version, "sha256": digest, "format_version": 1, "text_prep_version": "2",
                "topics": list(text_model.topics), "regions": list(text_model.regions)}
    (directory / "metadata.json").write_text(json.dumps(metadata))
    (directory / "MODEL_CARD.md").write_text(f"# {version}\n")
    return directory


@contextlib.contextmanager
def _pre_namespace_module_names():
    """Pickle as the code that wrote format 1 did: its modules were `models.*`, not `newsfeed.models.*`.

    A pickle names a class or function by its `__module__`, and checks that the name leads back to it
    through sys.modules; both are renamed for the length of the dump, then restored.
    """
    import newsfeed.models

    renamed, aliases = [], {"models": newsfeed.models}
    for name, module in list(sys.modules.items()):
        if name.startswith("newsfeed.models."):
            aliases[name.removeprefix("newsfeed.")] = module
            for value in vars(module).values():
                if isinstance(value, type | types.FunctionType) and value.__module__ == name:
                    renamed.append((value, name))
    before = {name: sys.modules.get(name) for name in aliases}
    sys.modules.update(aliases)
    for value, name in renamed:
        value.__module__ = name.removeprefix("newsfeed.")
    try:
        yield
    finally:
        for value, name in renamed:
            value.__module__ = name
        for name, previous in before.items():
            if previous is None:
                del sys.modules[name]
            else:
                sys.modules[name] = previous


@pytest.fixture(scope="session")
def tiny_model(tiny_model_dir):
    return load_model(tiny_model_dir)


@pytest.fixture
def restore_logging():
    """The CLI takes over the root logger, as a process should; give it back after each test."""
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    yield
    root.handlers[:] = handlers
    root.setLevel(level)
