from pathlib import Path

import pytest

from newsfeed.models.text import (
    MAX_COMBINING_RUN,
    detect_language,
    html_to_text,
    limit_combining_runs,
    normalize_whitespace,
    prepare_article,
    strip_boilerplate,
)

SEED_ARTICLE = Path(__file__).resolve().parents[3] / "shared" / "examples" / "seed-article.txt"

CLEAN_NEWS = "\n\n".join(
    [
        "GENEVA — Delegations from both countries met on Monday for a third round of talks on the disputed "
        "border, the foreign ministry said.",
        '"We have made progress, but a final agreement is still some weeks away," the lead negotiator told '
        "reporters after the meeting.",
        "The talks will resume in March. Observers from the African Union are expected to attend.",
    ]
)


def _seed_article() -> str:
    if not SEED_ARTICLE.exists():
        pytest.skip("the seed article is not present in ../shared/examples")
    return SEED_ARTICLE.read_text(encoding="utf-8")


# --- html_to_text ---------------------------------------------------------------------------------


def test_html_to_text_keeps_article_and_drops_code_and_page_chrome():
    html = (
        "<html><head><title>Site</title><style>p {color: red}</style></head><body>"
        "<header><a href='/'>Home</a></header><nav><ul><li>World<li>Space</ul></nav>"
        "<h1>Talks resume</h1>"
        "<p>Envoys met in <b>Geneva</b> &amp; agreed to meet again.<script>var s = '</p>';</script></p>"
        "<aside>Most popular</aside><form><button>Subscribe</button></form>"
        "<footer>&copy; 2024 Example</footer></body></html>"
    )
    assert html_to_text(html) == "Talks resume\n\nEnvoys met in Geneva & agreed to meet again."


def test_html_to_text_turns_blocks_into_paragraphs_and_unescapes_entities():
    html = "<div><div><p>One&nbsp;&eacute;t&#233; &lt;b&gt;</p><ul><li>two<li>three</ul>four<br>five</div></div>"
    assert html_to_text(html) == "One été <b>\n\ntwo\n\nthree\n\nfour\nfive"


def test_html_to_text_collapses_source_line_breaks_inside_a_paragraph():
    assert html_to_text("<p>a rocket\n   lifted\toff</p>") == "a rocket lifted off"


@pytest.mark.parametrize(
    ("html", "expected"),
    [
        ("<p>unclosed <b>bold <i>and italic", "unclosed bold and italic"),
        ("<nav><li>menu</nav><p>after the menu</p>", "after the menu"),
        ("<div><nav><div>menu</div></div><p>after a nav left open</p>", "after a nav left open"),
        ("<head><title>t</title><body><p>body after an open head</p>", "body after an open head"),
        ("<p>a < b and c > d &unknown; &amp</p>", "a < b and c > d &unknown; &"),
        ("<p>kept</p><!-- a comment never closed <p>hidden</p>", "kept"),
        ("text <p", "text <p"),
        ("</p></div>stray end tags", "stray end tags"),
        ("<<>><!><?><![CDATA[x]]>", "<<>>"),
        ("<p>before</p><![foo[bar]]><p>after</p>", "before"),  # html.parser raises inside; we do not
        ("", ""),
    ],
)
def test_html_to_text_survives_malformed_html(html, expected):
    assert html_to_text(html) == expected


def test_html_to_text_handles_deep_nesting_without_recursion():
    depth = 100_000
    html = "<div>" * depth + "<span>deep</span>" + "</div>" * depth
    assert html_to_text(html) == "deep"


# --- normalize_whitespace -------------------------------------------------------------------------


def test_normalize_whitespace():
    text = "\ufeff  Talks\u00a0 resumed\t today.  \r\n\r\n\r\n\u2028 Next\u200b line \n\n\n"
    assert normalize_whitespace(text) == "Talks resumed today.\n\nNext line"


# --- strip_boilerplate ----------------------------------------------------------------------------


def test_strip_boilerplate_removes_the_seed_pages_chrome_and_keeps_the_story():
    body = strip_boilerplate(_seed_article())
    assert body.startswith("For several days the entire world wondered")
    assert body.endswith("Moscow intends to intensify cooperation with Pyongyang in all areas.")
    assert "toasted the strengthening of friendship" in body  # a paragraph from the middle
    for gone in (
        "hit tracker",
        "Sunday, September 8",
        "HomeLatest News",
        "Rossiyskaya Gazeta",
        "Date:",
        "This website provides news content",
        "Hansen Taylor",
        "Most Popular",
        "Recent Comments",
    ):
        assert gone not in body


def test_strip_boilerplate_on_the_seed_page_with_its_title():
    title = "Peskov: Moscow will develop relations with Pyongyang, despite reproaches from third countries"
    body = strip_boilerplate(_seed_article(), title)
    assert body.startswith("For several days the entire world wondered")
    assert body.endswith("in all areas.")


