"""Text-search queries as PostgreSQL writes them, parsed into a tree and evaluated on sets.

The search asks PostgreSQL to parse what the citizen typed (``websearch_to_tsquery`` in each
text-search configuration: stemming, stop words, accents, quotes, ``or``, ``-word``) and
gets back tsquery text such as ``'format' & !'ateli'`` or ``'choix' <2> 'meti' | 'stag'``.
``parse`` reads that text into a small tree (``Word``, ``Not``, ``And``, ``Or``, ``Phrase``)
and ``evaluate`` computes it on the index's sets: a word is its set, ``&`` an intersection,
``|`` a union, ``!`` the complement within the findable offers. A phrase (``<->``, ``<N>``)
needs word positions, which the sets do not hold: ``candidates`` gives the intersection of
its words' sets, the search checks the phrase on those offers only, in SQL, and passes the
offers that hold it to ``evaluate``.

Everything a later search feature needs goes through ``evaluate``'s ``word_set``: a synonym
is a word whose set is the union of its synonyms' sets; ranking by the number of words
matched or dropping the least matching words (relaxation) works on ``positive_words``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from pyroaring import BitMap


@dataclass(frozen=True)
class Word:
    lexeme: str


@dataclass(frozen=True)
class Not:
    operand: Node


@dataclass(frozen=True)
class And:
    left: Node
    right: Node


@dataclass(frozen=True)
class Or:
    left: Node
    right: Node


@dataclass(frozen=True)
class Phrase:
    """``left <distance> right``: right follows left ``distance`` positions later."""

    left: Node
    right: Node
    distance: int = 1


Node = Word | Not | And | Or | Phrase


class QuerySyntaxError(ValueError):
    """Not tsquery text as PostgreSQL writes it."""


_TOKEN = re.compile(
    r"\s*(?:'(?P<lexeme>(?:[^'\\]|''|\\.)*)'(?::[*A-Da-d]+)?"
    r"|(?P<operator>[!&|()])|<(?P<distance>-|\d+)>)"
)


def _tokens(text: str) -> Iterator[tuple[str, str | int]]:
    position = 0
    text = text.rstrip()
    while position < len(text):
        match = _TOKEN.match(text, position)
        if match is None:
            raise QuerySyntaxError(f"unexpected text at {position}: {text[position:][:20]!r}")
        position = match.end()
        if match["lexeme"] is not None:
            lexeme = match["lexeme"].replace("''", "'")
            yield "word", re.sub(r"\\(.)", r"\1", lexeme)
        elif match["operator"]:
            yield match["operator"], match["operator"]
        else:
            distance = match["distance"]
            yield "<>", 1 if distance == "-" else int(distance)


class _Parser:
    """Precedence as in PostgreSQL: ``!`` binds tightest, then ``<->``, ``&``, ``|``."""

    def __init__(self, text: str) -> None:
        self.tokens = list(_tokens(text))
        self.position = 0

    def peek(self) -> str | None:
        return self.tokens[self.position][0] if self.position < len(self.tokens) else None

    def take(self) -> tuple[str, str | int]:
        if self.position >= len(self.tokens):
            raise QuerySyntaxError("the query ends too early")
        token = self.tokens[self.position]
        self.position += 1
        return token

    def any_of(self) -> Node:
        node = self.all_of()
        while self.peek() == "|":
            self.take()
            node = Or(node, self.all_of())
        return node

    def all_of(self) -> Node:
        node = self.sequence()
        while self.peek() == "&":
            self.take()
            node = And(node, self.sequence())
        return node

    def sequence(self) -> Node:
        node = self.single()
        while self.peek() == "<>":
            _kind, distance = self.take()
            node = Phrase(node, self.single(), int(distance))
        return node

    def single(self) -> Node:
        kind, value = self.take()
        if kind == "!":
            return Not(self.single())
        if kind == "(":
            node = self.any_of()
            if self.take()[0] != ")":
                raise QuerySyntaxError("a parenthesis is not closed")
            return node
        if kind == "word":
            return Word(str(value))
        raise QuerySyntaxError(f"unexpected {value!r}")


def parse(text: str) -> Node | None:
    """The tree of a tsquery's text; None for the empty query (only stop words typed)."""
    parser = _Parser(text or "")
    if not parser.tokens:
        return None
    node = parser.any_of()
    if parser.peek() is not None:
        raise QuerySyntaxError(f"unexpected {parser.tokens[parser.position][1]!r}")
    return node


def as_text(node: Node) -> str:
    """The tree as tsquery text again (PostgreSQL reads it back as the same query)."""
    if isinstance(node, Word):
        return "'" + node.lexeme.replace("\\", "\\\\").replace("'", "''") + "'"
    if isinstance(node, Not):
        return f"!{as_text(node.operand)}"
    operator = {And: "&", Or: "|"}.get(type(node))
    if operator is None:
        operator = "<->" if node.distance == 1 else f"<{node.distance}>"
    return f"( {as_text(node.left)} {operator} {as_text(node.right)} )"


def _children(node: Node) -> tuple[Node, ...]:
    if isinstance(node, Word):
        return ()
    if isinstance(node, Not):
        return (node.operand,)
    return (node.left, node.right)


def words(node: Node | None) -> list[str]:
    """Every lexeme of the query, once, in order."""
    if node is None:
        return []
    if isinstance(node, Word):
        return [node.lexeme]
    return list(dict.fromkeys(w for child in _children(node) for w in words(child)))


def positive_words(node: Node | None) -> list[str]:
    """The lexemes an offer must (or, under ``|``, may) hold: none under a ``!``."""
    if node is None or isinstance(node, Not):
        return []
    if isinstance(node, Word):
        return [node.lexeme]
    return list(dict.fromkeys(w for child in _children(node) for w in positive_words(child)))


def phrases(node: Node | None) -> list[Phrase]:
    """The outermost phrases of the query (a phrase inside a phrase is checked with it)."""
    if node is None or isinstance(node, Word):
        return []
    if isinstance(node, Phrase):
        return [node]
    return list(dict.fromkeys(p for child in _children(node) for p in phrases(child)))


WordSet = Callable[[str], BitMap]


def candidates(node: Node, word_set: WordSet, universe: BitMap) -> BitMap:
    """A superset of the offers matching ``node`` that needs no word positions.

    Inside a phrase every word must be there, so a phrase's candidates are the intersection
    of its words' sets; a ``!`` inside a phrase constrains nothing (the whole ``universe``).
    """
    if isinstance(node, Word):
        return word_set(node.lexeme)
    if isinstance(node, Not):
        return universe
    if isinstance(node, Or):
        return candidates(node.left, word_set, universe) | candidates(
            node.right, word_set, universe
        )
    return candidates(node.left, word_set, universe) & candidates(node.right, word_set, universe)


def evaluate(
    node: Node, word_set: WordSet, universe: BitMap, phrase_sets: dict[Phrase, BitMap]
) -> BitMap:
    """The offers of ``universe`` matching the query; each phrase's offers come checked."""
    if isinstance(node, Word):
        return word_set(node.lexeme) & universe
    if isinstance(node, Phrase):
        return phrase_sets[node] & universe
    if isinstance(node, Not):
        return universe - evaluate(node.operand, word_set, universe, phrase_sets)
    left = evaluate(node.left, word_set, universe, phrase_sets)
    if isinstance(node, And):
        if not left:
            return left
        return left & evaluate(node.right, word_set, universe, phrase_sets)
    return left | evaluate(node.right, word_set, universe, phrase_sets)
