"""The closed vocabularies of the service: codes are stored, labels are translated."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

# Region lives in core, below the accounts app that also needs it; imported from here as before.
from kollega.core.regions import Region as Region


class Category(models.TextChoices):
    """The three help-seeking situations found by the study, plus "not sure"."""

    ADVICE = "advice", _("I am in a demanding situation and want advice")
    COPING = "coping", _("I fear I can't cope much longer (stress, conflict)")
    WORK = "work", _("I am out of work or on sick leave and look for a way back or out")
    OTHER = "other", _("Something else, or I am not sure")


class Expectation(models.TextChoices):
    CONVERSATION = "conversation", _("A conversation with a colleague")
    ADVICE = "advice", _("Advice on a concrete matter")
    TREATMENT = "treatment", _("Help to get treatment")
    WORK = "work", _("Help about work or sick leave")
    COURSE = "course", _("A counselling day or course")


class Gender(models.TextChoices):
    FEMALE = "female", _("Woman")
    MALE = "male", _("Man")
    OTHER = "other", _("Other")


class GenderPreference(models.TextChoices):
    ANY = "", _("No preference")
    FEMALE = "female", _("A woman")
    MALE = "male", _("A man")


class Mode(models.TextChoices):
    IN_PERSON = "in_person", _("In person")
    VIDEO = "video", _("Video")
    PHONE = "phone", _("Phone")


class MeetingPreference(models.TextChoices):
    ANY = "", _("No preference")
    REGION = "region", _("In person, in my region")
    REMOTE = "remote", _("Anyone, by video or phone")


class SpecialtyPreference(models.TextChoices):
    ANY = "", _("No preference")
    SAME = "same", _("Same specialty as mine")
    OTHER = "other", _("A different specialty from mine")


class Language(models.TextChoices):
    NORWEGIAN = "nb", _("Norwegian")
    ENGLISH = "en", _("English")
    SWEDISH = "sv", _("Swedish")
    DANISH = "da", _("Danish")
    GERMAN = "de", _("German")
    POLISH = "pl", _("Polish")
    CHINESE = "zh", _("Chinese")


class Specialty(models.TextChoices):
    GENERAL_PRACTICE = "general_practice", _("General practice")
    INTERNAL_MEDICINE = "internal_medicine", _("Internal medicine")
    SURGERY = "surgery", _("Surgery")
    PSYCHIATRY = "psychiatry", _("Psychiatry")
    PAEDIATRICS = "paediatrics", _("Paediatrics")
    ANAESTHESIA = "anaesthesia", _("Anaesthesia and intensive care")
    OBSTETRICS = "obstetrics", _("Obstetrics and gynaecology")
    RADIOLOGY = "radiology", _("Radiology")
    EMERGENCY = "emergency", _("Emergency medicine")
    OCCUPATIONAL = "occupational", _("Occupational medicine")
    PUBLIC_HEALTH = "public_health", _("Public health")
    LABORATORY = "laboratory", _("Laboratory medicine")
    NONE = "none", _("No specialty yet")
    OTHER = "other", _("Other specialty")


class Position(models.TextChoices):
    STUDENT = "student", _("Medical student")
    INTERN = "intern", _("Intern (LIS1)")
    RESIDENT = "resident", _("Resident in specialist training")
    SPECIALIST = "specialist", _("Specialist / consultant")
    GP = "gp", _("General practitioner")
    LEADER = "leader", _("Head of department or other leader")
    RESEARCH = "research", _("Research or teaching")
    NOT_WORKING = "not_working", _("Not working at the moment")
    RETIRED = "retired", _("Retired")
    OTHER = "other", pgettext_lazy("position", "Other")


class AgeBand(models.TextChoices):
    UNDER_30 = "under_30", _("Under 30")
    FROM_30 = "30_39", "30–39"  # noqa: RUF001 - an en dash is right in a range
    FROM_40 = "40_49", "40–49"  # noqa: RUF001
    FROM_50 = "50_59", "50–59"  # noqa: RUF001
    FROM_60 = "60_plus", _("60 or older")


class ContactMethod(models.TextChoices):
    NONE = "none", _("No contact: I will use my status link")
    EMAIL = "email", _("E-mail")
    PHONE = "phone", _("Phone")


class Source(models.TextChoices):
    WEB = "web", _("Web form")
    PHONE = "phone", _("Phone call")
    EMAIL = "email", _("E-mail")


class DeclineReason(models.TextChoices):
    CONFLICT = "conflict", _("Conflict of interest")
    NO_CAPACITY = "no_capacity", _("No capacity")
    OTHER = "other", pgettext_lazy("decline reason", "Other")


class ReferralKind(models.TextChoices):
    GP = "gp", _("General practitioner")
    LEGE_FOR_LEGE = "lege_for_lege", _("Lege-for-lege (doctor for doctors)")
    PSYCH = "psych", _("Psychiatrist or psychologist")
    COURSE = "course", _("Course or counselling centre")
    OCCUPATIONAL = "occupational", _("Occupational health service")
    LEGEVAKT = "legevakt", _("Legevakt (emergency out-of-hours clinic)")
    OTHER = "other", pgettext_lazy("referral", "Other")


class Outcome(models.TextChoices):
    HELPED = "helped", _("Conversations completed, no further need")
    REFERRED = "referred", _("Referred on")
    NO_CONTACT = "no_contact", _("The seeker could not be reached")
    SEEKER_ENDED = "seeker_ended", _("The seeker ended the contact")
    OTHER = "other", pgettext_lazy("outcome", "Other")


class OfferingKind(models.TextChoices):
    DAY = "day", _("Individual counselling day")
    COURSE = "course", _("Group course")


class EnrolmentStatus(models.TextChoices):
    PLACED = "placed", _("Has a place")
    WAITING = "waiting", _("On the waiting list")


class ConcernRelation(models.TextChoices):
    """Who raised a concern about a doctor."""

    RELATIVE = "relative", _("A relative or partner")
    FRIEND = "friend", _("A friend")
    COLLEAGUE = "colleague", _("A colleague")
    OTHER = "other", pgettext_lazy("concern sender", "Someone else")


class ConcernOutcome(models.TextChoices):
    """What came of a concern; only the counsellor and coordinators ever see it."""

    ACCEPTED = "accepted", _("Reached out; the doctor accepted contact")
    DECLINED = "declined", _("Reached out; the doctor declined")
    NOT_CONTACTED = "not_contacted", _("Decided not to reach out")
    UNREACHABLE = "unreachable", _("Could not reach the doctor")
