"""Focus countries and regions of corpus examples, from the project gazetteer (models.gazetteer).

A region applies when one of its countries is a focus country (a principal actor or place of the
story); a country mentioned in passing is not a focus country and does not make its region apply.
"""

from __future__ import annotations

from collections.abc import Iterable

from newsfeed.models.gazetteer import Gazetteer, score_countries
from newsfeed.models.taxonomy import REGIONS, region_of
from newsfeed.training.corpora.wikipedia import WikiEvent

# A Wikipedia event that links or names more countries than this is a list ("co-sponsored by 135
# countries"): only the countries the gazetteer scores as focus stay.
MAX_EVENT_COUNTRIES = 5


def document_countries(title: str, text: str, gazetteer: Gazetteer) -> frozenset[str]:
    """The focus countries of a long document, as the gazetteer scores them."""
    return frozenset(score.code for score in score_countries(title, text, gazetteer) if score.focus)


def event_countries(event: WikiEvent, gazetteer: Gazetteer) -> frozenset[str]:
    """The focus countries of a Wikipedia event.

    Countries whose article the summary links ("[Israeli](.../Israel)", "[Kyiv](.../Kyiv)") and
    those the gazetteer finds as focus in the summary's words. The story threads' titles count
    only for an event that names no country of its own ("Russian invasion of Ukraine" above a
    summary that says "the city of Pokrovsk"): otherwise a thread such as "Gaza war" above a
    shooting in Washington would make Palestine a focus country of it.
    """
    linked = {code for title in event.leaf_links if (code := gazetteer.country_for_name(title))}
    scores = score_countries("", event.text, gazetteer)
    focus = {score.code for score in scores if score.focus}
    countries = linked | focus
    if len(countries) > MAX_EVENT_COUNTRIES:
        countries = focus or linked
        if len(countries) > MAX_EVENT_COUNTRIES:
            countries = {score.code for score in scores[:MAX_EVENT_COUNTRIES] if score.focus}
    if not countries:
        thread_text = ". ".join(event.threads)
        countries = {code for title in event.threads if (code := gazetteer.country_for_name(title))}
        countries |= {score.code for score in score_countries("", thread_text, gazetteer) if score.focus}
    return frozenset(countries)


def regions_of(countries: Iterable[str]) -> frozenset[str]:
    """The regions of the given focus countries (codes in no region, such as Antarctica, add none)."""
    regions = {region_of(code) for code in countries}
    return frozenset(region for region in regions if region in REGIONS)
