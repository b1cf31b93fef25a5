"""Is a statement asserted, negated, hypothetical, or someone else's argument?

A NegEx-style scope analysis, adapted to legal and official prose:

* **Negation**: a cue ("not", "no", "never", "neither/nor", "without", "refused",
  "rejected", "denied"...) negates a trigger when it sits in the same clause
  before it (within a window of tokens), or right after it in the predicate of
  which the trigger is the subject ("direct contracting *was not* resorted to").
  Pseudo-negations ("not only", "no doubt", "not later than", "No. 12") are ignored.
  Clause boundaries (";", ":", "but", "however", "whereas", ", which", "and the ...")
  end a cue's scope.
* **Modality**: a trigger inside a conditional or modal clause ("if an exemption
  were granted", "a procuring agency may resort to direct contracting", "should
  have been re-tendered", "waiver, if any") is hypothetical.  Pseudo-modals
  ("it may be noted that", "as the case may be") are ignored.
* **Attribution**: a trigger inside what a party contends, argues, alleges or
  prays ("learned counsel contended that the award was illegal") is reported, not
  found — unless the speaker is the court, a tribunal, a committee or an auditor
  ("we find that", "the Auditor-General observed that").  A judgment paragraph
  that opens with a party's argument stays reported until the court speaks.

Patterns may mark parts of their own match as *internal* (e.g. the "not" in
"tenders were not invited"): cues there belong to the trigger and are not
counted against it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Sequence

from auditor.extract.text import Token, tokenize
from auditor.models import Status

NEG_WORDS = frozenset(
    "not no never neither nor none nobody nothing nowhere cannot without n't hardly unable".split()
)
NEG_VERBS = frozenset(
    """refused refuses refuse rejected rejects reject declined declines decline denied
    denies deny disallowed disallow withdrew withdrawn turned""".split()
)
# after the trigger, a predicate that negates it: "... was not granted", "... was rejected"
POST_AUX = frozenset(
    "was were is are has had have been be being shall will would could can did does do must may might should".split()
)
TERMINATORS = frozenset(
    """but however whereas although though while yet except nevertheless nonetheless instead
    rather which who whom whose whereby wherein whereupon because therefore hence thus
    moreover furthermore besides consequently accordingly""".split()
)
NEW_CLAUSE_AFTER_AND = frozenset(
    "the a an it they he she this that these those we its their his her there "
    "is was are were has have had shall will".split()  # "... was not transparent and is hereby set aside"
)
MODAL_WORDS = frozenset(
    "if unless whether would could should may might can suppose supposing assuming hypothetically lest".split()
)
_SUBORDINATE_IF = frozenset({"if", "unless", "whether"})
_CONTRAST = frozenset({("rather", "than"), ("instead", "of"), ("lieu", "of"), ("place", "of")})
# a sentence adverb or conjunction before an opening conditional: "Indeed if it were left to him ..."
_OPENING_CONNECTIVES = frozenset("indeed however moreover but and even thus hence so further furthermore besides also".split())
# generic statements about how things usually go, not about one procurement
GENERIC_WORDS = frozenset("typically usually generally often frequently commonly normally ordinarily".split())
DEONTIC = frozenset("should would may must can could shall".split())
MODAL_PHRASES = (
    ("in", "case"),
    ("in", "the", "event"),
    ("were", "to"),
    ("ought", "to"),
    ("provided", "that"),
    ("in", "order", "to"),
    ("so", "as", "to"),
)
PSEUDO_MODAL_NEXT = frozenset(
    "noted mentioned stated pointed observed added seen recalled highlighted relevant appreciated clarified".split()
)

PARTY = (
    r"(?:learned\s+)?(?:counsel|advocate|asc|aor|attorney[- ]general|advocate[- ]general|"
    r"a\.?g\.?|d\.?a\.?g\.?|prosecutor|petitioners?|respondents?|appellants?|complainants?|"
    r"applicants?|accused|defen[cs]e|plaintiffs?|defendants?|intervener|he|she|they)"
)
STRONG_SPEECH = (
    r"(?:contend|argu|alleg|aver|claim|plead|pleaded|urg|pray|complain|insist|canvass)\w*"
)
WEAK_SPEECH = (
    r"(?:submit|submitted|submits|state[sd]?|assert\w*|describ\w+|maintain\w*|point(?:s|ed)?\s+out|"
    r"represent\w*|emphasi[sz]\w*|stress\w*|reiterat\w*|den(?:y|ies|ied))"
)
_ATTR_STRONG = re.compile(rf"\b{STRONG_SPEECH}\b(?:\s+\S+){{0,4}}?\s+(?:that|:|–|—|“|\")", re.I)
_ATTR_WEAK = re.compile(rf"\b{PARTY}\b(?:\s+\S+){{0,14}}?\s+{WEAK_SPEECH}\b", re.I)
_ATTR_PHRASE = re.compile(
    rf"\b(?:according\s+to|in\s+the\s+(?:opinion|view|words)\s+of|as\s+per)\s+(?:the\s+)?{PARTY}\b"
    r"|\b(?:it\s+(?:is|was|has\s+been)\s+(?:alleged|contended|argued|claimed|averred|urged))\b"
    r"|\b(?:the\s+)?(?:case|grievance|stance|plea|version|allegation|contention|argument)s?\s+of\s+the\s+"
    r"(?:petitioner|respondent|appellant|complainant|applicant|accused)s?\b"
    r"|\ballegedly\b|\balleged\s+(?:that|to)\b|\ballegations?\s+(?:of|that)\b"
    # the passive with its speaker: "it was submitted and argued by the petitioners as follows"
    rf"|\b{STRONG_SPEECH}\s+(?:on\s+behalf\s+of|by)\s+(?:the\s+)?{PARTY}"
    rf"|\b(?:submitted|stated|pointed\s+out)\s+(?:on\s+behalf\s+of|by)\s+(?:the\s+)?{PARTY}"
    r"(?=(?:\s+\S+){0,3}?(?:\s+that\b|\s+as\s+follows|\s*:))",
    re.I,
)
_PARTY_RX = re.compile(rf"\b{PARTY}\b", re.I)
SPEAKER_IS_AUTHORITY = re.compile(
    r"\b(?:we|this\s+court|the\s+court|the\s+bench|the\s+(?:supreme|high)\s+court|this\s+bench|"
    r"the\s+tribunal|the\s+(?:inquiry\s+)?committee|the\s+commission|the\s+auditor[- ]general|"
    r"the\s+auditors?|the\s+inquiry\s+officer|the\s+enquiry|the\s+report|the\s+audit|"
    r"the\s+learned\s+(?:trial\s+)?judge|the\s+judge)\b",
    re.I,
)
COURT_VOICE = re.compile(
    r"\b(?:we\s+(?:find|hold|are|have|note|observe|consider|declare|direct|order|agree|do\s+not)|"
    r"in\s+our\s+(?:view|opinion)|it\s+is\s+(?:held|declared|ordered|directed|observed)|"
    r"for\s+the\s+(?:foregoing|above|aforesaid)\s+reasons|this\s+court\s+(?:finds|holds|is)|"
    r"it\s+is\s+(?:an\s+)?admitted|admittedly|the\s+record\s+(?:shows|reveals))\b",
    re.I,
)


# a request for evidence is not an assertion: "we asked counsel to show us any
# notification by which an emergency was declared"
_ASKED_TO_SHOW = re.compile(
    r"\b(?:ask(?:ed)?|call(?:ed)?\s+upon|requir(?:ed|es)|direct(?:ed)?|invit(?:ed|es))\b[^.;]{0,80}?\bto\s+(?:show|produce|point\s+out|place\s+on\s+record|bring\s+on\s+record|demonstrate|establish)\b[^.;]{0,40}?\bany\b",
    re.I,
)

_DENIAL = re.compile(
    r"\b(incorrect|untrue|false|baseless|denied|wrong|misconceived)\s+(?:to\s+say\s+)?that\b", re.I
)
# a frame that asserts what follows, though it holds a negation or a modal: "there can be
# no doubt that", "it cannot be denied that", "it is not disputed that", "it can safely be
# said that" (but "it cannot be said that" denies it, and is not one of these)
_CERTAINTY = re.compile(
    r"\bthere\s+(?:can|could|is|was)\s+(?:be\s+)?(?:little|no)\s+(?:doubt|dispute|denying)"
    r"|\b(?:cannot|can\s+not|could\s+not|can't|couldn't)\s+be\s+(?:denied|disputed|doubted|gainsaid|overlooked|ignored|questioned|lost\s+sight\s+of)"
    r"|\b(?:can|could)\s+hardly\s+be\s+(?:denied|disputed|doubted|gainsaid|questioned)"
    r"|\b(?:is|was|are|were)\s+not\s+(?:in\s+dispute|disputed|denied|controverted)"
    r"|\b(?:has|have)\s+not\s+been\s+(?:disputed|denied|controverted)"
    r"|\b(?:none|nobody|no\s+one)\s+(?:can|could)\s+(?:deny|dispute|doubt)"
    r"|\b(?:can|could)\s+(?:safely\s+|fairly\s+|thus\s+|therefore\s+|now\s+|well\s+)?be\s+(?:said|concluded|held|seen|observed|inferred)\b(?=\s+that)",
    re.I,
)
# an aim, not an act: "a petition seeking to set aside the award", "attempted to bypass"
_SEEKING_TO = re.compile(
    r"\b(seek\w*|sought|pray\w*|ask\w*|request\w*|want\w*|intend\w*|plan\w*|attempt\w*|tr(?:y|ied|ies|ying)|aim\w*)\s+to\s*$",
    re.I,
)
# "there is nothing on the record to show that the plot was advertised", "no material was
# placed before us to suggest that ...": what follows is said not to have happened
_NOTHING_TO_SHOW = re.compile(
    r"\b(?:nothing|no\s+(?:material|evidence|document|proof|record|indication))\b[^.;]{0,60}?\bto\s+(?:show|suggest|indicate|establish|prove|demonstrate)\b[^.;]{0,20}?\bthat\b",
    re.I,
)
_FAILED_TO_SHOW = re.compile(
    r"\b(?:fail(?:ed|s)?|failure|unable)\s+to\s+(?:establish|prove|show|make\s+out|substantiate|demonstrate|point\s+out|bring\s+on\s+record)\b",
    re.I,
)
_CAPABILITY = re.compile(
    r"\b(empower\w*|enabl\w*|authori[sz]\w*|entitl\w*|competent|(?:has|have|had)\s+the\s+power|power|powers|discretion|permitt\w*|allow\w*)\b(?:\W+\w+){0,6}?\W+to\b",
    re.I,
)


_PAST_AUX = frozenset("was were had did been".split())


def _past(tok: Token) -> bool:
    """A past-tense or perfect marker: the clause reports an event, not a rule."""
    return tok.lower in _PAST_AUX or (len(tok.lower) > 4 and tok.lower.endswith("ed"))


def _has_boundary_between(tokens: Sequence[Token], a: int, b: int) -> bool:
    return any(_is_boundary(tokens, i) for i, t in enumerate(tokens) if a <= t.start < b)


# a proposal or suggestion: "X proposed that the PC-I be prepared after the award"
_PROPOSAL = re.compile(
    r"\b(?:propos\w*|suggest\w*|recommend\w*|request\w*|sought|seek\w*|urg(?:ed|es)|advis\w*|moved)\b(?:\W+\w+){0,14}?\W+that\b"
    r"|\b(?:proposal|suggestion|recommendation|request)s?\s+(?:that|to|for)\b",
    re.I,
)


@dataclass(frozen=True, slots=True)
class Assessment:
    status: Status
    cue: str | None = None
    factor: float = 1.0  # confidence multiplier (a negation nearby but out of scope)
    proposal: bool = False  # stated as a proposal/suggestion, not (yet) as done


PRE_WINDOW = 8
POST_WINDOW = 6
DET_NEG = frozenset(("no", "without"))  # "nothing/nobody/none" are subjects: clause scope
DET_NEG_WINDOW = 6


def _is_pseudo_negation(tokens: Sequence[Token], i: int) -> bool:
    t = tokens[i].lower
    nxt = tokens[i + 1].lower if i + 1 < len(tokens) else ""
    nxt2 = tokens[i + 2].lower if i + 2 < len(tokens) else ""
    if t == "no" and (nxt == "." or nxt.isdigit()) :
        return True  # "No. 12", "No 12"
    if tokens[i].text == "No" and nxt in {"(", ":"}:
        return True
    if t in {"not", "no"} and nxt in {"only", "doubt", "later", "less", "sooner", "withstanding", "objection", "matter", "further"}:
        return True
    if t in {"not", "no"} and nxt == "more" and nxt2 == "than":
        return True
    if t == "not" and nxt in {"exceeding", "necessarily", "least"}:
        return True
    if t == "not" and nxt.endswith("ly") and nxt2 == ",":
        return True  # "Not surprisingly, ..." qualifies the sentence, negates nothing
    if t == "not" and nxt == "to" and nxt2 in {"exceed", "mention"}:
        return True
    if t == "not" and i > 0 and tokens[i - 1].lower == "or" and i > 1 and tokens[i - 2].lower == "whether":
        return True
    if t == "without" and nxt in {"prejudice", "delay", "fail"}:
        return True
    if t == "nothing" and nxt == "but":
        return True
    if t == "turned" and nxt != "down":
        return True
    return False


def _is_pseudo_modal(tokens: Sequence[Token], i: int) -> bool:
    t = tokens[i].lower
    nxt = tokens[i + 1].lower if i + 1 < len(tokens) else ""
    nxt2 = tokens[i + 2].lower if i + 2 < len(tokens) else ""
    if t in {"may", "can", "could", "might"} and nxt == "be" and nxt2 in PSEUDO_MODAL_NEXT:
        return True
    if t == "may" and i > 1 and tokens[i - 1].lower == "case" and tokens[i - 2].lower == "the":
        return True  # "as the case may be"
    if t == "can" and nxt == "not" and nxt2 == "be":
        return False
    if t == "whether" and nxt == "or":
        return True
    if t in {"would", "could"} and nxt == "not" and nxt2 in {"be", "have"}:
        return False
    return False


def _clause_bounds(tokens: Sequence[Token], lo: int, hi: int) -> tuple[int, int]:
    """Token index range of the clause containing tokens[lo:hi].  A trigger that
    opens with a subordinator ("because of the urgency...") starts its own clause."""
    start = 0
    if lo < len(tokens) and tokens[lo].lower in TERMINATORS:
        start = lo
    for i in range(lo - 1 if start == 0 else -1, -1, -1):
        if _is_boundary(tokens, i):
            start = i + 1
            break
    end = len(tokens)
    for i in range(hi, len(tokens)):
        if _is_boundary(tokens, i):
            end = i
            break
    return start, end


def _is_boundary(tokens: Sequence[Token], i: int) -> bool:
    t = tokens[i].lower
    if t in {";", ":", "?", "!"}:
        return True
    if t in TERMINATORS:
        return True
    if t == "." and i + 1 < len(tokens) and tokens[i + 1].text[:1].isupper():
        # a sentence end that the segmenter kept inside (abbreviation false positive)
        prev = tokens[i - 1].lower if i else ""
        return prev not in {"no", "rs", "mr", "m", "s", "dr", "mrs", "ms", "st", "co", "ltd"}
    if t == ",":
        nxt = tokens[i + 1].lower if i + 1 < len(tokens) else ""
        return nxt in TERMINATORS or nxt in {"and", "or", "as", "so", "then", "since", "when"}
    if t == "and":
        nxt = tokens[i + 1].lower if i + 1 < len(tokens) else ""
        return nxt in NEW_CLAUSE_AFTER_AND
    return False


def _inside(pos: int, spans: Sequence[tuple[int, int]]) -> bool:
    return any(a <= pos < b for a, b in spans)


class SentenceScope:
    """Scope analysis for every trigger found in one sentence."""

    def __init__(self, text: str, *, reported_by: str | None = None):
        """``reported_by``: a cue that the whole sentence is someone else's words
        (an argument paragraph, a quoted precedent, a prayer for relief)."""
        self.text = text
        self._tokens: list[Token] | None = None
        self.reported_by = reported_by
        self._attr = self._attribution()

    @property
    def tokens(self) -> list[Token]:
        if self._tokens is None:
            self._tokens = tokenize(self.text)
        return self._tokens

    # -- attribution -----------------------------------------------------------

    def _attribution(self) -> tuple[int, str, bool] | None:
        """(offset, cue, spoken by a litigant) of the first reported-speech cue."""
        best: tuple[int, str, bool] | None = None
        for rx in (_ATTR_STRONG, _ATTR_WEAK, _ATTR_PHRASE):
            for m in rx.finditer(self.text):
                cue_pos = m.start()
                before = self.text[max(0, cue_pos - 60) : cue_pos]
                litigant = rx is _ATTR_WEAK or _PARTY_RX.search(before[-50:] + " " + m.group()) is not None
                if rx is not _ATTR_PHRASE and SPEAKER_IS_AUTHORITY.search(before) and not litigant:
                    continue  # "we have noted", "the Committee observed that"
                if best is None or cue_pos < best[0]:
                    best = (cue_pos, m.group().split()[0], litigant)
                break
        return best

    @property
    def court_voice(self) -> bool:
        return bool(COURT_VOICE.search(self.text))

    @property
    def opens_argument(self) -> bool:
        """Does this sentence report a party's argument (so its paragraph is reported)?"""
        return self._attr is not None and not self.court_voice

    @property
    def litigant_speaks(self) -> bool:
        """Is the reported speech a named litigant's or counsel's ("learned counsel
        contended"), not an impersonal or a document's ("in the reference, it has
        been alleged")?"""
        return self._attr is not None and self._attr[2]

    # -- the assessment ---------------------------------------------------------

    def assess(self, start: int, end: int, internal: Sequence[tuple[int, int]] = (), *, request: bool = False,
               negated_event: bool = False) -> Assessment:
        """Status of the trigger at [start, end).  ``request``: the fact is itself a
        request or directive, so deontic modals ("should be kept low profile") and
        a non-litigant's "asked/insisted that" belong to it.  ``negated_event``: the
        fact is an event's absence ("no public auction was held"), already found
        negated: only modality and attribution are assessed."""
        toks = self.tokens
        ti = next((i for i, t in enumerate(toks) if t.end > start), len(toks))
        tj = next((i for i, t in enumerate(toks) if t.start >= end), len(toks))
        if ti >= len(toks):
            return Assessment(Status.ASSERTED)
        c_lo, c_hi = _clause_bounds(toks, ti, tj)
        frames = [m.span() for m in _CERTAINTY.finditer(self.text, 0, start)]

        if not negated_event:  # (for an absence, the negation is the fact itself)
            # negation: cues inside the trigger (not marked internal)
            for i in range(ti, tj):
                if toks[i].lower in NEG_WORDS or toks[i].lower in NEG_VERBS:
                    if _inside(toks[i].start, internal) or _is_pseudo_negation(toks, i):
                        continue
                    return Assessment(Status.NEGATED, toks[i].text)
            # a denial: "it is incorrect that ...", "it is denied that ..."
            dm = _DENIAL.search(self.text, 0, start)
            if dm and not _has_boundary_between(toks, dm.end(), start) and not _inside(dm.start(1), frames):
                return Assessment(Status.NEGATED, dm.group(1))
            # "failed to establish that ...", "could not make out a case that ..."
            nm = _NOTHING_TO_SHOW.search(self.text, 0, start)
            if nm and not _has_boundary_between(toks, nm.end(), start):
                return Assessment(Status.NEGATED, "nothing to show")
            fm = _FAILED_TO_SHOW.search(self.text, 0, start)
            if fm and not _has_boundary_between(toks, fm.end(), start):
                return Assessment(Status.NEGATED, fm.group(0).split()[0])
            # negation before the trigger, in its clause.  A determiner-like cue ("no",
            # "without") negates only the phrase it opens; a verbal one ("not", "never",
            # "refused") the rest of its clause.
            for i in range(max(c_lo, ti - PRE_WINDOW), ti):
                t = toks[i].lower
                if (t in NEG_WORDS or t in NEG_VERBS) and not _is_pseudo_negation(toks, i) and not _inside(toks[i].start, frames):
                    if t in DET_NEG and ti - i > DET_NEG_WINDOW:
                        continue
                    if t in DET_NEG and any(x.lower in {"and", "but"} for x in toks[i + 2 : ti]):
                        # the phrase it opens ends at the coordination: "there was no time to invite
                        # bids and [it] awarded the contract directly", "without any valuation and
                        # without inviting offers"
                        continue
                    return Assessment(Status.NEGATED, toks[i].text)
            # a contrast: the trigger names what was not done — "rather than a single supplier,
            # three firms were invited", "open bidding instead of direct contracting"
            for i in range(max(0, ti - 4), ti - 1):
                if (toks[i].lower, toks[i + 1].lower) in _CONTRAST and not _inside(toks[i].start, internal) \
                        and all(t.text[:1].isalnum() for t in toks[i + 2 : ti]):
                    return Assessment(Status.NEGATED, f"{toks[i].text} {toks[i + 1].text}")
            # negation after the trigger, when the trigger is the subject of a predicate
            post = range(tj, min(c_hi, tj + POST_WINDOW))
            if len(post) and any(toks[k].lower in POST_AUX for k in list(post)[:3]):
                for i in post:
                    t = toks[i].lower
                    if (t in NEG_WORDS or t in NEG_VERBS) and t != "without" and not _is_pseudo_negation(toks, i):
                        return Assessment(Status.NEGATED, toks[i].text)

        # a condition opened inside the trigger's own span: "the record i.e. PC-1, etc. and
        # if record is not made available" (the gap between the object and its predicate
        # crossed into a conditional clause)
        for i in range(ti + 1, tj):
            if toks[i].lower in _SUBORDINATE_IF and not _inside(toks[i].start, internal):
                return Assessment(Status.HYPOTHETICAL, toks[i].text)
        # modality: a conditional / modal cue in the clause before the trigger,
        # or a conditional clause opening the sentence that contains the trigger
        for i in range(c_lo, ti):
            t = toks[i].lower
            if t in {"when", "whenever"} and not any(_past(x) for x in toks[i + 1 : min(i + 6, ti)]):
                return Assessment(Status.HYPOTHETICAL, f"generic '{toks[i].text}'")
            if t in GENERIC_WORDS:
                return Assessment(Status.HYPOTHETICAL, f"generic '{toks[i].text}'")
            if t in MODAL_WORDS and not _is_pseudo_modal(toks, i) and not _inside(toks[i].start, frames):
                if request and t in DEONTIC:
                    continue
                return Assessment(Status.HYPOTHETICAL, toks[i].text)
            for phrase in MODAL_PHRASES:
                n = len(phrase)
                if tuple(x.lower for x in toks[i : i + n]) == phrase and i + n <= ti:
                    return Assessment(Status.HYPOTHETICAL, " ".join(phrase))
        sm = _SEEKING_TO.search(self.text, max(0, start - 40), start)
        if sm and sm.end() >= start - 1:
            return Assessment(Status.HYPOTHETICAL, sm.group(1))
        m = _ASKED_TO_SHOW.search(self.text)
        if m and m.start() < start:
            return Assessment(Status.HYPOTHETICAL, "asked to show")
        # a power or permission to do it is not doing it: "section 21 empowers the
        # Federal Government to exempt...", "the Authority is competent to..."
        for m in _CAPABILITY.finditer(self.text, max(0, start - 160), start):
            if not _has_boundary_between(toks, m.end(), start):
                return Assessment(Status.HYPOTHETICAL, m.group(1))
        lead = 1 if len(toks) > 1 and toks[0].lower in _OPENING_CONNECTIVES else 0  # "Indeed if ..."
        if len(toks) > lead and toks[lead].lower in {"if", "unless", "where", "whether", "should"} and ti < self._first_comma():
            return Assessment(Status.HYPOTHETICAL, toks[0].text)
        # "..., if any" / "(if any)" right after the trigger
        after = [t.lower for t in toks[tj : tj + 3] if t.lower not in {",", "("}]
        if after[:2] == ["if", "any"]:
            return Assessment(Status.HYPOTHETICAL, "if any")
        if self.text.rstrip().endswith("?"):
            return Assessment(Status.HYPOTHETICAL, "?")

        # attribution: a party's argument before the trigger
        if self._attr is not None and self._attr[0] < start and (self._attr[2] or not request):
            return Assessment(Status.REPORTED, self._attr[1])
        if self.reported_by and not self.court_voice:
            return Assessment(Status.REPORTED, self.reported_by)

        # asserted: lower confidence if a negation sits nearby outside the scope,
        # and for a proposal that may not have been carried out
        proposal = False
        pm = _PROPOSAL.search(self.text)
        if pm and pm.start() < start:
            proposal = True
        factor = 1.0
        for i in range(max(0, ti - 10), min(len(toks), tj + 10)):
            if ti <= i < tj:
                continue
            if (toks[i].lower in NEG_WORDS) and not _is_pseudo_negation(toks, i):
                factor = 0.85
                break
        if proposal:
            factor *= 0.9
        return Assessment(Status.ASSERTED, None, factor, proposal)

    def clause(self, start: int, end: int) -> tuple[int, int, int, int]:
        """Token indexes (clause start, trigger start, trigger end, clause end) of the
        clause holding the span [start, end)."""
        toks = self.tokens
        ti = next((i for i, t in enumerate(toks) if t.end > start), len(toks))
        tj = next((i for i, t in enumerate(toks) if t.start >= end), len(toks))
        c_lo, c_hi = _clause_bounds(toks, ti, tj) if ti < len(toks) else (0, len(toks))
        return c_lo, ti, tj, c_hi

    def _first_comma(self) -> int:
        for i, t in enumerate(self.tokens):
            if t.lower == ",":
                return i
        return len(self.tokens)
