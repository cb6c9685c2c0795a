"""Domain errors: a machine code, a readable message and, where one is to blame, the field."""

from __future__ import annotations

from typing import Any


class DomainError(Exception):
    """A rule of the domain was broken; the web layer answers 422, the CLI exits 2."""

    status_code = 422

    def __init__(self, code: str, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.field = field

    def __reduce__(self) -> tuple[Any, tuple[type[DomainError], tuple[Any, ...], dict[str, Any]]]:
        # Raised in a worker process (imports parse there) and unpickled here, whatever a subclass's __init__ takes.
        return (_rebuilt, (type(self), self.args, dict(self.__dict__)))


def _rebuilt(cls: type[DomainError], args: tuple[Any, ...], state: dict[str, Any]) -> DomainError:
    error = cls.__new__(cls)
    error.args = args
    error.__dict__.update(state)
    return error


class NotFoundError(DomainError):
    """Missing, or outside the caller's reach: both answer exactly the same (404)."""

    status_code = 404

    def __init__(self, what: str = "object") -> None:
        super().__init__("not_found", "Not found", None)
        self.what = what


class ConflictError(DomainError):
    """The request clashes with the current state (a build already running, a frozen version): 409."""

    status_code = 409

    def __init__(self, code: str, message: str, field: str | None = None) -> None:
        super().__init__(code, message, field)


class LoginRefusedError(DomainError):
    """A login that cannot go on yet: a code missing or wrong (401), two-factor login to set up first (403)."""

    def __init__(self, code: str, message: str, *, status_code: int = 401) -> None:
        super().__init__(code, message, "code")
        self.status_code = status_code
