"""Screening, risk checklists, MARAC referrals (cases), meetings, case actions.

Identity (names, dates of birth, addresses) and free text are held encrypted
(core.fields: plain values here, Fernet tokens in the database, in the columns
still named `*_enc`), and attachments as Fernet tokens; people are linked for
repeat detection by keyed hashes (`*_hash`). Everywhere outside the MARAC roles' case
page a case is its reference number.
"""

from django.conf import settings
from django.db import models

from vawg.core.fields import EncryptedDateField, EncryptedTextField
from vawg.core.models import Organisation, Partnership

Q = models.Q


class MaracSettings(models.Model):
    """A partnership's own MARAC settings, kept by its coordinator."""

    class RetentionAction(models.TextChoices):
        REDUCE = "reduce", "Reduce to anonymous statistics"
        DELETE = "delete", "Delete the case"

    partnership = models.OneToOneField(
        Partnership, on_delete=models.CASCADE, related_name="marac_settings"
    )
    women_16_plus = models.PositiveIntegerField(
        null=True, blank=True, help_text="Women aged 16 and over living in the area."
    )
    population_source = models.CharField(max_length=200, blank=True)
    population_is_synthetic = models.BooleanField(default=False)
    # The local population's shares (percentages) to set each victim profile figure beside.
    population_shares = models.JSONField(default=dict, blank=True)
    escalation_incidents = models.PositiveSmallIntegerField(default=3)
    escalation_crimes = models.PositiveSmallIntegerField(null=True, blank=True)
    case_retention_months = models.PositiveSmallIntegerField(default=72)
    retention_action = models.CharField(
        max_length=10, choices=RetentionAction.choices, default=RetentionAction.REDUCE
    )
    attachment_retention_months = models.PositiveSmallIntegerField(default=24)
    screening_retention_months = models.PositiveSmallIntegerField(default=12)
    # How often an overdue case action is chased again.
    chase_interval_days = models.PositiveSmallIntegerField(default=7)
    next_reference = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name_plural = "MARAC settings"
        constraints = [
            models.CheckConstraint(
                condition=Q(escalation_incidents__gte=1), name="marac_escalation_at_least_one"
            ),
            models.CheckConstraint(
                condition=Q(chase_interval_days__gte=1, chase_interval_days__lte=90),
                name="marac_chase_interval_range",
            ),
        ]

    def __str__(self) -> str:
        return f"MARAC settings for {self.partnership}"


class LocalCriterion(models.Model):
    """A partnership's own referral criterion (e.g. so-called honour-based abuse)."""

    partnership = models.ForeignKey(
        Partnership, on_delete=models.CASCADE, related_name="marac_local_criteria"
    )
    code = models.SlugField(max_length=40)
    label = models.CharField(max_length=200)
    automatic_referral = models.BooleanField(default=True)
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["label"]
        constraints = [
            models.UniqueConstraint(fields=["partnership", "code"], name="marac_criterion_code")
        ]

    def __str__(self) -> str:
        return self.label


class Screening(models.Model):
    """A routine enquiry. It holds no identity: only what was asked and the next step."""

    class Outcome(models.TextChoices):
        CHECKLIST = "checklist", "Complete the full risk checklist"
        SPECIALIST = "specialist", "Refer to an IDVA or specialist service"
        SIGNPOST = "signpost", "Signpost to support services"

    partnership = models.ForeignKey(Partnership, on_delete=models.CASCADE, related_name="+")
    practitioner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    organisation = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    screened_on = models.DateField()
    disclosed = models.BooleanField()
    immediate_danger = models.BooleanField(default=False)
    agrees_to_checklist = models.BooleanField(default=False)
    outcome = models.CharField(max_length=20, choices=Outcome.choices)

    class Meta:
        ordering = ["-screened_on", "-id"]

    def __str__(self) -> str:
        return f"Screening {self.pk}"


class Assessment(models.Model):
    """A completed DASH risk checklist, with the version it was completed on."""

    partnership = models.ForeignKey(Partnership, on_delete=models.CASCADE, related_name="+")
    practitioner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    organisation = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    screening = models.ForeignKey(Screening, null=True, blank=True, on_delete=models.SET_NULL)
    completed_on = models.DateField()
    checklist_version = models.CharField(max_length=80)
    answers = models.JSONField(help_text="Question number → yes, no or not_known.")
    yes_count = models.PositiveSmallIntegerField()
    police_incidents_12m = models.PositiveSmallIntegerField(default=0)
    police_crimes_12m = models.PositiveSmallIntegerField(default=0)
    professional_judgement = models.BooleanField(default=False)
    judgement_reason = EncryptedTextField(blank=True, db_column="judgement_reason_enc")
    local_criteria = models.ManyToManyField(LocalCriterion, blank=True, related_name="+")
    criteria = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["-completed_on", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(yes_count__lte=24), name="marac_yes_count_max")
        ]

    def __str__(self) -> str:
        return f"Assessment {self.pk}"

    @property
    def high_risk(self) -> bool:
        from vawg.marac.dash import HIGH_RISK_YES

        return self.yes_count >= HIGH_RISK_YES


