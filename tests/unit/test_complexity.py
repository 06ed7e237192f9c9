"""Every article costs time linear in its size: one input must never stall a worker.

For each adversarial shape (bench/adversarial.py) the shipped model classifies one article at
doubling sizes up to the per-field limit (12.5k to 100k characters), and the test asserts on the
growth of the cost, not on wall time: doubling the input may double the cost, not quadruple it. Each
cost is CPU time of this process, repeated until it is long enough to measure and taken as the best
of three (bench.worst_case.cpu_seconds), so other processes on a busy machine do not move it.
"""

from __future__ import annotations

import pytest

from bench.adversarial import SHAPES, Shape
from bench.worst_case import GROWTH_SIZES, MAX_GROWTH_EXPONENT, cpu_seconds, growth_exponent
from newsfeed.models.artifact import load_model
from newsfeed.models.classifier import classify_batch
from newsfeed.models.model_registry import resolve_model_dir
from newsfeed.models.schema import Article


@pytest.fixture(scope="module")
def shipped_model():
    model = load_model(resolve_model_dir(None))
    # The first non-ASCII article builds the combining-mark tables once: not a cost of any input.
    classify_batch([Article(id="warm", title="Café talks", text="The minister met officials in the city today.")], model)
    return model


@pytest.mark.parametrize("shape", SHAPES, ids=[shape.name for shape in SHAPES])
def test_cost_grows_linearly_with_the_size_of_the_input(shipped_model, shape: Shape):
    articles = [Article(id=shape.name, **shape.at(size)) for size in GROWTH_SIZES]
    costs = [cpu_seconds(lambda: classify_batch([article], shipped_model)) for article in articles]
    exponent = growth_exponent(costs)
    figures = ", ".join(f"{size:,}: {seconds * 1000:.2f} ms" for size, seconds in zip(GROWTH_SIZES, costs))
    assert exponent <= MAX_GROWTH_EXPONENT, f"{shape.name} ({shape.what}) grows as size^{exponent:.2f}: {figures}"


def test_the_growth_measure_tells_quadratic_from_linear():
    assert growth_exponent([1, 2, 4, 8]) == pytest.approx(1.0)
    assert growth_exponent([1, 4, 16, 64]) == pytest.approx(2.0)
    assert growth_exponent([5, 5.5, 6.5, 8.5]) < MAX_GROWTH_EXPONENT  # fixed cost plus linear
    assert growth_exponent([1, 3, 9.5, 34]) > MAX_GROWTH_EXPONENT  # a quadratic term taking over
