"""Internals of ``torch.utils.data``: collation, fetching, and the worker processes."""
from . import collate, fetch, pin_memory, worker

# Seconds the main process waits for a batch between checks that its workers are alive.
MP_STATUS_CHECK_INTERVAL = 5.0

__all__ = ["MP_STATUS_CHECK_INTERVAL", "collate", "fetch", "pin_memory", "worker"]
