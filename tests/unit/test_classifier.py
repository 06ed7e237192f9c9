from newsfeed.models.classifier import classify, classify_batch
from newsfeed.models.schema import article_from_dict


def _article(text, **extra):
    return article_from_dict({"text": text, **extra})


def test_each_topic_is_recognised_with_evidence_from_the_text(tiny_model):
    texts = {
        "diplomacy": "The foreign minister and the ambassador opened talks on a treaty at the summit",
        "space": "A rocket carried the satellite into orbit while astronauts waited on the space station",
        "defence": "The army launched a military offensive with tanks, artillery and airstrikes on the front line",
    }
    enrichments = classify_batch([_article(t) for t in texts.values()], tiny_model)
    for label, enrichment in zip(texts, enrichments):
        assert enrichment.status == "ok"
        assert enrichment.topics[0] == label
        assert enrichment.evidence[label].ngrams, "an assigned label names the n-grams behind it"
        best = enrichment.evidence[label].ngrams[0]
        assert all(gram in texts[label].lower() for gram in best.ngram.split())
        start, end = best.spans[0]
        assert enrichment.prepared_text[start:end].lower().startswith(best.ngram.split()[0])


def test_unrelated_news_gets_no_topic(tiny_model):
    enrichment = classify(_article("The football club won the championship final with a late goal in the stadium"), tiny_model)
    assert enrichment.topics == []
    assert set(enrichment.topic_scores) == {"diplomacy", "space", "defence"}
    assert all(0.0 <= s <= 1.0 for s in enrichment.topic_scores.values())


def test_too_short_and_foreign_text_get_a_status_not_a_guess(tiny_model):
    short, foreign = classify_batch([
        _article("Rocket launch"),
        _article("Le ministre des affaires étrangères a rencontré son homologue pour des négociations sur le traité de paix."),
    ], tiny_model)
    assert (short.status, short.topics, short.regions) == ("too_short", [], [])
    assert (foreign.status, foreign.language, foreign.topics) == ("unsupported_language", "fr", [])


def test_a_language_hint_decides_when_the_text_is_too_short_to_tell(tiny_model):
    enrichment = classify(_article("Raketenstart morgen früh geplant sagt die Agentur heute", language="de"), tiny_model)
    assert enrichment.status == "unsupported_language"


def test_countries_and_regions_come_from_the_story(tiny_model):
    enrichment = classify(_article(
        "Russian troops shelled Kharkiv as Ukraine's army pushed back. Russia said its forces had taken two villages "
        "near the Ukrainian border. The Ukrainian defence ministry denied it."
    ), tiny_model)
    focus = {c.code for c in enrichment.countries if c.focus}
    assert focus == {"RU", "UA"}
    assert enrichment.regions == ["europe"]


def test_results_are_deterministic_and_in_input_order(tiny_model):
    articles = [_article(f"Article number {n} about rockets, satellites and orbit around the Moon") for n in range(5)]
    first, second = classify_batch(articles, tiny_model), classify_batch(list(reversed(articles)), tiny_model)
    assert first == list(reversed(second))


def test_six_words_are_enough_five_are_too_short(tiny_model):
    five, six = classify_batch([_article("Rocket launch from the cosmodrome"),
                                _article("Rocket launch from the cosmodrome today")], tiny_model)
    assert five.status == "too_short"
    assert six.status != "too_short"


def test_each_article_s_own_cost_is_reported_in_order_when_asked(tiny_model):
    long_text = "Georgia said the talks with France would continue in the capital next week. " * 1200
    articles = [_article("The army launched an offensive near the front line on Monday morning"),
                _article(long_text), _article("Hi")]
    seconds: list[float] = []
    enrichments = classify_batch(articles, tiny_model, article_seconds=seconds)
    assert len(seconds) == 3 and all(s >= 0 for s in seconds)
    assert seconds[1] > seconds[0] and seconds[1] > seconds[2]
    assert enrichments == classify_batch(articles, tiny_model)  # asking for costs changes nothing


def test_a_region_never_scores_at_its_threshold_without_a_focus_country(tiny_model):
    no_place = classify(_article("The army launched a military offensive with tanks and artillery on the front line "
                                 "as soldiers advanced through the hills for a third day"), tiny_model)
    assert no_place.regions == [] and set(no_place.region_scores.values()) == {0.0}
    story = ("France and Germany agreed on Monday to hold talks with the French and German foreign ministers. "
             "Paris said Berlin would host the summit, and French officials met German envoys. ") * 4
    passing = classify(_article(story + "One delegate had flown in from the United States."), tiny_model)
    assert passing.regions == ["europe"]
    assert 0 < passing.region_scores["north-america"] < 0.5
    assert {c.code: c.focus for c in passing.countries}["US"] is False
