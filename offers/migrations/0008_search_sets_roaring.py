"""The search's sets become Roaring bitmaps; the index no longer holds review dates, and its
documents lose the indexes only the row-by-row search used.

The old rows (Python-integer bitmaps, id lists and the date order) cannot be read as
Roaring bitmaps, so they are deleted: without the "built" marker the first search says the
index is being built and queues a rebuild (``rebuild_search_index`` does it by hand).
"""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("offers", "0007_search_bitmaps"),
    ]

    operations = [
        migrations.RunSQL("DELETE FROM offers_searchbitmap", migrations.RunSQL.noop),
        migrations.RemoveIndex(
            model_name="searchdocument",
            name="search_review_due",
        ),
        # Only the sets are searched now: the documents are read by offer id.
        migrations.RemoveIndex(model_name="searchdocument", name="search_document_gin"),
        migrations.RemoveIndex(model_name="searchdocument", name="search_session_dates_gin"),
        migrations.RemoveIndex(model_name="searchdocument", name="search_coordinates"),
        migrations.RemoveIndex(model_name="searchdocument", name="search_published"),
        migrations.RemoveField(
            model_name="searchbitmap",
            name="kind",
        ),
        migrations.RemoveField(
            model_name="searchdocument",
            name="review_due",
        ),
    ]
