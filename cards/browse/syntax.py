"""Reading a search: lark's LALR parser turns the text into a small tree of
And / Or / Not over terms (terms.py). Every mistake is a QueryError that says
what is wrong in words and where (a position counted from 1).

The parser holds no stack of ours: lark's LALR parser is a loop, the tree is
built as it reads, and the limits (MAX_LENGTH, MAX_TERMS, MAX_DEPTH) are checked
on the tokens before it starts, so no search can run Python out of stack."""

from dataclasses import dataclass

from lark import Lark, Token, Transformer, v_args
from lark.exceptions import UnexpectedCharacters, UnexpectedEOF, UnexpectedToken, VisitError

from .terms import QueryError, Term, read_filter, read_words

MAX_LENGTH = 500  # characters
MAX_TERMS = 40
MAX_DEPTH = 10  # parentheses inside parentheses

GRAMMAR = r"""
?start: or_expr?
?or_expr: and_expr (_OR and_expr)*
?and_expr: not_expr (_AND? not_expr)*
?not_expr: NEG not_expr -> negated
         | atom
?atom: "(" or_expr ")"
     | FILTER -> filter
     | WORD -> word
     | PHRASE -> phrase

NEG: "-"
_AND.3: /and(?![^\s()"])/i
_OR.3: /or(?![^\s()"])/i
FILTER.2: /[a-z_]+:("[^"]*"|[^\s()"]*)/i
PHRASE: /"[^"]*"/
WORD: /[^\s()"\-][^\s()"]*/

%ignore /\s+/
"""


@dataclass(frozen=True)
class And:
    parts: tuple


@dataclass(frozen=True)
class Or:
    parts: tuple


@dataclass(frozen=True)
class Not:
    part: object


Node = And | Or | Not | Term


def _flat(kind, parts) -> tuple:
    """The parts, with those of the same kind opened up: a AND (b AND c) is a AND b AND c."""
    flat = []
    for part in parts:
        flat.extend(part.parts if isinstance(part, kind) else [part])
    return tuple(flat)


class _Tree(Transformer):
    """Builds our nodes as lark reduces each rule (run inside the parser)."""

    def or_expr(self, parts):
        return Or(_flat(Or, parts))

    def and_expr(self, parts):
        return And(_flat(And, parts))

    @v_args(inline=True)
    def negated(self, _neg, part):
        return part.part if isinstance(part, Not) else Not(part)  # - -x is x

    @v_args(inline=True)
    def filter(self, token):
        name, _, value = token.partition(":")
        quoted = value.startswith('"')
        return read_filter(name, value.strip('"'), quoted=quoted, position=token.column)

    @v_args(inline=True)
    def word(self, token):
        return read_words(str(token), position=token.column)

    @v_args(inline=True)
    def phrase(self, token):
        return read_words(token[1:-1], position=token.column, quoted=True)


# The basic lexer: AND and OR are always operators (quote them to search for them).
PARSER = Lark(GRAMMAR, parser="lalr", lexer="basic", transformer=_Tree(), maybe_placeholders=False)


def parse(text: str) -> Node | None:
    """The tree of a search; None for an empty one (every card)."""
    _check_text(text)
    tokens = list(_tokens(text))
    _check_tokens(tokens)
    if not tokens:
        return None
    try:
        return PARSER.parse(text)
    except VisitError as error:  # a QueryError raised while building the tree
        if isinstance(error.orig_exc, QueryError):
            raise error.orig_exc from None
        raise
    except UnexpectedEOF as error:
        raise _ends_early(text, tokens) from error
    except UnexpectedToken as error:
        if error.token.type == "$END":
            raise _ends_early(text, tokens) from error
        token = error.token
        message = f"Unexpected “{token}” at position {token.column}"
        if token.type in {"_AND", "_OR"}:
            message += f": put “{token}” in quotes to search for the word"
        raise QueryError(message, token.column) from error


def _check_text(text: str) -> None:
    if len(text) > MAX_LENGTH:
        raise QueryError(
            f"A search has at most {MAX_LENGTH} characters; this one has {len(text):,}.",
            MAX_LENGTH + 1,
        )
    for at, char in enumerate(text, start=1):
        if ord(char) < 32 and char not in "\t\n\r" or ord(char) == 127:
            raise QueryError(f"A search cannot hold control characters (one at position {at})", at)


def _tokens(text: str):
    """The search's tokens, or a QueryError at the first character none can start."""
    try:
        yield from PARSER.lex(text)
    except UnexpectedCharacters as error:
        at = error.column
        if text[at - 1] == '"':
            raise QueryError(f"The quote at position {at} is never closed", at) from None
        raise QueryError(f"Unexpected “{text[at - 1]}” at position {at}", at) from None


def _check_tokens(tokens: list[Token]) -> None:
    """Parentheses that match and nest at most MAX_DEPTH deep, at most MAX_TERMS terms."""
    opened: list[Token] = []
    terms = 0
    for token in tokens:
        if token.type in {"FILTER", "WORD", "PHRASE"}:
            terms += 1
            if terms > MAX_TERMS:
                raise QueryError(
                    f"A search has at most {MAX_TERMS} terms; the one at position "
                    f"{token.column} is one too many.",
                    token.column,
                )
        elif token == "(":
            opened.append(token)
            if len(opened) > MAX_DEPTH:
                raise QueryError(
                    f"Parentheses nest at most {MAX_DEPTH} deep; the one at position "
                    f"{token.column} is one too deep.",
                    token.column,
                )
        elif token == ")":
            if not opened:
                raise QueryError(
                    f"Unexpected “)” at position {token.column}: no “(” before it is open",
                    token.column,
                )
            opened.pop()
    if opened:
        at = opened[-1].column
        raise QueryError(f"The “(” at position {at} is never closed", at)


def _ends_early(text: str, tokens: list[Token]) -> QueryError:
    last = tokens[-1]
    return QueryError(
        f"The search ends after “{last}” at position {last.column}: a term must follow",
        len(text.rstrip()) + 1,
    )


def pointer(text: str, position: int) -> str:
    """The search on one line and a caret under ``position`` on the next, to show
    with a QueryError (in a monospaced font)."""
    line = text.replace("\n", " ").replace("\r", " ").replace("\t", " ")
    return f"{line}\n{' ' * (max(position, 1) - 1)}^"
