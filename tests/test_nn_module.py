"""nn.Module's surface and the containers. Expected reprs, keys and messages follow PyTorch's
documented formats (module.py / container.py), not this implementation's output."""
import collections
import warnings

import numpy as np
import pytest

import rustorch as torch
import rustorch.nn as nn


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(4, 3)
        self.act = nn.ReLU()
        self.block = nn.Sequential(nn.Linear(3, 3), nn.BatchNorm1d(3))
        self.scale = nn.Parameter(torch.ones(1))
        self.register_buffer("steps", torch.zeros(1))
        self.register_buffer("scratch", torch.zeros(2), persistent=False)

    def forward(self, x):
        return self.block(self.act(self.fc1(x))) * self.scale


NET_REPR = """Net(
  (fc1): Linear(in_features=4, out_features=3, bias=True)
  (act): ReLU()
  (block): Sequential(
    (0): Linear(in_features=3, out_features=3, bias=True)
    (1): BatchNorm1d(3, eps=1e-05, momentum=0.1, affine=True, bias=True, track_running_stats=True)
  )
)"""

NET_STATE_KEYS = [
    "scale", "steps", "fc1.weight", "fc1.bias", "block.0.weight", "block.0.bias", "block.1.weight",
    "block.1.bias", "block.1.running_mean", "block.1.running_var", "block.1.num_batches_tracked",
]


# ---------------------------------------------------------------- registration and traversal
def test_attribute_registration_and_traversal_order():
    net = Net()
    assert list(net._parameters) == ["scale"]
    assert list(net._buffers) == ["steps", "scratch"]
    assert list(net._modules) == ["fc1", "act", "block"]
    # Own members first, then each child's, depth first (named_modules order).
    assert [n for n, _ in net.named_parameters()] == [
        "scale", "fc1.weight", "fc1.bias", "block.0.weight", "block.0.bias", "block.1.weight", "block.1.bias"]
    assert [n for n, _ in net.named_buffers()] == [
        "steps", "scratch", "block.1.running_mean", "block.1.running_var", "block.1.num_batches_tracked"]
    assert [n for n, _ in net.named_modules()] == ["", "fc1", "act", "block", "block.0", "block.1"]
    assert [n for n, _ in net.named_children()] == ["fc1", "act", "block"]
    assert [n for n, _ in net.named_parameters(prefix="m", recurse=False)] == ["m.scale"]
    assert [n for n, _ in net.named_modules(prefix="root")][:2] == ["root", "root.fc1"]
    assert sum(p.numel() for p in net.parameters()) == 1 + 15 + 12 + 6


def test_shared_members_are_yielded_once_unless_asked():
    shared = nn.Linear(2, 2)
    seq = nn.Sequential(shared, shared)
    assert len(list(seq.modules())) == 2
    assert len(list(seq.parameters())) == 2
    assert [n for n, _ in seq.named_parameters(remove_duplicate=False)] == [
        "0.weight", "0.bias", "1.weight", "1.bias"]
    assert [n for n, _ in seq.named_modules(remove_duplicate=False)] == ["", "0", "1"]


def test_reassignment_moves_between_registries_and_delattr():
    net = Net()
    net.fc1 = nn.Parameter(torch.zeros(2))  # a Parameter replaces the submodule
    assert "fc1" in net._parameters and "fc1" not in net._modules
    net.steps = torch.ones(1)  # assigning a tensor to a buffer name updates the buffer
    assert float(net._buffers["steps"]) == 1.0
    net.plain = 3
    assert net.__dict__["plain"] == 3
    del net.scale, net.steps, net.block, net.plain
    assert "scale" not in net._parameters and "steps" not in net._buffers and "block" not in net._modules
    with pytest.raises(AttributeError, match="'Net' object has no attribute 'scale'"):
        net.scale


