"""Readable plain-text renderings of messages, for the console and file backends."""

from schoolbell.channels.masking import mask_email, mask_phone
from schoolbell.channels.messages import EmailMessage, SmsMessage
from schoolbell.channels.sms_analysis import analyse_sms


def render_sms(message: SmsMessage, *, reveal: bool = False) -> str:
    """Headers, length figures and body of an SMS; the recipient is masked unless `reveal`."""
    facts = analyse_sms(message.body)
    lines = [f"To: {message.to if reveal else mask_phone(message.to)}"]
    if message.sender:
        lines.append(f"From: {message.sender}")
    if message.status_callback:
        lines.append(f"Status-Callback: {message.status_callback}")
    lines.append(
        f"Length: {facts.characters} {facts.encoding} units, {facts.segments} segment(s); "
        f"Korean domestic {facts.cp949_bytes} bytes ({facts.korean_domestic_type})"
    )
    if facts.unsupported_characters:
        lines.append(f"Lost on Korean routes: {' '.join(facts.unsupported_characters)}")
    return "\n".join([*lines, "", message.body])


def render_email(message: EmailMessage, *, reveal: bool = False) -> str:
    """Headers and text body of an email; the recipient is masked unless `reveal`."""
    lines = [
        f"To: {message.to if reveal else mask_email(message.to)}",
        f"Subject: {message.subject}",
        f"Language: {message.language}",
    ]
    if message.unsubscribe_url:
        lines.append(f"List-Unsubscribe: <{message.unsubscribe_url}>")
    if message.html is not None:
        lines.append(f"(+ HTML alternative, {len(message.html)} characters)")
    return "\n".join([*lines, "", message.text])
