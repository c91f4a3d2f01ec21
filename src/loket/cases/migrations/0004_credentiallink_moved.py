"""CredentialLink now belongs to `directory` (directory 0003): drop it from this app's state only;
the table stays."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0003_agency_queue_index"),
        ("directory", "0003_credentiallink"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="CredentialLink")],
            database_operations=[],
        ),
    ]