def test_registration_errors():
    net = Net()
    with pytest.raises(TypeError, match=r"cannot assign 'torch.FloatTensor' as parameter 'scale' "
                                        r"\(torch.nn.Parameter or None expected\)"):
        net.scale = torch.ones(1)
    with pytest.raises(TypeError, match=r"cannot assign 'int' as child module 'fc1' \(torch.nn.Module or None expected\)"):
        net.fc1 = 3
    with pytest.raises(TypeError, match=r"cannot assign 'str' as buffer 'steps' \(torch.Tensor or None expected\)"):
        net.steps = "x"
    with pytest.raises(KeyError, match="attribute 'fc1' already exists"):
        net.register_buffer("fc1", torch.ones(1))
    with pytest.raises(KeyError, match='buffer name can.+t contain "."'):
        net.register_buffer("a.b", torch.ones(1))
    with pytest.raises(KeyError, match="parameter name can.+t be empty string"):
        net.register_parameter("", None)
    with pytest.raises(TypeError, match=r"cannot assign 'torch.FloatTensor' object to parameter 'p' "
                                        r"\(torch.nn.Parameter or None required\)"):
        net.register_parameter("p", torch.ones(1))
    with pytest.raises(TypeError, match="int is not a Module subclass"):
        net.add_module("m", 3)
    with pytest.raises(KeyError, match='module name can.+t contain ".", got: a.b'):
        net.add_module("a.b", nn.ReLU())

    class Early(nn.Module):
        def __init__(self):
            self.w = nn.Parameter(torch.ones(1))

    with pytest.raises(AttributeError, match=r"cannot assign parameters before Module.__init__\(\) call"):
        Early()
    with pytest.raises(TypeError, match=r"Module.__init__\(\) got an unexpected keyword argument 'x'"):
        nn.Module(x=1)


def test_none_members_are_skipped():
    lin = nn.Linear(2, 2, bias=False)
    assert lin.bias is None and "bias" in lin._parameters
    assert [n for n, _ in lin.named_parameters()] == ["weight"]
    assert list(lin.state_dict()) == ["weight"]


def test_get_submodule_parameter_buffer():
    net = Net()
    assert net.get_submodule("block.0") is net.block[0]
    assert net.get_submodule("") is net
    assert net.get_parameter("block.0.bias") is net.block[0].bias
    assert net.get_buffer("block.1.running_mean") is net.block[1].running_mean
    with pytest.raises(AttributeError, match="Sequential has no attribute `x`"):
        net.get_submodule("block.x")
    with pytest.raises(AttributeError, match="`scale` is not an nn.Module"):
        net.get_submodule("scale")
    with pytest.raises(AttributeError, match="`steps` is not an nn.Parameter"):
        net.get_parameter("steps")
    with pytest.raises(AttributeError, match="`scale` is not a buffer"):
        net.get_buffer("scale")


def test_dir_lists_members():
    names = dir(Net())
    assert {"fc1", "scale", "steps", "forward", "training"} <= set(names)
    assert names == sorted(names)
    assert "0" not in dir(nn.Sequential(nn.ReLU()))


# ---------------------------------------------------------------- state_dict
def test_state_dict_keys_values_and_metadata():
    net = Net()
    sd = net.state_dict()
    assert type(sd) is collections.OrderedDict
    assert list(sd) == NET_STATE_KEYS  # the non-persistent buffer is left out
    assert all(not v.requires_grad and type(v) is torch.Tensor for v in sd.values())
    assert sd["block.1.num_batches_tracked"].dtype == torch.int64
    # Detached views share memory with the parameters.
    with torch.no_grad():
        net.fc1.bias.fill_(0.25)
    assert sd["fc1.bias"].tolist() == [0.25] * 3
    assert dict(sd._metadata) == {"": {"version": 1}, "fc1": {"version": 1}, "act": {"version": 1},
                                  "block": {"version": 1}, "block.0": {"version": 1},
                                  "block.1": {"version": 2}}
    kept = net.state_dict(keep_vars=True)
    assert kept["scale"] is net.scale
    assert list(net.fc1.state_dict(prefix="x.")) == ["x.weight", "x.bias"]


def test_load_state_dict_copies_and_reports():
    a, b = Net(), Net()
    with torch.no_grad():
        for p in a.parameters():
            p.uniform_(-1, 1)
    result = b.load_state_dict(a.state_dict())
    assert str(result) == "<All keys matched successfully>"
    assert result.missing_keys == [] and result.unexpected_keys == []
    for (name, pa), pb in zip(a.named_parameters(), b.parameters()):
        assert torch.equal(pa, pb), name
    assert type(b.fc1.weight) is nn.Parameter and b.fc1.weight.requires_grad
    with torch.no_grad():
        a.fc1.weight.fill_(5.0)
    assert not bool((b.fc1.weight == 5.0).any())  # copied, not aliased


