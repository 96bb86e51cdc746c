"""The incident store, its imports and mappings, reference data, and the cubes.

Incidents hold codes from the data standard (standard.py) and a keyed hash of
the victim's identifier; never a name, address or the raw identifier. They are
kept a partnership-month at a time in columnar segments (store.py). The cubes
are small pre-aggregates kept in step with the incidents at import, so the
dashboard reads thousands of rows rather than millions (docs/performance.md).
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
    """A partner's own column headings and codes, mapped to the standard's, saved for next
    time: one for each of the partner's sources (a police force may send a crime extract
    and a non-crime incident extract, each with its own layout)."""

    partnership = models.ForeignKey(Partnership, on_delete=models.CASCADE)
    partner = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="insight_mappings"
    )
    # The partner's name for the extract ("" for its only or main one).
    source = models.CharField(max_length=100, blank=True)
    # {standard field: partner's heading}; a heading not named here is dropped.
    columns = models.JSONField(default=dict, blank=True)
    # {standard field: {partner's value (normalised): standard code}}
    values = models.JSONField(default=dict, blank=True)
    # The codec the partner's files are read in ("": detect each file's).
    encoding = models.CharField(max_length=20, blank=True)
    # How the partner writes dates ("": the standard's forms; see importer.DATE_FORMATS).
    date_format = models.CharField(max_length=8, blank=True)
    # Values the files do not hold (derive.py): {field: code} for every row, {field: rule},
    # and the headings a record id is generated from where the partner sends none.
    fixed = models.JSONField(default=dict, blank=True)
    derived = models.JSONField(default=dict, blank=True)
    record_id_from = models.JSONField(default=list, blank=True)
    # The file's headings when the mapping was saved: the next file's are compared.
    headers = models.JSONField(default=list, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["partner", "source"], name="insight_mapping_one_per_source"
            )
        ]

    def __str__(self) -> str:
        return f"Mapping for {self.partner}" + (f" ({self.source})" if self.source else "")


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

    class Step(models.TextChoices):
        CHECK = "check", "Checking"
        IMPORT = "import", "Importing"

    # Not imported and not being worked on: waiting on a person, who may discard it.
    WAITING = frozenset({Status.UPLOADED, Status.CHECKED, Status.REJECTED, Status.FAILED})
    # Being worked on, in the background or in a request: found if its worker stops.
    WORKING = frozenset({Status.CHECKING, Status.QUEUED, Status.RUNNING})

    partnership = models.ForeignKey(Partnership, on_delete=models.CASCADE)
    partner = models.ForeignKey(Organisation, on_delete=models.PROTECT)
    filename = models.CharField(max_length=255)
    file_sha256 = models.CharField(max_length=64)
    headers = models.JSONField(default=list)
    # The upload is held only until it is imported or discarded, encrypted in pieces
    # (HeldPart) under a key of its own; this is that key, encrypted (crypto.FileKey).
    # None: no file is held (and any pieces left are unreadable).
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
    # Which of the partner's saved mappings the file uses (ColumnMapping.source).
    source = models.CharField(max_length=100, blank=True)
    size_bytes = models.PositiveBigIntegerField(default=0)
    # The codec the file is read in, and the one detected at upload (the analyst may
    # choose another on the check page).
    encoding = models.CharField(max_length=20, blank=True)
    encoding_detected = models.CharField(max_length=20, blank=True)
    # How a CSV is laid out (core.layout): what its cells are separated by, and the row
    # its headings are in (a title may stand above them).
    separator = models.CharField(max_length=1, blank=True)
    heading_row = models.PositiveSmallIntegerField(default=1)
    # The analyst's choices for the import: import the good rows and set the others
    # aside (else nothing unless every row passes); set likely duplicates aside (else
    # import them).
    set_aside = models.BooleanField(default=False)
    duplicates_set_aside = models.BooleanField(default=True)
    # [[row, reason]] of every row set aside by the import. The rows themselves are read
    # back from the held file (encrypted), which is kept until they are erased with it.
    set_aside_rows = models.JSONField(default=list, blank=True)
    rows_set_aside = models.PositiveIntegerField(default=0)
    # Likely duplicates found by the check: [{row, source_id, matches, date, strand}].
    duplicates = models.JSONField(default=list, blank=True)
    # Values read by a rule rather than a code ({field: {as written: code}}), e.g. an age
    # range "16-24" counted in a band of the standard: shown on the check page.
    read_by_rule = models.JSONField(default=dict, blank=True)
    # The values the saved mapping cannot read yet ({field: [value]}), kept from the
    # check so the page asking about them does not decrypt the file again; None: not
    # worked out for the current mapping.
    unknown_values = models.JSONField(null=True, blank=True)
    # The work on the file: the step last started (a failed file is tried again from it),
    # the background task doing it (its result's id in the task worker's table; none when
    # a request or a command does it) and its heartbeat, updated as it goes
    # (vawg.core.jobs: a heartbeat too old is a worker that stopped).
    step = models.CharField(max_length=8, choices=Step.choices, blank=True)
    task_id = models.UUIDField(null=True, blank=True, editable=False)
    heartbeat_at = models.DateTimeField(null=True, blank=True, editable=False)

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
        return self.status in self.WORKING

    @property
    def discardable(self) -> bool:
        return self.status in self.WAITING

    @property
    def retryable(self) -> bool:
        """Failed on a fault of the platform's own, with the file still held."""
        return self.status == self.Status.FAILED and self.payload is not None

    @property
    def set_aside_held(self) -> bool:
        """Imported with rows set aside, which can still be downloaded (the file is held)."""
        return self.status == self.Status.IMPORTED and self.payload is not None

    @property
    def encoding_changeable(self) -> bool:
        """A CSV file still held and not yet imported: it may be read in another encoding."""
        return (
            self.filename.lower().endswith(".csv")
            and self.payload is not None
            and self.status in self.WAITING
        )


