"""A body's short name is written out in full the first time a page names it, then abbreviated;
in an <abbr> each time (GOV.UK: write out an abbreviation on first use)."""

from types import SimpleNamespace

from django.template import Context, Template

FIRE = SimpleNamespace(name="Warwickshire Fire and Rescue Service", short_name="WFRS")
COUNCIL = SimpleNamespace(name="Warwickshire County Council", short_name="WCC")
PLAIN = SimpleNamespace(name="Police", short_name="Police")

PAGE = Template("{% for body in bodies %}<p>{% body_short_name body %}</p>{% endfor %}")


def test_the_first_mention_is_written_out_and_the_next_abbreviated():
    html = PAGE.render(Context({"bodies": [FIRE, COUNCIL, FIRE, PLAIN, COUNCIL]}))
    paragraphs = html.removeprefix("<p>").removesuffix("</p>").split("</p><p>")
    wfrs = '<abbr title="Warwickshire Fire and Rescue Service">WFRS</abbr>'
    wcc = '<abbr title="Warwickshire County Council">WCC</abbr>'
    assert paragraphs == [
        f"Warwickshire Fire and Rescue Service ({wfrs})",
        f"Warwickshire County Council ({wcc})",
        wfrs,
        "Police",
        wcc,
    ]


def test_each_page_starts_afresh():
    first = PAGE.render(Context({"bodies": [FIRE]}))
    second = PAGE.render(Context({"bodies": [FIRE]}))
    assert (
        first
        == second
        == (
            '<p>Warwickshire Fire and Rescue Service (<abbr title="Warwickshire Fire and Rescue '
            'Service">WFRS</abbr>)</p>'
        )
    )
