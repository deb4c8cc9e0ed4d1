"""Demo data: the charter signed on 5 May 2022, its six principles and its first signatories.

The six principles and the signatories are those of the sources (../shared/DOMAIN.md). The
charter has 28 commitments whose official wording is not in our sources: the demo shows two
commitments per principle that restate it, and says so in the preamble.
"""

from __future__ import annotations

from datetime import date

from django.db import transaction
from django.utils import timezone

from centres.models import Centre, CentreKind, Province, Region
from charter.models import (
    CharterVersion,
    Commitment,
    Organisation,
    OrganisationKind,
    Principle,
    Signature,
    Statement,
)

SIGNED_ON = date(2022, 5, 5)

PREAMBLE = {
    "fr": (
        "Le 5 mai 2022, la Région wallonne, la Fédération Wallonie-Bruxelles, la Région de "
        "Bruxelles-Capitale, la COCOF, les Cités des Métiers, Actiris, Bruxelles Formation, le "
        "Forem, l’IFAPME et d’autres acteurs ont signé une charte pour l’orientation tout au "
        "long de la vie. Ses objectifs : assurer la cohérence et la qualité de l’offre, rendre "
        "les parcours des usagers plus fluides et avancer dans une direction commune.\n\n"
        "Données de démonstration : les engagements ci-dessous résument chaque principe ; le "
        "texte officiel des 28 engagements est chargé par les administrateurs."
    ),
    "nl": (
        "Op 5 mei 2022 ondertekenden het Waals Gewest, de Federatie Wallonië-Brussel, het "
        "Brussels Hoofdstedelijk Gewest, de COCOF, de Cités des Métiers, Actiris, Bruxelles "
        "Formation, Forem, IFAPME en andere actoren een handvest voor levenslange "
        "loopbaanbegeleiding. Doelen: een samenhangend aanbod van goede kwaliteit, vlottere "
        "trajecten voor de gebruikers en een gemeenschappelijke richting.\n\n"
        "Demonstratiegegevens: de verbintenissen hieronder vatten elk principe samen; de "
        "officiële tekst van de 28 verbintenissen wordt door de beheerders geladen."
    ),
    "en": (
        "On 5 May 2022, the Walloon Region, the French Community (Fédération "
        "Wallonie-Bruxelles), the Brussels-Capital Region, the COCOF, the Cités des Métiers, "
        "Actiris, Bruxelles Formation, Forem, IFAPME and other actors signed a charter for "
        "lifelong guidance. Its aims: a coherent, quality offer, smoother journeys for users "
        "and a common direction.\n\n"
        "Demo data: the commitments below restate each principle; administrators load the "
        "official wording of the 28 commitments."
    ),
}

# (fr, nl, en) name, then two commitments (fr, nl, en) each.
PRINCIPLES = [
    (
        ("Coopération", "Samenwerking", "Cooperation"),
        [
            (
                "Orienter la personne vers l’acteur le mieux placé et l’accompagner dans ce relais.",
                "De persoon doorverwijzen naar de best geplaatste actor en de overdracht begeleiden.",
                "Refer people to the best-placed actor and support them through the hand-over.",
            ),
            (
                "Partager l’information sur son offre dans le registre commun et la tenir à jour.",
                "Informatie over het eigen aanbod delen in het gemeenschappelijke register en actueel houden.",
                "Share information on one's offer in the common register and keep it up to date.",
            ),
        ],
    ),
    (
        (
            "Ouverture d’esprit, respect, honnêteté, égalité",
            "Openheid, respect, eerlijkheid, gelijkheid",
            "Open-mindedness, respect, honesty, equality",
        ),
        [
            (
                "Accueillir chaque personne sans discrimination, quels que soient son âge, son origine ou sa situation.",
                "Iedereen zonder discriminatie onthalen, ongeacht leeftijd, afkomst of situatie.",
                "Welcome everyone without discrimination, whatever their age, origin or situation.",
            ),
            (
                "Donner une information honnête sur les possibilités et leurs conditions.",
                "Eerlijke informatie geven over de mogelijkheden en hun voorwaarden.",
                "Give honest information about the options and their conditions.",
            ),
        ],
    ),
    (
        ("Efficacité", "Doeltreffendheid", "Efficiency"),
        [
            (
                "Répondre dans un délai raisonnable et éviter les démarches inutiles.",
                "Binnen een redelijke termijn antwoorden en onnodige stappen vermijden.",
                "Answer within a reasonable time and avoid needless steps.",
            ),
            (
                "Former les professionnels de l’orientation et évaluer ses pratiques.",
                "Loopbaanbegeleiders opleiden en de eigen praktijken evalueren.",
                "Train guidance professionals and evaluate one's practices.",
            ),
        ],
    ),
    (
        ("Neutralité", "Neutraliteit", "Neutrality"),
        [
            (
                "Présenter les options sans privilégier ses propres formations ou services.",
                "De opties voorstellen zonder de eigen opleidingen of diensten te bevoordelen.",
                "Present the options without favouring one's own training or services.",
            ),
            (
                "Laisser la décision à la personne, qui reste maître de son projet.",
                "De beslissing aan de persoon laten, die baas blijft over het eigen project.",
                "Leave the decision to the person, who stays in charge of their project.",
            ),
        ],
    ),
    (
        ("Transparence", "Transparantie", "Transparency"),
        [
            (
                "Dire clairement ce que propose le service, à qui, à quelles conditions et à quel prix.",
                "Duidelijk zeggen wat de dienst aanbiedt, aan wie, onder welke voorwaarden en tegen welke prijs.",
                "State clearly what the service offers, to whom, on what terms and at what price.",
            ),
            (
                "Expliquer quelles données personnelles sont demandées, pourquoi et pour combien de temps.",
                "Uitleggen welke persoonsgegevens gevraagd worden, waarom en hoe lang.",
                "Explain which personal data are asked for, why and for how long.",
            ),
        ],
    ),
    (
        ("Solidarité et engagement", "Solidariteit en engagement", "Solidarity and commitment"),
        [
            (
                "Porter une attention particulière aux publics les plus éloignés de l’emploi et de la formation.",
                "Bijzondere aandacht besteden aan wie het verst van werk en opleiding staat.",
                "Pay particular attention to those furthest from work and training.",
            ),
            (
                "Participer aux travaux communs des acteurs de l’orientation.",
                "Deelnemen aan het gemeenschappelijke werk van de begeleidingsactoren.",
                "Take part in the joint work of the guidance actors.",
            ),
        ],
    ),
]

