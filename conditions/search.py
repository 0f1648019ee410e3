"""Pure text functions for site search: clean a query, score near-misses, build a snippet.

No ORM here: ConditionQuerySet.search() (conditions/models/articles.py) does the database part
and calls these. Nothing a patient types is ever stored.
"""

from __future__ import annotations

import bisect
import difflib
import functools
import html
import json
import re
import unicodedata

from django.utils.safestring import SafeString, mark_safe

MAX_QUERY_LENGTH = 200
SNIPPET_RADIUS = 90
# Words too common to count as a match on their own.
STOP_WORDS = frozenset(
    [
        "a",
        "an",
        "and",
        "are",
        "as",
        "at",
        "be",
        "by",
        "can",
        "do",
        "does",
        "for",
        "from",
        "has",
        "have",
        "how",
        "i",
        "if",
        "in",
        "is",
        "it",
        "its",
        "my",
        "of",
        "on",
        "or",
        "the",
        "to",
        "under",
        "what",
        "when",
        "where",
        "which",
        "who",
        "why",
        "will",
        "with",
        "you",
        "your",
    ]
)
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]")
_WORD = re.compile(r"\w+", re.UNICODE)
# A token as FTS5's unicode61 tokenizer sees one: letters and digits, "_" between tokens.
_FTS_TOKEN = re.compile(r"[^\W_]+", re.UNICODE)


def clean_query(raw: str | None) -> str:
    """What we search for: no control or NUL characters, no surrogates, single spaces, short."""
    text = unicodedata.normalize("NFC", raw or "")
    text = text.encode("utf-8", "ignore").decode("utf-8")  # drops lone surrogates
    text = _CONTROL.sub(" ", text)
    text = " ".join(text.split())
    return text[:MAX_QUERY_LENGTH].strip()


def fold(text: str) -> str:
    """Case- and accent-insensitive form for comparing words."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    if decomposed.isascii():
        return decomposed  # nothing to strip: most text, and fast for long article text
    return _NON_ASCII.sub(_strip_combining, decomposed)


_NON_ASCII = re.compile(r"[^\x00-\x7f]+")


def _strip_combining(match: re.Match) -> str:
    return "".join(ch for ch in match.group() if not unicodedata.combining(ch))


def query_terms(query: str) -> list[str]:
    """The words that matter in a query (folded), longest first, at most eight."""
    words = [fold(w) for w in _WORD.findall(query)]
    terms = [w for w in words if len(w) >= 2 and w not in STOP_WORDS] or [w for w in words if w]
    unique = list(dict.fromkeys(terms))
    return sorted(unique, key=len, reverse=True)[:8]


def name_score(
    query: str, name: str, synonyms: list[str], terms: list[str] | None = None
) -> tuple[float, str]:
    """How well the query matches the name or one synonym (0..1), and which synonym matched.

    1.0 for a name or synonym that is the query, 0.97 for the query in the name from the start
    of a word (0.95 in a synonym); otherwise the best similarity of the
    query, or of each query word, against the name, the synonyms and their words (typos).
    `terms`: the query's words of three letters or more (name_terms), when the caller scores
    many names for one query.
    """
    q = fold(query)
    if not q:
        return 0.0, ""
    best, matched = 0.0, ""
    if terms is None:
        terms = name_terms(query)
    for label, is_synonym in [(name, False), *((s, True) for s in synonyms)]:
        folded, words = _label(label)
        if q == folded:
            score = 1.0
        elif _at_word_start(q, folded):
            # Inside a longer name or synonym: below the one that is exactly the query, so
            # "Milia" comes before "Eruptive milia" for "milia", whatever their alphabetical order.
            # From the start of a word only: "mila" inside "gaismilase" is chance, and would
            # have put a made-up name before Milia, the name a patient typing "mila" means.
            score = 0.95 if is_synonym else 0.97
        else:
            score = _similarity(q, folded)
            for term in terms:
                for word in words:
                    if term == word:
                        score = max(score, 0.8)
                    else:
                        score = max(score, 0.9 * _similarity(term, word))
        if score > best:
            best, matched = score, (label if is_synonym else "")
    return best, matched


def _at_word_start(query: str, text: str) -> bool:
    """Whether `query` is in `text` starting at the start of a word of it."""
    at = text.find(query)
    while at >= 0:
        if at == 0 or not text[at - 1].isalnum():
            return True
        at = text.find(query, at + 1)
    return False


def in_key_text(terms: list[str], name: str, also_known_as: str, summary: str) -> bool:
    """Whether every one of the query's words (`terms`: query_terms) is in the article's key
    text, its name, synonyms and summary (folded, as a word or the start of one): such a
    result shows its summary as the snippet, with the words marked, and leads to the article
    itself, not to a section."""
    if not terms:
        return False
    words, in_order = _key_words(name, also_known_as, summary)
    for term in terms:
        if term not in words:
            at = bisect.bisect_left(in_order, term)  # the first word from `term` on
            if at == len(in_order) or not in_order[at].startswith(term):
                return False
    return True


@functools.lru_cache(maxsize=1_024)
def _key_words(
    name: str, also_known_as: str, summary: str
) -> tuple[frozenset[str], tuple[str, ...]]:
    """The folded words of an article's key text, as a set and in order (for words starting
    with a query word). Cached: content, not what a patient typed."""
    words = frozenset(_WORD.findall(fold(f"{name}\n{also_known_as}\n{summary}")))
    return words, tuple(sorted(words))


def name_terms(query: str) -> list[str]:
    """The query's words that name_score compares with each word of a name (3+ letters)."""
    return [term for term in query_terms(query) if len(term) >= 3]


