"""Demo step: an invented support directory for each seed partnership.

Every provider is invented and marked "(demo)"; phone numbers are from Ofcom's ranges kept
for drama (020 7946 0xxx, 07700 900xxx), addresses are example.org. A few listings are past
their review date, and one is retired, so the admins' flags have something to show.
Idempotent: listings are matched on partnership, provider and name, and reset each run.
"""

from datetime import date, timedelta

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from vawg.core.models import Partnership
from vawg.directory.models import Access, Area, Service
from vawg.directory.services import set_codes

E, S = Access.EITHER, Access.SELF_REFERRAL
WEEKDAYS = "Monday to Friday, 9am to 5pm"

# (provider, name, summary, needs, audiences, languages, area, contact, extra)
DIRECTORY: dict[str, list[tuple]] = {
    "wandsworth": [
        (
            "Riverside Women's Refuge (demo)",
            "Refuge and safe accommodation",
            "Safe, confidential homes for women and their children escaping abuse, with a "
            "key worker who helps with money, schools and what comes next.",
            ["refuge", "domestic_abuse", "children"],
            ["women"],
            ["en", "pl", "pt"],
            Area.BOROUGH,
            {"phone": "020 7946 0101", "email": "refuge@example.org"},
            {"opening_hours": "24 hours, every day", "interpreters": True, "access": E},
        ),
        (
            "Wandle Advocacy Service (demo)",
            "Independent domestic violence advocates (IDVA)",
            "An advocate who stands beside you with the police, courts, housing and social "
            "care, and helps you plan how to stay safe.",
            ["advocacy", "domestic_abuse", "stalking"],
            [],
            ["en", "es"],
            Area.BOROUGH,
            {"phone": "020 7946 0102", "text_number": "07700 900102"},
            {"opening_hours": WEEKDAYS, "interpreters": True, "access": E},
        ),
        (
            "Common Ground Counselling (demo)",
            "Counselling and recovery groups",
            "One-to-one counselling and a twelve-week recovery group for women who have "
            "experienced domestic abuse or sexual violence, now or in the past.",
            ["counselling", "domestic_abuse", "sexual_violence"],
            ["women"],
            ["en", "bn", "ur"],
            Area.BOROUGH,
            {"phone": "020 7946 0103", "email": "counselling@example.org"},
            {"opening_hours": "Monday to Thursday, 10am to 8pm", "access": S},
        ),
        (
            "Thames Law Centre (demo)",
            "Family law and housing advice clinic",
            "Free legal advice on protection orders, child arrangements, divorce and keeping "
            "or finding a home.",
            ["legal", "housing", "domestic_abuse"],
            [],
            ["en", "ar", "so"],
            Area.BOROUGH,
            {"phone": "020 7946 0104", "walk_in": "Tuesdays 10am to 1pm, 12 Example Street"},
            {"opening_hours": WEEKDAYS, "interpreters": True, "access": S},
        ),
        (
            "Daybreak Sisters (demo)",
            "Harmful practices support",
            "Specialist help for women and girls at risk of, or affected by, FGM, forced "
            "marriage and so-called honour-based abuse, from workers who share their languages.",
            ["fgm", "forced_marriage", "honour", "advocacy"],
            ["women", "black_minoritised"],
            ["en", "so", "ar", "ti", "ku", "fa"],
            Area.REGION,
            {"phone": "020 7946 0105", "email": "daybreak@example.org"},
            {"opening_hours": WEEKDAYS, "access": E},
        ),
        (
            "Open Door LGBTQ+ Project (demo)",
            "LGBTQ+ abuse advocacy",
            "Advocacy and emotional support for lesbian, gay, bisexual, trans and queer people "
            "experiencing domestic abuse, sexual violence or stalking.",
            ["domestic_abuse", "sexual_violence", "stalking", "advocacy"],
            ["lgbtq"],
            ["en"],
            Area.REGION,
            {"phone": "020 7946 0106", "website": "https://example.org/open-door"},
            {"opening_hours": "Monday to Friday, 10am to 6pm", "access": S},
        ),
        (
            "Heath Young People's Service (demo)",
            "Young people's relationship support",
            "Support for young people aged 11 to 25 who are hurt or controlled in a "
            "relationship, or pressured into sex.",
            ["domestic_abuse", "sexual_violence", "exploitation", "children"],
            ["young"],
            ["en"],
            Area.BOROUGH,
            {"phone": "020 7946 0107", "text_number": "07700 900107"},
            {"opening_hours": "Monday to Saturday, 10am to 7pm", "access": E},
        ),
        (
            "Signpost Deaf Access (demo)",
            "Support in British Sign Language",
            "Deaf advocates who work in BSL, by video call, text or in person.",
            ["domestic_abuse", "advocacy", "counselling"],
            ["deaf", "disabled"],
            ["bsl", "en"],
            Area.NATIONAL,
            {"text_number": "07700 900108", "email": "signpost@example.org"},
            {"opening_hours": WEEKDAYS, "access": S},
        ),
        (
            "Change Course (demo)",
            "Behaviour change programme",
            "A group programme for people who have been abusive to a partner and want to stop. "
            "Partners are offered support of their own.",
            ["own_behaviour"],
            [],
            ["en"],
            Area.BOROUGH,
            {"phone": "020 7946 0109"},
            {"opening_hours": "Evenings, Monday to Thursday", "access": E},
        ),
        (
            "Silver Years Safety Line (demo)",
            "Older people's safety line",
            "A listening line for people over 60 who are hurt, controlled or exploited by a "
            "partner, family member or carer.",
            ["domestic_abuse", "helpline"],
            ["older"],
            ["en"],
            Area.NATIONAL,
            {"phone": "020 7946 0110"},
            {"opening_hours": "Every day, 8am to 8pm", "access": S},
        ),
        (
            "Men's Advice Service (demo)",
            "Men's advice line",
            "Confidential advice and emotional support for men experiencing domestic abuse.",
            ["domestic_abuse", "helpline", "counselling"],
            ["men"],
            ["en"],
            Area.NATIONAL,
            {"phone": "020 7946 0111", "email": "men@example.org"},
            {"opening_hours": WEEKDAYS, "access": S},
        ),
        (
            "Stalking Advice Point (demo)",
            "Stalking advocacy",
            "Advice, safety planning and advocacy for anyone being stalked or harassed.",
            ["stalking", "advocacy", "helpline"],
            [],
            ["en"],
            Area.NATIONAL,
            {"phone": "020 7946 0112"},
            {"opening_hours": WEEKDAYS, "interpreters": True, "access": S},
        ),
    ],
    "lambeth": [
        (
            "Brixton Hill Refuge Partnership (demo)",
            "Refuge and safe accommodation",
            "Refuge rooms and move-on flats for women and children, with support in several "
            "languages.",
            ["refuge", "domestic_abuse", "children"],
            ["women"],
            ["en", "pt", "es", "yo", "tw"],
            Area.BOROUGH,
            {"phone": "020 7946 0201"},
            {"opening_hours": "24 hours, every day", "interpreters": True, "access": E},
        ),
        (
            "Kennington ISVA Service (demo)",
            "Independent sexual violence advocates (ISVA)",
            "An advocate for anyone who has been raped or sexually assaulted, whether or not "
            "they report it, and however long ago it happened.",
            ["sexual_violence", "advocacy"],
            [],
            ["en"],
            Area.BOROUGH,
            {"phone": "020 7946 0202", "email": "isva@example.org"},
            {"opening_hours": WEEKDAYS, "interpreters": True, "access": E},
        ),
        (
            "Vauxhall Gateway Hub (demo)",
            "One-stop shop",
            "Walk in to see an advocate, a housing officer and a solicitor in one visit.",
            [
                "domestic_abuse",
                "housing",
                "legal",
                "advocacy",
                "counselling",
                "fgm",
                "forced_marriage",
            ],
            [],
            ["en", "pt", "es", "so"],
            Area.BOROUGH,
            {"phone": "020 7946 0203", "walk_in": "Wednesdays 10am to 2pm, 4 Example Road"},
            {"opening_hours": WEEKDAYS, "interpreters": True, "access": S},
        ),
        (
            "Migrant Women's Rights Project (demo)",
            "Immigration and abuse advice",
            "Advice for women whose immigration status is tied to an abusive partner, "
            "including the destitution concession and settlement.",
            ["legal", "domestic_abuse"],
            ["women", "migrant"],
            ["en", "es", "pt", "ar", "fr"],
            Area.REGION,
            {"phone": "020 7946 0204", "email": "rights@example.org"},
            {"opening_hours": "Tuesday to Thursday, 10am to 4pm", "access": S},
        ),
        (
            "Stockwell Young Voices (demo)",
            "Young people's service",
            "Support for children and young people living with abuse at home or being exploited.",
            ["children", "domestic_abuse", "exploitation"],
            ["young"],
            ["en"],
            Area.BOROUGH,
            {"phone": "020 7946 0205", "text_number": "07700 900205"},
            {"opening_hours": "Monday to Friday, 11am to 7pm", "access": E},
        ),
        (
            "Crossroads Exit Support (demo)",
            "Support to leave exploitation",
            "Outreach and advocacy for women pressured into selling sex.",
            ["exploitation", "sexual_violence", "advocacy"],
            ["women"],
            ["en", "ro", "pl"],
            Area.BOROUGH,
            {"phone": "020 7946 0206"},
            {"opening_hours": WEEKDAYS, "access": S},
        ),
        (
            "Access Ability Advocacy (demo)",
            "Disabled survivors' advocacy",
            "Advocates who understand how abuse by partners, family and carers affects "
            "disabled people.",
            ["domestic_abuse", "advocacy"],
            ["disabled"],
            ["en", "bsl"],
            Area.REGION,
            {"phone": "020 7946 0207", "email": "access@example.org"},
            {"opening_hours": WEEKDAYS, "access": E},
        ),
        (
            "Silver Years Safety Line (demo)",
            "Older people's safety line",
            "A listening line for people over 60 who are hurt, controlled or exploited by a "
            "partner, family member or carer.",
            ["domestic_abuse", "helpline"],
            ["older"],
            ["en"],
            Area.NATIONAL,
            {"phone": "020 7946 0110"},
            {"opening_hours": "Every day, 8am to 8pm", "access": S},
        ),
        (
            "Turning Point Behaviour Change (demo)",
            "Respectful relationships programme",
            "A programme for people who want to stop being abusive or controlling.",
            ["own_behaviour"],
            [],
            ["en"],
            Area.BOROUGH,
            {"phone": "020 7946 0209"},
            {"opening_hours": "Evenings, by appointment", "access": E},
        ),
    ],
}
# Listings left past their review date (by position), and retired ones (added last).
STALE = {"wandsworth": {3, 11}, "lambeth": {5}}
RETIRED = {
    "wandsworth": ("Tooting Drop-in (demo)", "Weekly drop-in"),
    "lambeth": ("Streatham Women's Circle (demo)", "Peer support group"),
}


