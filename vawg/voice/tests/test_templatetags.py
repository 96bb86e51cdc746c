from vawg.voice.templatetags.voice_text import paragraphs


def test_paragraphs_escape_what_was_typed_and_keep_its_shape():
    html = paragraphs('One <script>alert("x")</script>\nline two\n\n\nTwo & more')
    assert html == (
        '<p class="govuk-body">One &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;'
        "<br>line two</p>\n"
        '<p class="govuk-body">Two &amp; more</p>'
    )


def test_paragraphs_of_nothing_is_nothing():
    assert paragraphs("") == ""
    assert paragraphs(None) == ""
