"""Password hashes (werkzeug's scrypt), made and checked one at a time per process.

One scrypt hash takes 32 MB and about 0.1 s of a core. Web processes serve several requests at once,
so a burst of sign-ins would hold that memory once per thread (a gunicorn process with 4 threads rose
from 120 to 240 MB); one at a time, a burst waits a few tenths of a second instead.
"""

from __future__ import annotations

import threading

from werkzeug.security import check_password_hash, generate_password_hash

_one_at_a_time = threading.Lock()


def hash_password(password: str) -> str:
    """A salted scrypt hash of the password."""
    with _one_at_a_time:
        return generate_password_hash(password)


def password_matches(stored_hash: str, password: str) -> bool:
    """Whether the password is the one the stored hash was made from."""
    with _one_at_a_time:
        return check_password_hash(stored_hash, password)
