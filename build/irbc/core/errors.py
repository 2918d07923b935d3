"""Errors that name the file, the place and the reason (one line each)."""

from __future__ import annotations


class IrbcError(Exception):
    """Base class for every error the CLI reports as a one-line message with a non-zero exit."""


class InputError(IrbcError):
    """Bad input: ``file``, ``place`` (line, JSON pointer, offset...) and ``reason``."""

    def __init__(self, file: str, place: str | None, reason: str) -> None:
        self.file, self.place, self.reason = str(file), place, reason
        where = f"{self.file}:{place}" if place else self.file
        super().__init__(f"{where}: {reason}")

    def __reduce__(self) -> tuple[type, tuple[str, str | None, str]]:  # picklable across worker processes
        return (InputError, (self.file, self.place, self.reason))


class InputErrors(InputError):
    """Several problems in the input files, all reported at once (one line each, with file, place and reason);
    ``file``, ``place`` and ``reason`` are those of the first."""

    def __init__(self, problems: list[InputError]) -> None:
        self.problems = list(problems)
        first = self.problems[0]
        self.file, self.place, self.reason = first.file, first.place, first.reason
        IrbcError.__init__(
            self,
            f"{len(self.problems)} problems in the input files:\n"
            + "\n".join(f"  {p}" for p in self.problems),
        )

    def __reduce__(self) -> tuple[type, tuple[list[InputError]]]:  # type: ignore[override]
        return (InputErrors, (self.problems,))

    @classmethod
    def of(cls, problems: list[InputError]) -> InputError:
        """One problem as itself, several as one InputErrors."""
        return problems[0] if len(problems) == 1 else cls(problems)


class ValidationFailed(IrbcError):
    """The validation gate refused a release; ``failures`` lists the failing checks."""

    def __init__(self, failures: list[str]) -> None:
        self.failures = failures
        head = f"{len(failures)} validation check(s) failed"
        super().__init__(head + ":\n" + "\n".join(f"  - {f}" for f in failures[:50]))
