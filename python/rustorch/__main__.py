"""``python -m rustorch script.py [args]``: run a PyTorch script unchanged on rustorch."""
from rustorch._run import module_main

module_main()
