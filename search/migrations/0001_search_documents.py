from django.db import migrations

# GIN indexes over the weighted documents that search.queries.document() builds for each kind
# of record. PostgreSQL uses an expression index only for the very same expression, so these
# must match that function (titles weight A, bodies weight B, the English configuration).
# Not created on SQLite, where search is a plain substring match.


def _document(*parts: tuple[str, str]) -> str:
    return " || ".join(
        f"setweight(to_tsvector('english'::regconfig, COALESCE({column}, '')), '{weight}')"
        for column, weight in parts
    )


INDEXES = {
    "search_opportunity_document": (
        "opportunities_opportunity",
        _document(("title", "A"), ("summary", "B")),
    ),
    "search_recommendation_document": (
        "opportunities_recommendation",
        _document(("wording", "B")),
    ),
    "search_agenda_item_document": (
        "boards_agendaitem",
        _document(("title", "A"), ("description", "B")),
    ),
    "search_minutes_document": ("boards_agendaitem", _document(("minutes", "B"))),
    "search_paper_document": ("boards_paper", _document(("title", "A"))),
}
CREATE = "".join(
    f"CREATE INDEX IF NOT EXISTS {name} ON {table} USING gin (({expression}));\n"
    for name, (table, expression) in INDEXES.items()
)
DROP = "".join(f"DROP INDEX IF EXISTS {name};\n" for name in INDEXES)


def _on_postgresql(sql):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [
        ("boards", "0003_agenda_links"),
        ("opportunities", "0006_reviews_benefits"),
    ]

    operations = [migrations.RunPython(_on_postgresql(CREATE), _on_postgresql(DROP))]
