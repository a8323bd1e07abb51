from stancekit import split_sentences


def texts(text):
    spans = split_sentences(text)
    for span in spans:
        assert text[span.start:span.end] == span.text
    return [s.text for s in spans]


def test_headlines_and_subheads_on_their_own_lines():
    article = "Peru and Chile sign water pact\nDeal covers three rivers\n\nLIMA - The deal was signed on Monday. It runs to 2030."
    assert texts(article) == [
        "Peru and Chile sign water pact",
        "Deal covers three rivers",
        "LIMA - The deal was signed on Monday.",
        "It runs to 2030.",
    ]


def test_abbreviations_initials_and_numbers():
    text = ("The U.S. envoy met Gen. Ortiz on Jan. 5 in Washington. Growth was 3.5 percent, "
            "said John F. Morales. Mr. Diaz left at 6 p.m. on Friday.")
    assert texts(text) == [
        "The U.S. envoy met Gen. Ortiz on Jan. 5 in Washington.",
        "Growth was 3.5 percent, said John F. Morales.",
        "Mr. Diaz left at 6 p.m. on Friday.",
    ]


def test_quotes_brackets_and_question_marks():
    text = '"We will not sign," she said. "Why now?" he asked. (The vote is Monday.) Talks resume.'
    assert texts(text) == ['"We will not sign," she said.', '"Why now?" he asked.', "(The vote is Monday.)", "Talks resume."]


def test_mixed_newlines_and_empty_text():
    assert texts("One line.\r\nTwo line.\rThree.") == ["One line.", "Two line.", "Three."]
    assert texts("") == [] and texts("  \n\n ") == []
