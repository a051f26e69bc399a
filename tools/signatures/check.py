"""Whether a rustorch callable accepts PyTorch's parameters (shared by the signature test and
the generator, which binds exactly the names this finds wanting)."""
import inspect
import re

from rustorch._binding import _parts as split, is_named

_PARAM = re.compile(r"^(\**)([A-Za-z_][A-Za-z_0-9]*)\s*(?::.*)?$")


def _inside(line):
    start = line.index("(") + 1
    depth = 1
    for i in range(start, len(line)):
        depth += line[i] == "("
        depth -= line[i] == ")"
        if depth == 0:
            return line[start:i]
    return line[start:]


def params_of(line):
    """``[(name, kind, has_default)]`` of a signature line, kind 'pos', 'kw' or 'var'; None for a
    line that is not a signature (docstring examples such as ``tensor([0, 1])``).  Takes both the
    Python form ``add(input, other, *, alpha=1)`` and the parser's typed form
    ``(Tensor input, Tensor other, *, Number alpha = 1)``."""
    typed = line.startswith("(")
    if re.search(r"\(\*args, \*\*kwargs\)", line):
        return None  # a dispatching wrapper's signature says nothing about the names
    params, keyword_only = [], False
    for part in (p.strip() for p in split(_inside(line).replace("\\*", "*")) if p.strip()):
        if part == "/":  # the ones before are positional-only in PyTorch: no keyword to match
            params = [(n, "posonly" if k == "pos" else k, d) for n, k, d in params]
            continue
        if part == "*":
            keyword_only = True
            continue
        decl, eq, _ = part.partition("=")
        decl = decl.strip()
        if typed:
            kind, _, name = decl.rpartition(" ")
            stars = ""
            if kind == "tuple of ints" and not params and not keyword_only:
                stars = "?"  # the parser takes `f(2, 3)` as well as `f((2, 3))` for these
        else:
            m = _PARAM.match(decl)
            if not m:
                return None
            stars, name = m.groups()
        if stars == "**":
            continue
        if stars == "*":
            params.append((name, "var", False))
            keyword_only = True
        else:
            params.append((name, "kw" if keyword_only else ("pos?" if stars else "pos"), bool(eq)))
    return params


def problems(obj, lines, is_method):
    """What of ``lines`` (PyTorch's overloads) ``obj`` does not accept; empty when it takes them."""
    if all(params_of(line) is None for line in lines):
        return []  # PyTorch's list says nothing about the names
    try:
        sig = inspect.signature(obj)
    except (TypeError, ValueError):
        return ["no introspectable signature"]
    ours = list(sig.parameters.values())
    P = inspect.Parameter
    if is_method and ours and ours[0].kind in (P.POSITIONAL_ONLY, P.POSITIONAL_OR_KEYWORD):
        ours = ours[1:]
    by_name = {p.name: p for p in ours}
    slots = sum(p.kind in (P.POSITIONAL_ONLY, P.POSITIONAL_OR_KEYWORD) for p in ours)
    var_pos = any(p.kind == P.VAR_POSITIONAL for p in ours)
    var_kw = any(p.kind == P.VAR_KEYWORD for p in ours)
    found = []
    for line in lines:
        if is_named(line):
            continue  # named tensors are out of scope
        params = params_of(line)
        if params is None:
            continue
        if is_method and params and params[0][0] == "self":
            params = params[1:]
        index = 0
        for name, kind, has_default in params:
            mine = by_name.get(name)
            if kind == "var" or (kind == "pos?" and var_pos):
                if not var_pos:
                    found.append(f"*{name}")
                continue
            if kind.startswith("pos"):
                if index >= slots and not var_pos:
                    found.append(f"{name} at position {index}")
                index += 1
                if kind == "posonly":
                    continue
            keyword_ok = mine is not None and mine.kind in (P.POSITIONAL_OR_KEYWORD, P.KEYWORD_ONLY)
            if not (keyword_ok or var_kw):
                found.append(f"{name}=")
            elif has_default and mine is not None and mine.default is P.empty:
                found.append(f"{name} needs a default")
    return list(dict.fromkeys(found))
