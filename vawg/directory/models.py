"""The public support directory: the services a partnership lists for residents and survivors.

A listing belongs to the partnership that keeps it. Its `area` says who it serves: people
living in that partnership's borough, anyone in its region (London-wide), or anyone (national).
What it deals with, who it is for and the languages it works in are sets of fixed codes, one
row each, so the finder can match and rank them with ordinary queries on any database.
"""

from datetime import date

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator
from django.db import models
from django.db.models import Q

from vawg.core.models import Partnership


class Need(models.TextChoices):
    """What a service helps with: the harms it deals with and the kinds of help it gives."""

    # What happened
    DOMESTIC_ABUSE = "domestic_abuse", "Domestic abuse"
    SEXUAL_VIOLENCE = "sexual_violence", "Sexual violence"
    STALKING = "stalking", "Stalking and harassment"
    FGM = "fgm", "Female genital mutilation (FGM)"
    FORCED_MARRIAGE = "forced_marriage", "Forced marriage"
    HONOUR = "honour", "So-called honour-based abuse"
    EXPLOITATION = "exploitation", "Sexual exploitation"
    OWN_BEHAVIOUR = "own_behaviour", "Help to stop harming someone (perpetrator programmes)"
    # Kinds of help
    REFUGE = "refuge", "Refuge and safe accommodation"
    ADVOCACY = "advocacy", "Advocacy (IDVA or ISVA)"
    COUNSELLING = "counselling", "Counselling and group work"
    LEGAL = "legal", "Legal advice"
    HOUSING = "housing", "Housing advice"
    CHILDREN = "children", "Support for children and young people"
    HELPLINE = "helpline", "Someone to talk to (helpline)"


HARMS = frozenset(
    {
        Need.DOMESTIC_ABUSE,
        Need.SEXUAL_VIOLENCE,
        Need.STALKING,
        Need.FGM,
        Need.FORCED_MARRIAGE,
        Need.HONOUR,
        Need.EXPLOITATION,
        Need.OWN_BEHAVIOUR,
    }
)


class Audience(models.TextChoices):
    """Who a service is specifically for. A service with none is open to anyone."""

    WOMEN = "women", "Women and girls"
    MEN = "men", "Men and boys"
    LGBTQ = "lgbtq", "LGBTQ+ people"
    YOUNG = "young", "Children and young people"
    OLDER = "older", "Older people"
    DISABLED = "disabled", "Disabled people"
    DEAF = "deaf", "Deaf people"
    BLACK_MINORITISED = "black_minoritised", "Black and minoritised communities"
    MIGRANT = "migrant", "People with insecure immigration status"


class Language(models.TextChoices):
    """Languages a service works in directly (others may be offered through interpreters)."""

    ENGLISH = "en", "English"
    BSL = "bsl", "British Sign Language"
    ARABIC = "ar", "Arabic"
    BENGALI = "bn", "Bengali"
    FARSI = "fa", "Farsi"
    FRENCH = "fr", "French"
    KURDISH = "ku", "Kurdish"
    POLISH = "pl", "Polish"
    PORTUGUESE = "pt", "Portuguese"
    PUNJABI = "pa", "Punjabi"
    ROMANIAN = "ro", "Romanian"
    SOMALI = "so", "Somali"
    SPANISH = "es", "Spanish"
    TAMIL = "ta", "Tamil"
    TIGRINYA = "ti", "Tigrinya"
    TURKISH = "tr", "Turkish"
    TWI = "tw", "Twi"
    URDU = "ur", "Urdu"
    YORUBA = "yo", "Yoruba"


class Area(models.TextChoices):
    BOROUGH = "borough", "People living in the borough"
    REGION = "region", "Anyone in London"
    NATIONAL = "national", "Anyone in the UK"


class Access(models.TextChoices):
    SELF_REFERRAL = "self", "You can contact them yourself"
    REFERRAL = "referral", "A professional must refer you"
    EITHER = "either", "Contact them yourself or be referred by a professional"


