"""Turn an EmailMessage into a MIME message: UTF-8, text with an optional HTML alternative."""

import email.message
import email.policy
from email.headerregistry import HeaderRegistry, UnstructuredHeader
from email.utils import formatdate, make_msgid, parseaddr

from schoolbell.channels.messages import EmailMessage


class _PlainAsciiHeader(UnstructuredHeader):
    """A header written as given, never folded into RFC 2047 encoded words.

    The default policy folds a long URL into "=?utf-8?q?=3Chttps...?=", which no mail client reads as
    a List-Unsubscribe address (RFC 2369 and RFC 8058 want the plain <URL>).
    """

    def fold(self, *, policy):
        """The header on one line, as written."""
        return f"{self.name}: {self}{policy.linesep}"


_REGISTRY = HeaderRegistry()
_REGISTRY.map_to_type("list-unsubscribe", _PlainAsciiHeader)
_REGISTRY.map_to_type("list-unsubscribe-post", _PlainAsciiHeader)
POLICY = email.policy.default.clone(header_factory=_REGISTRY)


def build_mime(
    message: EmailMessage, sender: str, *, cte: str | None = None
) -> email.message.EmailMessage:
    """Build the MIME message with a fresh Message-ID; `cte="8bit"` keeps bodies human-readable."""
    mime = email.message.EmailMessage(policy=POLICY)
    mime["From"] = sender
    mime["To"] = message.to
    mime["Subject"] = message.subject
    mime["Date"] = formatdate(localtime=False, usegmt=True)
    mime["Message-ID"] = make_msgid(domain=sender_domain(sender))
    # Tells mail servers not to send out-of-office replies to an automated notice.
    mime["Auto-Submitted"] = "auto-generated"
    if message.unsubscribe_url and message.unsubscribe_url.isascii():
        mime["List-Unsubscribe"] = f"<{message.unsubscribe_url}>"
        # RFC 8058: mailbox providers unsubscribe with one POST, without a confirmation page.
        mime["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    mime.set_content(message.text, charset="utf-8", cte=cte)
    if message.html is not None:
        mime.add_alternative(message.html, subtype="html", charset="utf-8", cte=cte)
    # Set last: set_content() drops every Content-* header it finds.
    mime["Content-Language"] = message.language
    return mime


def sender_domain(sender: str) -> str:
    """The domain of a sender such as "SchoolBell <noreply@example.org>" (for Message-IDs)."""
    _, address = parseaddr(sender)
    domain = address.rpartition("@")[2]
    return domain or "localhost"


def envelope_address(sender: str) -> str:
    """The bare address of a sender, for the SMTP MAIL FROM command."""
    _, address = parseaddr(sender)
    return address or sender