def test_load_state_dict_strict_errors():
    net = Net()
    sd = net.state_dict()
    partial = {k: v for k, v in sd.items() if not k.startswith("block.0")}
    with pytest.raises(RuntimeError) as info:
        net.load_state_dict(partial)
    assert str(info.value) == ('Error(s) in loading state_dict for Net:\n\tMissing key(s) in state_dict: '
                               '"block.0.weight", "block.0.bias". ')
    res = net.load_state_dict(partial, strict=False)  # reported, not raised
    assert res.missing_keys == ["block.0.weight", "block.0.bias"] and res.unexpected_keys == []
    assert repr(res) == "_IncompatibleKeys(missing_keys=['block.0.weight', 'block.0.bias'], unexpected_keys=[])"

    extra = dict(sd, **{"fc1.extra": torch.zeros(1), "ghost.weight": torch.zeros(1)})
    with pytest.raises(RuntimeError) as info:
        net.load_state_dict(extra)
    assert str(info.value) == ('Error(s) in loading state_dict for Net:\n\tUnexpected key(s) in state_dict: '
                               '"ghost.weight", "fc1.extra". ')

    both = dict(partial, extra=torch.zeros(1))
    both["fc1.weight"] = torch.zeros(2, 2)
    with pytest.raises(RuntimeError) as info:
        net.load_state_dict(both)
    assert str(info.value) == (
        'Error(s) in loading state_dict for Net:\n'
        '\tMissing key(s) in state_dict: "block.0.weight", "block.0.bias". \n'
        '\tUnexpected key(s) in state_dict: "extra". \n'
        '\tsize mismatch for fc1.weight: copying a param with shape torch.Size([2, 2]) from checkpoint, '
        'the shape in current model is torch.Size([3, 4]).')
    with pytest.raises(TypeError, match="Expected state_dict to be dict-like, got <class 'list'>."):
        net.load_state_dict([])


def test_load_state_dict_assign_and_old_batchnorm_checkpoints():
    lin = nn.Linear(2, 2)
    new_weight = torch.ones(2, 2)
    lin.load_state_dict({"weight": new_weight, "bias": torch.zeros(2)}, assign=True)
    assert type(lin.weight) is nn.Parameter and lin.weight.requires_grad
    with torch.no_grad():
        lin.weight.fill_(3.0)
    assert new_weight.tolist() == [[3.0, 3.0], [3.0, 3.0]]  # assigned: shares the memory

    bn = nn.BatchNorm1d(2)
    old = collections.OrderedDict((k, v) for k, v in bn.state_dict().items() if k != "num_batches_tracked")
    old._metadata = {"": {"version": 1}}
    assert bn.load_state_dict(old).missing_keys == []  # version-1 checkpoints lack the counter
    del old._metadata
    assert bn.load_state_dict(old).missing_keys == []


def test_load_state_dict_post_hook():
    seen = []
    lin = nn.Linear(2, 2)
    handle = lin.register_load_state_dict_post_hook(lambda m, keys: seen.append((m, list(keys.missing_keys))))
    lin.load_state_dict({"weight": torch.zeros(2, 2)}, strict=False)
    assert seen == [(lin, ["bias"])]
    handle.remove()
    lin.load_state_dict(lin.state_dict())
    assert len(seen) == 1


# ---------------------------------------------------------------- modes, conversion, grads
def test_train_eval_recurse_and_return_self():
    net = Net()
    assert net.training and net.block[1].training
    assert net.eval() is net
    assert not net.training and not net.block[1].training
    assert net.train() is net and net.block[0].training
    with pytest.raises(ValueError, match="training mode is expected to be boolean"):
        net.train(1)


def test_conversions_keep_parameter_objects():
    net = Net()
    weight = net.fc1.weight
    net(torch.ones(2, 4)).sum().backward()
    assert net.double() is net
    assert net.fc1.weight is weight and weight.dtype == torch.float64
    assert weight.grad.dtype == torch.float64 and type(weight) is nn.Parameter and weight.requires_grad
    assert net.block[1].num_batches_tracked.dtype == torch.int64  # integers are left alone
    assert net.steps.dtype == torch.float64
    assert net.float().fc1.weight.dtype == torch.float32
    assert net.half().scale.dtype == torch.float16
    net.to(torch.float64)
    assert net.scale.dtype == torch.float64
    net.to("cpu", torch.float32, non_blocking=True)
    assert net.scale.dtype == torch.float32
    net.to(torch.zeros(1, dtype=torch.float64))
    assert net.scale.dtype == torch.float64
    net.to(device=torch.device("cpu"), dtype=torch.float32)
    assert net.scale.dtype == torch.float32 and net.cpu() is net
    assert net.type(torch.float64).scale.dtype == torch.float64
    with pytest.raises(TypeError, match="nn.Module.to only accepts floating point or complex dtypes, "
                                        "but got desired dtype=torch.int64"):
        net.to(torch.int64)
    with pytest.raises(AssertionError, match="Torch not compiled with CUDA enabled"):
        nn.Linear(1, 1).cuda()


