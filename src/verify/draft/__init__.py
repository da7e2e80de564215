"""Drafting an answer key from a raw answer document: parts, statements, suggested claims.

``draft_document(path)`` reads one document (untrusted: checked, never executed) and returns a
:class:`Draft`; ``Draft.to_toml()`` is an answer key in the SPEC format with every entry marked
``review = "suggested"``, ``Draft.to_json()`` the ``verify draft --json`` record.
"""

from ._draft import (PART_PREFERENCE, THRESHOLD, Draft, DraftPart, DraftStatement, Suggestion, bank_matcher,
                     default_key_path, draft_document, draft_text)
from ._match import Matcher, claim_texts
from ._read import DraftError, documents_in, read_document

__all__ = ["Draft", "DraftPart", "DraftStatement", "Suggestion", "DraftError", "Matcher", "claim_texts",
           "draft_document", "draft_text", "default_key_path", "documents_in", "read_document", "bank_matcher",
           "THRESHOLD", "PART_PREFERENCE"]
