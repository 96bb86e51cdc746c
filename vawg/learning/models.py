"""Partnership learning: training, initiative registers and case-review recommendations.

No names of people anywhere: attendees are an organisation-issued reference,
reviews are known by their reference, and recommendations are owned by an
organisation, not a person.
"""

from datetime import date

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower

from vawg.core.models import Organisation, Partnership

CONFIDENCE_MIN, CONFIDENCE_MAX = 1, 5
confidence_validators = [MinValueValidator(CONFIDENCE_MIN), MaxValueValidator(CONFIDENCE_MAX)]

# A booking or staff number: letters, digits and - _ / . with at least one digit, so that a
# name or initials (personal data we do not need) cannot be typed in by mistake.
attendee_reference_validator = RegexValidator(
    r"^(?=.*\d)[A-Za-z0-9][A-Za-z0-9_/.-]{0,29}$",
    "Enter a reference such as a booking or staff number (letters and at least one digit, "
    "no spaces), not a name or email address.",
)


class Retirable(models.Model):
    """Retired rather than deleted: the record and its history stay, it just stops being current.

    Retiring hides it from the lists and stops new sessions, participants or recommendations
    being added; the audit trail keeps who retired it and when, and it can be restored.
    """

    retired_on = models.DateField(null=True, blank=True, editable=False)

    class Meta:
        abstract = True

    @property
    def is_retired(self) -> bool:
        return self.retired_on is not None


# --- Training -------------------------------------------------------------------


class Course(Retirable):
    """A course in the partnership's training offer (AB.04, IH.03, PA.06)."""

    partnership = models.ForeignKey(Partnership, on_delete=models.CASCADE, related_name="courses")
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    co_produced = models.BooleanField(
        "Co-produced with survivors", default=False, help_text="Designed with survivors."
    )
    actions = models.ManyToManyField("strategy.Action", blank=True, related_name="learning_courses")

    class Meta:
        ordering = ["title"]
        constraints = [
            models.UniqueConstraint(
                "partnership",
                Lower("title"),
                name="learning_course_unique_title",
                violation_error_message="A course with this title already exists.",
            )
        ]

    def __str__(self) -> str:
        return self.title


class TrainingSession(models.Model):
    partnership_path = "course__partnership"

    class Format(models.TextChoices):
        IN_PERSON = "in_person", "In person"
        ONLINE = "online", "Online (live)"
        E_LEARNING = "e_learning", "E-learning"
        BLENDED = "blended", "Blended"

    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="sessions")
    held_on = models.DateField()
    # Who delivered it: an organisation or team, not a person's name.
    trainer = models.CharField(max_length=200)
    format = models.CharField(max_length=20, choices=Format.choices)

    class Meta:
        ordering = ["-held_on", "pk"]

    def __str__(self) -> str:
        return f"{self.course} on {self.held_on:%-d %B %Y}"


class Attendance(models.Model):
    """One person at one session, with their before/after confidence (1 to 5)."""

    partnership_path = "session__course__partnership"

    session = models.ForeignKey(
        TrainingSession, on_delete=models.CASCADE, related_name="attendances"
    )
    attendee_reference = models.CharField(max_length=30, validators=[attendee_reference_validator])
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="training_attendances"
    )
    confidence_before = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=confidence_validators
    )
    confidence_after = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=confidence_validators
    )

    class Meta:
        ordering = ["organisation__name", "attendee_reference"]
        constraints = [
            # The same person is counted once per session, however often a file is imported.
            models.UniqueConstraint(
                "session",
                Lower("attendee_reference"),
                name="learning_attendance_once",
                violation_error_message=(
                    "This attendee reference is already recorded for this session."
                ),
            ),
            models.CheckConstraint(
                condition=Q(confidence_before__isnull=True)
                | Q(confidence_before__gte=CONFIDENCE_MIN, confidence_before__lte=CONFIDENCE_MAX),
                name="learning_confidence_before_range",
            ),
            models.CheckConstraint(
                condition=Q(confidence_after__isnull=True)
                | Q(confidence_after__gte=CONFIDENCE_MIN, confidence_after__lte=CONFIDENCE_MAX),
                name="learning_confidence_after_range",
            ),
        ]

    def __str__(self) -> str:
        return self.attendee_reference

    def clean(self) -> None:
        if (
            self.organisation_id
            and self.session_id
            and self.organisation.partnership_id != self.session.course.partnership_id
        ):
            raise ValidationError({"organisation": "Choose an organisation of this partnership."})


