"""buudien: operations and reporting for a provincial post and its commune points."""

__version__ = "0.1.0"