class ServiceQuerySet(models.QuerySet):
    def current(self) -> "ServiceQuerySet":
        """Listings not retired: the ones the public finder may show."""
        return self.filter(retired_at__isnull=True)

    def stale(self, *, on: date) -> "ServiceQuerySet":
        """Current listings whose review date has passed."""
        return self.current().filter(review_due__lt=on)


class Service(models.Model):
    """One listing in the directory, kept by an owner who reviews it by a date."""

    partnership = models.ForeignKey(
        Partnership, on_delete=models.CASCADE, related_name="directory_services"
    )
    provider = models.CharField(max_length=150, help_text="The organisation that runs it")
    name = models.CharField(max_length=150, help_text="The service's own name")
    summary = models.TextField(
        max_length=1000,
        validators=[MaxLengthValidator(1000)],
        help_text="What it offers, in plain words",
    )
    area = models.CharField(max_length=20, choices=Area.choices, default=Area.BOROUGH)
    interpreters = models.BooleanField(
        default=False, help_text="Can arrange an interpreter for other languages"
    )
    phone = models.CharField(max_length=40, blank=True)
    text_number = models.CharField(max_length=40, blank=True)
    email = models.EmailField(blank=True)
    website = models.URLField(blank=True)
    walk_in = models.CharField(
        max_length=300, blank=True, help_text="Where and when people can walk in, if they can"
    )
    access = models.CharField(max_length=20, choices=Access.choices, default=Access.EITHER)
    opening_hours = models.CharField(max_length=200)
    free = models.BooleanField(default=True)
    confidential = models.BooleanField(default=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="directory_services",
        help_text="The member of staff who keeps this listing up to date",
    )
    review_due = models.DateField()
    last_reviewed_on = models.DateField(null=True, blank=True)
    # The review date the owner was last reminded about, so a reminder goes once per review.
    reminded_for = models.DateField(null=True, blank=True, editable=False)
    retired_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ServiceQuerySet.as_manager()

    class Meta:
        ordering = ["provider", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["partnership", "provider", "name"],
                condition=Q(retired_at__isnull=True),
                name="directory_service_unique_current",
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.provider})"

    def clean(self) -> None:
        if not (self.phone or self.text_number or self.email or self.website or self.walk_in):
            raise ValidationError(
                "Give at least one way to make contact: phone, text, email, website or walk-in."
            )

    def is_stale(self, on: date) -> bool:
        return self.retired_at is None and self.review_due < on

    @property
    def need_codes(self) -> set[str]:
        return {n.need for n in self.needs.all()}

    @property
    def audience_codes(self) -> set[str]:
        return {a.audience for a in self.audiences.all()}

    @property
    def language_codes(self) -> set[str]:
        return {lang.language for lang in self.languages.all()}


class ServiceNeed(models.Model):
    partnership_path = "service__partnership"
    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="needs")
    need = models.CharField(max_length=30, choices=Need.choices)

    class Meta:
        ordering = ["need"]
        constraints = [
            models.UniqueConstraint(fields=["service", "need"], name="directory_need_once")
        ]

    def __str__(self) -> str:
        return self.get_need_display()


class ServiceAudience(models.Model):
    partnership_path = "service__partnership"
    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="audiences")
    audience = models.CharField(max_length=30, choices=Audience.choices)

    class Meta:
        ordering = ["audience"]
        constraints = [
            models.UniqueConstraint(fields=["service", "audience"], name="directory_audience_once")
        ]

    def __str__(self) -> str:
        return self.get_audience_display()


class ServiceLanguage(models.Model):
    partnership_path = "service__partnership"
    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="languages")
    language = models.CharField(max_length=10, choices=Language.choices)

    class Meta:
        ordering = ["language"]
        constraints = [
            models.UniqueConstraint(fields=["service", "language"], name="directory_language_once")
        ]

    def __str__(self) -> str:
        return self.get_language_display()