@functools.lru_cache(maxsize=65_536)
def _label(label: str) -> tuple[str, tuple[str, ...]]:
    """A name or synonym folded, and its words of three letters or more (shorter ones cannot
    equal a query word of three letters or more). Cached: labels are content, the same ones
    scored search after search; nothing a patient typed is a key."""
    folded = fold(label)
    return folded, tuple(word for word in _WORD.findall(folded) if len(word) >= 3)


@functools.lru_cache(maxsize=16_384)
def _similarity(a: str, b: str) -> float:
    """difflib's ratio of two folded strings, 0 when it cannot reach 0.6. Cached: the same
    words (a query's, and the words synonyms share) come up again and again."""
    if 2 * min(len(a), len(b)) < 0.6 * (len(a) + len(b)):
        return 0.0  # difflib's real_quick_ratio, without building a matcher
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    if matcher.real_quick_ratio() < 0.6 or matcher.quick_ratio() < 0.6:
        return 0.0
    return matcher.ratio()


def snippet(
    text: str, query: str, fallback: str = "", terms: list[str] | None = None
) -> SafeString:
    """A short escaped extract around the first match, with every match wrapped in <mark>.
    `terms`: the query's query_terms, when the caller makes snippets of many texts for one
    query."""
    plain, folded = _plain_and_folded(text or "")
    terms = [t for t in (query_terms(query) if terms is None else terms) if len(t) >= 2]
    phrase = fold(query)
    positions = [folded.find(phrase)] if phrase and len(phrase) >= 2 else []
    positions += [folded.find(t) for t in terms]
    positions = [p for p in positions if p >= 0]
    if not positions:
        short = " ".join(html.unescape(fallback or plain).split())
        if len(short) > 2 * SNIPPET_RADIUS:
            short = short[: 2 * SNIPPET_RADIUS].rsplit(" ", 1)[0] + "…"
        return mark_safe(html.escape(short))  # noqa: S308 - escaped
    start = max(0, min(positions) - SNIPPET_RADIUS // 2)
    end = min(len(plain), start + 2 * SNIPPET_RADIUS)
    if start > 0:
        start = plain.find(" ", start) + 1 or start
    if end < len(plain):
        end = plain.rfind(" ", start, end) if plain.rfind(" ", start, end) > start else end
    spans = _match_spans(folded[start:end], [phrase, *terms])
    out, cursor = [], start
    for a, b in spans:
        out.append(html.escape(plain[cursor : start + a]))
        out.append("<mark>" + html.escape(plain[start + a : start + b]) + "</mark>")
        cursor = start + b
    out.append(html.escape(plain[cursor:end]))
    prefix = "…" if start > 0 else ""
    suffix = "…" if end < len(plain) else ""
    return mark_safe(prefix + "".join(out) + suffix)  # noqa: S308 - every piece escaped above


@functools.lru_cache(maxsize=1_024)
def _plain_and_folded(text: str) -> tuple[str, str]:
    """A text as plain words (entities decoded, single spaces) and folded, position for
    position; folded is empty when fold() would not keep the positions (then nothing is
    marked). Cached: summaries, the same ones search after search; nothing a patient typed."""
    plain = " ".join(html.unescape(text).split())
    folded = fold(plain)
    # fold() keeps one character per input character for almost all text; if not, give up
    # on positions rather than highlight the wrong letters.
    if len(folded) != len(plain):
        folded = plain.casefold() if len(plain.casefold()) == len(plain) else ""
    return plain, folded


# Search snippets made by the database (PostgreSQL ts_headline, SQLite FTS5 snippet()) mark
# the matched words with these two private-use characters, never with HTML: the text is
# escaped first, then the marks become <mark> elements (section_snippet); a stray mark that
# would not balance is dropped.
SNIPPET_START, SNIPPET_END = "\ue000", "\ue001"
SNIPPET_TOKENS = 28
HEADLINE_OPTIONS = (
    f"StartSel={SNIPPET_START}, StopSel={SNIPPET_END}, MaxWords=30, MinWords=15, ShortWord=3"
)
_MARKERS = re.compile(f"[{SNIPPET_START}{SNIPPET_END}]")


def section_snippet(raw: str | None) -> tuple[str, SafeString] | None:
    """(section slug, escaped snippet with <mark>ed words) from a search row's
    `section_snippet` JSON, or None when no section matched."""
    if not raw:
        return None
    try:
        slug, text, body = json.loads(raw)
    except (ValueError, TypeError):
        return None
    text = " ".join((text or "").split())
    if not text or SNIPPET_START not in text:
        return None
    if body:  # ts_headline gives no ellipses: add them where the text goes on
        plain = " ".join(_MARKERS.sub("", text).split())
        body = " ".join(body.split())
        text = ("" if body.startswith(plain) else "…") + text
        text += "" if body.endswith(plain) else "…"
    out, marked = [], False
    for piece in re.split(f"([{SNIPPET_START}{SNIPPET_END}])", text):
        if piece in (SNIPPET_START, SNIPPET_END):
            if (piece == SNIPPET_START) != marked:  # ignore a mark that would not balance
                out.append("<mark>" if piece == SNIPPET_START else "</mark>")
                marked = not marked
        else:
            out.append(html.escape(piece))
    if marked:
        out.append("</mark>")
    html_text = "".join(out)
    return slug or "", mark_safe(html_text)  # noqa: S308 - every piece escaped above


def _match_spans(folded: str, needles: list[str]) -> list[tuple[int, int]]:
    spans = []
    for needle in needles:
        if not needle or len(needle) < 2:
            continue
        start = folded.find(needle)
        while start >= 0:
            spans.append((start, start + len(needle)))
            start = folded.find(needle, start + len(needle))
    spans.sort()
    merged: list[tuple[int, int]] = []
    for a, b in spans:
        if merged and a <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(b, merged[-1][1]))
        else:
            merged.append((a, b))
    return merged


