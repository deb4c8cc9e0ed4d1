"""Demo offers: typical guidance offers of each kind of centre, with sessions over the next
three months. The wording describes the kinds of service these centres publicly offer; the
dates are generated, so the portal always shows upcoming sessions."""

from __future__ import annotations

from datetime import datetime, time, timedelta

from django.db import transaction
from django.utils import timezone

from centres.models import Centre, CentreKind, Region
from offers.indexing import rebuild_index
from offers.models import Audience, Format, MinimumOfferCategory, Offer, OfferStatus, Session, Theme

# title fr, nl, en, summary fr, format, themes, audiences, booking, minutes, weekday, hour, repeat
CATALOGUE = {
    CentreKind.CITE_DES_METIERS: [
        (
            "Entretien d’orientation individuel",
            "Individueel oriëntatiegesprek",
            "Individual guidance interview",
            "Un conseiller vous reçoit seul à seul pour faire le point sur votre projet d’études, de formation ou d’emploi.",
            "individual-interview",
            ["choose-a-direction"],
            ["young-people", "jobseekers", "employed-people"],
            "recommended",
            60,
            1,
            10,
            "weekly",
        ),
        (
            "Atelier CV et lettre de motivation",
            "Workshop cv en motivatiebrief",
            "CV and cover letter workshop",
            "En petit groupe, construisez un CV clair et une lettre adaptée à l’offre visée.",
            "workshop",
            ["find-a-job"],
            ["jobseekers", "young-people"],
            "required",
            150,
            2,
            9,
            "weekly",
        ),
        (
            "Séance d’information : se former à un métier",
            "Infosessie: een beroep leren",
            "Information session: train for a trade",
            "Panorama des formations qualifiantes, des aides et des démarches en Wallonie et à Bruxelles.",
            "information-session",
            ["find-a-training"],
            ["jobseekers", "adult-learners"],
            "recommended",
            90,
            3,
            14,
            "weekly",
        ),
        (
            "Découverte des métiers du numérique",
            "Kennismaking met digitale beroepen",
            "Discover digital professions",
            "Rencontre avec des professionnels et essais pratiques pour découvrir les métiers d’avenir du numérique.",
            "trade-discovery",
            ["professions-of-the-future", "stem"],
            ["young-people", "neets"],
            "required",
            180,
            4,
            13,
            "monthly",
        ),
        (
            "Créer son activité : premiers pas",
            "Een eigen zaak starten: eerste stappen",
            "Starting a business: first steps",
            "Statuts, financement, accompagnement : les bases pour tester une idée d’entreprise.",
            "entrepreneurship-support",
            ["create-an-activity"],
            ["jobseekers", "employed-people"],
            "recommended",
            120,
            0,
            18,
            "monthly",
        ),
        (
            "Changer de métier après 45 ans",
            "Van beroep veranderen na je 45ste",
            "Changing careers after 45",
            "Atelier pour faire le bilan de ses compétences et envisager une reconversion.",
            "workshop",
            ["change-working-life"],
            ["employed-people", "workers-55-64"],
            "required",
            150,
            1,
            13,
            "monthly",
        ),
        (
            "Partir à l’étranger : études, stages, volontariat",
            "Naar het buitenland: studie, stage, vrijwilligerswerk",
            "Going abroad: studies, internships, volunteering",
            "Les programmes de mobilité et les démarches pour partir en Europe.",
            "information-session",
            ["go-abroad"],
            ["young-people"],
            "recommended",
            90,
            2,
            16,
            "monthly",
        ),
        (
            "Espace multimédia en accès libre",
            "Vrij toegankelijke multimediaruimte",
            "Open multimedia area",
            "Ordinateurs, documentation et outils en ligne sur les métiers et les formations, avec l’aide d’un conseiller.",
            "resource-centre",
            ["choose-a-direction", "find-a-training"],
            ["young-people", "jobseekers", "parents"],
            "none",
            0,
            None,
            None,
            None,
        ),
        (
            "Valider ses compétences",
            "Je competenties laten erkennen",
            "Get your skills validated",
            "Faire reconnaître officiellement ce que vous savez faire, sans repasser par l’école.",
            "skills-validation",
            ["change-working-life"],
            ["low-skilled", "workers-55-64"],
            "recommended",
            90,
            3,
            10,
            "monthly",
        ),
        (
            "Visite d’entreprise : métiers de la construction",
            "Bedrijfsbezoek: bouwberoepen",
            "Company visit: construction trades",
            "Visite d’un chantier et rencontre avec des ouvriers et des formateurs.",
            "company-visit",
            ["find-a-job", "stem"],
            ["young-people", "jobseekers"],
            "required",
            180,
            4,
            9,
            "monthly",
        ),
    ],
    CentreKind.CARREFOUR_DES_METIERS: [
        (
            "Entretien d’orientation au Carrefour des Métiers",
            "Oriëntatiegesprek",
            "Guidance interview",
            "Un conseiller du Forem vous aide à choisir une formation ou un métier.",
            "individual-interview",
            ["choose-a-direction"],
            ["jobseekers", "employed-people"],
            "recommended",
            60,
            1,
            9,
            "weekly",
        ),
        (
            "Atelier « Quel métier pour moi ? »",
            "Workshop ‘Welk beroep past bij mij?’",
            "Workshop ‘Which job suits me?’",
            "Tests d’intérêts, fiches métiers et échanges en groupe pour clarifier votre projet.",
            "workshop",
            ["choose-a-direction", "professions-of-the-future"],
            ["jobseekers", "young-people"],
            "required",
            180,
            3,
            9,
            "monthly",
        ),
    ],
    CentreKind.SIEP: [
        (
            "Entretien : choisir ses études",
            "Gesprek: een studiekeuze maken",
            "Interview: choosing your studies",
            "Information neutre sur les études supérieures et les formations en Fédération Wallonie-Bruxelles.",
            "individual-interview",
            ["choose-a-direction", "find-a-training"],
            ["young-people", "parents"],
            "recommended",
            45,
            2,
            14,
            "weekly",
        ),
        (
            "Centre de documentation sur les études et les métiers",
            "Documentatiecentrum over studies en beroepen",
            "Documentation centre on studies and professions",
            "Brochures, fiches métiers et répertoires de formations en consultation libre.",
            "resource-centre",
            ["find-a-training"],
            ["young-people", "parents", "teachers-education-staff"],
            "none",
            0,
            None,
            None,
            None,
        ),
    ],
    CentreKind.INFOR_JEUNES: [
        (
            "Permanence jobs étudiants",
            "Spreekuur studentenjobs",
            "Student jobs drop-in",
            "Vos droits, le contrat, les heures autorisées : réponses anonymes et gratuites.",
            "information-session",
            ["find-a-job"],
            ["young-people"],
            "none",
            120,
            2,
            14,
            "weekly",
        ),
    ],
    CentreKind.CPMS: [
        (
            "Aide au choix d’options en fin de 2e secondaire",
            "Hulp bij de studiekeuze na het 2de middelbaar",
            "Help choosing options after year 2 of secondary school",
            "Entretien avec l’élève et ses parents pour choisir une orientation en 3e.",
            "individual-interview",
            ["choose-a-direction"],
            ["young-people", "parents", "early-school-leavers"],
            "required",
            45,
            3,
            15,
            "weekly",
        ),
    ],
    CentreKind.MISSION_LOCALE: [
        (
            "Accompagnement vers l’emploi",
            "Begeleiding naar werk",
            "Support towards a job",
            "Un accompagnement individuel pour définir un projet et trouver un emploi ou une formation.",
            "individual-interview",
            ["find-a-job"],
            ["jobseekers", "low-skilled", "migrants-refugees"],
            "recommended",
            60,
            0,
            10,
            "weekly",
        ),
        (
            "Séance d’information sur les formations qualifiantes",
            "Infosessie over kwalificerende opleidingen",
            "Information session on vocational training",
            "Les formations accessibles aux demandeurs d’emploi bruxellois et comment s’y inscrire.",
            "information-session",
            ["find-a-training"],
            ["jobseekers", "adult-learners"],
            "recommended",
            90,
            4,
            10,
            "monthly",
        ),
    ],
}
SESSIONS_AHEAD_DAYS = 90


