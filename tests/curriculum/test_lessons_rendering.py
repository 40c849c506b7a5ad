"""Rendering: lesson links go through link_for, and injected HTML or scripts are neutralised."""

from __future__ import annotations

from datetime import date
from html.parser import HTMLParser
from types import MappingProxyType

import pytest

from schoolbell.curriculum.lesson_types import Lesson, Source
from schoolbell.curriculum.rendering import render_markdown, render_sources, sanitize

DANGEROUS_TAGS = {"script", "style", "iframe", "img", "svg", "object", "embed", "form", "input"}
INJECTIONS = [
    "<script>alert('x')</script>",
    '<img src="x" onerror="alert(1)">',
    "[click me](javascript:alert(1))",
    "[click me](JaVaScRiPt:alert(1))",
    "<javascript:alert(1)>",
    '<a href="javascript:alert(1)">click me</a>',
    '<iframe src="https://evil.example/"></iframe>',
    '<svg onload="alert(1)"></svg>',
    '<p onclick="alert(1)">text</p>',
    "<style>body { display: none }</style>",
    "Inline <b onmouseover=alert(1)>bold</b> text",
    "[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
]


class _Elements(HTMLParser):
    """Collects (tag, attributes) of every element in an HTML fragment."""

    def __init__(self) -> None:
        super().__init__()
        self.found: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.found.append((tag, dict(attrs)))


def elements(fragment: str) -> list[tuple[str, dict[str, str | None]]]:
    parser = _Elements()
    parser.feed(fragment)
    return parser.found


def assert_harmless(fragment: str) -> None:
    for tag, attrs in elements(fragment):
        assert tag not in DANGEROUS_TAGS, fragment
        for name, value in attrs.items():
            assert not name.startswith("on"), fragment
            url = (value or "").strip().lower()
            assert not url.startswith(("javascript:", "data:", "vbscript:")), fragment


def make_lesson(body: str) -> Lesson:
    return Lesson(
        slug="sample",
        version=1,
        audiences=("middle",),
        duration_minutes=10,
        topics=("test",),
        last_checked=date(2026, 11, 1),
        title=MappingProxyType({"ko": "제목", "en": "Title"}),
        summary=MappingProxyType({"ko": "요약", "en": "Summary"}),
        sources=(Source("A <b>report</b>", "Outlet & Co", "https://example.org/?a=1&b=2", None),),
        body_markdown=MappingProxyType({"ko": body, "en": body}),
    )


@pytest.mark.parametrize("payload", INJECTIONS)
def test_injected_content_is_neutralised_in_lesson_pages(payload: str) -> None:
    page = make_lesson(f"## What we learn\n\n{payload}\n").html("en", link_for=lambda s: s)
    assert_harmless(page)
    assert "<script" not in page.lower() and "<iframe" not in page.lower()


@pytest.mark.parametrize("payload", INJECTIONS)
def test_sanitizer_alone_removes_dangerous_html(payload: str) -> None:
    assert_harmless(sanitize(payload))


def test_sanitizer_drops_script_content_and_keeps_safe_markup() -> None:
    cleaned = sanitize('<p>safe <script>alert("x")</script><a href="https://a.example">a</a></p>')
    assert "alert" not in cleaned
    assert '<a href="https://a.example" rel="noopener noreferrer">a</a>' in cleaned


def test_lesson_links_go_through_link_for() -> None:
    html = render_markdown(
        "See [the law](lesson:deepfakes-and-the-law) and [help](https://d4u.stop.or.kr).",
        link_for=lambda slug: f"/lessons/{slug}?lang=ko",
    )
    hrefs = [attrs["href"] for tag, attrs in elements(html) if tag == "a"]
    assert hrefs == ["/lessons/deepfakes-and-the-law?lang=ko", "https://d4u.stop.or.kr"]
    assert all(attrs["rel"] == "noopener noreferrer" for tag, attrs in elements(html) if tag == "a")


def test_link_for_cannot_smuggle_a_script_url() -> None:
    html = render_markdown("[x](lesson:foo)", link_for=lambda slug: "javascript:alert(1)")
    assert_harmless(html)


def test_tables_render_with_alignment_only() -> None:
    html = render_markdown("| a | b |\n|:--|--:|\n| 1 | 2 |\n", link_for=str)
    assert "<table>" in html
    assert '<td style="text-align:right">2</td>' in html


def test_sources_close_the_page_escaped() -> None:
    page = make_lesson("## What we learn\n\nText.\n").html("ko", link_for=str)
    assert page.index("Text.") < page.index("<h2>출처</h2>")
    assert "A &lt;b&gt;report&lt;/b&gt;" in page
    assert "Outlet &amp; Co" in page
    assert 'href="https://example.org/?a=1&amp;b=2"' in page
    assert "2026-11-01" in page


def test_sources_can_be_left_out() -> None:
    page = make_lesson("Text.\n").html("en", link_for=str, include_sources=False)
    assert page.strip() == "<p>Text.</p>"


def test_sources_in_english_with_date() -> None:
    html = render_sources(
        [Source("Report", "Outlet", None, "2024-08-28")], lang="en", last_checked=date(2026, 1, 2)
    )
    assert "<h2>Sources</h2>" in html
    assert "<li>Report, Outlet, 2024-08-28</li>" in html
    assert "Facts last checked: 2026-01-02" in html


def test_unknown_language_is_an_error() -> None:
    with pytest.raises(KeyError):
        make_lesson("Text.\n").html("fr", link_for=str)