# -- SQLite full-text indexes (FTS5; migration 0006) -------------------------------------------
# Two indexes of published conditions: names and synonyms with the trigram tokenizer (pieces of
# three letters, which survive most typos), article text by word (porter stemmer, accents
# folded). Everything a patient types goes into FTS5 inside double quotes (any `"` doubled), so
# operators, brackets, stars or quotes in the query are only ever text: never a syntax error.
FTS_MIN_LENGTH = 3
# Ranking (bm25) costs 10-20 microseconds per matching article at 50,000 articles: a word in
# most of them would cost more than the rest of the search. Where the article text is ranked
# (queries with no word of three letters), each tier of matches (the whole phrase, all the
# words, any word) ranks at most this many of its matches; longer queries take each tier's
# first articles unranked (ConditionQuerySet._search_fallback).
FTS_RANK_CAP = 100
# Names and synonyms are short, cheaper to rank, and a typo shares few pieces with the name
# it means: their index ranks more of its matches.
FTS_NAME_RANK_CAP = 400


def _fts_phrase(text: str) -> str:
    return '"' + text.replace('"', '""') + '"'


def _fts_any(pieces) -> str:
    phrases = [_fts_phrase(p) for p in dict.fromkeys(pieces) if len(p) >= FTS_MIN_LENGTH]
    return " OR ".join(phrases)


def _words(query: str) -> list[str]:
    """The query's words, folded (no accents) and as typed (lower case), longest first."""
    raw = [w.casefold() for w in _WORD.findall(query) if len(w) >= FTS_MIN_LENGTH]
    return list(dict.fromkeys([*query_terms(query), *raw]))