# --- Registers of initiatives ----------------------------------------------------


class Initiative(Retirable):
    """A register: an accreditation, charter or scheme organisations sign up to."""

    class Kind(models.TextChoices):
        WHITE_RIBBON = "white_ribbon", "White Ribbon accreditation"
        DAHA = "daha", "DAHA accreditation"
        EIDA = "eida", "Employers' Initiative on Domestic Abuse"
        SCHOOL_POLICY = "school_policy", "School VAWG policy"
        SAFE_SPACES = "safe_spaces", "Safe Spaces venues"
        CHAMPIONS = "champions", "VAWG Champions"
        NIGHT_SAFETY = "night_safety", "Women's Night Safety Charter"
        OTHER = "other", "Other initiative"

    partnership = models.ForeignKey(
        Partnership, on_delete=models.CASCADE, related_name="initiatives"
    )
    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    description = models.TextField(blank=True)
    # Coverage needs to know how many could take part (e.g. the borough's schools); the
    # platform's organisations are the partnership's agencies, not every school or venue.
    coverage_denominator = models.PositiveIntegerField(
        "How many could take part",
        null=True,
        blank=True,
        help_text="For coverage, for example the number of schools in the borough.",
    )
    coverage_of = models.CharField(
        "Counted as", max_length=100, blank=True, help_text="For example: schools"
    )
    reminder_days = models.PositiveSmallIntegerField(
        "Renewal reminder (days before)", default=60, validators=[MaxValueValidator(365)]
    )
    actions = models.ManyToManyField(
        "strategy.Action", blank=True, related_name="learning_initiatives"
    )

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                "partnership",
                Lower("name"),
                name="learning_initiative_unique_name",
                violation_error_message="A register with this name already exists.",
            )
        ]

    def __str__(self) -> str:
        return self.name


class ParticipantQuerySet(models.QuerySet):
    def active_on(self, day: date) -> "ParticipantQuerySet":
        """Taking part on `day`: active, started by then, not ended, not past renewal."""
        return self.filter(
            Q(started_on__isnull=True) | Q(started_on__lte=day),
            Q(ended_on__isnull=True) | Q(ended_on__gt=day),
            Q(renewal_due__isnull=True) | Q(renewal_due__gte=day),
            status=Participant.Status.ACTIVE,
        )

    def renewal_due_by(self, day: date) -> "ParticipantQuerySet":
        return self.filter(status=Participant.Status.ACTIVE, renewal_due__lte=day)


