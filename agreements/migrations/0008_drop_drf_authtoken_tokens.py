"""API tokens moved from DRF's authtoken to django-rest-knox (expiring, revocable,
stored as digests). DRF's app is no longer installed, so its table would stay
behind holding live keys in plain text: drop it (and its content type and
permissions). Tokens are credentials: their owners obtain new ones. Not
reversible into the old tokens; going back recreates nothing."""

from django.db import migrations

OLD_TABLE = "authtoken_token"


def drop_drf_tokens(apps, schema_editor):
    connection = schema_editor.connection
    if OLD_TABLE in connection.introspection.table_names():
        schema_editor.execute(
            schema_editor.sql_delete_table % {"table": schema_editor.quote_name(OLD_TABLE)}
        )
    ContentType = apps.get_model("contenttypes", "ContentType")
    # Cascades to the app's auth.Permission rows.
    ContentType.objects.filter(app_label="authtoken").delete()


class Migration(migrations.Migration):
    dependencies = [
        ("agreements", "0007_export_jobs"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("auth", "0012_alter_user_first_name_max_length"),
    ]

    operations = [migrations.RunPython(drop_drf_tokens, migrations.RunPython.noop)]
