"""Password hashes: right, and made one at a time per process (each scrypt holds 32 MB)."""

from __future__ import annotations

import threading
import time

from schoolbell.accounts import password_hashing
from schoolbell.accounts.password_hashing import hash_password, password_matches


def test_a_hash_matches_its_password_only():
    stored = hash_password("correct horse battery staple")
    assert stored.startswith("scrypt:") and "correct" not in stored
    assert password_matches(stored, "correct horse battery staple")
    assert not password_matches(stored, "Correct horse battery staple")


def test_a_burst_of_sign_ins_hashes_one_at_a_time(monkeypatch):
    at_once, most = 0, 0
    count = threading.Lock()

    def slow_check(stored, password):
        nonlocal at_once, most
        with count:
            at_once += 1
            most = max(most, at_once)
        time.sleep(0.05)
        with count:
            at_once -= 1
        return True

    monkeypatch.setattr(password_hashing, "check_password_hash", slow_check)
    threads = [threading.Thread(target=password_matches, args=("scrypt:…", "pw")) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(5)
    assert most == 1
