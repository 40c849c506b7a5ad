"""Commands that name an office by its code: an unknown code is one clear error, the same everywhere."""

from __future__ import annotations

import pytest

from tests import factories

COMMANDS = [
    ["offices", "sender-name", "X99"],
    ["offices", "two-person", "X99"],
    ["drills", "list", "X99"],
    ["drills", "add", "X99", "+821012345678"],
    ["api-keys", "create", "--office", "X99", "--name", "police"],
    ["users", "create", "--email", "kim@sen.example", "--name", "Kim", "--role", "office",
     "--office", "X99", "--password", "a-long-Password-4-test!"],
]


@pytest.mark.parametrize("command", COMMANDS, ids=lambda command: " ".join(command[:2]))
def test_an_unknown_office_code_is_named_and_nothing_is_done(runner, command):
    factories.office()  # B10 exists; X99 does not
    result = runner.invoke(args=command)
    assert result.exit_code == 1
    assert "no education office with code 'X99' (B10 is Seoul's" in result.output


def test_a_known_office_code_is_found(runner):
    factories.office()
    result = runner.invoke(args=["offices", "two-person", "B10"])
    assert result.exit_code == 0 and result.output.startswith("B10 ")
