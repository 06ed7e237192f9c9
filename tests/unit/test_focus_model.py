"""The learned focus model: fitted on read focus countries, it scores what an article is about."""

from newsfeed.training.corpora import Example
from newsfeed.training.focus import fit_focus_model
from newsfeed.models.gazetteer import Gazetteer, score_countries

SUBJECTS = ["France", "Germany", "Japan", "Brazil", "Kenya", "Canada", "India", "Egypt", "Chile", "Poland"]


def _examples():
    examples = []
    for n, subject in enumerate(SUBJECTS * 6):
        passing = SUBJECTS[(n + 3) % len(SUBJECTS)]
        text = (f"{subject} announced a new budget on Monday. Officials in {subject} said the plan would take "
                f"effect next year, and {subject}'s parliament will vote on it. " * 2
                + f"One economist had earlier worked in {passing}.")
        code = Gazetteer.load().find_mentions(subject)[0].code
        examples.append(Example(id=str(n), source="wikipedia", date=None, title="", text=text, topics=frozenset(),
                                regions=frozenset(), countries=frozenset({code}), meta={"read": True}))
    return examples


def test_the_focus_model_learns_the_subject_from_a_passing_mention():
    model, summary = fit_focus_model(_examples(), Gazetteer.load())
    assert summary["articles"] == 60 and summary["focus"] == 60 and summary["countries_named"] == 120
    body = ("Norway announced a new budget on Monday. Officials in Norway said the plan would take effect next year. "
            "A spokesman had earlier been posted to Mexico.")
    scores = {s.code: s for s in score_countries("", body, Gazetteer.load(), model)}
    assert scores["NO"].focus and scores["NO"].score > 0.5
    assert not scores["MX"].focus and scores["MX"].score < 0.5
