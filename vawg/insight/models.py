"""The incident store, its imports and mappings, reference data, and the cubes.

Incidents hold codes from the data standard (standard.py) and a keyed hash of
the victim's identifier; never a name, address or the raw identifier. The
cubes are small pre-aggregates kept in step with the incidents at import, so
the dashboard reads thousands of rows rather than millions
(docs/performance.md).
"""

from django.conf import settings
from django.db import models

from vawg.core.models import Organisation, Partnership, Region, Ward


class WardSuccessor(models.Model):
    """An old ward (before a boundary change) and the new ward its incidents count in.

    Boundaries rarely map one to one; this is the best-fit successor named in
    the curated list in data/wards/, with its source.
    """

    partnership_path = "ward__partnership"

    ward = models.OneToOneField(Ward, on_delete=models.CASCADE, related_name="successor_link")
    successor = models.ForeignKey(Ward, on_delete=models.CASCADE, related_name="predecessors")
    source = models.CharField(max_length=300)

    def __str__(self) -> str:
        return f"{self.ward} → {self.successor}"


class Population(models.Model):
    """Residents by ward × age band × sex × ethnic group, for one year."""

    partnership = models.ForeignKey(Partnership, on_delete=models.CASCADE)
    year = models.PositiveSmallIntegerField()
    ward = models.ForeignKey(Ward, on_delete=models.CASCADE)
    age_band = models.CharField(max_length=16)
    sex = models.CharField(max_length=16)
    ethnicity = models.CharField(max_length=16)
    people = models.PositiveIntegerField()
    synthetic = models.BooleanField(default=False)
    source = models.CharField(max_length=300)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["partnership", "year", "ward", "age_band", "sex", "ethnicity"],
                name="population_unique_cell",
            )
        ]
        indexes = [models.Index(fields=["partnership", "year"])]

    def __str__(self) -> str:
        return f"{self.year} {self.ward_id} {self.age_band} {self.sex} {self.ethnicity}"


class ColumnMapping(models.Model):
    """A partner's own column headings and codes, mapped to the standard's, saved for next time."""

    partnership = models.ForeignKey(Partnership, on_delete=models.CASCADE)
    partner = models.OneToOneField(
        Organisation, on_delete=models.CASCADE, related_name="insight_mapping"
    )
    # {standard field: partner's heading}; a heading not named here is dropped.
    columns = models.JSONField(default=dict, blank=True)
    # {standard field: {partner's value (normalised): standard code}}
    values = models.JSONField(default=dict, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"Mapping for {self.partner}"


class DataImport(models.Model):
    """One partner file: who sent it, when, what it did to the store (provenance)."""

    class Status(models.TextChoices):
        UPLOADED = "uploaded", "Uploaded, needs mapping"
        CHECKING = "checking", "Checking"
        CHECKED = "checked", "Checked, ready to import"
        REJECTED = "rejected", "Rejected"
        QUEUED = "queued", "Waiting to import"
        RUNNING = "running", "Importing"
        IMPORTED = "imported", "Imported"
        FAILED = "failed", "Failed"
        DISCARDED = "discarded", "Discarded"

    partnership = models.ForeignKey(Partnership, on_delete=models.CASCADE)
    partner = models.ForeignKey(Organisation, on_delete=models.PROTECT)
    filename = models.CharField(max_length=255)
    file_sha256 = models.CharField(max_length=64)
    headers = models.JSONField(default=list)
    # The upload, Fernet-encrypted, held only until it is imported or discarded.
    payload = models.BinaryField(null=True, blank=True, editable=False)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.UPLOADED)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    imported_at = models.DateTimeField(null=True, blank=True)
    rows_total = models.PositiveIntegerField(default=0)
    rows_done = models.PositiveIntegerField(default=0)
    rows_new = models.PositiveIntegerField(default=0)
    rows_updated = models.PositiveIntegerField(default=0)
    rows_unchanged = models.PositiveIntegerField(default=0)
    rows_rejected = models.PositiveIntegerField(default=0)
    columns_dropped = models.JSONField(default=list, blank=True)
    # [{row, column, value, reason}], the first PROBLEMS_KEPT of them.
    problems = models.JSONField(default=list, blank=True)
    problems_total = models.PositiveIntegerField(default=0)
    error = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["-uploaded_at", "-id"]

    def __str__(self) -> str:
        return self.filename

    @property
    def finished(self) -> bool:
        return self.status in {
            self.Status.IMPORTED,
            self.Status.REJECTED,
            self.Status.FAILED,
            self.Status.DISCARDED,
        }

    @property
    def percent_done(self) -> int:
        return min(100, int(100 * self.rows_done / self.rows_total)) if self.rows_total else 0

    @property
    def working(self) -> bool:
        """The background worker has it: the page refreshes itself to show progress."""
        return self.status in {self.Status.CHECKING, self.Status.QUEUED, self.Status.RUNNING}


