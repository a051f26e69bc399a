"""Generate python/rustorch/_bound.py: one Python function per declared PyTorch signature that
rustorch's implementation does not take as it stands.

    PYTHONPATH=python python3 tools/signatures/generate.py          # rewrite _bound.py
    PYTHONPATH=python python3 tools/signatures/generate.py --check  # exit 1 if it is stale

Input: declarations.json (PyTorch's overloads, recorded by record.py) and the implementations
themselves (their signatures, read with inspect).  A name is bound when the implementation does
not accept the declared parameters (check.py) or the declaration has ``out=`` the implementation
lacks.  The bound function has the overloads' merged signature (positional slots from the longest
overload, the other names keyword-only) and calls the implementation positionally; when every
optional argument is left at its default it calls it with the required ones only.
"""
import inspect
import json
import keyword
import re
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import check  # noqa: E402

import rustorch  # noqa: E402
from rustorch import _binding  # noqa: E402

TARGET = HERE.parents[1] / "python" / "rustorch" / "_bound.py"
# Where a namespace's implementations live, as the generated module names it.
NAMESPACES = {
    "torch": "_torch", "torch.Tensor": "_Tensor", "torch.linalg": "_linalg",
    "torch.special": "_special", "torch.nn.functional": "_F",
}
# A declared name whose implementation parameter has another name (PyTorch's overloads bind by
# type where one Python signature binds by name).
ALIASES = {"other": ("dim",), "self": ("input",), "from_": ("from",)}
# Parameters rustorch has no use for on the CPU: accepted and ignored.
IGNORED = {"non_blocking", "implicit", "pin_memory"}
# Parameters whose non-default values rustorch does not support: accepted, checked.
CHECKS = {
    "layout": "{p} is not None and {p} is not _torch.strided",
    "memory_format": "{p} is not None and {p} is not _torch.preserve_format and "
                     "{p} is not _torch.contiguous_format",
}
# Left as they are: the implementation dispatches on the argument types of overloads whose
# positional names collide (to(device|dtype|tensor)), or PyTorch's own binding is positional-only.
UNBOUND = {"torch.Tensor.to", "torch.tensor", "torch.Tensor.new_tensor", "torch.set_num_threads"}


def resolve(dotted):
    obj = rustorch
    for part in dotted.split(".")[1:]:
        obj = getattr(obj, part, None)
        if obj is None:
            return None
    return obj


def key(dotted):
    return dotted.replace(".", "_")


def implementation(dotted):
    """What the binding of ``dotted`` calls: the object the binding replaced, or the current one."""
    bound = sys.modules.get("rustorch._bound")
    return getattr(bound, "_impl_" + key(dotted), None) or resolve(dotted)


def default_source(text):
    if text in (None, "...", "()"):
        return "None" if text != "()" else "()"
    if text.startswith("torch."):
        return "_torch." + text[6:]
    if text == "strided":
        return "_torch.strided"
    return text


class Param:
    def __init__(self, name, kind, default, keyword_only, required, varargs=False):
        self.name, self.kind, self.default = name, kind, default
        self.keyword_only, self.required, self.varargs = keyword_only, required, varargs


def merge(overloads):
    """The overloads' merged parameters: [Param] in signature order."""
    parsed = [_binding.parse(line) for line in overloads if not _binding.is_named(line)]
    longest = max(parsed, key=lambda ps: sum(not p[2] for p in ps))
    slots = [p for p in longest if not p[2]]
    merged, seen, optional = [], set(), False
    for i, (kind, name, _, default) in enumerate(slots):
        required = all(len([p for p in ps if not p[2]]) > i and
                       [p for p in ps if not p[2]][i][3] is None for ps in parsed)
        optional = optional or not required
        default = default or next((p[3] for ps in parsed for p in ps if p[1] == name and p[3]), None)
        merged.append(Param(name, kind, default, False, not optional))
        seen.add(name)
    for ps in parsed:
        for kind, name, _, default in ps:
            if name not in seen:
                merged.append(Param(name, kind, default, True, False))
                seen.add(name)
    return merged