def fts_name_query(query: str) -> str:
    """Names and synonyms sharing any three-letter piece with a query word (typos keep some)."""
    return _fts_any(w[i : i + 3] for w in _words(query) for i in range(len(w) - 2))


def _covering_pieces(word: str) -> list[str]:
    """Three-letter pieces of `word` that cover every letter of it, overlapping as little as
    they can: "white" -> "whi", "ite"; "babies" -> "bab", "ies"."""
    starts = [*range(0, len(word) - 2, 3), len(word) - 3]
    return [word[i : i + 3] for i in dict.fromkeys(starts)]


def fts_name_queries(query: str) -> list[str]:
    """FTS5 queries for names and synonyms, strongest first: the words as typed (the words are
    in the name: three-letter pieces covering each word), then any piece of any word (typos
    keep some). Empty when no word has three letters.

    Covering pieces, not every piece, for the first: a name with all of them almost always
    has the words, Python scores each candidate's names anyway (name_score), and ranking
    (bm25) costs FTS5 a pass over every matching name for each piece: "white spots on face"
    asked for 8 pieces and took 4.4 ms at 50,000 articles, 6 pieces and 3.5 ms, with the same
    162 names found."""
    words = [w for w in _words(query) if len(w) >= FTS_MIN_LENGTH]
    if not words:
        return []
    every = " AND ".join(dict.fromkeys(_fts_phrase(p) for w in words for p in _covering_pieces(w)))
    return list(dict.fromkeys([every, fts_name_query(query)]))


def _fts_word(term: str, raw: str, prefix: bool = True) -> str:
    """One query word for the word index, perhaps as a prefix ("mili" finds "milia"; not for
    one letter, which would expand to most words); the folded and the typed spelling."""
    forms = [_fts_phrase(f) + ("*" if prefix and len(f) >= 2 else "") for f in {term, raw}]
    return forms[0] if len(forms) == 1 else "(" + " OR ".join(sorted(forms)) + ")"


def fts_phrase_query(query: str) -> str:
    """The whole phrase for the word index. Where stop words ("on", "the", "under") stand
    between its other words, the runs of other words within as many words of each other, in
    any order (FTS5's NEAR: "white spots on face" is NEAR("white spots" "face", 1)), as
    PostgreSQL's phraseto_tsquery leaves them out and keeps their places (there in order). A
    stop word is in most articles: FTS5 reads every place it has in each of them to match it
    in a phrase ("white spots on face" took 3.7 ms at 50,000 articles, and as NEAR 1 ms)."""
    tokens = _FTS_TOKEN.findall(fold(query))
    kept = [n for n, token in enumerate(tokens) if token not in STOP_WORDS]
    if not kept or len(kept) == len(tokens) or kept[-1] - kept[0] + 1 == len(kept):
        return _fts_phrase(" ".join(tokens[kept[0] : kept[-1] + 1] if kept else tokens))
    runs, run = [], [tokens[kept[0]]]
    for before, number in zip(kept, kept[1:], strict=False):
        if number == before + 1:
            run.append(tokens[number])
        else:
            runs.append(run)
            run = [tokens[number]]
    runs.append(run)
    between = kept[-1] - kept[0] + 1 - len(runs[0]) - len(runs[-1])
    return f"NEAR({' '.join(_fts_phrase(' '.join(r)) for r in runs)}, {between})"


def fts_text_queries(
    query: str, min_length: int = FTS_MIN_LENGTH, prefix: bool = True
) -> list[str]:
    """FTS5 queries for the article text, strongest first: the whole phrase, every word, any
    word. Empty when the query has no word of `min_length` letters or more. `prefix=False`:
    whole words only (the porter stemmer still matches word forms). FTS5 merges the lists
    of every word a prefix stands for each time it runs the query, which the snippet of each
    result would do once per section. Only the last word is a prefix: the one a patient may
    still be typing (live results); merging every word a prefix stands for is most of what a
    query costs at 50,000 articles ("spots"* 2.4 ms, "spots" 0.02 ms)."""
    words = [(fold(word), word.casefold()) for word in _WORD.findall(query)]
    pairs = [(t, raw) for t, raw in words if len(t) >= 2 and t not in STOP_WORDS] or words
    pairs = list(dict.fromkeys(pairs))[:8]
    if not any(len(term) >= min_length for term, _raw in pairs):
        return []
    last = len(pairs) - 1
    words = [
        _fts_word(term, raw, prefix and number == last) for number, (term, raw) in enumerate(pairs)
    ]
    tiers = []
    if len(words) > 1:
        tiers.append(fts_phrase_query(query))
        tiers.append(" AND ".join(words))
    tiers.append(" OR ".join(words))
    return tiers


