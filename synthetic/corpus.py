"""A realistic synthetic corpus for benchmarks: items in the import format (see
knowledge/importing.py).

Distributions are skewed the way real collections are: a few regions, topics, partners and
tags carry most items (Zipf-like), recent years are more frequent, most items are in English,
and bodies vary from a few sentences to several sections. Text comes from a bank of sentences
modelled on public customs-integrity practice, so search benchmarks see realistic vocabulary.
Deterministic for a seed, and item i is the same whatever the count (a larger run extends a
smaller one).

Codes come from the reference lists the registry names (knowledge.registry); each type's
keys from its `import_fields`, filled by kind unless FIELD_VALUES says how a key looks.
"""

import csv
import random
from collections.abc import Callable, Iterator
from typing import NamedTuple

import pycountry

from knowledge import import_fields as spec
from knowledge.import_fields import Kind
from knowledge.pages import KNOWLEDGE_TYPES
from knowledge.registry import vocabulary
from knowledge.vocabulary_loader import VOCABULARY_DIR, wco_region_of_country

YEARS = list(range(2012, 2027))
# Share of each type (a type not listed here gets NEW_TYPE_WEIGHT, drawn after these).
TYPE_SHARES = {"case_study": 40, "procedure": 20, "handbook": 15, "standard": 10,
               "partner_study": 15}  # fmt: skip
NEW_TYPE_WEIGHT = 10
TYPES = [*TYPE_SHARES, *(t for t in KNOWLEDGE_TYPES if t not in TYPE_SHARES)]
TYPE_WEIGHTS = [TYPE_SHARES.get(t, NEW_TYPE_WEIGHT) for t in TYPES]
LANGUAGE_WEIGHTS = {"en": 86, "fr": 9, "es": 5}
TAGS = [
    "rotation", "asset declaration", "risk management", "whistleblowing", "single window",
    "e-payment", "code of conduct", "integrity pact", "lifestyle audit", "body cameras",
    "performance contract", "post-clearance audit", "facilitation payments", "border post",
    "port integrity", "integrity survey", "conflict of interest", "gifts and hospitality",
    "internal affairs", "vetting", "training", "hotline", "trade facilitation", "valuation",
    "transit", "e-commerce", "mirror statistics", "data analytics", "non-intrusive inspection",
    "authorised economic operator", "complaints", "disciplinary procedure", "recruitment",
    "salary reform", "CCTV", "collective action", "beneficial ownership", "procurement",
    "ethics officer", "revenue leakage",
]  # fmt: skip

MEASURES = [
    "staff rotation", "asset declarations", "lifestyle audits", "an integrity hotline",
    "body-worn cameras", "electronic payment of duties", "a single window", "risk-based selection",
    "performance contracts", "an integrity pact", "post-clearance audit", "a code of conduct",
    "CCTV at inspection bays", "an internal affairs unit", "a port integrity campaign",
    "merit-based recruitment", "a customs integrity perception survey", "mirror-data analysis",
]  # fmt: skip
PLACES = [
    "land border posts", "the main seaport", "the international airport", "inland dry ports",
    "transit corridors", "the express courier terminal", "regional clearance offices",
    "free zones", "the post-clearance audit directorate", "valuation offices",
]  # fmt: skip
TITLE_PATTERNS = {
    "case_study": [
        "Introducing {measure} at {place} in {country}",
        "How {country} Customs reduced facilitation payments at {place}",
        "{country}: {measure} after a corruption scandal at {place}",
        "Lessons from {measure} in {country}",
    ],
    "procedure": [
        "Procedure for {measure} ({country})",
        "Standard operating procedure: {measure} at {place}",
        "Handling integrity complaints at {place}",
    ],
    "handbook": [
        "Practical guide to {measure}",
        "Handbook on {measure} for customs managers",
        "Integrity guidance for officers at {place}",
    ],
    "standard": [
        "Regulation on {measure} in {country} Customs",
        "Directive on {measure}",
        "Integrity standard for {place}",
    ],
    "partner_study": [
        "Study of {measure} in {country}",
        "Integrity risks at {place}: evidence from {country}",
        "Assessing {measure}: a comparative study",
    ],
}
TITLE_PATTERNS_FR = [
    "Mise en place de {measure} à la douane de {country}",
    "Guide pratique : {measure} dans les bureaux frontaliers",
    "Retour d'expérience : {measure} au port principal ({country})",
]
TITLE_PATTERNS_ES = [
    "Implementación de {measure} en la aduana de {country}",
    "Guía práctica sobre {measure} en puestos fronterizos",
    "Lecciones aprendidas: {measure} en {country}",
]
MEASURES_FR = [
    "la rotation du personnel", "la déclaration de patrimoine", "contrats de performance",
    "le paiement électronique des droits", "une ligne d'alerte éthique", "un guichet unique",
]  # fmt: skip
MEASURES_ES = [
    "la rotación del personal", "declaraciones patrimoniales", "un pacto de integridad",
    "el pago electrónico de tributos", "una línea de denuncias", "la ventanilla única",
]  # fmt: skip

