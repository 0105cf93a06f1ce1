"""Going through a "Check your answers" page (core/check_answers.py) as a person does."""

from core.check_answers import CONFIRM_FIELD


def post_and_confirm(client, url, data, *, follow=False):
    """Send the form, read the check page it leads to, then press its button. Returns the
    answer to the confirmation."""
    sent = client.post(url, data)
    assert sent.status_code == 302, sent
    assert sent["Location"].endswith("?check"), sent["Location"]
    check = client.get(sent["Location"])
    assert check.status_code == 200
    assert "Check" in check.content.decode()
    return client.post(url, {CONFIRM_FIELD: "yes"}, follow=follow)


def confirm_step(client, url, data, *, follow=False):
    """A step without a form (send, approve): its button shows the check page, whose own
    button acts."""
    shown = client.post(url, data)
    assert shown.status_code == 200, shown
    assert "Check" in shown.content.decode() or "check" in shown.content.decode()
    return client.post(url, {**data, CONFIRM_FIELD: "yes"}, follow=follow)
