"""The errors of the study package: they name its parameters, never command-line flags.

Every error a study run raises about its inputs is a :class:`StudyError` (a
``ValueError``). Its message is a template whose ``{name}`` fields are the study's
parameter names (``n_train``, ``data``, ``labels``...): ``str(error)`` fills them with
those names, :meth:`StudyError.describe` with any other spelling of them, which is how
``sparse_parts.cli`` turns them into its flags (``--n-train``) without reading the text.
"""

__all__ = ["StudyError", "SettingsError", "DataError", "SelectionError"]


class StudyError(ValueError):
    """A study run cannot go on with what it was given; the message says why, in one line.

    Parameters
    ----------
    template : str
        The message, with ``{parameter}`` fields for the parameters it names.
    *parameters : str
        The parameter names the template uses.
    """

    def __init__(self, template, *parameters):
        self.template = template
        self.parameters = tuple(parameters)
        super().__init__(self.describe())

    def describe(self, names=None):
        """The message with every parameter spelt as ``names[parameter]`` (default: as is)."""
        names = names or {}
        return self.template.format_map({p: names.get(p, p) for p in self.parameters})


class SettingsError(StudyError):
    """The settings of a run are inconsistent or out of range."""


class DataError(StudyError):
    """The user's images or labels cannot be used."""


class SelectionError(StudyError):
    """The models or configurations asked for are unknown, clash, or are none at all."""
