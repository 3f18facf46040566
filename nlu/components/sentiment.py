# ruff: noqa: E501  (long regexes are clearer on one line)
"""VADER sentiment for Rasa NLU, tuned for hardware-store customer service.

Loaded by Rasa as ``nlu.components.sentiment.SentimentAnalyzer`` (repo root on PYTHONPATH).
This module is only ever imported inside the Rasa env; the bot's own env has no
rasa, which is why ``nlu/__init__.py`` stays empty.

Every parsed message gets a top-level ``sentiment`` key in ``/model/parse``::

    "sentiment": {"compound": -0.71, "neg": 0.42, "neu": 0.58, "pos": 0.0,
                  "label": "negative", "cues": ["frustration"]}

``compound``/``neg``/``neu``/``pos`` are VADER's scores (after the domain
adjustments below); ``label`` is "negative" if compound <= negative_threshold,
"positive" if compound >= positive_threshold, else "neutral"; ``cues`` lists the
domain cue groups that matched (empty list if none), useful in hand-off notes.

Why adjust VADER at all?  VADER was built on social-media text.  In customer
service three things go wrong (see docs/nlu.md for the measurements):

1. Multi-word complaint/distress phrases score 0 because VADER's lexicon is
   single words: "my order still hasn't arrived", "third time I've asked",
   "never again", "my dad passed away", "the heater caught fire".
   -> ``phrase_cues``: regexes that are rewritten into one placeholder token
   that we add to the lexicon with a negative valence, so VADER's own machinery
   (negation, "but", caps, "!!!") still applies and neg/neu/pos stay consistent.
2. Product and service names of a hardware & garden shop contain "negative"
   words: weed *killer*, key *cutting*, mouse *traps*, rat *poison*, *pressure*
   washer, window *blinds*, *fire* pit, "*lowest* price" (price match!).  A
   factual question about them must not look upset.
   -> ``neutral_words``: lexicon entries set to 0.  Real incidents ("caught
   fire", "cut my hand") are caught by phrase cues instead.
   ``neutral_phrases`` removes a few phrases before scoring ("no thanks",
   "lost my receipt", "no receipt"): ordinary questions, not unhappiness.
3. Positive words that merely name things here ("apple *pay*", "*loyalty*
   points", "*gift* card", "*free* delivery", "*safety* glasses") and
   politeness formulas ("please help", "I'd like to") add positive valence
   that masks distress ("my loyalty points disappeared", "please help, my
   husband passed away ...").  -> also in ``neutral_words``.
   And for grief / fear / safety / hostility cues, the compound is capped at
   ``distress_floor``: a polite message about a bereavement is still not a
   message to answer cheerfully.

Everything is configurable in config.yml; the defaults are below.
"""

from __future__ import annotations

import re
from re import Pattern
from typing import Any

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

