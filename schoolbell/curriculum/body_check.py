"""The Markdown body check: required sections in order, links that resolve, no raw HTML."""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from schoolbell.curriculum import rendering

REQUIRED_SECTIONS: Mapping[str, tuple[str, ...]] = MappingProxyType(
    {
        "ko": ("알아볼 내용", "이야기 나누기", "기억할 것", "도움받을 곳"),
        "en": ("What we learn", "Talk it through", "Remember", "Where to get help"),
    }
)
LINK_PREFIXES = ("https://", "http://", "mailto:", "tel:", rendering.LESSON_SCHEME)


def body_messages(text: str, lang: str, known: set[str]) -> list[str]:
    """Every problem in one lesson body written in ``lang``; ``known`` holds the lesson slugs."""
    return [
        *_heading_messages(text, lang),
        *_link_messages(text, known),
        *(
            f"line {found.line}: raw HTML is not allowed in lesson content: {found.value[:60]!r}"
            for found in rendering.raw_html(text)
        ),
    ]


def _heading_messages(text: str, lang: str) -> list[str]:
    found = rendering.headings(text)
    messages = [
        f"line {h.line}: level-1 heading '{h.text}' is not allowed (the title is in lesson.toml)"
        for h in found
        if h.level == 1
    ]
    sections = [h for h in found if h.level == 2]
    positions = []
    for name in REQUIRED_SECTIONS[lang]:
        matches = [h for h in sections if h.text == name]
        if not matches:
            elsewhere = [h for h in found if h.text == name]
            hint = f" (line {elsewhere[0].line} uses level {elsewhere[0].level})" if elsewhere else ""
            messages.append(f"missing required section '## {name}'{hint}")
            continue
        if len(matches) > 1:
            messages.append(f"section '## {name}' appears {len(matches)} times")
        if not matches[0].has_content:
            messages.append(f"line {matches[0].line}: section '## {name}' is empty")
        positions.append(sections.index(matches[0]))
    if positions != sorted(positions):
        order = ", ".join(f"'## {name}'" for name in REQUIRED_SECTIONS[lang])
        messages.append(f"required sections are out of order; expected {order}")
    return messages


def _link_messages(text: str, known: set[str]) -> list[str]:
    messages = []
    for link in rendering.link_targets(text):
        if link.value.startswith(rendering.LESSON_SCHEME):
            target = link.value.removeprefix(rendering.LESSON_SCHEME)
            if target not in known:
                messages.append(f"line {link.line}: link '{link.value}' points to no lesson")
        elif not link.value.startswith(LINK_PREFIXES):
            allowed = ", ".join(LINK_PREFIXES)
            messages.append(f"line {link.line}: link '{link.value}' must start with one of {allowed}")
    return messages