def test_zero_grad_requires_grad_and_apply():
    net = Net()
    net(torch.ones(2, 4)).sum().backward()
    net.zero_grad(set_to_none=False)
    assert net.fc1.weight.grad.tolist() == [[0.0] * 4] * 3
    net.zero_grad()
    assert all(p.grad is None for p in net.parameters())
    assert net.requires_grad_(False) is net
    assert not any(p.requires_grad for p in net.parameters())
    visited = []
    assert net.apply(lambda m: visited.append(type(m).__name__)) is net
    assert visited == ["Linear", "ReLU", "Linear", "BatchNorm1d", "Sequential", "Net"]


# ---------------------------------------------------------------- call and hooks
def test_call_runs_forward_and_missing_forward_raises():
    net = Net()
    x = torch.ones(2, 4)
    assert torch.allclose(net(x), net.forward(x))
    with pytest.raises(NotImplementedError, match='Module \\[Module\\] is missing the required "forward" function'):
        nn.Module()(x)


def test_forward_hooks():
    lin = nn.Linear(2, 2)
    calls = []

    def pre(module, args):
        calls.append("pre")
        return (args[0] * 0,)

    def post(module, args, output):
        calls.append("post")
        return output + 1

    h1 = lin.register_forward_pre_hook(pre)
    h2 = lin.register_forward_hook(post)
    out = lin(torch.ones(3, 2))
    assert calls == ["pre", "post"]
    assert torch.allclose(out, lin.bias.detach() + 1)
    h1.remove()
    with h2:
        pass  # a handle is a context manager that removes its hook
    assert torch.allclose(lin(torch.zeros(1, 2)), lin.bias.detach())
    assert calls == ["pre", "post"]


def test_hook_variants_kwargs_prepend_global():
    class Scale(nn.Module):
        def forward(self, x, factor=1.0):
            return x * factor

    m = Scale()
    order = []
    m.register_forward_pre_hook(lambda mod, args, kwargs: (args, {"factor": 3.0}), with_kwargs=True)
    m.register_forward_hook(lambda mod, args, kwargs, out: order.append(kwargs["factor"]), with_kwargs=True)
    m.register_forward_hook(lambda mod, args, out: order.append("first"), prepend=True)
    assert m(torch.ones(1)).tolist() == [3.0]
    assert order == ["first", 3.0]
    from rustorch.nn.modules.module import register_module_forward_hook
    seen = []
    handle = register_module_forward_hook(lambda mod, args, out: seen.append(type(mod).__name__))
    try:
        nn.Sequential(nn.ReLU())(torch.ones(1))
    finally:
        handle.remove()
    assert seen == ["ReLU", "Sequential"]


# ---------------------------------------------------------------- repr
def test_nested_repr():
    assert repr(Net()) == NET_REPR
    assert repr(nn.Module()) == "Module()"

    class WithExtra(nn.Module):
        def __init__(self):
            super().__init__()
            self.inner = nn.Identity()

        def extra_repr(self):
            return "a=1\nb=2"

    assert repr(WithExtra()) == "WithExtra(\n  a=1\n  b=2\n  (inner): Identity()\n)"


# ---------------------------------------------------------------- containers
def test_sequential():
    layers = [nn.Linear(2, 3), nn.ReLU(), nn.Linear(3, 1)]
    seq = nn.Sequential(*layers)
    assert len(seq) == 3 and seq[0] is layers[0] and seq[-1] is layers[2]
    assert list(seq) == layers
    sliced = seq[1:]
    assert type(sliced) is nn.Sequential and list(sliced._modules) == ["1", "2"]
    seq.append(nn.Sigmoid())
    assert list(seq._modules) == ["0", "1", "2", "3"]
    del seq[1]
    assert list(seq._modules) == ["0", "1", "2"] and seq[1] is layers[2]
    seq[0] = nn.Tanh()
    assert type(seq[0]) is nn.Tanh
    seq.insert(0, nn.Identity())
    assert type(seq[0]) is nn.Identity and len(seq) == 4
    assert len(seq + nn.Sequential(nn.ReLU())) == 5 and len(seq * 2) == 8
    with pytest.raises(IndexError, match="index 10 is out of range"):
        seq[10]
    named = nn.Sequential(collections.OrderedDict([("conv", nn.Identity()), ("act", nn.ReLU())]))
    assert list(named._modules) == ["conv", "act"] and named.act is named[1]
    out = nn.Sequential(nn.Linear(4, 2), nn.ReLU())(torch.ones(3, 4))
    assert out.shape == (3, 2) and bool((out >= 0).all())


