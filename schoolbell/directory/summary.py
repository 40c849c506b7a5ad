"""The outcome of an import: counts by outcome and one problem per rejected row."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from schoolbell.channels.masking import mask_email, mask_phone

# Reports are printed and kept in logs: personal values in them are masked (the errors file is not).
_MASKS = {"phone": mask_phone, "email": mask_email, "전화번호": mask_phone}


@dataclass(frozen=True)
class RowProblem:
    """Why one row was rejected: its line, the field at fault, the value and the reason."""

    line: int
    field: str
    value: str
    reason: str
    row: dict[str, str] = field(default_factory=dict, compare=False)

    @property
    def shown_value(self) -> str:
        """The value as a report may show it: phones and emails masked."""
        mask = _MASKS.get(self.field)
        return mask(self.value) if mask and self.value else self.value

    def describe(self) -> str:
        """One line a person can act on."""
        shown = f" {self.shown_value!r}" if self.value else ""
        return f"line {self.line}: {self.field}{shown}: {self.reason}"

    def as_dict(self) -> dict:
        """The problem for --json, with the value masked like in describe()."""
        return {"line": self.line, "field": self.field, "value": self.shown_value,
                "reason": self.reason}


@dataclass
class ImportSummary:
    """Counts of rows by outcome, plus the problems of rejected rows, in file order."""

    file: str
    kind: str
    outcomes: Counter = field(default_factory=Counter)
    problems: list[RowProblem] = field(default_factory=list)
    # Rows that went in without something they asked for (a landline dropped, the email kept).
    warnings: list[RowProblem] = field(default_factory=list)
    # A sync's outcome (sync.SyncOutcome), None for an additive import.
    sync: object | None = None
    # The offices whose people the rows named (for the personal-data log).
    offices: set[int] = field(default_factory=set)

    def count(self, outcome: str) -> None:
        """Record one row's outcome."""
        self.outcomes[outcome] += 1

    def reject(self, problem: RowProblem) -> None:
        """Record a rejected row and its reason."""
        self.outcomes["rejected"] += 1
        self.problems.append(problem)

    def warn(self, warning: RowProblem) -> None:
        """Record what a row that went in lost on the way."""
        self.warnings.append(warning)

    @property
    def rows(self) -> int:
        """Rows read, whatever their outcome."""
        return sum(self.outcomes.values())

    def as_dict(self, outcome_names: tuple[str, ...]) -> dict:
        """A machine-readable summary for --json."""
        return {
            "file": self.file,
            "kind": self.kind,
            "rows": self.rows,
            **{name: self.outcomes.get(name, 0) for name in outcome_names},
            "problems": [problem.as_dict() for problem in self.problems],
            "warnings": [warning.as_dict() for warning in self.warnings],
            **({"sync": self.sync.as_dict()} if self.sync is not None else {}),
        }

    def human(self, outcome_names: tuple[str, ...], shown_problems: int = 20) -> str:
        """A short report for a person: counts first, then the first problems."""
        counts = ", ".join(f"{self.outcomes.get(name, 0):,} {name}" for name in outcome_names)
        lines = [f"{self.file} ({self.kind}): {self.rows:,} rows: {counts}"]
        if self.sync is not None:
            lines.append(self.sync.human())
        for kind, found in (("problems", self.problems), ("warnings", self.warnings)):
            if kind == "warnings" and found:
                lines.append(f"{len(found):,} rows went in with warnings:")
            lines += [f"  {p.describe()}" for p in found[:shown_problems]]
            if len(found) > shown_problems:
                lines.append(f"  … and {len(found) - shown_problems:,} more {kind}")
        return "\n".join(lines)