def header(params, is_method, defaults):
    parts = ["self"] if is_method else []
    star = False
    for p in params:
        if p.varargs:
            parts.append("*" + p.name)
            star = True
            continue
        if p.keyword_only and not star:
            parts.append("*")
            star = True
        parts.append(p.name if p.required else f"{p.name}={defaults[p.name]}")
    return ", ".join(parts)


def generate_one(dotted, overloads, impl):
    namespace, name = dotted.rsplit(".", 1)
    is_method = namespace == "torch.Tensor"
    params = merge(overloads)
    sig = inspect.signature(impl)
    P = inspect.Parameter
    impl_params = list(sig.parameters.values())
    if (is_method and params and params[0].kind == "tuple of ints" and not params[0].keyword_only
            and any(q.kind == P.VAR_POSITIONAL for q in impl_params)):
        params[0].varargs = params[0].required = True  # view(2, 3) as well as view((2, 3))
    if is_method or (impl_params and impl_params[0].kind == P.POSITIONAL_ONLY
                     and impl_params[0].name == "self"):
        receiver = impl_params.pop(0).name if impl_params else None
    else:
        receiver = None
    first = ["self"] if is_method else []
    if receiver and not is_method:
        first = [params[0].name]
        params_for_impl = params[1:]
    else:
        params_for_impl = params
    impl_names = {p.name: p for p in impl_params}
    # factories take out= themselves (its dtype is the result's); other results are written here
    impl_takes_out = "out" in impl_names and any(p.name == "dtype" for p in params)
    # decl name -> impl parameter
    feeds, extras = {}, []
    positional_impl = [p for p in impl_params if p.kind in (P.POSITIONAL_ONLY, P.POSITIONAL_OR_KEYWORD)]
    declared = {p.name for p in params}
    for index, p in enumerate(params_for_impl):
        if p.name == "out" and not impl_takes_out:
            continue
        target = impl_names.get(p.name)
        if target is None:
            for alias in ALIASES.get(p.name, ()):
                if alias in impl_names:
                    target = impl_names[alias]
                    break
        if target is None and not p.keyword_only and index < len(positional_impl):
            candidate = positional_impl[index]
            if candidate.name not in declared:
                target = candidate
        if target is None and p.varargs:
            target = next((q for q in impl_params if q.kind == P.VAR_POSITIONAL), None)
        if target is None:
            extras.append(p)
        else:
            feeds.setdefault(target.name, []).append(p)
    aliased = False
    for q in impl_params:  # the implementation's extra keywords (numpy's axis=, keepdims=) stay
        if q.kind == P.KEYWORD_ONLY and q.name not in feeds and q.name not in declared and \
                (q.default is None or isinstance(q.default, (bool, int, float))):
            extra = Param(q.name, "object", repr(q.default), True, False)
            params.append(extra)
            feeds[q.name] = [extra]
            aliased = True
    defaults = {p.name: default_source(p.default) for p in params}
    unnamed = [line for line in overloads if not _binding.is_named(line)]
    everywhere = set.intersection(*({p[1] for p in _binding.parse(line)} for line in unnamed))
    for p in params:  # no default declared (`...` in the stubs), or one overload's parameter
        # (std's `unbiased=True` is not the default of `std(x, correction=0)`): the
        # implementation's own default, where it has a plain one
        # and, where the implementation takes numpy's aliases, its None defaults, so that
        # `cat(ts, axis=1)` does not pass PyTorch's dim=0 beside axis=1
        if (p.default in (None, "...") or p.name not in everywhere or
                (aliased and impl_names.get(p.name) is not None and impl_names[p.name].default is None)) \
                and not p.required and p.name in impl_names:
            d = impl_names[p.name].default
            if d is None or isinstance(d, (bool, int, float)):
                defaults[p.name] = repr(d)
    consts = {}

    def is_default(p):
        src = defaults[p.name]
        if src in ("None", "True", "False"):
            return f"{p.name} is {src}"
        const = f"_d_{key(dotted)}_{p.name}"
        consts[const] = src
        defaults[p.name] = const
        return f"{p.name} is {const}"

    lines = []
    for p in extras:
        if p.name == "out" or p.name in IGNORED or p.required:
            continue
        if p.name == "dtype" and params and params[0].kind == "Tensor" and not is_method:
            lines.append(f"    if dtype is not None:\n        {params[0].name} = {params[0].name}.to(dtype)")
        elif p.name == "dtype" and is_method:
            lines.append("    if dtype is not None:\n        self = self.to(dtype)")
        elif p.name in CHECKS:
            lines.append(f"    if {CHECKS[p.name].format(p=p.name)}:\n"
                         f"        _b.unsupported({name!r}, {p.name!r})")
        else:
            lines.append(f"    if not ({is_default(p)}):\n        _b.unsupported({name!r}, {p.name!r})")
    # several declared names feeding one implementation parameter: the first non-default wins
    for target, sources in feeds.items():
        for extra in sources[1:]:
            lines.append(f"    if not ({is_default(extra)}):\n        {sources[0].name} = {extra.name}")
    required_call, full_call, positional_open = list(first), list(first), True
    for q in impl_params:
        sources = feeds.get(q.name)
        if q.kind == P.VAR_POSITIONAL:
            if sources:
                required_call.append("*" + sources[0].name)
                full_call.append("*" + sources[0].name)
            positional_open = False
            continue
        if not sources:
            if q.kind in (P.POSITIONAL_ONLY, P.POSITIONAL_OR_KEYWORD):
                positional_open = False
            continue
        src = sources[0]
        if q.kind == P.KEYWORD_ONLY or not positional_open:
            text = f"{q.name}={src.name}"
        else:
            text = src.name
        full_call.append(text)
        if src.required:
            required_call.append(text)
    optional = [p for p in params if not p.required and any(p is s for ss in feeds.values() for s in ss)]
    call_name = "_impl_" + key(dotted)
    body = []
    if optional and required_call != full_call:
        tests = " and ".join(is_default(p) for p in optional)
        body.append(f"        if {tests}:\n            r = {call_name}({', '.join(required_call)})\n"
                    f"        else:\n            r = {call_name}({', '.join(full_call)})")
    else:
        body.append(f"        r = {call_name}({', '.join(full_call)})")
    args = [p.name for p in params if not p.keyword_only]
    kw = [p.name for p in params if p.keyword_only]
    overloads_const = f"_o_{key(dotted)}"
    func = key(dotted)[len("torch_"):]
    func = name if namespace == "torch" else func
    handles_out = any(p.name == "out" for p in params) and not impl_takes_out
    call_args = "(" + ", ".join(args) + ("," if len(args) == 1 else "") + ")"
    keywords = "{" + ", ".join(f"{k!r}: {k}" for k in kw if k != "out") + "}"
    ret = (f"r if out is None else _b.write_out({name!r}, out, r, {overloads_const}, {call_args}, "
           f"{keywords})") if handles_out else "r"
    number_first = ""
    if not is_method and name in _binding._NUMBERS_AS_TENSORS and params and params[0].kind == "Tensor":
        # torch.add(2, t): PyTorch wraps a leading number as a 0-dim tensor; the method
        # implementations need a tensor receiver, so the wrapper retries with one.
        first_arg = params[0].name
        again = ", ".join([f"_b.wrapped_number({first_arg})"] + [p.name for p in params[1:] if not p.keyword_only]
                          + [f"{k}={k}" for k in kw])
        number_first = f"        if _b.is_number({first_arg}):\n            return {func}({again})\n"
    text = (
        f"def {func}({header(params, is_method, defaults)}):\n"
        + "".join(line + "\n" for line in lines)
        + "    try:\n" + "".join(b + "\n" for b in body)
        + "    except TypeError as e:\n"
        + number_first
        + f"        _b.check({name!r}, {overloads_const}, {call_args}, "
        + "{" + ", ".join(f"{k!r}: {k}" for k in kw) + "}, e)\n"
        + f"    return {ret}\n"
    )
    return func, text, consts, overloads_const