def test_module_list_and_repr_compression():
    ml = nn.ModuleList([nn.Linear(2, 2) for _ in range(3)])
    ml.append(nn.ReLU())
    ml.extend([nn.ReLU()])
    assert len(ml) == 5 and len(list(ml.parameters())) == 6
    assert repr(ml) == ("ModuleList(\n  (0-2): 3 x Linear(in_features=2, out_features=2, bias=True)\n"
                        "  (3-4): 2 x ReLU()\n)")
    assert repr(nn.ModuleList()) == "ModuleList()"
    ml.insert(1, nn.Tanh())
    assert type(ml[1]) is nn.Tanh and type(ml[-1]) is nn.ReLU
    assert type(ml[1:3]) is nn.ModuleList and len(ml[1:3]) == 2
    del ml[0]
    assert list(ml._modules) == [str(i) for i in range(5)]
    with pytest.raises(TypeError, match="ModuleList.extend should be called with an iterable, but got int"):
        ml.extend(3)
    with pytest.raises(NotImplementedError):
        ml(torch.ones(1))


def test_module_dict():
    md = nn.ModuleDict({"a": nn.ReLU(), "b": nn.Tanh()})
    md["c"] = nn.Sigmoid()
    assert list(md) == ["a", "b", "c"] and list(md.keys()) == ["a", "b", "c"]
    assert "b" in md and len(md) == 3
    assert type(md.pop("b")) is nn.Tanh and "b" not in md
    md.update([("d", nn.Identity())])
    assert list(md) == ["a", "c", "d"]
    with pytest.raises(ValueError, match="ModuleDict update sequence element #0 has length 1; 2 is required"):
        md.update([("x",)])
    md.clear()
    assert len(md) == 0


def test_parameter_list_and_dict():
    pl = nn.ParameterList([torch.ones(2), nn.Parameter(torch.zeros(3, 1))])
    assert all(type(p) is nn.Parameter for p in pl) and len(pl) == 2
    assert [n for n, _ in pl.named_parameters()] == ["0", "1"]
    pl.append(torch.ones(1, dtype=torch.float64))
    assert repr(pl) == ("ParameterList(\n    (0): Parameter containing: [torch.float32 of size 2]\n"
                        "    (1): Parameter containing: [torch.float32 of size 3x1]\n"
                        "    (2): Parameter containing: [torch.float64 of size 1]\n)")
    with pytest.raises(RuntimeError, match="ParameterList should not be called."):
        pl()
    pd = nn.ParameterDict({"b": torch.ones(2), "a": nn.Parameter(torch.ones(1))})
    assert list(pd) == ["a", "b"]  # a plain dict is sorted, as in PyTorch
    pd["c"] = torch.zeros(1)
    assert type(pd["c"]) is nn.Parameter and "c" in pd
    assert [n for n, _ in pd.named_parameters()] == ["a", "b", "c"]
    assert repr(pd).splitlines()[1] == "    (a): Parameter containing: [torch.FloatTensor of size 1]"
    assert pd.get("zz", 5) == 5 and pd.pop("c") is not None and len(pd) == 2


def test_parameter_type_repr_and_pickle_free_copy():
    p = nn.Parameter(torch.ones(1))
    assert repr(p) == "Parameter containing:\ntensor([1.], requires_grad=True)"
    assert isinstance(p, torch.Tensor) and p.requires_grad and p.is_leaf
    assert not nn.Parameter(torch.ones(1), requires_grad=False).requires_grad


def test_training_loop_with_state_roundtrip_numpy_oracle():
    """A 1-layer model trained by hand matches the same loop in numpy."""
    rs = np.random.RandomState(0)
    x_np = rs.randn(8, 3).astype(np.float64)
    y_np = rs.randn(8, 1).astype(np.float64)
    lin = nn.Linear(3, 1).double()
    w = np.array(lin.weight.detach()).copy()
    b = np.array(lin.bias.detach()).copy()
    x, y = torch.from_numpy(x_np), torch.from_numpy(y_np)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for _ in range(5):
            lin.zero_grad()
            loss = ((lin(x) - y) ** 2).mean()
            loss.backward()
            with torch.no_grad():
                for p in lin.parameters():
                    p -= 0.1 * p.grad
            err = x_np @ w.T + b - y_np
            w -= 0.1 * (2 * err * x_np).mean(0, keepdims=True)
            b -= 0.1 * (2 * err).mean(0)
    np.testing.assert_allclose(np.array(lin.weight.detach()), w, rtol=1e-12)
    np.testing.assert_allclose(np.array(lin.bias.detach()), b, rtol=1e-12)
