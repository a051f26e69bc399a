"""``torch.distributed`` on MPI (mpi4py): process groups, collectives, point-to-point, and the
``python -m rustorch.distributed.run`` launcher. Optional: ``pip install rustorch[distributed]``;
``is_available()`` says whether mpi4py is installed, and nothing here imports it before
``init_process_group``."""
from .distributed_c10d import *  # noqa: F401,F403
from .distributed_c10d import __all__, default_pg_timeout  # noqa: F401