def python_declaration(line):
    """PyTorch's Python-level signature line (``qr(A, mode='reduced', *, out=None) -> ...``) in
    the declarations' typed form, every type ``object`` (Python functions report their own
    wrong calls); None when the line does not parse."""
    import ast
    try:
        fn = ast.parse("def " + line.split(" -> ")[0].strip() + ": pass").body[0]
    except SyntaxError:
        return None
    a = fn.args
    if a.vararg or a.kwarg or a.posonlyargs:
        return None
    parts = []
    defaults = [None] * (len(a.args) - len(a.defaults)) + a.defaults
    for arg, default in zip(a.args, defaults):
        parts.append(f"object {arg.arg}" + (f" = {ast.unparse(default)}" if default else ""))
    if a.kwonlyargs:
        parts.append("*")
        for arg, default in zip(a.kwonlyargs, a.kw_defaults):
            parts.append(f"object {arg.arg}" + (f" = {ast.unparse(default)}" if default else ""))
    return "(" + ", ".join(parts) + ")"


def declarations():
    """PyTorch's overloads of every listed name: the parser's (declarations.json) for compiled
    functions, the Python signature of the others (tests/data/api/torch-signatures.json)."""
    found = json.loads((HERE / "declarations.json").read_text())
    listed = json.loads((HERE.parents[1] / "tests/data/api/torch-signatures.json").read_text())
    for dotted, lines in listed["signatures"].items():
        if dotted not in found and len(lines) == 1 and python_declaration(lines[0]):
            found[dotted] = [python_declaration(lines[0])]
    return found


