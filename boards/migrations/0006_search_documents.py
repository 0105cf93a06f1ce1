import django.contrib.postgres.search
from django.db import migrations

# Each record's weighted full-text document lives in a column of its own, written by a trigger
# on every insert and on every update that sets one of its source columns (Django's save() sets
# them all; a queryset .update() only those it names), so the search ranks stored vectors
# instead of re-parsing the text of every matching row. The existing rows are filled through
# the same trigger (by setting the column), and a GIN index serves the match. PostgreSQL only:
# on SQLite the columns stay NULL and the search falls back to a substring match.
# search.queries reads these columns; the weights here are the search's weights.


def _weighted(parts: tuple[tuple[str, str], ...]) -> str:
    return " || ".join(
        f"setweight(to_tsvector('english'::regconfig, COALESCE(NEW.{column}, '')), '{weight}')"
        for column, weight in parts
    )


def _documents(table: str, prefix: str, documents: dict) -> tuple[str, str]:
    """SQL creating and dropping the trigger that writes ``documents`` (column: its weighted
    source columns) on ``table``, filling the existing rows, and each column's GIN index."""
    sources = [column for parts in documents.values() for column, _weight in parts]
    assignments = "".join(
        f"    NEW.{document} := {_weighted(parts)};\n" for document, parts in documents.items()
    )
    create = f"""
CREATE OR REPLACE FUNCTION {prefix}_documents_update() RETURNS trigger AS $$
BEGIN
{assignments}    RETURN NEW;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER {prefix}_documents
    BEFORE INSERT OR UPDATE OF {", ".join(sources + list(documents))} ON {table}
    FOR EACH ROW EXECUTE FUNCTION {prefix}_documents_update();
UPDATE {table} SET {", ".join(f"{document} = NULL" for document in documents)};
"""
    create += "".join(
        f"CREATE INDEX IF NOT EXISTS {prefix}_{document}_gin ON {table} USING gin ({document});\n"
        for document in documents
    )
    drop = "".join(f"DROP INDEX IF EXISTS {prefix}_{document}_gin;\n" for document in documents)
    drop += f"""
DROP TRIGGER IF EXISTS {prefix}_documents ON {table};
DROP FUNCTION IF EXISTS {prefix}_documents_update();
"""
    return create, drop


AGENDA_ITEM = _documents(
    "boards_agendaitem",
    "agendaitem",
    {
        "search_document": (("title", "A"), ("description", "B")),
        "minutes_document": (("minutes", "B"),),
    },
)
PAPER = _documents("boards_paper", "paper", {"search_document": (("title", "A"),)})
CREATE = AGENDA_ITEM[0] + PAPER[0]
DROP = PAPER[1] + AGENDA_ITEM[1]


def _on_postgresql(sql):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [("boards", "0005_remove_papers_notice_sent_at")]

    operations = [
        migrations.AddField(
            model_name="agendaitem",
            name="search_document",
            field=django.contrib.postgres.search.SearchVectorField(editable=False, null=True),
        ),
        migrations.AddField(
            model_name="agendaitem",
            name="minutes_document",
            field=django.contrib.postgres.search.SearchVectorField(editable=False, null=True),
        ),
        migrations.AddField(
            model_name="paper",
            name="search_document",
            field=django.contrib.postgres.search.SearchVectorField(editable=False, null=True),
        ),
        migrations.RunPython(_on_postgresql(CREATE), _on_postgresql(DROP)),
    ]
