"""Model hot reload: follow a registry's `current` pointer and swap in verified models between batches.

The worker asks `ModelWatcher.model` for its model once per batch, so a new model serves from the next
batch on and every output record names the version that produced it. A background thread reads the
pointer every poll interval. A version it has not seen is loaded (the artifact loader checks the
sha256 and the labels) and given a smoke classification before it is handed over. A version that fails
any of this is refused: the old model keeps serving, `newsfeed_model_reloads_total{result="refused"}`
counts it and a warning says why. A refused artifact is tried again only once its files change.

`newsfeed promote` moves the pointer; rolling back is promoting the previous version (`--to`).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from newsfeed.models.errors import NewsfeedError, RegistryError
from newsfeed.models.model_registry import CURRENT_FILE, SHIPPED_REGISTRY, current_version_dir
from newsfeed.models.schema import STATUSES, Article
from newsfeed.models.taxonomy import TOPICS
from newsfeed.stream.metrics import Metrics

log = logging.getLogger(__name__)

SMOKE_ARTICLE = Article(
    id="newsfeed-smoke-test",
    title="Foreign ministers meet as a satellite launch is delayed",
    text="The foreign ministers met in Geneva for talks on a ceasefire, while the space agency delayed "
         "the launch of a weather satellite into orbit and the defence ministry announced exercises.",
)


class SmokeCheckError(NewsfeedError):
    """A new artifact loaded, but its smoke classification came out malformed."""


def watched_registry(model_dir: str | None) -> Path | None:
    """The registry whose pointer to follow: the shipped one by default, a registry given as one;
    None when `model_dir` names one artifact (there is nothing to follow)."""
    if model_dir is None:
        return SHIPPED_REGISTRY
    return Path(model_dir) if (Path(model_dir) / CURRENT_FILE).is_file() else None


def smoke_check(classify: Callable[[Sequence[Article], Any], list[Any]]) -> Callable[[Any], None]:
    """A check that a loaded model classifies one known article into a well-formed enrichment."""

    def check(model: Any) -> None:
        (enrichment,) = classify([SMOKE_ARTICLE], model)
        if enrichment.status not in STATUSES or set(enrichment.topic_scores) != set(TOPICS):
            raise SmokeCheckError(f"smoke classification gave status {enrichment.status!r} and topic scores "
                               f"for {sorted(enrichment.topic_scores)}")
        if not all(0.0 <= score <= 1.0 for score in enrichment.topic_scores.values()):
            raise SmokeCheckError(f"smoke classification gave scores outside [0, 1]: {enrichment.topic_scores}")
        if enrichment.model.version != model.version:
            raise SmokeCheckError(f"enrichments name version {enrichment.model.version}, the artifact {model.version}")

    return check


class ModelWatcher:
    """Holds the serving model; `check` (or the thread `start` runs) swaps in a new verified one."""

    def __init__(self, registry: Path, model: Any, load: Callable[[Path], Any], verify: Callable[[Any], None],
                 metrics: Metrics, interval_s: float):
        self._registry = registry
        self._model = model
        self._load, self._verify = load, verify
        self._metrics = metrics
        self._interval_s = interval_s
        self._refused: tuple[Path, tuple[int, ...]] | None = None
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def model(self) -> Any:
        """The model to use for the next batch (the worker's model source)."""
        return self._model

    def check(self) -> bool:
        """Read the pointer once; True if a new model was loaded, verified and handed over."""
        try:
            directory = current_version_dir(self._registry)
        except (RegistryError, OSError) as exc:  # e.g. a pointer naming a missing version: keep serving, say why
            return self._refuse(self._registry / CURRENT_FILE, (), exc)
        if directory.resolve() == Path(self._model.path).resolve():
            self._refused = None  # pointing back at the serving model (a rollback) clears any refusal
            return False
        stamp = _stamp(directory)
        if self._refused == (directory, stamp):
            return False
        try:
            model = self._load(directory)
            self._verify(model)
        except Exception as exc:  # an artifact can be broken in any way; none of them may stop the worker
            return self._refuse(directory, stamp, exc)
        self._model, self._refused = model, None
        self._metrics.model_reloads.labels("loaded").inc()
        self._metrics.model_load_seconds.set(model.load_seconds)
        log.info("model loaded; serving it from the next batch",
                 extra={"version": model.version, "sha256": model.sha256, "seconds": round(model.load_seconds, 3)})
        return True

    def _refuse(self, path: Path, stamp: tuple[int, ...], exc: Exception) -> bool:
        if self._refused != (path, stamp):
            self._refused = (path, stamp)
            self._metrics.model_reloads.labels("refused").inc()
            log.warning("model refused; the old one keeps serving",
                        extra={"path": str(path), "serving": self._model.version,
                               "reason": f"{type(exc).__name__}: {exc}"})
        return False

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="model-watcher", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.wait(self._interval_s):
            self.check()

    def close(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join()


def _stamp(directory: Path) -> tuple[int, ...]:
    """When and how big the artifact's files are, so a refused artifact that is fixed is tried again."""
    stamp: list[int] = []
    # Every file, those of the artifact's gazetteer/ folder included: one fixed in place is tried again.
    for path in sorted(p for p in directory.rglob("*") if p.is_file()) if directory.is_dir() else []:
        info = path.stat()
        stamp += [info.st_mtime_ns, info.st_size]
    return tuple(stamp)
