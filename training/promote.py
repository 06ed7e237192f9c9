"""`newsfeed promote`: a quality gate against the current champion, then an atomic switch.

The gate compares both models item by item on the hand-labelled gold set. For each topic and region
label it counts the candidate's net new errors: items the champion labelled right and the candidate
wrong, less the reverse. A candidate is refused when any label has more than max(2 items, 1% of the
gold set) net new errors, or when its topic macro F1 is lower. It also gives the paired bootstrap 90%
interval of the macro F1 difference, so a person sees how much of a gain is noise.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

from newsfeed.models.artifact import Model, load_model
from newsfeed.models.errors import RegistryError
from newsfeed.models.model_registry import add_version, current_version_dir, set_current
from newsfeed.models.taxonomy import REGIONS, TOPICS
from newsfeed.training import scoring
from newsfeed.training.evaluate import Scored, evaluate_gold

MIN_NET_NEW_ERRORS = 2
NET_NEW_ERROR_SHARE = 0.01
BOOTSTRAP_SAMPLES = 2000
BOOTSTRAP_SEED = 20261203


@dataclass(frozen=True)
class GateResult:
    passed: bool
    reasons: list[str]
    candidate: dict[str, float]
    champion: dict[str, float] | None
    net_new_errors: dict[str, int] | None = None
    macro_difference_interval: tuple[float, float] | None = None


def gate(candidate: Model, champion: Model | None, data_dir: str | Path) -> GateResult:
    candidate_rows = _gold_rows(candidate, data_dir)
    candidate_f1 = _f1(candidate_rows)
    if champion is None:
        return GateResult(True, ["no current champion: the first model is promoted"], candidate_f1, None)
    champion_rows = _gold_rows(champion, data_dir)
    champion_f1 = _f1(champion_rows)
    net = net_new_errors(champion_rows, candidate_rows)
    reasons = gate_reasons(candidate_f1, champion_f1, net, len(candidate_rows))
    interval = bootstrap_macro_difference(champion_rows, candidate_rows)
    return GateResult(not reasons, reasons, candidate_f1, champion_f1, net, interval)


def allowed_net_new_errors(items: int) -> int:
    return max(MIN_NET_NEW_ERRORS, int(NET_NEW_ERROR_SHARE * items))


def gate_reasons(candidate_f1: dict[str, float], champion_f1: dict[str, float], net: dict[str, int],
                 items: int) -> list[str]:
    """Why a candidate may not replace the champion (empty: it may)."""
    allowed = allowed_net_new_errors(items)
    reasons = [f"{label}: {count} net new errors on the gold set (at most {allowed} allowed)"
               for label, count in net.items() if count > allowed]
    if candidate_f1["macro"] < champion_f1["macro"] - 1e-9:
        reasons.append(f"topic macro F1 {candidate_f1['macro']:.3f} is below the champion's {champion_f1['macro']:.3f}")
    return reasons


def net_new_errors(champion: Sequence[Scored], candidate: Sequence[Scored]) -> dict[str, int]:
    """Per topic and region label: items the candidate gets wrong that the champion gets right, less the
    reverse. Rows are the same items in the same order."""
    net = {}
    for kind, labels in (("topics", TOPICS), ("regions", REGIONS)):
        for label in labels:
            count = 0
            for old, new in zip(champion, candidate, strict=True):
                truth = label in getattr(old, f"truth_{kind}")
                old_right = (label in getattr(old.enrichment, kind)) == truth
                new_right = (label in getattr(new.enrichment, kind)) == truth
                count += int(old_right and not new_right) - int(new_right and not old_right)
            net[label] = count
    return net


def bootstrap_macro_difference(champion: Sequence[Scored], candidate: Sequence[Scored],
                               samples: int = BOOTSTRAP_SAMPLES) -> tuple[float, float]:
    """The paired bootstrap 90% interval of candidate minus champion topic macro F1: the same resampled
    items for both models in each sample."""
    rng = random.Random(BOOTSTRAP_SEED)
    n = len(candidate)
    differences = []
    for _ in range(samples):
        picks = [rng.randrange(n) for _ in range(n)]
        differences.append(_macro([candidate[i] for i in picks]) - _macro([champion[i] for i in picks]))
    differences.sort()
    return round(differences[int(0.05 * samples)], 4), round(differences[int(0.95 * samples) - 1], 4)


def _macro(rows: Sequence[Scored]) -> float:
    return _f1(rows)["macro"]


def _gold_rows(model: Model, data_dir: str | Path) -> list[Scored]:
    report, rows = evaluate_gold(model, data_dir)
    if report["items"] == 0:
        raise RegistryError(f"{data_dir}: no gold-set items could be read, so the gate cannot judge")
    return rows


def _f1(rows: Sequence[Scored]) -> dict[str, float]:
    scores = scoring.label_scores([r.truth_topics for r in rows], [r.enrichment.topics for r in rows], TOPICS)
    return {s.label: s.f1 for s in scores} | {"macro": scoring.macro(scores)["f1"]}


def promote(artifact_dir: str | Path, registry: str | Path, data_dir: str | Path) -> GateResult:
    """Gate the artifact against the registry's current model; on a pass, make it current."""
    candidate = load_model(artifact_dir)
    try:
        champion = load_model(current_version_dir(registry))
    except RegistryError:
        champion = None
    result = gate(candidate, champion, data_dir)
    if result.passed:
        add_version(registry, artifact_dir)
        set_current(registry, candidate.version)
    return result
