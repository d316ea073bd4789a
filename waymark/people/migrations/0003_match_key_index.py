# The match-key index covers the person (index-only candidate lookups), and on
# PostgreSQL the key column compares bytes (collation "C"), as SQLite's does, so a
# key range such as ln:MOS … ln:MOS~ finds the same rows on both databases.

from django.db import migrations, models


def collate_keys_as_bytes(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute('ALTER TABLE people_matchkey ALTER COLUMN "key" TYPE varchar(80) COLLATE "C"')


def collate_keys_as_default(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute('ALTER TABLE people_matchkey ALTER COLUMN "key" TYPE varchar(80) COLLATE "default"')


class Migration(migrations.Migration):
    dependencies = [
        ("access", "0003_breakglass_servicenotice"),
        ("people", "0002_person_details"),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name="matchkey",
            name="matchkey_area_key",
        ),
        migrations.RunPython(collate_keys_as_bytes, collate_keys_as_default, elidable=False),
        migrations.AddIndex(
            model_name="matchkey",
            index=models.Index(fields=["area", "key", "person"], name="matchkey_area_key"),
        ),
    ]