SENTENCES_EN = [
    "Officers at the busiest border posts were rotated every two years, with postings decided by "
    "a panel rather than by the head of office.",
    "Traders reported that informal payments were most often requested at the physical "
    "examination stage.",
    "The administration published its clearance times every quarter so that traders could "
    "compare offices.",
    "Electronic payment of duties removed cash from customs offices and with it one of the most "
    "common opportunities for petty corruption.",
    "An integrity hotline, run by a unit reporting directly to the Director General, received "
    "anonymous reports from staff and traders.",
    "Each manager signed a performance contract with measurable targets on revenue, clearance "
    "time and the handling of complaints.",
    "Asset declarations were filed on appointment and every two years, and a sample was "
    "verified against land and vehicle registers.",
    "Lifestyle checks compared officers' declared income with visible spending and assets.",
    "The risk management system selected consignments for inspection, leaving officers little "
    "discretion to choose which trucks to examine.",
    "A single window allowed importers to submit all documents once, to one portal, for every "
    "border agency.",
    "Body-worn cameras were issued to officers on mobile patrols, and footage was reviewed by "
    "an independent unit.",
    "The code of conduct was rewritten in plain language with examples drawn from real cases "
    "at the administration's own offices.",
    "Internal audit found that manual overrides of risk selection were concentrated in a small "
    "number of offices.",
    "Post-clearance audit shifted controls away from the border, where delays create pressure "
    "to pay for speed.",
    "Recruitment was opened to public competition, with written examinations marked anonymously.",
    "Salaries were raised in parallel with stronger sanctions, so that reform was not seen "
    "as a reward without accountability.",
    "The integrity perception survey was repeated every two years to track how staff and "
    "traders saw the administration.",
    "Shipping companies agreed to refuse demands for facilitation payments and to report every "
    "demand through a shared helpdesk.",
    "Port authorities and customs agreed on a published list of fees, removing the grey zone "
    "in which unofficial charges were demanded.",
    "An integrity pact bound bidders and the administration to refrain from bribery in the "
    "procurement of scanning equipment, with an independent monitor.",
    "Mirror statistics comparing declared imports with partner-country exports pointed to "
    "undervaluation on specific tariff lines.",
    "Managers were trained to discuss integrity dilemmas with their teams rather than only "
    "enforce rules.",
    "Disciplinary cases were decided within a fixed time, and anonymised outcomes were shared "
    "with all staff.",
    "Gifts above a modest value had to be declared and were listed in a register open to "
    "internal audit.",
    "Women officers were included in every inspection team, which travellers' associations "
    "said improved trust at passenger controls.",
    "Data analytics flagged declarants whose goods were repeatedly released by the same officer.",
    "Trade associations were invited to a quarterly forum where complaints about delays and "
    "requests for payments were discussed openly.",
    "Leadership commitment was visible: the Director General signed the integrity charter in "
    "public and reported on progress each year.",
    "The reform started with a diagnostic mission based on the WCO Integrity Development Guide.",
    "The Revised Arusha Declaration provided the framework, with each of its ten key factors "
    "assessed in a self-assessment workshop.",
    "Automated release of low-risk consignments cut the number of face-to-face contacts "
    "between officers and brokers.",
    "Officers in remote posts said isolation and low allowances made them vulnerable to "
    "pressure from local traders.",
    "The internal affairs unit was given its own budget and the power to open investigations "
    "without prior approval from line managers.",
    "Vetting of new recruits included checks of criminal records and of links to brokers and "
    "clearing agents.",
    "Complaints could be lodged online, by text message or at a kiosk in the customs hall, and "
    "each received a tracking number.",
    "Collective action by importers reduced the risk that a single company refusing to pay "
    "would be punished with delays.",
    "Environmental crime, such as smuggling of timber and wildlife products, was found to rely "
    "on the same corrupt networks as drug trafficking.",
    "E-commerce parcels, processed in large volumes with little data, created new valuation "
    "risks and pressure on officers.",
    "Container scanning images were analysed remotely by a team that did not know the "
    "identity of the importer.",
    "Results were mixed: clearance times fell, but some demands for payment moved to "
    "other agencies at the border.",
]
SENTENCES_FR = [
    "Les agents des principaux bureaux frontaliers font l'objet d'une rotation tous les deux "
    "ans, décidée par une commission et non par le chef de bureau.",
    "Le paiement électronique des droits et taxes a supprimé la manipulation d'espèces dans "
    "les bureaux de douane.",
    "Chaque chef de bureau signe un contrat de performance assorti d'objectifs mesurables de "
    "recettes et de délais de dédouanement.",
    "Une ligne d'alerte permet aux usagers et aux agents de signaler anonymement les demandes "
    "de paiements indus.",
    "Le code de conduite a été réécrit en langage simple, avec des exemples tirés de cas réels.",
    "Les déclarations de patrimoine sont déposées à la prise de fonctions puis tous les deux ans.",
    "Le système de gestion des risques oriente les déclarations vers les circuits vert, jaune "
    "ou rouge, ce qui limite le pouvoir discrétionnaire des agents.",
    "Les opérateurs économiques sont réunis chaque trimestre pour évoquer les délais et les "
    "pratiques irrégulières constatées.",
    "L'inspection des services a reçu des moyens propres et peut ouvrir une enquête sans "
    "autorisation préalable de la hiérarchie.",
    "Les résultats sont contrastés : les délais ont baissé, mais certaines sollicitations se "
    "sont déplacées vers d'autres services présents à la frontière.",
]
SENTENCES_ES = [
    "Los funcionarios de los principales pasos fronterizos rotan cada dos años según criterios "
    "publicados.",
    "El pago electrónico de tributos eliminó el manejo de efectivo en las oficinas aduaneras.",
    "Un pacto de integridad obligó a los oferentes a abstenerse de sobornos, con un testigo "
    "social independiente.",
    "La línea de denuncias permite a usuarios y funcionarios informar de forma anónima sobre "
    "solicitudes de pagos indebidos.",
    "Las declaraciones patrimoniales se presentan al ingresar al servicio y se verifican "
    "por muestreo.",
    "El sistema de gestión de riesgos asigna el canal de control y reduce la discrecionalidad "
    "de los funcionarios.",
    "Las asociaciones de comercio exterior participan en una mesa de diálogo trimestral "
    "sobre tiempos de despacho y prácticas irregulares.",
    "Los resultados fueron desiguales: los tiempos de despacho bajaron, pero algunas "
    "solicitudes de pago se trasladaron a otras agencias de frontera.",
]
HEADINGS = {
    "en": ["Background", "What was done", "Results", "Lessons learned", "Next steps", "Risks"],
    "fr": ["Contexte", "Mesures prises", "Résultats", "Enseignements"],
    "es": ["Contexto", "Medidas adoptadas", "Resultados", "Lecciones aprendidas"],
}
SENTENCES = {"en": SENTENCES_EN, "fr": SENTENCES_FR, "es": SENTENCES_ES}
ISSUERS = ["World Customs Organization", "Directorate General of Customs", "Ministry of Finance",
           "Revenue Authority", "Customs Administration"]  # fmt: skip
