"""The SafeLives DASH risk identification checklist (DASH RIC, 2009) and the MARAC criteria.

The questions are SafeLives' published work (Domestic Abuse, Stalking and
Harassment and Honour Based Violence Risk Identification Checklist, 2009),
used with attribution; docs/marac.md sets out the terms of use. The wording
below is a faithful paraphrase of the published questions: check it against
SafeLives' current form before live use. Each completed assessment keeps
VERSION, so a later change to the list never changes an old score.
"""

from dataclasses import dataclass

VERSION = "SafeLives DASH RIC 2009 (paraphrased)"
ATTRIBUTION = (
    "Questions from the SafeLives Dash risk checklist (2009), © SafeLives, "
    "used for identifying risk to victims of domestic abuse, stalking and harassment "
    "and honour-based abuse."
)
# SafeLives: 14 or more "yes" answers indicates visible high risk.
HIGH_RISK_YES = 14
# SafeLives' default for potential escalation: 3 or more police call-outs in 12 months.
DEFAULT_ESCALATION_INCIDENTS = 3


class Answer:
    YES = "yes"
    NO = "no"
    NOT_KNOWN = "not_known"
    CHOICES = [(YES, "Yes"), (NO, "No"), (NOT_KNOWN, "Not known")]
    VALUES = frozenset({YES, NO, NOT_KNOWN})


QUESTIONS: tuple[str, ...] = (
    "Has the current incident resulted in injury?",
    "Are you very frightened?",
    "What are you afraid of? Is it further injury or violence?",
    "Do you feel isolated from family or friends: does the abuser try to stop you "
    "seeing friends, family, your doctor or others?",
    "Are you feeling depressed or having suicidal thoughts?",
    "Have you separated or tried to separate from the abuser within the past year?",
    "Is there conflict over child contact?",
    "Does the abuser constantly text, call, contact, follow, stalk or harass you?",
    "Are you pregnant, or have you had a baby in the last 18 months?",
    "Is the abuse happening more often?",
    "Is the abuse getting worse?",
    "Does the abuser try to control everything you do, or are they excessively jealous?",
    "Has the abuser ever used weapons or objects to hurt you?",
    "Has the abuser ever threatened to kill you or someone else, and you believed them?",
    "Has the abuser ever attempted to strangle, choke, suffocate or drown you?",
    "Does the abuser do or say things of a sexual nature that make you feel bad or that "
    "physically hurt you or someone else?",
    "Is there any other person who has threatened you or whom you are afraid of?",
    "Do you know if the abuser has hurt anyone else (children, siblings, an older "
    "relative, a stranger)?",
    "Has the abuser ever mistreated an animal or the family pet?",
    "Are there any financial issues: are you dependent on the abuser for money, or "
    "have they recently lost their job?",
    "Has the abuser had problems in the past year with drugs, alcohol or mental health "
    "leading to problems in leading a normal life?",
    "Has the abuser ever threatened or attempted suicide?",
    "Do you know if the abuser has ever breached bail, an injunction or any agreement "
    "about when they can see you or the children?",
    "Do you know if the abuser has ever been in trouble with the police or has a criminal history?",
)
if len(QUESTIONS) != 24:  # the published checklist has 24; a lost line would shift every answer
    raise ImportError("The DASH checklist must have its 24 questions.")


class Criterion:
    """The MARAC referral criteria (SafeLives), and the local ones a partnership adds."""

    VISIBLE_HIGH_RISK = "visible_high_risk"
    PROFESSIONAL_JUDGEMENT = "professional_judgement"
    POTENTIAL_ESCALATION = "potential_escalation"
    REPEAT = "repeat"
    LOCAL_PREFIX = "local:"
    LABELS = {
        VISIBLE_HIGH_RISK: "Visible high risk (14 or more ‘yes’ answers)",
        PROFESSIONAL_JUDGEMENT: "Professional judgement",
        POTENTIAL_ESCALATION: "Potential escalation",
        REPEAT: "Repeat (within 12 months of the last referral)",
    }


def yes_count(answers: dict[int, str]) -> int:
    return sum(1 for value in answers.values() if value == Answer.YES)


@dataclass(frozen=True)
class Thresholds:
    """A partnership's escalation threshold: incidents, and optionally crimes, in 12 months."""

    incidents: int = DEFAULT_ESCALATION_INCIDENTS
    crimes: int | None = None


def criteria_met(
    *,
    yes: int,
    professional_judgement: bool,
    police_incidents: int,
    police_crimes: int,
    thresholds: Thresholds,
    local_codes: list[str] = (),
) -> list[str]:
    """The criteria an assessment meets, in SafeLives' order.

    Professional judgement can only add a criterion: there is no input that removes
    visible high risk, so judgement never downgrades a score.
    """
    met = []
    if yes >= HIGH_RISK_YES:
        met.append(Criterion.VISIBLE_HIGH_RISK)
    if professional_judgement:
        met.append(Criterion.PROFESSIONAL_JUDGEMENT)
    crimes_met = thresholds.crimes is not None and police_crimes >= thresholds.crimes
    if police_incidents >= thresholds.incidents or crimes_met:
        met.append(Criterion.POTENTIAL_ESCALATION)
    met.extend(f"{Criterion.LOCAL_PREFIX}{code}" for code in local_codes)
    return met
