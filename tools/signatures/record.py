"""Record PyTorch's declared overloads for the compiled names of torch-signatures.json.

Run with PyTorch: `/opt/torchvenv/bin/python tools/signatures/record.py`.  Writes
declarations.json: for each compiled function or Tensor method, the overloads as PyTorch's
argument parser prints them ("(Tensor input, Tensor other, *, Number alpha = 1, Tensor out =
None)").  The parser's own list comes from its "invalid combination of arguments" error, which it
gives for names with several overloads; for the others the lines are rendered from torch's type
stubs (torch/_C/*.pyi, generated from the same native_functions.yaml).  The docstring lines of
torch-signatures.json are sometimes stale (``Tensor.mul(value)`` where the parser takes
``other``), so these are the declarations rustorch binds against.
"""
import ast
import json
import re
from pathlib import Path

import torch

ROOT = Path(__file__).resolve().parents[2]
LISTED = json.loads((ROOT / "tests/data/api/torch-signatures.json").read_text())["signatures"]
STUBS = Path(torch.__file__).parent / "_C"
# Which stub declares each namespace's compiled functions.
STUB_FOR = {
    "torch": ("_VariableFunctions.pyi", None), "torch.Tensor": ("__init__.pyi", "TensorBase"),
    "torch.nn.functional": ("_nn.pyi", None), "torch.linalg": ("_VariableFunctions.pyi", None),
    "torch.special": ("_VariableFunctions.pyi", None),
}


# Hand-written parser declarations (python_torch_functions_manual.cpp, python_variable_methods.cpp)
# that neither an error message nor the stubs give right (the stubs make dtype positional).
MANUAL = {
    "torch.tensor": ["(object data, *, torch.dtype dtype = None, torch.device device = None, "
                     "bool pin_memory = False, bool requires_grad = False)"],
    "torch.Tensor.new_tensor": ["(object data, *, torch.dtype dtype = None, torch.device device = "
                                "None, bool requires_grad = False, torch.layout layout = None, "
                                "bool pin_memory = False)"],
}


class Bogus:
    pass


def _resolve(dotted):
    obj = torch
    for part in dotted.split(".")[1:]:
        obj = getattr(obj, part)
    return obj


def _from_error(call):
    sample = torch.ones(2)
    for args in ([Bogus()], [Bogus()] * 12, [sample, Bogus()], [sample] * 12):
        try:
            call(*args)
        except Exception as e:  # noqa: BLE001  (only the parser's message is read)
            message = str(e)
            if "but expected" not in message:
                continue
            tail = message.split("but expected", 1)[1]
            if tail.startswith(" one of:"):
                return [ln.strip()[2:] for ln in tail.split("\n")[1:] if ln.strip().startswith("* ")]
            return [tail.strip()]
    return None


def _stub_functions():
    """{(namespace, name): [ast.FunctionDef]} from the stubs."""
    found = {}
    for namespace, (stub, cls) in STUB_FOR.items():
        tree = ast.parse((STUBS / stub).read_text())
        body = tree.body
        if cls:
            body = next(n for n in tree.body if isinstance(n, ast.ClassDef) and n.name == cls).body
        for node in body:
            if isinstance(node, ast.FunctionDef):
                found.setdefault((namespace, node.name), []).append(node)
    return found


def _parser_type(annotation):
    text = ast.unparse(annotation) if annotation is not None else "object"
    text = text.replace("_int", "int").replace("_bool", "bool").replace("_float", "float")
    if "Tensor" in text and ("Sequence" in text or "tuple" in text or "list" in text):
        return "tuple of Tensors"
    if "Tensor" in text:
        return "Tensor"
    if "_dtype" in text:
        return "torch.dtype"
    if "_layout" in text:
        return "torch.layout"
    if "Device" in text:
        return "torch.device"
    if "memory_format" in text:
        return "torch.memory_format"
    if "Generator" in text:
        return "torch.Generator"
    if "_size" in text or "Sequence[int" in text:
        return "tuple of ints"
    if "Number" in text:
        return "Number"
    for simple in ("bool", "int", "float", "str"):
        if text.startswith(simple):
            return simple
    return text


def _render(fn, is_method):
    args = fn.args
    params = []
    positional = args.posonlyargs + args.args
    defaults = [None] * (len(positional) - len(args.defaults)) + list(args.defaults)
    for arg, default in zip(positional, defaults):
        if arg.arg == "self":
            if not is_method:
                return None  # a deprecated signature (hidden from the parser's list)
            continue
        params.append(_param(arg, default))
    if args.vararg:
        params.append(_parser_type(args.vararg.annotation) + " " + args.vararg.arg)
    if args.kwonlyargs:
        if not args.vararg:
            params.append("*")
        for arg, default in zip(args.kwonlyargs, args.kw_defaults):
            params.append(_param(arg, default))
    return "(" + ", ".join(params) + ")"


def _param(arg, default):
    text = _parser_type(arg.annotation) + " " + arg.arg
    if default is not None:
        text += " = " + ast.unparse(default)
    return text


def main():
    stubs = _stub_functions()
    sample = torch.ones(2)
    declared = {}
    for dotted in sorted(LISTED):
        try:
            obj = _resolve(dotted)
        except AttributeError:
            continue
        if type(obj).__name__ not in ("builtin_function_or_method", "method_descriptor"):
            continue
        namespace, name = dotted.rsplit(".", 1)
        is_method = namespace == "torch.Tensor"
        call = (lambda *a, n=name: getattr(sample.clone(), n)(*a)) if is_method else obj
        lines = MANUAL.get(dotted) or _from_error(call)
        if lines is None:
            key = (namespace, name if namespace in ("torch", "torch.Tensor", "torch.nn.functional")
                   else "_".join([namespace.rsplit(".", 1)[1], name]))
            lines = [r for r in (_render(f, is_method) for f in stubs.get(key, [])) if r]
        if is_method:  # methods take no out= (the stubs list it for a few)
            lines = [ln.replace(", *, Tensor out = None)", ")").replace(", Tensor out = None", "")
                     for ln in lines]
        # The parser spells `zeros(2, 3)` as a second overload "(int size, ...)": not a signature.
        lines = [ln for ln in lines if not (
            re.match(r"\(int (\w+)", ln) and
            any(o.startswith("(tuple of ints " + ln[5:].split(",")[0].rstrip(")")) for o in lines))]
        if lines:
            declared[dotted] = list(dict.fromkeys(lines))
    out = ROOT / "tools/signatures/declarations.json"
    out.write_text(json.dumps(declared, indent=1, sort_keys=True) + "\n")
    print(len(declared), "names declared")


if __name__ == "__main__":
    main()