UNITS = ["Internal Affairs Unit", "Integrity Office", "Human Resources Directorate",
         "Risk Management Unit", "Post-Clearance Audit Directorate"]  # fmt: skip


def _codes(key: str, column: str = "") -> list[str]:
    """A column (by default the code) of a registry vocabulary's reference list."""
    entry = vocabulary(key)
    with (VOCABULARY_DIR / entry.csv).open(newline="", encoding="utf-8") as handle:
        return [row[column or entry.code] for row in csv.DictReader(handle)]


def _country_name(code: str) -> str:
    entry = pycountry.countries.get(alpha_2=code)
    return getattr(entry, "common_name", None) or entry.name


def _zipf(n: int, exponent: float = 1.1) -> list[float]:
    return [1 / (rank + 1) ** exponent for rank in range(n)]


class CorpusGenerator:
    """Yields items in the import format; one Random(seed) stream drives everything."""

    def __init__(self, seed: int):
        self.seed = seed
        self.rng = random.Random(seed)
        self.regions = _codes("regions")
        self.topics = _codes("topics")
        self.partners = _codes("partners")
        self.countries = {r: [] for r in self.regions}
        for country, region in sorted(wco_region_of_country().items()):
            self.countries[region].append(country)
        self.region_names = dict(zip(self.regions, _codes("regions", "short_name"), strict=True))
        # A fixed, seed-dependent popularity order, so "the popular topic" differs by seed.
        for pool in (self.regions, self.topics, self.partners, tags := list(TAGS)):
            random.Random(seed).shuffle(pool)
        self.tags = tags
        self.year_weights = [(year - 2010) ** 1.6 for year in YEARS]

    def _pick(self, pool: list[str], k: int) -> list[str]:
        weights = _zipf(len(pool))
        chosen: list[str] = []
        while len(chosen) < k:
            value = self.rng.choices(pool, weights)[0]
            if value not in chosen:
                chosen.append(value)
        return chosen

    def _body(self, language: str) -> str:
        sentences, headings = SENTENCES[language], HEADINGS[language]
        sections = self.rng.choices([1, 2, 3, 4, 6], [25, 30, 25, 12, 8])[0]
        parts = []
        for index in range(sections):
            if sections > 1:
                parts.append(f"<h3>{headings[index % len(headings)]}</h3>")
            for _ in range(self.rng.randint(1, 3)):
                parts.append(
                    f"<p>{' '.join(self.rng.sample(sentences, self.rng.randint(2, 5)))}</p>"
                )
            if self.rng.random() < 0.2:
                items = "".join(f"<li>{s}</li>" for s in self.rng.sample(sentences, 3))
                parts.append(f"<ul>{items}</ul>")
        return "".join(parts)

    def item(self, number: int) -> dict:
        rng = self.rng
        kind = rng.choices(TYPES, TYPE_WEIGHTS)[0]
        language = rng.choices(list(LANGUAGE_WEIGHTS), list(LANGUAGE_WEIGHTS.values()))[0]
        regions = self._pick(self.regions, rng.choices([1, 2, 3], [70, 22, 8])[0])
        countries = sorted(
            {rng.choice(self.countries[r]) for r in regions for _ in range(rng.randint(0, 2))}
        )
        topics = self._pick(self.topics, rng.choices([1, 2, 3, 4], [35, 35, 20, 10])[0])
        partners = self._pick(self.partners, rng.choices([0, 1, 2], [50, 35, 15])[0])
        if not partners and _references(kind, "partners"):  # a study needs its contributor
            partners = self._pick(self.partners, 1)
        tags = self._pick(self.tags, rng.choices([0, 1, 2, 3, 4], [10, 30, 30, 20, 10])[0])
        year = rng.choices(YEARS, self.year_weights)[0]
        country = _country_name(countries[0]) if countries else self.region_names[regions[0]]
        pattern, measure = self._title_parts(kind, language)
        title = pattern.format(measure=measure, place=rng.choice(PLACES), country=country)
        title = title[0].upper() + title[1:]
        sentences = SENTENCES[language]
        item = {
            "external_id": f"gen-{self.seed}-{number:07d}",
            "type": kind,
            "title": title,
            "summary": " ".join(rng.sample(sentences, rng.randint(1, 2))),
            "body_html": self._body(language),
            "regions": regions,
            "countries": countries,
            "topics": topics,
            "partners": partners,
            "tags": tags,
            "published": f"{year}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
            "language": language,
        }
        item.update(self._type_fields(kind, language, year))
        return item

    def _title_parts(self, kind: str, language: str) -> tuple[str, str]:
        if language == "fr":
            return self.rng.choice(TITLE_PATTERNS_FR), self.rng.choice(MEASURES_FR)
        if language == "es":
            return self.rng.choice(TITLE_PATTERNS_ES), self.rng.choice(MEASURES_ES)
        patterns = TITLE_PATTERNS.get(kind, TITLE_PATTERNS["handbook"])
        return self.rng.choice(patterns), self.rng.choice(MEASURES)

    def _paragraph(self, language: str, count: int = 2) -> str:
        return f"<p>{' '.join(self.rng.sample(SENTENCES[language], count))}</p>"

    def _type_fields(self, kind: str, language: str, year: int) -> dict:
        """Values for the type's declared keys, in declaration order. Lists are drawn first
        (the order the stream of random numbers has always followed); references to a
        vocabulary are left out, so they default to the item's first entry."""
        page_type = KNOWLEDGE_TYPES[kind]
        draw = _Draw(page_type, language, year)
        declared = [d for d in page_type.import_fields if d.kind is not Kind.VOCABULARY]
        drawn = sorted(declared, key=lambda d: d.kind is not Kind.BLOCKS)
        values = {d.key: self._field_value(d, draw) for d in drawn}
        return {d.key: values[d.key] for d in declared}

    def _field_value(self, declaration, draw: "_Draw"):
        if declaration.kind is not Kind.BLOCKS:
            return self._value(declaration.key, declaration.kind, draw)
        block_name, block = spec.stream_block(draw.page_type, declaration.key)
        low, high = BLOCK_COUNTS.get(block_name, (2, 5))
        keys = spec.block_keys(block)
        return [
            {
                name: self._value(
                    f"{block_name}.{name}",
                    Kind.HTML if html else Kind.PLAIN,
                    draw._replace(number=n),
                )
                for name, (_required, html) in keys.items()
            }
            for n in range(1, self.rng.randint(low, high))
        ]

    def _value(self, key: str, kind: Kind, draw: "_Draw"):
        """A realistic value for `key` (FIELD_VALUES), else a plain one for its kind."""
        if key in FIELD_VALUES:
            return FIELD_VALUES[key](self, draw)
        if kind is Kind.HTML:
            return self._paragraph(draw.language)
        if kind is Kind.DATE:
            return f"{draw.year}-{self.rng.randint(1, 12):02d}-01"
        if kind is Kind.CHOICE:
            return self.rng.choice(spec.choices(draw.page_type, key))
        return ""

    def items(self, count: int) -> Iterator[dict]:
        for number in range(1, count + 1):
            yield self.item(number)


