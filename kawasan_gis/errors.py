"""Error tree of kawasan_gis.

Every error a user can cause derives from :class:`KawasanError` and also from the
built-in exception a Python programmer would expect (``ValueError`` for bad
content, ``OSError`` for files that cannot be read), so ``except ValueError``
keeps working. Messages name the file, the feature and the fix; the CLI prints
them without a traceback.
"""

from __future__ import annotations

from collections.abc import Iterable


class KawasanError(Exception):
    """Root of every error raised on purpose by kawasan_gis."""

    exit_code = 2

    def __init__(self, message: str, *, problems: Iterable[str] = ()) -> None:
        self.problems = list(problems)
        if self.problems:
            message = message + "\n" + "\n".join(f"  - {p}" for p in self.problems)
        super().__init__(message)


class DataSourceError(KawasanError, OSError):
    """A file is missing, unreadable, truncated, lacks a sidecar or is unsafe to open."""


class LayerError(KawasanError, ValueError):
    """A file opened but the layer is absent, empty or of the wrong geometry kind."""


class CRSError(KawasanError, ValueError):
    """A layer has no CRS, or one that cannot be used for measuring."""


class GeometryError(KawasanError, ValueError):
    """Geometries that cannot be repaired automatically."""


class FieldError(KawasanError, ValueError):
    """Required columns are missing, or values in them are unusable (bad or duplicate codes)."""


class ClassMappingError(KawasanError, ValueError):
    """Raw class values could not be matched to standard classes with confidence."""

    def __init__(self, message: str, *, problems: Iterable[str] = (), template: str | None = None) -> None:
        super().__init__(message, problems=problems)
        self.template = template


class ConfigError(KawasanError, ValueError):
    """A configuration file or option is wrong (unknown keys, bad values, missing files)."""


class PlanError(KawasanError, ValueError):
    """A plan brought for checking is inconsistent (unknown codes, villages in two kawasan...)."""


class OutputFolderError(KawasanError, FileExistsError):
    """An output folder holds files kawasan_gis did not write; it is never replaced or merged into."""


class CoverageError(KawasanError, ValueError):
    """A layer does not cover what it must judge (an RTRW of another kabupaten, a wrong CRS)."""


class CheckFailed(KawasanError):
    """A plan failed the RTRW check at the level asked for with ``--fail-on``."""

    exit_code = 3


class KawasanWarning(UserWarning):
    """Root of the warnings kawasan_gis gives, in the language a run would use: Indonesian by default.

    A warning is made before the language is known, so it carries its text in both languages
    (an :class:`kawasan_gis.i18n.Message`, or a plain text for a single language).
    ``str(warning)``, what Python prints for a warning outside a ``kawasan run``, is the
    Indonesian text, as every label of the package is unless English is asked for; the
    English text is :meth:`text` ``("en")``. A run keeps the Message whole (``run.json``
    holds both languages) and shows it in the run's ``[project] lang``.

    Examples
    --------
    >>> from kawasan_gis.i18n import Message
    >>> w = RepairWarning(Message("2 geometri kosong dibuang", "2 empty geometries dropped"))
    >>> str(w), w.text("en")
    ('2 geometri kosong dibuang', '2 empty geometries dropped')
    """

    def text(self, lang: str = "id") -> str:
        """The warning's text in ``lang`` (``"id"`` or ``"en"``)."""
        message = self.args[0] if self.args else ""
        # duck-typed: errors sit below i18n, which imports this module
        return message.text(lang) if hasattr(message, "text") else str(message)

    def __str__(self) -> str:
        return self.text("id")


class RepairWarning(KawasanWarning):
    """Input was repaired automatically (invalid, empty or 3D geometries...).

    The warning says how many features were changed and names them; the same facts
    are kept in the layer report, so nothing is changed silently.
    """


class ReviewWarning(KawasanWarning):
    """A value was accepted that a person should confirm before the results are used.

    Raised for pola ruang (RTRW/RDTR zoning) class values matched to a standard class by
    spelling similarity alone: zoning is a legal designation, so such a match is kept, listed
    in the warning and in the run's warnings, and marked by ``kawasan classes``; a mapping file
    (``[mapping] "raw value" = "code"``) confirms it and silences the warning.
    """
