"""Voice objects of another partnership are not found, whatever the URL says.

(Who may reach each voice URL is checked by the project-wide sweep,
vawg/core/tests/test_url_sweep.py, from tests/url_rules.py.)
"""

from django.urls import reverse


def test_another_partnerships_feedback_is_not_found(client_for, personas, other_partnership):
    from vawg.voice.tests.factories import make_feedback, make_theme

    client = client_for(personas["partnership_admin"])
    theirs = make_feedback(other_partnership)
    theme = make_theme(other_partnership)
    for name, pk in [("voice:feedback-detail", theirs.pk), ("voice:theme-edit", theme.pk)]:
        url = reverse(name, kwargs={"partnership": "wandsworth", "pk": pk})
        assert client.get(url).status_code == 404
        assert client.post(url, {"status": "closed"}).status_code == 404