@transaction.atomic
def load(*, today: date, rng, stdout) -> None:
    User = get_user_model()
    for slug, rows in DIRECTORY.items():
        partnership = Partnership.objects.filter(slug=slug).first()
        owners = list(
            User.objects.filter(username__in=[f"{slug}-admin", f"{slug}-action-lead"]).order_by(
                "username"
            )
        )
        if partnership is None or not owners:
            stdout.write(f"  No partnership or demo accounts for '{slug}': skipped.\n")
            continue
        for position, row in enumerate(rows):
            provider, name, summary, needs, audiences, languages, area, contact, extra = row
            overdue = position in STALE[slug]
            review_due = today + timedelta(days=rng.randint(20, 170))
            if overdue:
                review_due = today - timedelta(days=rng.randint(5, 60))
            _upsert(
                partnership,
                provider=provider,
                name=name,
                summary=summary,
                area=area,
                owner=owners[position % len(owners)],
                review_due=review_due,
                last_reviewed_on=review_due - timedelta(days=183),
                codes={"needs": needs, "audiences": audiences, "languages": languages},
                **contact,
                **extra,
            )
        provider, name = RETIRED[slug]
        _upsert(
            partnership,
            provider=provider,
            name=name,
            summary="A weekly drop-in that has now closed.",
            area=Area.BOROUGH,
            owner=owners[0],
            review_due=today - timedelta(days=90),
            phone="020 7946 0999",
            opening_hours="Closed",
            retired=True,
            codes={"needs": ["domestic_abuse"], "audiences": [], "languages": ["en"]},
        )
        count = Service.objects.filter(partnership=partnership).count()
        stdout.write(f"  {partnership.name}: {count} directory listings.\n")


def _upsert(partnership, *, provider, name, codes, retired=False, **fields) -> Service:
    service = Service.objects.filter(partnership=partnership, provider=provider, name=name).first()
    service = service or Service(partnership=partnership, provider=provider, name=name)
    defaults = {f.name: f.get_default() for f in Service._meta.concrete_fields if f.editable}
    for key in ("phone", "text_number", "email", "website", "walk_in", "interpreters", "access"):
        setattr(service, key, defaults[key])
    for key, value in fields.items():
        setattr(service, key, value)
    service.retired_at = (service.retired_at or timezone.now()) if retired else None
    service.full_clean(validate_constraints=False)
    service.save()
    set_codes(service, **codes)
    return service