def _references(kind: str, key: str) -> bool:
    return any(
        d.kind is Kind.VOCABULARY and d.vocabulary == key
        for d in KNOWLEDGE_TYPES[kind].import_fields
    )


class _Draw(NamedTuple):
    """What a generated value may depend on."""

    page_type: type
    language: str
    year: int
    number: int = 0  # of the block in its list, from 1


# How generated values of particular keys look (block keys as "block.key"); other keys get
# a plain value of their kind.
FIELD_VALUES: dict[str, Callable[[CorpusGenerator, _Draw], object]] = {
    "scope": lambda g, d: g._paragraph(d.language, 1),
    "methodology": lambda g, d: g._paragraph(d.language, 1),
    "owning_unit": lambda g, d: g.rng.choice(UNITS),
    "issuing_body": lambda g, d: g.rng.choice(ISSUERS),
    "reference_number": lambda g, d: (
        f"{g.rng.choice(['DG', 'MF', 'RA'])}/{d.year}/{g.rng.randint(1, 99)}"
    ),
    "status": lambda g, d: g.rng.choices(["in_force", "draft", "superseded"], [70, 10, 20])[0],
    "edition": lambda g, d: (
        f"{g.rng.choice(['First', 'Second', 'Third', 'Revised'])} edition, {d.year}"
    ),
    "step.title": lambda g, d: f"Step {d.number}",
    "step.description": lambda g, d: g._paragraph(d.language, 1),
    "step.responsible": lambda g, d: g.rng.choice(UNITS),
    "chapter.title": lambda g, d: f"Chapter {d.number}",
    "chapter.body": lambda g, d: g._paragraph(d.language, 3),
}
BLOCK_COUNTS = {"step": (3, 7), "chapter": (2, 6)}  # range(1, randint(low, high)) blocks


def generate(count: int, seed: int) -> Iterator[dict]:
    """`count` items for `seed`; the first k items are the same for every count >= k."""
    return CorpusGenerator(seed).items(count)
