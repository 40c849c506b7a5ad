"""Lesson Markdown: safe HTML rendering (markdown-it-py + nh3) and the scans the checks need."""

from __future__ import annotations

import html
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import date
from typing import Protocol

import nh3
from markdown_it import MarkdownIt
from markdown_it.token import Token

LESSON_SCHEME = "lesson:"
"""Prefix of internal links between lessons, e.g. ``[text](lesson:other-slug)``."""

LinkFor = Callable[[str], str]
"""Maps a lesson slug to the URL of that lesson's page."""

ALLOWED_TAGS = frozenset(
    {
        "p", "br", "hr", "h2", "h3", "h4", "strong", "em", "del", "code", "pre", "blockquote",
        "ul", "ol", "li", "a", "table", "thead", "tbody", "tr", "th", "td", "section", "small",
    }
)  # fmt: skip
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "ol": {"start"},
    "th": {"style"},
    "td": {"style"},
}
ALLOWED_URL_SCHEMES = frozenset({"http", "https", "mailto", "tel"})

_CLEANER = nh3.Cleaner(
    tags=set(ALLOWED_TAGS),
    clean_content_tags={"script", "style", "iframe", "object", "embed", "noscript", "template"},
    attributes=ALLOWED_ATTRIBUTES,
    url_schemes=set(ALLOWED_URL_SCHEMES),
    filter_style_properties={"text-align"},
    allowed_classes={"section": {"lesson-sources"}},
    link_rel="noopener noreferrer",
    strip_comments=True,
)

# Rendering never interprets raw HTML (it is shown escaped); the scanner sees it so checks can
# report it.
_RENDERER = MarkdownIt("commonmark", {"html": False}).enable("table")
_SCANNER = MarkdownIt("commonmark", {"html": True}).enable("table")

_LABELS = {
    "ko": {"sources": "출처", "checked": "내용 확인일"},
    "en": {"sources": "Sources", "checked": "Facts last checked"},
}


class Citation(Protocol):
    """What the sources list needs to know about one source."""

    @property
    def title(self) -> str: ...
    @property
    def publisher(self) -> str: ...
    @property
    def url(self) -> str | None: ...
    @property
    def date(self) -> str | None: ...


def sanitize(fragment: str) -> str:
    """Clean an HTML fragment with the lesson-page allow-list."""
    return _CLEANER.clean(fragment)


def render_markdown(text: str, *, link_for: LinkFor) -> str:
    """Render lesson Markdown to sanitised HTML, sending ``lesson:`` links through ``link_for``."""
    env: dict = {}
    tokens = _RENDERER.parse(text, env)
    for token in _walk(tokens):
        href = token.attrGet("href") if token.type == "link_open" else None
        if isinstance(href, str) and href.startswith(LESSON_SCHEME):
            token.attrSet("href", link_for(href.removeprefix(LESSON_SCHEME)))
    return sanitize(_RENDERER.renderer.render(tokens, _RENDERER.options, env))


def render_sources(citations: Iterable[Citation], *, lang: str, last_checked: date) -> str:
    """Render the sources list and the last-checked date that close a lesson page."""
    labels = _LABELS.get(lang, _LABELS["en"])
    items = "".join(f"<li>{_citation_html(c)}</li>" for c in citations)
    checked = f"{labels['checked']}: {last_checked.isoformat()}"
    return sanitize(
        f'<section class="lesson-sources"><h2>{labels["sources"]}</h2><ol>{items}</ol>'
        f"<p><small>{html.escape(checked)}</small></p></section>"
    )


def _citation_html(citation: Citation) -> str:
    title = html.escape(citation.title)
    if citation.url:
        title = f'<a href="{html.escape(citation.url, quote=True)}">{title}</a>'
    parts = [title, html.escape(citation.publisher)]
    if citation.date:
        parts.append(html.escape(citation.date))
    return ", ".join(parts)


@dataclass(frozen=True)
class Heading:
    """A Markdown heading: level (1-6), text and 1-based line."""

    level: int
    text: str
    line: int
    has_content: bool


@dataclass(frozen=True)
class Fragment:
    """A link target or raw-HTML snippet found in Markdown, with its 1-based line."""

    value: str
    line: int


def headings(text: str) -> list[Heading]:
    """List the headings of a Markdown text, noting whether anything follows before the next."""
    tokens = _SCANNER.parse(text)
    found: list[Heading] = []
    for index, token in enumerate(tokens):
        if token.type != "heading_open":
            continue
        level = int(token.tag[1])
        after = tokens[index + 3] if index + 3 < len(tokens) else None  # open, inline, close
        has_content = after is not None and not (
            after.type == "heading_open" and int(after.tag[1]) <= level
        )
        found.append(Heading(level, tokens[index + 1].content.strip(), _line(token), has_content))
    return found


def link_targets(text: str) -> list[Fragment]:
    """List the href of every link in a Markdown text (autolinks included)."""
    return [
        Fragment(str(token.attrGet("href")), line)
        for token, line in _walk_with_lines(_SCANNER.parse(text))
        if token.type == "link_open"
    ]


def raw_html(text: str) -> list[Fragment]:
    """List raw HTML blocks and inline tags written into a Markdown text."""
    return [
        Fragment(token.content.strip(), line)
        for token, line in _walk_with_lines(_SCANNER.parse(text))
        if token.type in ("html_block", "html_inline")
    ]


def _walk(tokens: list[Token]) -> Iterator[Token]:
    for token in tokens:
        yield token
        if token.children:
            yield from _walk(token.children)


def _walk_with_lines(tokens: list[Token]) -> Iterator[tuple[Token, int]]:
    for token in tokens:
        line = _line(token)
        yield token, line
        for child in token.children or ():
            yield child, line


def _line(token: Token) -> int:
    return token.map[0] + 1 if token.map else 0