def _sessions(offer: Offer, weekday: int, hour: int, minutes: int, repeat: str) -> list[Session]:
    tz = timezone.get_current_timezone()
    today = timezone.localdate()
    day = today + timedelta(days=(weekday - today.weekday()) % 7 or 7)
    step = timedelta(weeks=1) if repeat == "weekly" else timedelta(weeks=4)
    sessions = []
    while day <= today + timedelta(days=SESSIONS_AHEAD_DAYS):
        starts = timezone.make_aware(datetime.combine(day, time(hour)), tz)
        sessions.append(
            Session(
                offer=offer, starts_at=starts, ends_at=starts + timedelta(minutes=minutes),
                capacity=None if minutes <= 60 else 12,
            )
        )  # fmt: skip
        day += step
    return sessions


@transaction.atomic
def load_demo_offers() -> int:
    """Publish the catalogue's offers for every demo centre of a listed kind. Idempotent."""
    if Offer.objects.exists():
        return 0
    formats = {f.slug: f for f in Format.objects.all()}
    themes = {t.slug: t for t in Theme.objects.all()}
    audiences = {a.slug: a for a in Audience.objects.all()}
    minimum = list(MinimumOfferCategory.objects.all()[:2])
    review_due = timezone.localdate() + timedelta(days=150)
    created = 0
    sessions: list[Session] = []
    for centre in Centre.objects.active().select_related("municipality__province"):
        bilingual = centre.municipality.province.region == Region.BRUSSELS
        for entry in CATALOGUE.get(centre.kind, []):
            fr, nl, en, summary, fmt, theme_slugs, audience_slugs, booking, minutes, *when = entry
            offer = Offer.objects.create(
                centre=centre, title=fr, title_fr=fr, title_nl=nl if bilingual else None,
                title_en=en if bilingual else None, summary=summary, summary_fr=summary,
                format=formats[fmt], booking_need=booking, is_free=True,
                is_anonymous_possible=centre.is_anonymous_possible,
                languages=["fr", "nl"] if bilingual else ["fr"], status=OfferStatus.PUBLISHED,
                published_at=timezone.now(), last_confirmed_at=timezone.now(),
                review_due=review_due,
            )  # fmt: skip
            offer.themes.set([themes[s] for s in theme_slugs])
            offer.audiences.set([audiences[s] for s in audience_slugs])
            if fmt == "individual-interview":
                offer.minimum_offer_categories.set(minimum)
            weekday, hour, repeat = when
            if weekday is not None:
                sessions += _sessions(offer, weekday, hour, minutes, repeat)
            created += 1
    Session.objects.bulk_create(sessions)
    rebuild_index()
    return created
