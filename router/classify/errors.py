"""Classifier errors, as branches of the service's one exception tree (``router.errors``).

AiguillageError
├── DomainError
│   └── InvalidRequest
│       └── DatasetError        labelled data that cannot be read (file type, column, label)
└── ArtifactRejected            model bytes whose checksum or format is not ours
"""

from __future__ import annotations

from router.errors import AiguillageError, InvalidRequest


class DatasetError(InvalidRequest):
    """Training or test data is unusable; the message names the file, line and column."""

    code = "invalid_dataset"


class ArtifactRejected(AiguillageError):
    """Model bytes were refused before being read: a wrong checksum means they are not ours."""