def text_hits_of(query: str):
    """For one query, a function of a text giving (how many of the query's signals the text
    has, the most it could have): the whole query counts one more than the number of its
    words, each word counts one. The query's words are worked out once for all the rows a
    search scores, not once a row."""
    terms, phrase = query_terms(query), fold(query)
    whole, most = len(terms) + 1, 2 * len(terms) + 1

    def hits(text: str) -> tuple[int, int]:
        folded = _folded_text(text)
        return whole * (phrase in folded) + sum(t in folded for t in terms), most

    return hits


@functools.lru_cache(maxsize=1_024)
def _folded_text(text: str) -> str:
    """An article's folded text, kept for the articles searched most recently (3.5 KB each in
    the synthetic content; folding one took about 10 microseconds, for each of a search's
    50 rows). Content, not what a patient typed."""
    return fold(text)


# -- emergency words (the search safety net) -----------------------------------------------------
# A clinician lists each emergency term with its other wordings, one per line (UrgentHelp and
# EmergencyTerm, conditions/models/safety.py). A wording matches when every one of its words is
# somewhere in the query, in any order. Words are compared folded (case, accents), contractions
# spelt out ("won't" -> "will not"), filler words dropped and a few endings trimmed, so "rash
# that does not fade", "rash doesn't fade" and "not fading rash" all meet "rash not fade".
_CONTRACTIONS = [
    (re.compile(r"\bcan[\u2019']?t\b|\bcannot\b"), "can not"),
    (re.compile(r"\bwon[\u2019']?t\b"), "will not"),
    (re.compile(r"\b(\w+)n[\u2019']t\b"), r"\1 not"),
    (re.compile(r"\bnon\b"), "not"),  # "non-fading", "non-blanching"
]
EMERGENCY_FILLER = STOP_WORDS | {"that", "this", "very", "really", "so", "just", "me", "he", "she"}
_ENDINGS = ("ing", "ed", "es", "s", "e")
# Long words allow one slip of the keyboard ("meningitus", "sepis"); short ones must be exact.
EMERGENCY_TYPO_LENGTH = 5
EMERGENCY_TYPO_RATIO = 0.85


def _stem(word: str) -> str:
    """A crude, consistent stem: fading/fades/faded/fade -> fad, stopping -> stop."""
    for ending in _ENDINGS:
        if word.endswith(ending) and len(word) - len(ending) >= 3:
            word = word[: -len(ending)]
            break
    if len(word) > 3 and word[-1] == word[-2] and word[-1] not in "aeiouls":
        word = word[:-1]  # stopp -> stop, fitt -> fit (but stiff, bless, full stay)
    return word


def emergency_words(text: str) -> frozenset[str]:
    """The words of a query or of an emergency wording, normalised for matching."""
    folded = fold(text).replace("\u2019", "'")
    for pattern, replacement in _CONTRACTIONS:
        folded = pattern.sub(replacement, folded)
    words = [w for w in _WORD.findall(folded) if w not in EMERGENCY_FILLER]
    return frozenset(_stem(w) for w in words)


def emergency_wordings(phrase: str, variants: str = "") -> list[frozenset[str]]:
    """One term's wordings (its phrase and each non-empty variant line), as word sets."""
    lines = [phrase, *(variants or "").splitlines()]
    sets = [emergency_words(line) for line in lines if line.strip()]
    return list(dict.fromkeys(s for s in sets if s))


def _word_in(word: str, query_words: frozenset[str]) -> bool:
    if word in query_words:
        return True
    if len(word) < EMERGENCY_TYPO_LENGTH:
        return False
    return any(
        len(q) >= EMERGENCY_TYPO_LENGTH and _similarity(word, q) >= EMERGENCY_TYPO_RATIO
        for q in query_words
    )


def matches_emergency(query: str, wordings) -> bool:
    """Whether every word of any one wording is in the query (see emergency_words)."""
    query_words = emergency_words(query)
    if not query_words:
        return False
    return any(all(_word_in(w, query_words) for w in wording) for wording in wordings)