ORGANISATIONS = [
    # fr, nl, en, kind, Brussels?, website
    ("Région wallonne", "Waals Gewest", "Walloon Region", OrganisationKind.GOVERNMENT, False, "https://www.wallonie.be"),
    ("Fédération Wallonie-Bruxelles", "Federatie Wallonië-Brussel", "French Community (Fédération Wallonie-Bruxelles)", OrganisationKind.GOVERNMENT, False, "https://www.federation-wallonie-bruxelles.be"),
    ("Région de Bruxelles-Capitale", "Brussels Hoofdstedelijk Gewest", "Brussels-Capital Region", OrganisationKind.GOVERNMENT, True, "https://be.brussels"),
    ("Commission communautaire française (COCOF)", "Franse Gemeenschapscommissie (COCOF)", "French Community Commission (COCOF)", OrganisationKind.GOVERNMENT, True, "https://www.ccf.brussels"),
    ("Actiris", "Actiris", "Actiris", OrganisationKind.PUBLIC_SERVICE, True, "https://www.actiris.brussels"),
    ("Bruxelles Formation", "Bruxelles Formation", "Bruxelles Formation", OrganisationKind.PUBLIC_SERVICE, True, "https://www.bruxellesformation.brussels"),
    ("Le Forem", "Forem", "Forem", OrganisationKind.PUBLIC_SERVICE, False, "https://www.leforem.be"),
    ("IFAPME", "IFAPME", "IFAPME", OrganisationKind.PUBLIC_SERVICE, False, "https://www.ifapme.be"),
]  # fmt: skip

STATEMENTS = {
    1: "<p>Nous travaillons avec le Forem, le SIEP et les CPMS de la province : chaque personne "
    "qui nous consulte repart avec un contact précis si un autre service répond mieux à sa "
    "demande.</p>",
    4: "<p>Nos conseillers présentent toutes les filières, y compris celles que nous "
    "n’organisons pas, et la décision reste toujours celle de la personne.</p>",
    5: "<p>Toutes nos offres sont publiées dans le registre avec leurs conditions ; nos "
    "services sont gratuits et, sur demande, anonymes.</p>",
}


@transaction.atomic
def load_demo_charter() -> int:
    """Create the 2022 charter and its signatories once; returns the signatures created."""
    if CharterVersion.objects.exists():
        return 0
    version = CharterVersion.objects.create(
        title="Charte pour l’orientation tout au long de la vie",
        title_fr="Charte pour l’orientation tout au long de la vie",
        title_nl="Handvest voor levenslange loopbaanbegeleiding",
        title_en="Charter for lifelong guidance",
        adopted_on=SIGNED_ON,
        preamble=PREAMBLE["fr"],
        preamble_fr=PREAMBLE["fr"],
        preamble_nl=PREAMBLE["nl"],
        preamble_en=PREAMBLE["en"],
        status=CharterVersion.Status.PUBLISHED,
        published_at=timezone.now(),
    )
    number = 0
    principles = {}
    for position, ((fr, nl, en), commitments) in enumerate(PRINCIPLES, start=1):
        principle = Principle.objects.create(
            version=version, number=position, name=fr, name_fr=fr, name_nl=nl, name_en=en
        )
        principles[position] = principle
        for text_fr, text_nl, text_en in commitments:
            number += 1
            Commitment.objects.create(
                version=version, principle=principle, number=number, text=text_fr,
                text_fr=text_fr, text_nl=text_nl, text_en=text_en,
            )  # fmt: skip
    brussels = Province.objects.filter(region=Region.BRUSSELS).first()
    signatures = []
    for fr, nl, en, kind, in_brussels, website in ORGANISATIONS:
        organisation = Organisation.objects.create(
            name=fr, name_fr=fr, name_nl=nl, name_en=en, kind=kind,
            province=brussels if in_brussels else None, website=website,
        )  # fmt: skip
        signatures.append(
            Signature(version=version, organisation=organisation, signed_on=SIGNED_ON)
        )
    cites = Centre.objects.filter(kind=CentreKind.CITE_DES_METIERS)
    signatures += [Signature(version=version, centre=c, signed_on=SIGNED_ON) for c in cites]
    Signature.objects.bulk_create(signatures)
    namur = Signature.objects.filter(centre__slug="cite-des-metiers-de-namur").first()
    if namur is not None:
        for position, text in STATEMENTS.items():
            Statement.objects.create(
                signature=namur, principle=principles[position], text=text,
                published_text=text, status=Statement.Status.APPROVED,
                reviewed_at=timezone.now(),
            )  # fmt: skip
    return len(signatures)