def test_strip_boilerplate_leaves_a_clean_news_text_unchanged():
    assert strip_boilerplate(CLEAN_NEWS, "Border talks resume in Geneva") == CLEAN_NEWS


def test_strip_boilerplate_leaves_a_one_sentence_summary_unchanged():
    summary = "The European Space Agency launches its Mars orbiter from Kourou, French Guiana. (Reuters)"
    assert strip_boilerplate(summary) == summary
    assert strip_boilerplate("Ceasefire agreed") == "Ceasefire agreed"


def test_strip_boilerplate_joins_hard_wrapped_paragraphs_and_changes_nothing_else():
    wrapped = (
        "The two ministers agreed to extend the agreement on naval patrols for\n"
        "another five years and to hold joint exercises in the spring, officials\n"
        "said on Friday.\n\nA second paragraph follows."
    )
    assert strip_boilerplate(wrapped) == " ".join(wrapped.split("\n\n")[0].split()) + "\n\nA second paragraph follows."


def test_strip_boilerplate_removes_single_lines_of_site_chrome():
    page = "\n".join(
        [
            "World > Europe > Diplomacy",
            "Updated 14:05 GMT, 3 March 2025",
            CLEAN_NEWS.split("\n\n")[0],
            "Share on Facebook | Tweet | Email",
            "ADVERTISEMENT",
            "READ MORE: Five things to know about the border dispute",
            CLEAN_NEWS.split("\n\n")[1],
            "Sign up for our morning newsletter",
            "We use cookies to improve your experience.",
            "Photo credit: Example Agency",
            CLEAN_NEWS.split("\n\n")[2],
            "Tags: Geneva, borders, talks",
        ]
    )
    # A dropped line leaves a paragraph break, so the story comes out as its three paragraphs.
    assert strip_boilerplate(page) == CLEAN_NEWS


def test_strip_boilerplate_cuts_tail_sections_but_not_the_story_around_a_related_box():
    first, second, third = CLEAN_NEWS.split("\n\n")
    long_paragraph = (
        "Both governments said that the commission would publish its findings before the summer, "
        "and that the maps it produced would be shared with the United Nations and with the "
        "neighbouring states that had asked to see them."
    )
    page = "\n\n".join(
        [
            first,
            "Related Articles",
            "Border crossings reopen after storm",
            "Ministers to meet again in March",
            long_paragraph,
            second,
            third,
            "Most Popular",
            "Ten rockets that changed spaceflight",
            "Recent Comments",
            "John on Border talks: about time!",
            "© 2025 Example News. All rights reserved.",
        ]
    )
    assert strip_boilerplate(page) == "\n\n".join([first, long_paragraph, second, third])


def test_strip_boilerplate_removes_author_bio_with_its_name_lines():
    page = f"{CLEAN_NEWS}\n\nJane Roe\nJane Roe is a senior correspondent for Example News covering Europe."
    assert strip_boilerplate(page) == CLEAN_NEWS


def test_strip_boilerplate_drops_a_headline_that_repeats_the_title():
    page = f"Border talks resume in Geneva | Example News\nBy Jane Roe\n\n{CLEAN_NEWS}"
    assert strip_boilerplate(page, "Border talks resume in Geneva") == CLEAN_NEWS


def test_strip_boilerplate_drops_press_release_contacts_after_the_end_marker():
    page = f"{CLEAN_NEWS}\n\n-end-\n\nJane Roe\nHeadquarters, Geneva\n+41 22 000 0000\njane.roe@example.org"
    assert strip_boilerplate(page) == CLEAN_NEWS


# --- detect_language ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("language", "text"),
    [
        ("en", "The minister said on Tuesday that talks with the neighbouring country would continue next week."),
        ("fr", "Le ministre a déclaré mardi que les négociations avec le pays voisin se poursuivront."),
        ("de", "Der Minister sagte am Dienstag, dass die Gespräche mit dem Nachbarland weitergehen."),
        ("es", "El ministro dijo el martes que las conversaciones con el país vecino continuarán la próxima semana."),
        ("it", "Il ministro ha detto martedì che i colloqui con il paese vicino continueranno la prossima settimana."),
        ("pt", "O ministro disse na terça-feira que as negociações com o país vizinho vão continuar."),
        ("nl", "De minister zei dinsdag dat de gesprekken met het buurland volgende week worden voortgezet."),
        ("sv", "Ministern sade på tisdagen att samtalen med grannlandet kommer att fortsätta nästa vecka."),
        ("pl", "Minister powiedział we wtorek, że rozmowy z sąsiednim krajem będą kontynuowane w przyszłym tygodniu."),
        ("tr", "Bakan salı günü yaptığı açıklamada komşu ülke ile görüşmelerin gelecek hafta devam edeceğini söyledi."),
        ("id", "Menteri mengatakan pada hari Selasa bahwa pembicaraan dengan negara tetangga akan dilanjutkan."),
        ("ru", "Министр заявил во вторник, что переговоры с соседней страной продолжатся на следующей неделе."),
        ("uk", "Міністр заявив у вівторок, що переговори з сусідньою країною триватимуть наступного тижня."),
        ("zh", "部长周二表示，与邻国的会谈将于下周继续进行。"),
        ("ja", "大臣は火曜日、隣国との協議を来週も続けると述べた。"),
        ("ko", "장관은 화요일 이웃 나라와의 회담이 다음 주에도 계속될 것이라고 말했다."),
        ("ar", "قال الوزير يوم الثلاثاء إن المحادثات مع البلد المجاور ستستمر الأسبوع المقبل."),
        ("fa", "وزیر روز سه‌شنبه گفت که گفتگوها با کشور همسایه هفته آینده ادامه پیدا خواهد کرد."),
        ("he", "השר אמר ביום שלישי כי השיחות עם המדינה השכנה יימשכו בשבוע הבא."),
        ("el", "Ο υπουργός δήλωσε την Τρίτη ότι οι συνομιλίες με τη γειτονική χώρα θα συνεχιστούν."),
    ],
)
def test_detect_language_on_one_sentence(language, text):
    detected, confidence = detect_language(text)
    assert detected == language
    assert 0.4 <= confidence <= 1.0


