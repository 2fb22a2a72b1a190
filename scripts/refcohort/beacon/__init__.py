"""A GA4GH Beacon v2 server over the national release (``docs/beacon.md``).

1. :mod:`.release`: the release VCF's header (contigs, ``##release_group``,
   ``##release_policy``) and records (:class:`Site`; only AC, AN, AF of published groups
   are ever read from INFO).
2. :mod:`.store`: look-ups by region, with tabix (pysam) on the file itself or an SQLite
   copy of it.
3. :mod:`.settings`: the node's settings file and the bearer tokens of record access.
4. :mod:`.query`: a ``/g_variants`` request checked and interpreted (0-based
   coordinates, sequence, range and bracket queries, VCF-style and trimmed alleles).
5. :mod:`.references`: reference names a client may use (``chr1``, ``1``, RefSeq).
6. :mod:`.records`, :mod:`.responses`: the Beacon documents (``genomicVariation`` with
   ``frequencyInPopulations``; the Framework's envelopes, errors included).
7. :mod:`.app`: the FastAPI application, access levels and error handling.
"""

from .app import Beacon, app_from_env, create_app
from .query import BeaconError, BeaconRequest, VariantQuery, interpret
from .release import Group, Header, Site, parse_header, read_header, trim, variant_type
from .settings import Settings, load_settings
from .store import SqliteStore, TabixStore, build_sqlite, open_store

__all__ = [
    "Beacon",
    "BeaconError",
    "BeaconRequest",
    "Group",
    "Header",
    "Settings",
    "Site",
    "SqliteStore",
    "TabixStore",
    "VariantQuery",
    "app_from_env",
    "build_sqlite",
    "create_app",
    "interpret",
    "load_settings",
    "open_store",
    "parse_header",
    "read_header",
    "trim",
    "variant_type",
]