class HeldPart(models.Model):
    """One piece of a held upload, in order, encrypted under its import's own key: a
    file of any size is stored and read back a piece at a time (services.hold)."""

    data_import = models.ForeignKey(
        DataImport, on_delete=models.CASCADE, related_name="held_parts", db_index=False
    )
    number = models.PositiveIntegerField()
    token = models.BinaryField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["data_import", "number"], name="insight_heldpart_in_order"
            )
        ]

    def __str__(self) -> str:
        return f"Part {self.number} of import {self.data_import_id}"


class IncidentSegment(models.Model):
    """One partnership's incidents in one month, in the standard's codes (store.py).

    Three blobs in Arrow's IPC format, their rows in the same order: `dims`, what the
    dashboard counts by; `people`, the repeat rule's inputs (the victim as a keyed hash,
    never the identifier); `record`, the rest. No name, address or raw identifier is held.
    """

    partnership = models.ForeignKey(Partnership, on_delete=models.CASCADE, db_index=False)
    month = models.DateField()
    incidents = models.PositiveIntegerField()
    dims = models.BinaryField()
    people = models.BinaryField()
    record = models.BinaryField()

    class Meta:
        constraints = [
            # A partnership's months in order: the key, and the index every read uses.
            models.UniqueConstraint(fields=["partnership", "month"], name="incidentsegment_month")
        ]

    def __str__(self) -> str:
        return f"{self.partnership_id} {self.month:%Y-%m}: {self.incidents}"


class PeopleIndex(models.Model):
    """The people with an incident in a partnership: their 60-bit keys, sorted (store.py).

    An import reads another partnership's incidents only if someone it brings is here.
    """

    partnership = models.OneToOneField(Partnership, on_delete=models.CASCADE)
    keys = models.BinaryField()  # little-endian 64-bit integers

    def __str__(self) -> str:
        return f"People of {self.partnership_id}"


CUBE_MEASURES = ["incidents", "repeats", "resolved", "charged"]
# Beside each count, the sum of its incidents' record keys: added up over the rows a
# figure sums, it is the figure's cell key for disclosure control (core.disclosure).
CUBE_KEYS = [f"{m}_key" for m in CUBE_MEASURES]
CUBE_COLUMNS = [*CUBE_MEASURES, *CUBE_KEYS]


class Measures(models.Model):
    """What every cube row counts: incidents, repeats and outcomes, each with its key sum."""

    incidents = models.IntegerField()
    repeats = models.IntegerField()
    resolved = models.IntegerField()  # incidents with an outcome (not pending)
    charged = models.IntegerField()
    incidents_key = models.IntegerField(default=0)
    repeats_key = models.IntegerField(default=0)
    resolved_key = models.IntegerField(default=0)
    charged_key = models.IntegerField(default=0)

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
                fields=["partnership", "month", "strand", "ward_id", "partner_id", *CUBE_COLUMNS],
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
                fields=["partnership", "month", "strand", "partner_id", *CUBE_COLUMNS],
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
            # months together, so no sort is needed. It holds the incidents and their key
            # sum, which the breakdowns sum, and no other measure: an import adds a repeat
            # flag it flips in another partnership's month to these rows in place, and an
            # update of a column no index holds writes no index (on PostgreSQL, a HOT
            # update). A view of one value reads its few dozen rows' other measures from
            # the table.
            models.Index(
                fields=[
                    "partnership",
                    "strand",
                    "characteristic",
                    "value",
                    "month",
                    "incidents",
                    "incidents_key",
                ],
                name="victimcube_breakdown",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.characteristic}={self.value} {self.month:%Y-%m}: {self.incidents}"


class PartnerVictimCube(Cube):
    """VictimCube with the partner: the breakdowns of one partner's incidents.

    The victim cube is these rows summed over partners. Strand "" is all strands, as there.
    """

    partner_id = models.IntegerField()
    strand = models.CharField(max_length=32, blank=True)
    characteristic = models.CharField(max_length=16)
    value = models.CharField(max_length=16)

    class Meta:
        indexes = [
            # One partner's values (or one value's partners) in a strand, months together;
            # the incidents (and their key sum) only, as the victim cube's.
            models.Index(
                fields=[
                    "partnership",
                    "strand",
                    "characteristic",
                    "value",
                    "partner_id",
                    "month",
                    "incidents",
                    "incidents_key",
                ],
                name="partnervictimcube_breakdown",
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


class RegionPairs(models.Model):
    """A region-month's incidents by strand and by each pair of victim characteristics'
    values, as one dense array (pairs.py): the regional breakdowns among one
    characteristic. Kept in step at import by adding each rebuilt month's change."""

    region = models.ForeignKey(
        Region, on_delete=models.CASCADE, db_constraint=False, db_index=False
    )
    month = models.DateField()
    layout = models.CharField(max_length=16)  # pairs.LAYOUT when written
    counts = models.BinaryField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["region", "month"], name="regionpairs_month")
        ]

    def __str__(self) -> str:
        return f"{self.region_id} {self.month:%Y-%m}"
