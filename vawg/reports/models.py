"""A report someone asked for, and the file the background worker made of it."""

from django.conf import settings
from django.db import models

from vawg.core.models import Partnership, PartnershipBody, Region
from vawg.reports.kinds import KINDS
from vawg.reports.spec import Reader


class ReportRequest(models.Model):
    """One making of a report: what was asked for, by whom, how far it has got, and the
    finished file. A failed one keeps what failed and no file; "Make again" is a new row,
    so the list says who made each file and when."""

    class Status(models.TextChoices):
        QUEUED = "queued", "Waiting to start"
        RUNNING = "running", "Being made"
        DONE = "done", "Ready"
        FAILED = "failed", "Failed"

    WORKING = (Status.QUEUED, Status.RUNNING)

    kind = models.CharField(max_length=40)  # a slug of vawg.reports.kinds.KINDS
    # A partnership's own report has its partnership and no region. A regional officer's
    # return has the region, and the borough it is for (none: the combined workbook); it is
    # kept for the region, not shown to the borough.
    partnership = models.ForeignKey(
        Partnership,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="report_requests",
    )
    region = models.ForeignKey(
        Region, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    body = models.ForeignKey(
        PartnershipBody, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    period_label = models.CharField(max_length=20)
    period_start = models.DateField()
    period_end = models.DateField()
    reader = models.CharField(max_length=20, choices=Reader.CHOICES)
    fmt = models.CharField("Format", max_length=10)

    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    percent = models.PositiveSmallIntegerField(default=0)
    step = models.CharField(max_length=200, blank=True)
    error = models.TextField(blank=True)
    # The worker's task (vawg.core.jobs), and its heartbeat: a stopped worker is noticed.
    task_id = models.UUIDField(null=True, blank=True)
    heartbeat_at = models.DateTimeField(null=True, blank=True)

    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    requested_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    content = models.BinaryField(null=True, blank=True, editable=False)
    filename = models.CharField(max_length=200, blank=True)
    content_type = models.CharField(max_length=120, blank=True)

    class Meta:
        ordering = ["-requested_at", "-pk"]
        indexes = [
            models.Index(fields=["partnership", "-requested_at"]),
            models.Index(fields=["region", "-requested_at"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(partnership__isnull=False) | models.Q(region__isnull=False),
                name="report_for_a_partnership_or_region",
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.period_label} ({self.fmt})"

    @property
    def for_region(self) -> bool:
        """Asked for by the region's officer (kept on the region's page)."""
        return self.region_id is not None

    @property
    def scope_name(self) -> str:
        """What it covers: the borough, or the whole region for a combined workbook."""
        if self.partnership_id is not None:
            return self.partnership.name
        return f"{self.region.name}: every partnership"

    @property
    def title(self) -> str:
        kind = KINDS.get(self.kind)
        return kind.title if kind else self.kind

    @property
    def working(self) -> bool:
        return self.status in self.WORKING

    @property
    def ready(self) -> bool:
        return self.status == self.Status.DONE and self.content is not None