def test_detect_language_is_confident_on_a_whole_article():
    assert detect_language(CLEAN_NEWS * 3) == ("en", pytest.approx(1.0, abs=0.1))


@pytest.mark.parametrize("text", ["", "   ", "Hi", "Hello world", "NASA 2024", "12345 67890", "部长", "Министр"])
def test_detect_language_says_nothing_about_too_short_text(text):
    assert detect_language(text) == (None, 0.0)


# --- prepare_article ------------------------------------------------------------------------------


def test_prepare_article_prepares_plain_text():
    prepared = prepare_article("  Border talks\nresume ", "Home > World > Europe\n" + CLEAN_NEWS, "<p>ignored</p>")
    assert prepared.title == "Border talks resume"
    assert prepared.body == CLEAN_NEWS
    assert prepared.language == "en"
    assert 0.5 < prepared.language_confidence <= 1.0
    assert prepared.char_count == len(CLEAN_NEWS)


def test_prepare_article_reads_html_when_text_is_absent():
    html = "<nav>Home</nav><article>" + "".join(f"<p>{p}</p>" for p in CLEAN_NEWS.split("\n\n")) + "</article>"
    assert prepare_article("", "  ", html).body == CLEAN_NEWS


def test_prepare_article_composes_accents_so_equal_text_gives_equal_tokens():
    assert prepare_article("Cafe\u0301", "Le caf\u00e9", "").body == prepare_article("Café", "Le cafe\u0301", "").body


def test_prepare_article_with_nothing_to_read():
    assert prepare_article("", "", "") == prepare_article("", "", "<script>x()</script>")
    assert prepare_article("", "", "").body == ""
    assert prepare_article("", "", "").language is None


def test_runs_of_combining_marks_are_cut_to_the_stream_safe_limit_before_normalising():
    marks = "\u0301\u0323" * 20  # 40 marks of two classes, which NFC reorders

    def body(run: str) -> str:
        return prepare_article("", f"The minister said e{run} was spelled oddly in the statement.", "").body

    assert body(marks) == body(marks[:MAX_COMBINING_RUN]) != body(marks[: MAX_COMBINING_RUN - 1])
    assert limit_combining_runs("na\u0308ive caf\u00e9") == "na\u0308ive caf\u00e9"  # real accents untouched


def test_an_unterminated_marked_section_is_text_and_the_page_after_it_is_kept():
    html = "<p>First <![CDATA[ never closed</p><p>The talks resumed on Monday.</p>"
    text = html_to_text(html)
    assert "The talks resumed on Monday." in text and "<![CDATA[ never closed" in text
    closed = html_to_text("<p>A <![CDATA[ hidden ]]> B</p>")
    assert closed == html_to_text("<p>A  B</p>")


def test_a_long_punctuation_line_above_the_article_is_not_mistaken_for_prose():
    body = prepare_article("Talks", "#" * 5000 + "x\n\n" + "The minister said the talks would continue next week in the capital.", "").body
    assert body.endswith("The minister said the talks would continue next week in the capital.")


def test_a_long_run_of_marks_is_cut_among_quotes_and_dashes_too():
    """The shortcut for texts without marks must not skip a text whose marks sit among other non-ASCII
    characters, in the Basic Multilingual Plane or beyond it."""
    for mark in ("\u0301", "\U0001d165"):
        text = f"\u201cquoted\u201d \u2014 e{mark * 40}"
        assert limit_combining_runs(text) == f"\u201cquoted\u201d \u2014 e{mark * MAX_COMBINING_RUN}"
    assert limit_combining_runs("\u201cquoted\u201d \u2014 caf\u00e9") == "\u201cquoted\u201d \u2014 caf\u00e9"