class Participant(models.Model):
    """An organisation, school or venue taking part in an initiative (no people)."""

    partnership_path = "initiative__partnership"

    class Status(models.TextChoices):
        WORKING_TOWARDS = "working_towards", "Working towards"
        ACTIVE = "active", "In place"
        LAPSED = "lapsed", "Lapsed"
        WITHDRAWN = "withdrawn", "Withdrawn"

    initiative = models.ForeignKey(
        Initiative, on_delete=models.CASCADE, related_name="participants"
    )
    name = models.CharField(
        max_length=200, help_text="The organisation, school or venue taking part."
    )
    organisation = models.ForeignKey(
        Organisation,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="initiative_participations",
        help_text="When it is one of the partnership's organisations.",
    )
    status = models.CharField(max_length=20, choices=Status.choices)
    started_on = models.DateField(null=True, blank=True)
    renewal_due = models.DateField(null=True, blank=True)
    ended_on = models.DateField(null=True, blank=True)
    # The renewal date a reminder was last sent for: sending again for the same date is a no-op.
    reminded_for = models.DateField(null=True, blank=True, editable=False)

    objects = ParticipantQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                "initiative",
                Lower("name"),
                name="learning_participant_unique_name",
                violation_error_message="This participant is already on the register.",
            ),
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True)
                | Q(started_on__isnull=True)
                | Q(ended_on__gte=models.F("started_on")),
                name="learning_participant_end_after_start",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        errors = {}
        if self.started_on and self.ended_on and self.ended_on < self.started_on:
            errors["ended_on"] = "The end date must not be before the start date."
        if self.started_on and self.renewal_due and self.renewal_due < self.started_on:
            errors["renewal_due"] = "The renewal date must not be before the start date."
        if self.status in (self.Status.LAPSED, self.Status.WITHDRAWN) and not self.ended_on:
            errors["ended_on"] = "Enter the date it lapsed or was withdrawn."
        if (
            self.organisation_id
            and self.initiative_id
            and self.organisation.partnership_id != self.initiative.partnership_id
        ):
            errors["organisation"] = "Choose an organisation of this partnership."
        if errors:
            raise ValidationError(errors)


# --- Case reviews ----------------------------------------------------------------


class LearningTheme(models.Model):
    """A theme of learning that recurs across reviews (e.g. "Routine enquiry")."""

    partnership = models.ForeignKey(
        Partnership, on_delete=models.CASCADE, related_name="learning_themes"
    )
    name = models.CharField(max_length=100)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                "partnership",
                Lower("name"),
                name="learning_theme_unique_name",
                violation_error_message="This theme already exists.",
            )
        ]

    def __str__(self) -> str:
        return self.name


class CaseReview(Retirable):
    """A statutory case review, known only by its reference: never a name."""

    class Kind(models.TextChoices):
        # The Victims and Prisoners Act 2024 renamed DHRs; reviews commissioned under the
        # old name keep it, so both are kept and counted together as death reviews.
        DHR = "dhr", "Domestic Homicide Review (DHR)"
        DARDR = "dardr", "Domestic Abuse Related Death Review (DARDR)"
        SAR = "sar", "Safeguarding Adult Review (SAR)"
        CSPR = "cspr", "Child Safeguarding Practice Review (CSPR)"

    class Status(models.TextChoices):
        COMMISSIONED = "commissioned", "Commissioned"
        IN_PROGRESS = "in_progress", "In progress"
        SUBMITTED = "submitted", "Submitted for quality assurance"
        PUBLISHED = "published", "Published"
        CLOSED = "closed", "Closed"

    partnership = models.ForeignKey(
        Partnership, on_delete=models.CASCADE, related_name="case_reviews"
    )
    reference = models.CharField(
        max_length=50, help_text="The review's reference, for example DHR 2023/01. No names."
    )
    kind = models.CharField("Type", max_length=10, choices=Kind.choices)
    status = models.CharField(max_length=20, choices=Status.choices)
    commissioned_on = models.DateField()
    completed_on = models.DateField(null=True, blank=True)
    published_on = models.DateField(null=True, blank=True)
    report_url = models.URLField("Published report link", blank=True, max_length=500)
    themes = models.ManyToManyField(LearningTheme, blank=True, related_name="reviews")
    actions = models.ManyToManyField("strategy.Action", blank=True, related_name="case_reviews")

    class Meta:
        ordering = ["-commissioned_on", "reference"]
        constraints = [
            models.UniqueConstraint(
                "partnership",
                Lower("reference"),
                name="learning_review_unique_reference",
                violation_error_message="A review with this reference already exists.",
            )
        ]

    def __str__(self) -> str:
        return self.reference

    @property
    def is_death_review(self) -> bool:
        return self.kind in (self.Kind.DHR, self.Kind.DARDR)

    def clean(self) -> None:
        errors = {}
        if self.completed_on and self.commissioned_on and self.completed_on < self.commissioned_on:
            errors["completed_on"] = "The completed date must not be before it was commissioned."
        if self.published_on and self.commissioned_on and self.published_on < self.commissioned_on:
            errors["published_on"] = "The published date must not be before it was commissioned."
        if self.status == self.Status.PUBLISHED and not self.published_on:
            errors["published_on"] = "Enter the date the review was published."
        if self.report_url and not self.report_url.startswith("https://"):
            errors["report_url"] = "Enter a link that starts with https://"
        if errors:
            raise ValidationError(errors)


