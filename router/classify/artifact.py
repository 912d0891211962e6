"""Model bytes: written by us, checked by sha256 before a single byte is interpreted.

Layout: a magic line, a 4-byte big-endian header length, a JSON header (metadata, class
names, vocabularies, scalars), then an ``.npz`` archive of the float arrays. There is no
pickle: arrays load with ``allow_pickle=False``, so even a forged file cannot run code.
The checksum is still mandatory: it is computed when the model is written right after
training and kept apart from the bytes (the lead stores it in the database row); ``load``
refuses any payload whose digest differs, so only artifacts this service wrote are loaded,
never a file swapped, truncated or edited in place.
"""

from __future__ import annotations

import hashlib
import hmac
import io
import json
import struct
import zipfile
from dataclasses import dataclass
from typing import Any

import numpy as np

from router.classify.errors import ArtifactRejected
from router.classify.features import Block, FeatureSpace
from router.classify.heads import IntensityHead, LinearHead
from router.classify.model import FORMAT_VERSION, ClassifierArtifact, Metadata, Model
from router.classify.training.metrics import ModelMetrics

MAGIC = b"AIGUILLAGE-CLASSIFIER\n"
_LENGTH = struct.Struct(">I")


@dataclass(frozen=True, slots=True)
class SerializedArtifact:
    payload: bytes
    sha256: str


def dump(artifact: ClassifierArtifact) -> SerializedArtifact:
    header, arrays = _header(artifact), _arrays(artifact.model)
    buffer = io.BytesIO()
    np.savez_compressed(buffer, allow_pickle=False, **arrays)
    encoded = json.dumps(header, ensure_ascii=False, separators=(",", ":")).encode()
    payload = MAGIC + _LENGTH.pack(len(encoded)) + encoded + buffer.getvalue()
    return SerializedArtifact(payload, hashlib.sha256(payload).hexdigest())


def load(payload: bytes, sha256: str) -> ClassifierArtifact:
    """The artifact, or ``ArtifactRejected`` if the bytes are not exactly those recorded."""
    header, body = _verified_parts(payload, sha256)
    try:
        with np.load(io.BytesIO(body), allow_pickle=False) as archive:
            arrays = {name: archive[name] for name in archive.files}
        return _artifact(header, arrays)
    except (KeyError, ValueError, TypeError, OSError, EOFError, zipfile.BadZipFile) as error:
        raise ArtifactRejected(f"classifier artifact is malformed: {error}") from None


def read_metadata(payload: bytes, sha256: str) -> Metadata:
    """Provenance and metrics without decoding the weights (for listings)."""
    header, _ = _verified_parts(payload, sha256)
    try:
        return _metadata(header["metadata"])
    except (KeyError, ValueError, TypeError) as error:
        raise ArtifactRejected(f"classifier artifact metadata is malformed: {error}") from None


def _verified_parts(payload: bytes, sha256: str) -> tuple[dict[str, Any], bytes]:
    if not hmac.compare_digest(hashlib.sha256(payload).hexdigest(), sha256.lower()):
        raise ArtifactRejected("classifier artifact refused: sha256 does not match the record")
    if not payload.startswith(MAGIC):
        raise ArtifactRejected("classifier artifact refused: not an Aiguillage classifier")
    start = len(MAGIC) + _LENGTH.size
    try:
        (length,) = _LENGTH.unpack_from(payload, len(MAGIC))
        header = json.loads(payload[start : start + length])
    except (struct.error, ValueError) as error:
        raise ArtifactRejected(f"classifier artifact header is malformed: {error}") from None
    if not isinstance(header, dict) or header.get("format") != FORMAT_VERSION:
        raise ArtifactRejected("classifier artifact refused: unsupported format")
    return header, payload[start + length :]


def _header(artifact: ClassifierArtifact) -> dict[str, Any]:
    meta, model = artifact.metadata, artifact.model
    return {
        "format": FORMAT_VERSION,
        "metadata": {
            **{k: getattr(meta, k) for k in Metadata.__slots__ if k != "metrics"},
            "metrics": meta.metrics.to_dict(),
        },
        "blocks": [
            {"name": b.name, "vocabulary": sorted(b.vocabulary, key=b.vocabulary.__getitem__)}
            for b in model.features.blocks
        ],
        "intent": _head_header(model.intent),
        "intent_threshold": model.intent_threshold,
        "emotion": _head_header(model.emotion) if model.emotion else None,
        "anger_threshold": model.anger_threshold,
        "intensity_bias": model.intensity.bias if model.intensity else None,
        "language": _head_header(model.language) if model.language else None,
        "language_threshold": model.language_threshold,
        "languages": list(model.languages),
    }


def _head_header(head: LinearHead) -> dict[str, Any]:
    return {"classes": list(head.classes), "temperature": head.temperature}


def _arrays(model: Model) -> dict[str, np.ndarray[Any, Any]]:
    arrays = {
        "idf": model.features.idf,
        "intent.weights": model.intent.weights,
        "intent.bias": model.intent.bias,
    }
    if model.emotion:
        arrays |= {"emotion.weights": model.emotion.weights, "emotion.bias": model.emotion.bias}
    if model.language:
        arrays |= {"language.weights": model.language.weights, "language.bias": model.language.bias}
    if model.intensity:
        arrays |= {
            "intensity.emotion_weights": model.intensity.emotion_weights,
            "intensity.cue_weights": model.intensity.cue_weights,
        }
    return arrays


def _artifact(
    header: dict[str, Any], arrays: dict[str, np.ndarray[Any, Any]]
) -> ClassifierArtifact:
    blocks, start = [], 0
    for block in header["blocks"]:
        grams = block["vocabulary"]
        blocks.append(Block(block["name"], {g: start + i for i, g in enumerate(grams)}))
        start += len(grams)
    intensity = None
    if header["intensity_bias"] is not None:
        intensity = IntensityHead(
            arrays["intensity.emotion_weights"],
            arrays["intensity.cue_weights"],
            header["intensity_bias"],
        )
    model = Model(
        features=FeatureSpace(blocks, arrays["idf"]),
        intent=_head(header["intent"], arrays, "intent"),
        intent_threshold=float(header["intent_threshold"]),
        emotion=_head(header["emotion"], arrays, "emotion") if header["emotion"] else None,
        anger_threshold=float(header["anger_threshold"]),
        intensity=intensity,
        language=_head(header["language"], arrays, "language") if header["language"] else None,
        language_threshold=float(header["language_threshold"]),
        languages=tuple(header["languages"]),
    )
    return ClassifierArtifact(model, _metadata(header["metadata"]))


def _head(data: dict[str, Any], arrays: dict[str, np.ndarray[Any, Any]], name: str) -> LinearHead:
    return LinearHead(
        tuple(data["classes"]),
        arrays[f"{name}.weights"],
        arrays[f"{name}.bias"],
        float(data["temperature"]),
    )


def _metadata(data: dict[str, Any]) -> Metadata:
    return Metadata(**{**data, "metrics": ModelMetrics.from_dict(data["metrics"])})
