"""The database cache table (login lockout counters live there unless Redis is
configured), created by `migrate` so no extra set-up step is needed."""

from django.core.management import call_command
from django.db import migrations


def create_cache_table(apps, schema_editor):
    call_command("createcachetable", database=schema_editor.connection.alias, verbosity=0)


class Migration(migrations.Migration):
    dependencies = [("core", "0002_audit_append_only")]
    operations = [migrations.RunPython(create_cache_table, migrations.RunPython.noop)]
