"""The outcome of an import: counts by outcome and one problem per rejected row."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field


@dataclass(frozen=True)
class RowProblem:
    """Why one row was rejected: its line, the field at fault, the value and the reason."""

    line: int
    field: str
    value: str
    reason: str
    row: dict[str, str] = field(default_factory=dict, compare=False)

    def describe(self) -> str:
        """One line a person can act on."""
        shown = f" {self.value!r}" if self.value else ""
        return f"line {self.line}: {self.field}{shown}: {self.reason}"


@dataclass
class ImportSummary:
    """Counts of rows by outcome, plus the problems of rejected rows, in file order."""

    file: str
    kind: str
    outcomes: Counter = field(default_factory=Counter)
    problems: list[RowProblem] = field(default_factory=list)

    def count(self, outcome: str) -> None:
        """Record one row's outcome."""
        self.outcomes[outcome] += 1

    def reject(self, problem: RowProblem) -> None:
        """Record a rejected row and its reason."""
        self.outcomes["rejected"] += 1
        self.problems.append(problem)

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
            "problems": [
                {"line": p.line, "field": p.field, "value": p.value, "reason": p.reason}
                for p in self.problems
            ],
        }

    def human(self, outcome_names: tuple[str, ...], shown_problems: int = 20) -> str:
        """A short report for a person: counts first, then the first problems."""
        counts = ", ".join(f"{self.outcomes.get(name, 0):,} {name}" for name in outcome_names)
        lines = [f"{self.file} ({self.kind}): {self.rows:,} rows: {counts}"]
        lines += [f"  {p.describe()}" for p in self.problems[:shown_problems]]
        if len(self.problems) > shown_problems:
            lines.append(f"  … and {len(self.problems) - shown_problems:,} more problems")
        return "\n".join(lines)
