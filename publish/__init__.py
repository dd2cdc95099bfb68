"""Build the publication (what analysts and reporting tools open) from the warehouse; replace it atomically.

Plain Python, no Dagster. See :func:`publish.publication.publish`.
"""

from publish.publication import (
    MANIFEST_NAME,
    PARQUET_DIR,
    PUBLISHED_DB,
    PublicationError,
    PublicationResult,
    publish,
    tables_to_publish,
)

__all__ = [
    "MANIFEST_NAME",
    "PARQUET_DIR",
    "PUBLISHED_DB",
    "PublicationError",
    "PublicationResult",
    "publish",
    "tables_to_publish",
]