def bindings():
    declarations_ = declarations()
    out = []
    for dotted in sorted(declarations_):
        if any(keyword.iskeyword(p[1]) for o in declarations_[dotted] for p in _binding.parse(o)):
            continue  # `random_(from, to)`: a Python def cannot name a parameter `from`
        namespace = dotted.rsplit(".", 1)[0]
        if namespace not in NAMESPACES or dotted in UNBOUND:
            continue
        impl = implementation(dotted)
        if impl is None:
            continue
        overloads = declarations_[dotted]
        is_method = namespace == "torch.Tensor"
        try:
            inspect.signature(impl)
        except (TypeError, ValueError):
            continue
        takes = inspect.signature(impl).parameters
        lacks_out = (any(re.search(r" out = None[,)]", o) for o in overloads)
                     and not ("out" in takes and "dtype" in takes))  # factories do out= themselves
        if check.problems(impl, overloads, is_method) or lacks_out:
            out.append((dotted, overloads))
    return out


def render():
    chunks, installs, impls, consts_all, overload_consts = [], [], [], {}, []
    for dotted, overloads in bindings():
        namespace, name = dotted.rsplit(".", 1)
        impls.append(f"_impl_{key(dotted)} = {NAMESPACES[namespace]}.{name}")
        func, text, consts, oconst = generate_one(dotted, overloads, implementation(dotted))
        consts_all.update(consts)
        overload_consts.append(f"{oconst} = {tuple(overloads)!r}")
        chunks.append(text)
        installs.append(f"{NAMESPACES[namespace]}.{name} = {func}")
    return (
        '"""Generated by tools/signatures/generate.py from tools/signatures/declarations.json '
        '(PyTorch\'s\noverloads): do not edit.  Each function binds PyTorch\'s signature and '
        'calls the implementation\nit replaces (`_impl_*`); see _binding.py for why this is '
        'plain Python."""\n'
        "# flake8: noqa\n"
        "import rustorch as _torch\n"
        "from rustorch import _binding as _b, linalg as _linalg, special as _special\n"
        "from rustorch._C import Tensor as _Tensor\n"
        "from rustorch.nn import functional as _F\n\n"
        + "\n".join(impls) + "\n\n"
        + "\n".join(f"{k} = {v}" for k, v in consts_all.items()) + "\n\n"
        + "\n".join(overload_consts) + "\n\n\n"
        + "\n\n".join(chunks) + "\n\n"
        + "\n".join(installs) + "\n"
    )


if __name__ == "__main__":
    text = render()
    if "--check" in sys.argv:
        sys.exit(0 if TARGET.exists() and TARGET.read_text() == text else 1)
    TARGET.write_text(text)
    print("wrote", TARGET, text.count("\ndef "), "functions")
