"""PostgreSQL extensions and accent-insensitive text-search configurations.

``french_unaccent`` and ``dutch_unaccent`` strip accents before stemming, so "orientation",
"Orientation" and "orïentation" meet the same lexeme; ``simple_unaccent`` serves English and
proper names. Created by a migration so every database, embedded or production, has them.
"""

from django.contrib.postgres.operations import TrigramExtension, UnaccentExtension
from django.db import migrations

CONFIGURATIONS = {
    "french_unaccent": "french_stem",
    "dutch_unaccent": "dutch_stem",
    "simple_unaccent": "simple",
}

CREATE = "\n".join(
    f"""
    DO $$ BEGIN
      IF NOT EXISTS (SELECT 1 FROM pg_ts_config WHERE cfgname = '{name}') THEN
        CREATE TEXT SEARCH CONFIGURATION {name} (COPY = {name.split("_")[0]});
        ALTER TEXT SEARCH CONFIGURATION {name}
          ALTER MAPPING FOR hword, hword_part, word WITH unaccent, {dictionary};
      END IF;
    END $$;
    """
    for name, dictionary in CONFIGURATIONS.items()
)
DROP = "\n".join(f"DROP TEXT SEARCH CONFIGURATION IF EXISTS {name};" for name in CONFIGURATIONS)


class Migration(migrations.Migration):
    dependencies = [("guidance_portal", "0001_initial")]

    operations = [
        UnaccentExtension(),
        TrigramExtension(),
        migrations.RunSQL(CREATE, DROP),
    ]
