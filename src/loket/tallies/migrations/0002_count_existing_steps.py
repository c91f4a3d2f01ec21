"""Count the steps finished before the tallies existed (a deployment's history), once."""

from django.db import migrations


def count_existing(apps, schema_editor):
    from loket.tallies.services import rebuild

    rebuild(models=(apps.get_model("cases", "StepRun"), apps.get_model("tallies", "StepTally"), apps.get_model("tallies", "HourTally")))


class Migration(migrations.Migration):
    dependencies = [
        ("tallies", "0001_initial"),
        ("cases", "0008_case_requester_role"),
    ]

    operations = [migrations.RunPython(count_existing, migrations.RunPython.noop)]
