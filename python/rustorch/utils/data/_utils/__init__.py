"""Internals of ``torch.utils.data``: collation, fetching, and the worker processes."""
# Seconds between the liveness checks of worker processes and of their parent.
MP_STATUS_CHECK_INTERVAL = 5.0

from . import collate, fetch, worker  # noqa: E402

__all__ = ["MP_STATUS_CHECK_INTERVAL", "collate", "fetch", "worker"]
