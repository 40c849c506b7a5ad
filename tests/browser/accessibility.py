"""axe-core (vendored) run inside a page, and the checks a test makes of a page at a width and language."""

from __future__ import annotations

import os
import re
from pathlib import Path

AXE_SOURCE = (Path(__file__).parent / "vendor" / "axe.min.js").read_text(encoding="utf-8")
OUTPUT = Path(os.environ.get("SCHOOLBELL_TEST_OUTPUT", Path(__file__).parent / "output"))
# The product's own words for statuses and kinds of alert: on a Korean page they must be Korean.
ENGLISH_VOCABULARY = re.compile(
    r"\b(emergency|urgent|routine|curriculum|draft|scheduled|sending|sent|delivered|undelivered|failed|"
    r"pending|skipped|cancelled|guardian|elementary|middle|high)\b", re.IGNORECASE)


def axe_violations(page) -> list[dict]:
    """Every axe-core violation on the page (WCAG 2.x A/AA and best practice), as id, impact and nodes."""
    # Evaluated through the DevTools protocol, so the page's own CSP (no inline script) stays on.
    page.evaluate(AXE_SOURCE)
    result = page.evaluate("""async () => {
        const found = await axe.run(document, {resultTypes: ['violations']});
        return found.violations.map(v => ({id: v.id, impact: v.impact,
            nodes: v.nodes.slice(0, 3).map(n => n.target.join(' '))}));
    }""")
    return result


def overflow(page) -> int:
    """Pixels the page is wider than its viewport (0 when nothing makes a phone scroll sideways)."""
    return page.evaluate("document.documentElement.scrollWidth - window.innerWidth")


def english_words(page) -> list[str]:
    """English status or class words in the visible text (for Korean pages)."""
    return sorted(set(word.lower() for word in ENGLISH_VOCABULARY.findall(page.inner_text("body"))))


def screenshot(page, name: str) -> Path:
    """Save a full-page screenshot under the test output, named for the page, language and width."""
    OUTPUT.mkdir(parents=True, exist_ok=True)
    path = OUTPUT / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