# cue group -> list of (regex, valence).  Valences use VADER's -4..+4 scale
# (e.g. "useless" is -1.8, "terrible" -2.1, "worst" -3.1 in VADER's lexicon).
DEFAULT_PHRASE_CUES: dict[str, list[tuple[str, float]]] = {
    # Service failures, repeated contact, anger.  Scored like "bad" (-2.5).
    "frustration": [
        (
            r"\b(still|yet to|never)\s+(not\s+)?(been\s+)?(arrived?|came|come|delivered|received|shown up|turned up|showed up|got it|heard back|refunded)\b",
            -2.5,
        ),
        (
            r"\b(has|have|had|did|does|do|is|was)\s*(n[o']?t|n't)\s+(yet\s+)?(arrived?|come|came|been delivered|shown up|turned up|showed up|been refunded|heard back|called back|got back|replied|work(ed|s|ing)?)\b",
            -2.3,
        ),
        (r"\b(still|been)\s+waiting\b", -2.3),
        (r"\b(second|third|fourth|fifth|3rd|4th|5th|2nd|umpteenth|hundredth)\s+time\b", -2.0),
        (r"\b(three|four|five|six|several|multiple|\d+)\s+times\b", -1.8),
        (r"\b(yet|once)\s+again\b|\bagain and again\b", -1.5),
        (r"\bnever\s+(again|(shopping|shop|coming|buying|ordering|going)\b.{0,20}\bagain)\b", -2.8),
        (r"\bthanks? (you )?for nothing\b", -2.8),
        (r"\b(fed up|had enough|sick (and tired )?of|sick to death)\b", -2.5),
        (
            r"\b(is|was|are|what) (a|an|such a|a complete|a total|an absolute|a bloody) (joke|farce|shambles|disgrace)\b",
            -2.5,
        ),
        (r"\bwaste of (my )?(time|money)\b", -2.3),
        (r"\brip(ped)?[- ]?off\b|\bripoff\b", -2.5),
        (
            r"\b(no ?one|nobody|no one has)\s+(has\s+)?(called|rang|replied|answered|responded|got back|gotten back|bothered|helped|picks up|picked up)\b",
            -2.2,
        ),
        (r"\b(no|zero)\s+(reply|response|answer|callback|call back)\b", -2.0),
        (
            r"\b(not|stopped|isn'?t|aren'?t|won'?t|doesn'?t|didn'?t)\s+(working|work|start|starting|turn on|switch on|charge|charging)\b",
            -2.0,
        ),
        (r"\b(fell|falling|came|coming)\s+apart\b", -2.0),
        (
            r"\b(charged|billed|taken|debited)\s+(me\s+)?(twice|double|two times)\b|\bdouble[- ]?charged\b|\bovercharged\b",
            -2.0,
        ),
        (r"\bworst\b|\bappalling\b|\bshocking service\b|\bdisgraceful\b|\bunbelievable\b", -2.5),
        (r"\bcomplain(t|ts|ing)?\b", -1.5),
        (r"\bwhere (the hell |tf )?is my\b", -1.2),
        (r"\b(disappeared|vanished|gone missing|went missing)\b", -1.8),
        (
            r"\b(is|was|are|were|running|arrived|came|been|still)\s+(really |so |very |days |weeks )?(late|delayed|overdue)\b",
            -2.0,
        ),
        (
            r"\b(was|wasn'?t|were|weren'?t|not|never|hasn'?t|haven'?t)\s+(been\s+)?(applied|added|credited|honou?red|processed)\b",
            -1.8,
        ),
        (
            r"\bkeeps? (crashing|failing|freezing|logging me out|breaking|cutting out|going wrong)\b",
            -2.0,
        ),
        (
            r"\b(tried|trying|been trying) (calling|ringing|phoning|to call|to ring|to phone|to get through|to reach|emailing)\b",
            -1.8,
        ),
        (r"\b(rings out|no one picks up|can'?t get through|goes to voicemail)\b", -2.0),
    ],
    # Bereavement and serious illness.  Scored like "grief" (-2.2) .. "death" (-2.9).
    "grief": [
        (r"\bpass(ed)?\s+away\b|\bpassed\s+(on|last|recently|suddenly)\b", -3.0),
        (
            r"\blost\s+(my|our|her|his)\s+(wife|husband|mum|mom|mother|dad|father|son|daughter|partner|brother|sister|baby|child|grandma|grandad|grandpa|nan|gran|friend|dog|cat)\b",
            -3.0,
        ),
        (
            r"\b(funeral|bereave(d|ment)|widow(ed|er)?|hospice|chemo(therapy)?|terminal(ly)?|diagnos(ed|is)|in hospital|miscarriage|cancer)\b",
            -2.6,
        ),
        (r"\b(died|dying|death|deceased|late (husband|wife|father|mother|dad|mum|mom))\b", -2.8),
    ],
    # Fear and physical safety (scared, fire, gas, shock, injury).
    "fear": [
        (r"\b(caught|on|started a|set on)\s+fire\b|\bfire hazard\b|\bburst into flames\b", -3.0),
        (r"\b(smell(s|ing)? (of )?gas|gas (leak|smell)|leaking gas|carbon monoxide)\b", -3.0),
        (
            r"\b(sparks|sparking|sparked|smoking|melted|melting|exploded|explod(ing|e))\b|\bsmoke (came|coming|pouring|everywhere)\b",
            -2.4,
        ),
        (r"\b(electric(al)?\s+shock|got a shock|electrocuted|shocked me)\b", -3.0),
        (
            r"\b(cut|burn(ed|t)|hurt|injured|broke)\s+(my|his|her|their|our)\s+(hand|finger|fingers|thumb|arm|leg|foot|face|eye|back|son|daughter|kid|child|dog)\b",
            -3.0,
        ),
        (r"\b(unsafe|not safe|dangerous|hazard|a&e|ambulance|poisoned|bleeding|collapsed)\b", -2.6),
        (
            r"\b(scared|frightened|afraid|terrified|panick?(ing|ed)?|worried sick|anxious|nervous)\b",
            -2.2,
        ),
    ],
    # Harassment, threats, legal action, fraud.
    "hostility": [
        (
            r"\b(harass(ed|ment|ing)?|stalk(ed|ing)?|followed (me|to my car|home)|threaten(ed|ing)?|intimidat(ed|ing)|assault(ed)?|abus(e|ed|ive)|racist|sexist|groped|inappropriate)\b",
            -3.0,
        ),
        (
            r"\b(lawyer|solicitor|attorney|sue|suing|court|legal action|small claims|trading standards|ombudsman|police)\b",
            -2.5,
        ),
        (r"\b(fraud(ulent)?|scam(med)?|stolen|identity theft|unauthori[sz]ed|hacked)\b", -2.6),
    ],
}

