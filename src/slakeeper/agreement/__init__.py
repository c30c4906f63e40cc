"""Agreement files: the format (schema), loading with positioned errors, and the
canonical bytes that parties approve."""

from slakeeper.agreement.canonical import canonical_json, canonical_sha256
from slakeeper.agreement.load import (
    LoadedAgreement,
    load,
    load_document,
    loads,
    loads_document,
)
from slakeeper.agreement.schema import Agreement

__all__ = [
    "Agreement",
    "LoadedAgreement",
    "canonical_json",
    "canonical_sha256",
    "load",
    "load_document",
    "loads",
    "loads_document",
]