class Choice3(models.TextChoices):
    YES = "yes", "Yes"
    NO = "no", "No"
    NOT_KNOWN = "not_known", "Not known"


class Referral(models.Model):
    """A referral to MARAC: the case, known everywhere but the case page by its reference."""

    class Sex(models.TextChoices):
        FEMALE = "female", "Female"
        MALE = "male", "Male"
        NOT_KNOWN = "not_known", "Not known"

    class Ethnicity(models.TextChoices):
        WHITE_BRITISH = (
            "white_british",
            "White: English, Welsh, Scottish, Northern Irish or British",
        )
        WHITE_OTHER = "white_other", "White: any other background"
        MIXED = "mixed", "Mixed or multiple ethnic groups"
        ASIAN = "asian", "Asian or Asian British"
        BLACK = "black", "Black, Black British, Caribbean or African"
        OTHER = "other", "Other ethnic group"
        NOT_KNOWN = "not_known", "Not known"

    class Orientation(models.TextChoices):
        HETEROSEXUAL = "heterosexual", "Heterosexual or straight"
        GAY_LESBIAN = "gay_lesbian", "Gay or lesbian"
        BISEXUAL = "bisexual", "Bisexual"
        OTHER = "other", "Other sexual orientation"
        NOT_KNOWN = "not_known", "Not known"

    class SealedReason(models.TextChoices):
        VICTIM_STAFF = "victim_staff", "The victim works for a partner agency"
        PERPETRATOR_STAFF = "perpetrator_staff", "The perpetrator works for a partner agency"
        OTHER = "other", "Another reason for restricted access"

    partnership = models.ForeignKey(
        Partnership, on_delete=models.CASCADE, related_name="marac_referrals"
    )
    reference = models.CharField(max_length=20)
    assessment = models.OneToOneField(
        Assessment, null=True, blank=True, on_delete=models.SET_NULL, related_name="referral"
    )
    referred_on = models.DateField(db_index=True)
    referring_organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="+"
    )
    referrer = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    criteria = models.JSONField(default=list, blank=True)
    is_repeat = models.BooleanField(default=False)
    repeat_of = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="repeats"
    )
    # Identity: encrypted; linked only by the keyed hash.
    victim_name = EncryptedTextField(blank=True, db_column="victim_name_enc")
    victim_dob = EncryptedDateField(blank=True, db_column="victim_dob_enc")
    victim_address = EncryptedTextField(blank=True, db_column="victim_address_enc")
    victim_hash = models.CharField(max_length=64, blank=True, db_index=True)
    victim_hash_version = models.PositiveSmallIntegerField(null=True, blank=True)
    # What SafeLives monitors (categories only, kept when a case is reduced).
    victim_sex = models.CharField(max_length=10, choices=Sex.choices)
    victim_age = models.PositiveSmallIntegerField(null=True, blank=True)
    victim_ethnicity = models.CharField(max_length=20, choices=Ethnicity.choices)
    victim_sexual_orientation = models.CharField(max_length=20, choices=Orientation.choices)
    victim_disability = models.CharField(max_length=10, choices=Choice3.choices)
    victim_trans = models.CharField(
        max_length=10,
        choices=Choice3.choices,
        help_text="Whether the victim's gender identity differs from the sex registered at birth.",
    )
    children_in_household = models.PositiveSmallIntegerField(default=0)
    victim_aware = models.BooleanField()
    victim_consented = models.BooleanField()
    no_consent_reason = EncryptedTextField(blank=True, db_column="no_consent_reason_enc")
    sealed = models.BooleanField(default=False)
    sealed_reason = models.CharField(max_length=20, choices=SealedReason.choices, blank=True)
    sealed_for = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="+")
    # Set when retention reduced the case to its anonymous statistics.
    reduced_on = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-referred_on", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["partnership", "reference"], name="marac_reference_unique"
            ),
            models.CheckConstraint(
                condition=Q(sealed=False) | ~Q(sealed_reason=""),
                name="marac_sealed_has_reason",
            ),
        ]

    def __str__(self) -> str:
        return self.reference