# Hardware/garden product & service words VADER scores as negative (or
# politeness words scored as positive) that are neutral in this domain.
DEFAULT_NEUTRAL_WORDS: list[str] = [
    "kill",
    "kills",
    "killer",
    "killing",  # weed killer, "kills moss"
    "cut",
    "cutting",  # key cutting, cut to size
    "fire",  # fire pit, fire extinguisher (incidents: phrase cues)
    "trap",
    "traps",  # mouse traps
    "poison",  # rat poison
    "pressure",  # pressure washer
    "blind",
    "blinds",  # window blinds; "I'm blind" is an accessibility question
    "lowest",
    "lower",  # "lower/lowest price" = price match
    "alarm",
    "alarms",  # smoke alarms, burglar alarms
    "charges",  # "delivery charges"
    "hard",  # hard hats, hardwood
    "pay",  # "apple pay", "pay and display"
    "credit",  # "store credit", "credit card"
    "leave",  # "where do I leave my van"
    # Positive words that name store programmes/products here, not feelings;
    # they masked complaints ("my loyalty points disappeared ...").
    "loyalty",
    "reward",
    "rewards",
    "gift",
    "bonus",
    "free",
    "save",
    "safe",
    "safety",
    "security",
    "secure",
    "protect",
    "guarantee",
    "please",
    "help",
    "like",  # politeness formulas
]

# Phrases removed before scoring: neutral in this domain although VADER sees a
# negative word in them ("no thanks", "I lost my receipt, can I still return").
DEFAULT_NEUTRAL_PHRASES: list[str] = [
    r"\bno,? thanks?( you)?\b",
    r"\bno (receipt|problem with that)\b",
    r"\blost (my|the|our) (receipt|card number|loyalty card|gift card)\b",
]

