"""The CNMM catalog: the model as versioned, validated data."""

from cnmm.catalog.loader import CatalogError, catalog_dir, load_catalog, load_catalog_from
from cnmm.catalog.model import (
    LEVEL_NAMES,
    Aspect,
    Catalog,
    Criterion,
    Dimension,
    Evidence,
    Level,
    Project,
    Source,
)

__all__ = [
    "LEVEL_NAMES",
    "Aspect",
    "Catalog",
    "CatalogError",
    "Criterion",
    "Dimension",
    "Evidence",
    "Level",
    "Project",
    "Source",
    "catalog_dir",
    "load_catalog",
    "load_catalog_from",
]