class Incident(models.Model):
    """One incident from one partner, in the standard's codes.

    `day` is the date as a day number, so the repeat-victimisation window is the
    same integer arithmetic on SQLite and PostgreSQL.
    """

    # Foreign keys without their own indexes: each index costs every import, and the
    # composite indexes below cover the lookups the app makes.
    partnership = models.ForeignKey(Partnership, on_delete=models.CASCADE, db_index=False)
    partner = models.ForeignKey(Organisation, on_delete=models.PROTECT, db_index=False)
    source_id = models.CharField(max_length=64)
    occurred_on = models.DateField()
    day = models.IntegerField()
    month = models.DateField()
    strand = models.CharField(max_length=32)
    crime_type = models.CharField(max_length=32)
    ward = models.ForeignKey(Ward, on_delete=models.PROTECT, db_index=False)
    age_band = models.CharField(max_length=16)
    sex = models.CharField(max_length=16)
    gender_identity = models.CharField(max_length=16)
    ethnicity = models.CharField(max_length=16)
    disability = models.CharField(max_length=16)
    orientation = models.CharField(max_length=16)
    relationship = models.CharField(max_length=16)
    perpetrator_sex = models.CharField(max_length=16)
    perpetrator_age_band = models.CharField(max_length=16)
    outcome = models.CharField(max_length=32)
    person_key_version = models.PositiveSmallIntegerField(null=True)
    person_digest = models.CharField(max_length=64, blank=True)
    # The digest's first 60 bits as a number: a quarter of the size in the index that finds
    # a person's incidents, so far fewer pages to write at import (docs/performance.md).
    # Shared by two people only by chance; the repeat rule itself compares whole digests.
    person_key = models.BigIntegerField(null=True)
    is_repeat = models.BooleanField(default=False)
    # A digest of the standardised values: an unchanged row on re-import is skipped.
    fingerprint = models.CharField(max_length=32)
    data_import = models.ForeignKey(
        DataImport, on_delete=models.PROTECT, related_name="+", db_index=False
    )

    class Meta:
        constraints = [
            # A partner belongs to one partnership. Led by the partner, not the partnership,
            # so the planner never takes this index for a partnership's dashboard query.
            models.UniqueConstraint(fields=["partner", "source_id"], name="incident_unique_source")
        ]
        indexes = [
            models.Index(fields=["person_key", "day"], name="incident_person_key_day"),
            # Every dimension the dashboard filters or groups by: the cube rebuilds and the
            # crossings no cube holds (a characteristic with a ward, say) read this index
            # alone, never the rows. Ward and strand come before the month, so a view of
            # one ward or one strand reads only its own entries; a view of every ward or
            # strand names them all (`IN`), a seek for each (docs/performance.md).
            models.Index(
                fields=[
                    "partnership",
                    "ward",
                    "strand",
                    "month",
                    "partner",
                    "age_band",
                    "sex",
                    "ethnicity",
                    "disability",
                    "orientation",
                    "outcome",
                    "is_repeat",
                ],
                name="incident_dimensions",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.partner_id}/{self.source_id}"


CUBE_MEASURES = ["incidents", "repeats", "resolved", "charged"]


class Measures(models.Model):
    """What every cube row counts: incidents, repeats and outcomes."""

    incidents = models.IntegerField()
    repeats = models.IntegerField()
    resolved = models.IntegerField()  # incidents with an outcome (not pending)
    charged = models.IntegerField()

    class Meta:
        abstract = True


class Cube(Measures):
    """A partnership-month cell's measures.

    Each cube's covering indexes end with the measures, so the dashboard's sums are read
    from the index alone.
    """

    partnership = models.ForeignKey(
        Partnership, on_delete=models.CASCADE, db_constraint=False, db_index=False
    )
    month = models.DateField()

    class Meta:
        abstract = True

    def __str__(self) -> str:
        # Every cube has a strand; each declares its own (the victim cube's may be blank).
        return f"{self.partnership_id} {self.month:%Y-%m} {self.strand}: {self.incidents}"


class AreaCube(Cube):
    """Incidents per partnership × month × strand × ward × partner, with repeats and outcomes."""

    strand = models.CharField(max_length=32)
    ward_id = models.IntegerField()
    partner_id = models.IntegerField()

    class Meta:
        indexes = [
            models.Index(
                fields=["partnership", "month", "strand", "ward_id", "partner_id", *CUBE_MEASURES],
                name="areacube_covering",
            )
        ]


class MonthCube(Cube):
    """AreaCube without the ward: small enough to answer all partnerships at once."""

    strand = models.CharField(max_length=32)
    partner_id = models.IntegerField()

    class Meta:
        indexes = [
            models.Index(
                fields=["partnership", "month", "strand", "partner_id", *CUBE_MEASURES],
                name="monthcube_covering",
            )
        ]


class VictimCube(Cube):
    """Incidents per partnership × month × strand × one victim characteristic's value.

    Each partnership-month-value also has a row with strand "" for all strands together,
    so that a view with no strand filter reads a ninth of the rows.
    """

    ALL_STRANDS = ""

    strand = models.CharField(max_length=32, blank=True)
    characteristic = models.CharField(max_length=16)
    value = models.CharField(max_length=16)

    class Meta:
        indexes = [
            # Grouped as the breakdowns read it: one strand's values in order, each value's
            # months together, so no sort is needed (and SQLite's planner prefers it).
            models.Index(
                fields=["partnership", "strand", "characteristic", "value", "month", "incidents"],
                name="victimcube_breakdown",
            ),
            models.Index(
                fields=[
                    "partnership",
                    "characteristic",
                    "value",
                    "strand",
                    "month",
                    *CUBE_MEASURES,
                ],
                name="victimcube_filter_covering",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.characteristic}={self.value} {self.month:%Y-%m}: {self.incidents}"


class PartnerVictimCube(Cube):
    """VictimCube with the partner: the breakdowns of one partner's incidents.

    The rebuild writes these rows first and sums them over partners into the victim cube,
    so the incidents are read no more often than before. Strand "" is all strands, as there.
    """

    partner_id = models.IntegerField()
    strand = models.CharField(max_length=32, blank=True)
    characteristic = models.CharField(max_length=16)
    value = models.CharField(max_length=16)

    class Meta:
        indexes = [
            # One partner's values (or one value's partners) in a strand, months together.
            models.Index(
                fields=[
                    "partnership",
                    "strand",
                    "characteristic",
                    "value",
                    "partner_id",
                    "month",
                    *CUBE_MEASURES,
                ],
                name="partnervictimcube_covering",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.partner_id} {self.characteristic}={self.value} {self.month:%Y-%m}"


class RegionVictimCube(Measures):
    """VictimCube summed over a region's partnerships, for the regional view's breakdowns.

    The regional view reads a row per region-month-value rather than one per partnership
    (some 1,000 rows instead of 30,000 for 33 boroughs over three years). Kept in step
    with the victim cube at import, by adding each rebuilt month's change
    (docs/performance.md).
    """

    region = models.ForeignKey(
        Region, on_delete=models.CASCADE, db_constraint=False, db_index=False
    )
    month = models.DateField()
    strand = models.CharField(max_length=32, blank=True)  # "" for all strands, as VictimCube
    characteristic = models.CharField(max_length=16)
    value = models.CharField(max_length=16)

    class Meta:
        constraints = [
            # The cell's key, and the index the regional breakdown reads.
            models.UniqueConstraint(
                fields=["region", "strand", "characteristic", "value", "month"],
                name="regionvictimcube_cell",
            )
        ]

    def __str__(self) -> str:
        return f"{self.region_id} {self.characteristic}={self.value} {self.month:%Y-%m}"