DEFAULT_LEXICON_OVERRIDES: dict[str, float] = {
    # customer-service insults stronger than VADER's social-media default
    "useless": -2.5,  # VADER -1.8
    "ridiculous": -2.3,  # VADER -1.5
    "pathetic": -2.8,
    "joke": 0.0,  # "tell me a joke" neutral; "this is a joke" is a phrase cue
    "urgent": 0.0,  # VADER +0.8; urgency is pressure, not joy
}


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER], is_trainable=False)
class SentimentAnalyzer(GraphComponent):
    """Adds ``sentiment`` (VADER + domain cues) to every message."""

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {
            # VADER's published thresholds are +-0.05.  We keep -0.05 for
            # "negative": a missed upset customer costs more than an extra
            # hand-off (measured in docs/nlu.md).
            "negative_threshold": -0.05,
            "positive_threshold": 0.05,
            # compound is capped at this value when a grief/fear/hostility cue
            # matches (politeness must not make distress look neutral).
            "distress_floor": -0.5,
            "distress_groups": ["grief", "fear", "hostility"],
            # cue group -> list of [regex, valence]; replaces the defaults.
            "phrase_cues": None,
            # extra cue groups merged into the defaults.
            "extra_phrase_cues": {},
            "neutral_words": DEFAULT_NEUTRAL_WORDS,
            "neutral_phrases": DEFAULT_NEUTRAL_PHRASES,
            "lexicon_overrides": DEFAULT_LEXICON_OVERRIDES,
        }

    def __init__(self, config: dict[str, Any]) -> None:
        from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

        defaults = self.get_default_config()
        self._config = {**defaults, **(config or {})}
        self._neg_threshold = float(self._config["negative_threshold"])
        self._pos_threshold = float(self._config["positive_threshold"])
        self._distress_floor = float(self._config["distress_floor"])
        self._distress_groups = set(self._config["distress_groups"] or [])

        self._analyzer = SentimentIntensityAnalyzer()  # lexicon ships in the wheel
        lexicon = self._analyzer.lexicon
        for word in self._config["neutral_words"] or []:
            lexicon.pop(str(word).lower(), None)
        for word, valence in (self._config["lexicon_overrides"] or {}).items():
            if float(valence) == 0.0:
                lexicon.pop(str(word).lower(), None)
            else:
                lexicon[str(word).lower()] = float(valence)

        self._neutral_phrases = [
            re.compile(p, re.IGNORECASE) for p in (self._config["neutral_phrases"] or [])
        ]
        cues = self._config["phrase_cues"] or DEFAULT_PHRASE_CUES
        cues = {**cues, **(self._config["extra_phrase_cues"] or {})}
        # (group, compiled regex, placeholder token)
        self._cues: list[tuple[str, Pattern, str]] = []
        for group, entries in cues.items():
            for idx, (pattern, valence) in enumerate(entries):
                # purely alphabetic token, so VADER's tokenizer keeps it intact
                letters = "".join(c for c in group.lower() if c.isalpha())
                token = "zzcue" + letters + "".join(chr(ord("a") + int(d)) for d in str(idx))
                lexicon[token] = float(valence)
                self._cues.append((group, re.compile(pattern, re.IGNORECASE), token))

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> SentimentAnalyzer:
        return cls(config)

    @staticmethod
    def required_packages() -> list[str]:
        return ["vaderSentiment"]

    def analyse(self, text: str | None) -> dict[str, Any]:
        """Score one text; public so it can be tested without a Rasa graph."""
        text = (text or "").replace("\u2019", "'")
        for regex in self._neutral_phrases:
            text = regex.sub(" ", text)
        groups: list[str] = []
        for group, regex, token in self._cues:
            text, n = regex.subn(f" {token} ", text)
            if n and group not in groups:
                groups.append(group)
        scores = self._analyzer.polarity_scores(text)
        compound = float(scores["compound"])
        if self._distress_groups.intersection(groups):
            compound = min(compound, self._distress_floor)
        if compound <= self._neg_threshold:
            label = "negative"
        elif compound >= self._pos_threshold:
            label = "positive"
        else:
            label = "neutral"
        return {
            "compound": round(compound, 4),
            "neg": float(scores["neg"]),
            "neu": float(scores["neu"]),
            "pos": float(scores["pos"]),
            "label": label,
            "cues": groups,
        }

    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            message.set("sentiment", self.analyse(message.get(TEXT)), add_to_output=True)
        return messages

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        # Sentiment is not used as a training feature; nothing to do.
        return training_data