class Perpetrator(models.Model):
    partnership_path = "referral__partnership"

    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="perpetrators")
    name = EncryptedTextField(blank=True, db_column="name_enc")
    dob = EncryptedDateField(blank=True, db_column="dob_enc")
    address = EncryptedTextField(blank=True, db_column="address_enc")
    person_hash = models.CharField(max_length=64, blank=True, db_index=True)
    hash_version = models.PositiveSmallIntegerField(null=True, blank=True)
    age = models.PositiveSmallIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"Perpetrator {self.pk}"


class Exclusion(models.Model):
    """Someone, or an address, this case's information must never go to."""

    partnership_path = "referral__partnership"

    referral = models.ForeignKey(
        Referral, on_delete=models.CASCADE, related_name="must_not_receive"
    )
    detail = EncryptedTextField(db_column="detail_enc")

    def __str__(self) -> str:
        return f"Exclusion {self.pk}"


class CaseNote(models.Model):
    partnership_path = "referral__partnership"

    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="notes")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    text = EncryptedTextField(db_column="text_enc")

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"Note {self.pk}"


class Meeting(models.Model):
    class Status(models.TextChoices):
        SCHEDULED = "scheduled", "Scheduled"
        HELD = "held", "Held"

    partnership = models.ForeignKey(
        Partnership, on_delete=models.CASCADE, related_name="marac_meetings"
    )
    held_on = models.DateField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.SCHEDULED)
    invited_agencies = models.ManyToManyField(Organisation, related_name="+")

    class Meta:
        ordering = ["-held_on", "-id"]

    def __str__(self) -> str:
        return f"MARAC {self.held_on:%-d %B %Y}"


class AgendaItem(models.Model):
    """A case on a meeting's agenda. A referral is heard at one meeting."""

    partnership_path = "meeting__partnership"

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="agenda")
    referral = models.OneToOneField(Referral, on_delete=models.CASCADE, related_name="agenda_item")
    position = models.PositiveSmallIntegerField()

    class Meta:
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return f"Agenda item {self.position}"


class Attendance(models.Model):
    """Who attended for an agency, and that they accepted the confidentiality statement."""

    partnership_path = "meeting__partnership"

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="attendance")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    attendee_name = models.CharField(max_length=150)
    statement_version = models.CharField(max_length=40)
    statement_accepted_at = models.DateTimeField()

    class Meta:
        ordering = ["organisation__name", "attendee_name"]

    def __str__(self) -> str:
        return self.attendee_name


class CaseActionQuerySet(models.QuerySet):
    def open(self):
        return self.filter(completed_on__isnull=True)

    def overdue(self, on):
        return self.open().filter(due_on__lt=on)


class CaseAction(models.Model):
    partnership_path = "referral__partnership"

    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="actions")
    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="actions")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    description = EncryptedTextField(db_column="description_enc")
    due_on = models.DateField()
    completed_on = models.DateField(null=True, blank=True)
    completed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    completion_note = EncryptedTextField(blank=True, db_column="completion_note_enc")
    last_chased_on = models.DateField(null=True, blank=True)
    chase_count = models.PositiveSmallIntegerField(default=0)

    objects = CaseActionQuerySet.as_manager()

    class Meta:
        ordering = ["due_on", "id"]

    def __str__(self) -> str:
        return f"Action {self.pk}"

    @property
    def on_time(self) -> bool:
        return self.completed_on is not None and self.completed_on <= self.due_on


class Attachment(models.Model):
    """A research pack (on a case) or minutes (of a meeting). No original filename is kept."""

    class Kind(models.TextChoices):
        RESEARCH_PACK = "research_pack", "Research pack"
        MINUTES = "minutes", "Minutes"

    partnership = models.ForeignKey(Partnership, on_delete=models.CASCADE, related_name="+")
    referral = models.ForeignKey(
        Referral, null=True, blank=True, on_delete=models.CASCADE, related_name="attachments"
    )
    meeting = models.ForeignKey(
        Meeting, null=True, blank=True, on_delete=models.CASCADE, related_name="attachments"
    )
    kind = models.CharField(max_length=20, choices=Kind.choices)
    extension = models.CharField(max_length=10)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    content_enc = models.BinaryField()
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_on = models.DateField()

    class Meta:
        ordering = ["-uploaded_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(referral__isnull=False) & Q(meeting__isnull=True))
                | (Q(referral__isnull=True) & Q(meeting__isnull=False)),
                name="marac_attachment_one_owner",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.pk}"
