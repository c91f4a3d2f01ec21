"""CredentialLink moves from `cases` to `directory`: the model's state only; the table keeps its
name (cases_credentiallink) and its rows."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0003_agency_queue_index"),
        ("directory", "0002_signinattempt"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="CredentialLink",
                    fields=[
                        ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                        ("digest", models.CharField(max_length=64, unique=True)),
                        ("sealed_password", models.TextField(blank=True)),
                        ("created_at", models.DateTimeField(auto_now_add=True)),
                        ("expires_at", models.DateTimeField()),
                        ("revealed_at", models.DateTimeField(blank=True, null=True)),
                        (
                            "account",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE, related_name="+", to="directory.account"
                            ),
                        ),
                        (
                            "case",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="credential_links",
                                to="cases.case",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "tautan sekali pakai",
                        "verbose_name_plural": "tautan sekali pakai",
                        "db_table": "cases_credentiallink",
                    },
                ),
            ],
            database_operations=[],
        ),
    ]
