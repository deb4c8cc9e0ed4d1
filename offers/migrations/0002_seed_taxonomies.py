"""Seed the register's vocabularies (fr, nl, en). Re-running leaves edited labels alone."""

from django.db import migrations

THEMES = [
    # slug, fr, nl, en, promoted
    ("choose-a-direction", "S’orienter", "Je weg vinden", "Choose a direction", False),
    ("find-a-training", "Se former", "Een opleiding vinden", "Find a training", False),
    ("find-a-job", "Trouver un emploi", "Werk vinden", "Find a job", False),
    (
        "change-working-life",
        "Changer de vie professionnelle",
        "Van loopbaan veranderen",
        "Change one’s working life",
        False,
    ),
    (
        "create-an-activity",
        "Créer son activité",
        "Een eigen zaak starten",
        "Create an activity",
        False,
    ),
    ("go-abroad", "Bouger à l’étranger", "Naar het buitenland gaan", "Go abroad", False),
    (
        "stem",
        "Sciences et techniques (STEM)",
        "Wetenschap en techniek (STEM)",
        "Science and technology (STEM)",
        True,
    ),
    (
        "professions-of-the-future",
        "Métiers d’avenir",
        "Beroepen van de toekomst",
        "Professions of the future",
        True,
    ),
]
AUDIENCES = [
    (
        "young-people",
        "Jeunes de 15 à 29 ans",
        "Jongeren van 15 tot 29 jaar",
        "Young people aged 15 to 29",
    ),
    (
        "neets",
        "Jeunes sans emploi ni formation (NEET)",
        "Jongeren zonder werk of opleiding (NEET)",
        "Young people not in employment, education or training (NEET)",
    ),
    (
        "migrants-refugees",
        "Personnes migrantes et réfugiées",
        "Migranten en vluchtelingen",
        "Migrants and refugees",
    ),
    (
        "early-school-leavers",
        "Jeunes en décrochage scolaire",
        "Vroegtijdige schoolverlaters",
        "Early school leavers",
    ),
    (
        "people-with-disabilities",
        "Personnes en situation de handicap",
        "Personen met een handicap",
        "People with disabilities",
    ),
    ("adult-learners", "Adultes en formation", "Volwassenen in opleiding", "Adult learners"),
    (
        "workers-55-64",
        "Travailleurs de 55 à 64 ans",
        "Werknemers van 55 tot 64 jaar",
        "Workers aged 55 to 64",
    ),
    ("jobseekers", "Demandeurs d’emploi", "Werkzoekenden", "Jobseekers"),
    ("employed-people", "Travailleurs en emploi", "Werkenden", "Employed people"),
    ("low-skilled", "Personnes peu qualifiées", "Laaggeschoolden", "Low-skilled people"),
    (
        "teachers-education-staff",
        "Enseignants et personnel éducatif",
        "Leerkrachten en onderwijspersoneel",
        "Teachers and education staff",
    ),
    ("parents", "Parents", "Ouders", "Parents"),
]
FORMATS = [
    (
        "individual-interview",
        "Entretien individuel d’orientation",
        "Individueel oriëntatiegesprek",
        "Individual guidance interview",
    ),
    ("workshop", "Atelier", "Workshop", "Workshop"),
    ("information-session", "Séance d’information", "Infosessie", "Information session"),
    (
        "fair",
        "Salon de l’emploi ou de l’orientation",
        "Job- of studiebeurs",
        "Job or guidance fair",
    ),
    ("company-visit", "Visite d’entreprise", "Bedrijfsbezoek", "Company visit"),
    ("trade-discovery", "Découverte métiers", "Beroepenverkenning", "Trade discovery"),
    ("resource-centre", "Centre de ressources", "Documentatiecentrum", "Resource centre"),
    ("online-tool", "Outil en ligne", "Online hulpmiddel", "Online tool"),
    (
        "training-pathway",
        "Accompagnement du parcours de formation",
        "Begeleiding van het opleidingstraject",
        "Training-pathway guidance",
    ),
    (
        "entrepreneurship-support",
        "Accompagnement à la création d’activité",
        "Begeleiding bij ondernemen",
        "Entrepreneurship support",
    ),
    (
        "skills-validation",
        "Validation des compétences",
        "Erkenning van competenties",
        "Skills validation",
    ),
]
MINIMUM_OFFER = [
    (
        "first-reception",
        "Premier accueil et information",
        "Eerste onthaal en informatie",
        "First reception and information",
    ),
    (
        "individual-guidance",
        "Accompagnement individuel",
        "Individuele begeleiding",
        "Individual guidance",
    ),
    (
        "information-on-trades-and-training",
        "Information sur les métiers et les formations",
        "Informatie over beroepen en opleidingen",
        "Information on trades and training",
    ),
    (
        "referral",
        "Orientation vers le bon service",
        "Doorverwijzing naar de juiste dienst",
        "Referral to the right service",
    ),
]


def seed(apps, schema_editor):
    for model_name, rows in (
        ("Theme", THEMES),
        ("Audience", AUDIENCES),
        ("Format", FORMATS),
        ("MinimumOfferCategory", MINIMUM_OFFER),
    ):
        model = apps.get_model("offers", model_name)
        for position, row in enumerate(rows, start=1):
            slug, fr, nl, en = row[:4]
            defaults = {
                "name": fr,
                "name_fr": fr,
                "name_nl": nl,
                "name_en": en,
                "position": position,
            }
            if model_name == "Theme":
                defaults["is_promoted"] = row[4]
            model.objects.get_or_create(slug=slug, defaults=defaults)


class Migration(migrations.Migration):
    dependencies = [("offers", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
