from django.db import migrations

# The search now matches and ranks the stored document columns (opportunities 0007, boards
# 0006), each with its own GIN index; the expression indexes of 0001 no longer serve any query
# and would only slow every write. Reversing rebuilds them as 0001 made them.


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
DROP = "".join(f"DROP INDEX IF EXISTS {name};\n" for name in INDEXES)
CREATE = "".join(
    f"CREATE INDEX IF NOT EXISTS {name} ON {table} USING gin (({expression}));\n"
    for name, (table, expression) in INDEXES.items()
)


def _on_postgresql(sql):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [
        ("search", "0001_search_documents"),
        ("boards", "0006_search_documents"),
        ("opportunities", "0007_search_documents"),
    ]

    operations = [migrations.RunPython(_on_postgresql(DROP), _on_postgresql(CREATE))]