OPEN_STATUSES = ("open", "in_progress")


class RecommendationQuerySet(models.QuerySet):
    def overdue_on(self, day: date) -> "RecommendationQuerySet":
        """Due before `day` and not completed by then."""
        return self.filter(
            Q(due_on__lt=day) & (Q(completed_on__isnull=True) | Q(completed_on__gt=day))
        )


class Recommendation(models.Model):
    partnership_path = "review__partnership"

    class Status(models.TextChoices):
        OPEN = "open", "Not started"
        IN_PROGRESS = "in_progress", "In progress"
        COMPLETED = "completed", "Completed"
        EMBEDDED = "embedded", "Completed and embedded"

    review = models.ForeignKey(CaseReview, on_delete=models.CASCADE, related_name="recommendations")
    number = models.CharField(max_length=10, help_text="As numbered in the review, e.g. 3.1")
    text = models.TextField("Recommendation")
    owner = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="review_recommendations"
    )
    due_on = models.DateField("Due date")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.OPEN)
    completed_on = models.DateField(null=True, blank=True)
    embedded_on = models.DateField(null=True, blank=True)
    evidence = models.TextField(
        "Evidence that the learning is embedded",
        blank=True,
        help_text="For example an audit of practice, a changed policy, repeat training figures.",
    )
    themes = models.ManyToManyField(LearningTheme, blank=True, related_name="recommendations")

    objects = RecommendationQuerySet.as_manager()

    class Meta:
        ordering = ["review", "number"]
        constraints = [
            models.UniqueConstraint(
                "review",
                Lower("number"),
                name="learning_recommendation_unique_number",
                violation_error_message=(
                    "This review already has a recommendation with this number."
                ),
            ),
            models.CheckConstraint(
                condition=Q(embedded_on__isnull=True)
                | (Q(completed_on__isnull=False) & Q(embedded_on__gte=models.F("completed_on"))),
                name="learning_recommendation_embedded_after_completed",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.review.reference} recommendation {self.number}"

    def is_overdue(self, on: date) -> bool:
        return self.due_on < on and not (self.completed_on and self.completed_on <= on)

    def clean(self) -> None:
        errors = {}
        done = (self.Status.COMPLETED, self.Status.EMBEDDED)
        if self.status in done and not self.completed_on:
            errors["completed_on"] = "Enter the date the recommendation was completed."
        if self.status not in done and self.completed_on:
            errors["completed_on"] = "Leave the completed date empty until it is completed."
        if self.status == self.Status.EMBEDDED:
            if not self.embedded_on:
                errors["embedded_on"] = "Enter the date the learning was shown to be embedded."
            if not self.evidence.strip():
                errors["evidence"] = "Enter the evidence that the learning is embedded."
        elif self.embedded_on:
            errors["embedded_on"] = "Leave the embedded date empty until the status is embedded."
        if self.completed_on and self.embedded_on and self.embedded_on < self.completed_on:
            errors.setdefault("embedded_on", "The embedded date must not be before completion.")
        if (
            self.owner_id
            and self.review_id
            and self.owner.partnership_id != self.review.partnership_id
        ):
            errors["owner"] = "Choose an organisation of this partnership."
        if errors:
            raise ValidationError(errors)
