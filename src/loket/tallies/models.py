"""The tallies: how many finished step runs share one set of the report's keys.

Why they exist: the mutu baku report counts, and takes the median and 90th percentile of, the
working minutes of every finished step in its filter. Over a million cases (ten million steps)
that is seconds of joining and sorting on every page view, however the steps are indexed
(bench/reports_scale.py measured 31 s for a year of the largest unit). The working minutes are
whole numbers, so a histogram keeps everything those figures need: a count per distinct value.
The median and the 90th percentile read from it are exactly those of the raw values (the
continuous percentile interpolates between two ranks, and the histogram says which values hold
them). A unit's year then reads some thousands of rows instead of millions.

`StepTally`: per case keys (unit, SOP version, agency, channel, the local day the case was
submitted), step keys (step, lane, by, who completed it), and the minutes: working minutes for
staff and system steps (the number the case page shows), whole calendar minutes for the
requester's own steps (their waits). `HourTally`: the same keys with the local weekday and hour
the step finished instead of the minutes (the load chart).

Each row is found by `key`, the keys joined in one string, so that one unique index (and an
upsert on it) serves both databases even where a key is empty (NULL is never equal to NULL in a
unique constraint). Written by `loket.tallies.services.count_runs` when a step finishes; rebuilt
from the steps by `loket tally rebuild`.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models


class _Keys(models.Model):
    # Unique by a constraint, not `unique=True`: on PostgreSQL the field option adds a second,
    # `varchar_pattern_ops` index for LIKE that no query uses (642 MiB at 10^6 cases, as large
    # as the unique index itself: bench/national.py); the upsert's ON CONFLICT (key) needs only
    # the unique index.
    key = models.CharField(max_length=255)
    unit = models.ForeignKey("units.Unit", on_delete=models.CASCADE, related_name="+")
    sop = models.ForeignKey("catalog.SopVersion", on_delete=models.CASCADE, related_name="+")
    agency = models.ForeignKey("directory.Agency", null=True, on_delete=models.CASCADE, related_name="+")
    channel = models.CharField(max_length=10)
    day = models.DateField()  # the local day (the case's unit) the case was submitted
    step = models.PositiveIntegerField()
    lane = models.CharField(max_length=60)
    by = models.CharField(max_length=10)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    n = models.PositiveIntegerField(default=0)

    class Meta:
        abstract = True


class StepTally(_Keys):
    minutes = models.PositiveIntegerField()
    standard = models.PositiveIntegerField(null=True)

    class Meta:
        indexes = [models.Index(fields=["unit", "day"], name="steptally_unit_day_idx")]
        constraints = [models.UniqueConstraint(fields=["key"], name="steptally_key_unique")]

    def __str__(self) -> str:
        return f"{self.key} × {self.n}"


class HourTally(_Keys):
    weekday = models.PositiveSmallIntegerField()  # ISO: 1 Monday .. 7 Sunday, local
    hour = models.PositiveSmallIntegerField()  # 0..23, local

    class Meta:
        indexes = [models.Index(fields=["unit", "day"], name="hourtally_unit_day_idx")]
        constraints = [models.UniqueConstraint(fields=["key"], name="hourtally_key_unique")]

    def __str__(self) -> str:
        return f"{self.key} × {self.n}"
