"""Recurrent layers: ``RNN`` / ``LSTM`` / ``GRU`` and their single-step cells.

Each layer projects its whole input sequence through ``weight_ih`` in one matmul, then steps
through time with the hidden-to-hidden matmul and, for LSTM and GRU, one fused Rust cell (gate
nonlinearities and state update in one pass, one autograd node with its own backward kernel). Padded and packed input share one loop: a packed step t
updates the first ``batch_sizes[t]`` rows of the state and leaves the finished sequences' rows as
they are, which is exactly where PyTorch reads their final hidden state (and, run backwards,
where the reverse direction starts each sequence from its ``h0`` row)."""
import math
import numbers
import warnings

from ... import _C
from .. import functional as F
from .. import init
from ..parameter import Parameter
from ..utils.rnn import PackedSequence, _lengths_list
from .module import Module

__all__ = ["RNNBase", "RNN", "LSTM", "GRU", "RNNCellBase", "RNNCell", "LSTMCell", "GRUCell"]

_GATES = {"LSTM": 4, "GRU": 3, "RNN_TANH": 1, "RNN_RELU": 1}


# --------------------------------------------------------------------------- one time step
# Each takes the step's input projection ``x @ W_ih.T + b_ih`` and the state tuple, returns the new
# state tuple; its first entry is the step's output.
def _rnn_tanh_step(gates_x, state, w_hh, b_hh, w_hr=None):
    return ((gates_x + F.linear(state[0], w_hh, b_hh)).tanh(),)


def _rnn_relu_step(gates_x, state, w_hh, b_hh, w_hr=None):
    return ((gates_x + F.linear(state[0], w_hh, b_hh)).relu(),)


def _lstm_step(gates_x, state, w_hh, b_hh, w_hr=None):
    h, c = _C._lstm_cell(gates_x + F.linear(state[0], w_hh, b_hh), state[1])
    if w_hr is not None:
        h = h.matmul(w_hr.t())
    return h, c


def _gru_step(gates_x, state, w_hh, b_hh, w_hr=None):
    return (_C._gru_cell(gates_x, F.linear(state[0], w_hh, b_hh), state[0]),)


_STEPS = {"LSTM": _lstm_step, "GRU": _gru_step, "RNN_TANH": _rnn_tanh_step, "RNN_RELU": _rnn_relu_step}


def _run_direction(step, steps_x, state, weights, batch_sizes, reverse):
    """Runs one layer in one direction; returns the per-step outputs and the final state."""
    full = state[0].size(0)
    outputs = [None] * len(steps_x)
    order = range(len(steps_x) - 1, -1, -1) if reverse else range(len(steps_x))
    for t in order:
        b = batch_sizes[t] if batch_sizes is not None else full
        active = state if b == full else tuple(s[:b] for s in state)
        new = step(steps_x[t], active, *weights)
        state = new if b == full else tuple(_C.cat([n, s[b:]], 0) for n, s in zip(new, state))
        outputs[t] = new[0]
    return outputs, state


# --------------------------------------------------------------------------- multi-layer modules
class RNNBase(Module):
    """The shared machinery of ``RNN``, ``LSTM`` and ``GRU`` (parameters, checks, the layer loop)."""

    __constants__ = ["mode", "input_size", "hidden_size", "num_layers", "bias", "batch_first", "dropout",
                     "bidirectional", "proj_size"]

    def __init__(self, mode, input_size, hidden_size, num_layers=1, bias=True, batch_first=False, dropout=0.0,
                 bidirectional=False, proj_size=0, device=None, dtype=None):
        super().__init__()
        if not isinstance(dropout, numbers.Number) or isinstance(dropout, bool) or not 0 <= dropout <= 1:
            raise ValueError("dropout should be a number in range [0, 1] representing the probability of an "
                             "element being zeroed")
        if dropout > 0 and num_layers == 1:
            warnings.warn("dropout option adds dropout after all but last recurrent layer, so non-zero dropout "
                          f"expects num_layers greater than 1, but got dropout={dropout} and "
                          f"num_layers={num_layers}", stacklevel=2)
        for name, value, kind in (("bias", bias, bool), ("batch_first", batch_first, bool),
                                  ("input_size", input_size, int), ("hidden_size", hidden_size, int)):
            if not isinstance(value, kind):
                raise TypeError(f"{name} should be of type {kind.__name__}, got: {type(value).__name__}")
        if input_size <= 0:
            raise ValueError("input_size must be greater than zero")
        if hidden_size <= 0:
            raise ValueError("hidden_size must be greater than zero")
        if num_layers <= 0:
            raise ValueError("num_layers must be greater than zero")
        if proj_size < 0:
            raise ValueError("proj_size should be a positive integer or zero to disable projections")
        if proj_size >= hidden_size:
            raise ValueError("proj_size has to be smaller than hidden_size")
        if mode not in _GATES:
            raise ValueError("Unrecognized RNN mode: " + mode)
        self.mode = mode
        self.input_size = input_size
        self.hidden_size = hidden_size
        self.num_layers = num_layers
        self.bias = bias
        self.batch_first = batch_first
        self.dropout = float(dropout)
        self.bidirectional = bidirectional
        self.proj_size = proj_size
        num_directions = 2 if bidirectional else 1
        gate_size = _GATES[mode] * hidden_size
        real_hidden_size = proj_size if proj_size > 0 else hidden_size
        kwargs = {"device": device, "dtype": dtype}
        self._flat_weights_names = []
        self._all_weights = []
        for layer in range(num_layers):
            layer_input_size = input_size if layer == 0 else real_hidden_size * num_directions
            for direction in range(num_directions):
                suffix = f"_l{layer}" + ("_reverse" if direction == 1 else "")
                shapes = [("weight_ih", (gate_size, layer_input_size)), ("weight_hh", (gate_size, real_hidden_size))]
                if bias:
                    shapes += [("bias_ih", (gate_size,)), ("bias_hh", (gate_size,))]
                if proj_size > 0:
                    shapes.append(("weight_hr", (proj_size, hidden_size)))
                names = [name + suffix for name, _ in shapes]
                for name, (_, shape) in zip(names, shapes):
                    setattr(self, name, Parameter(_C.empty(shape, **kwargs)))
                self._flat_weights_names.extend(names)
                self._all_weights.append(names)
        self.reset_parameters()

    def reset_parameters(self):
        stdv = 1.0 / math.sqrt(self.hidden_size) if self.hidden_size > 0 else 0
        for weight in self.parameters():
            init.uniform_(weight, -stdv, stdv)

    def flatten_parameters(self):
        """A no-op: the weights are never packed into one buffer here (cuDNN's layout)."""

    @property
    def _flat_weights(self):
        return [getattr(self, name) for name in self._flat_weights_names]

    @property
    def all_weights(self):
        return [[getattr(self, name) for name in names] for names in self._all_weights]

    def extra_repr(self):
        s = "{input_size}, {hidden_size}"
        if self.proj_size != 0:
            s += ", proj_size={proj_size}"
        if self.num_layers != 1:
            s += ", num_layers={num_layers}"
        if self.bias is not True:
            s += ", bias={bias}"
        if self.batch_first is not False:
            s += ", batch_first={batch_first}"
        if self.dropout != 0:
            s += ", dropout={dropout}"
        if self.bidirectional is not False:
            s += ", bidirectional={bidirectional}"
        return s.format(**self.__dict__)

    # ---- checks (PyTorch's messages)
    def check_input(self, input, batch_sizes):
        weight_dtype = self.weight_ih_l0.dtype
        if input.dtype != weight_dtype:
            raise ValueError(f"RNN input dtype ({input.dtype}) does not match weight dtype ({weight_dtype}). "
                             f"Convert input: input.to({weight_dtype}), or convert model: model.to({input.dtype})")
        expected_input_dim = 2 if batch_sizes is not None else 3
        if input.dim() != expected_input_dim:
            raise RuntimeError(f"input must have {expected_input_dim} dimensions, got {input.dim()}")
        if self.input_size != input.size(-1):
            raise RuntimeError(f"input.size(-1) must be equal to input_size. Expected {self.input_size}, "
                               f"got {input.size(-1)}")

    def get_expected_hidden_size(self, input, batch_sizes):
        if batch_sizes is not None:
            mini_batch = int(batch_sizes[0])
        else:
            mini_batch = input.size(0) if self.batch_first else input.size(1)
        return self._expected_state_size(mini_batch)

    def _expected_state_size(self, mini_batch):
        num_directions = 2 if self.bidirectional else 1
        real_hidden_size = self.proj_size if self.proj_size > 0 else self.hidden_size
        return (self.num_layers * num_directions, mini_batch, real_hidden_size)

    @staticmethod
    def _batch_of(data, batch_sizes):
        """The batch size of time-major or packed ``data``."""
        return batch_sizes[0] if batch_sizes is not None else data.size(1)

    @staticmethod
    def check_hidden_size(hx, expected_hidden_size, msg="Expected hidden size {}, got {}"):
        if tuple(hx.shape) != tuple(expected_hidden_size):
            raise RuntimeError(msg.format(expected_hidden_size, list(hx.shape)))

    # ---- the computation
    def _prepare(self, input, hx, name, state_count):
        """Normalizes the input to time-major (T, B, *) or packed data; returns
        ``(data, batch_sizes, hx, finish)`` where ``finish(output, state)`` restores the caller's layout."""
        if isinstance(input, PackedSequence):
            data, batch_sizes_t, sorted_indices, unsorted_indices = input
            batch_sizes = _lengths_list(batch_sizes_t)
            if hx is not None and sorted_indices is not None:
                hx = tuple(h.index_select(1, sorted_indices) for h in hx)

            def finish(output, state):
                if unsorted_indices is not None:
                    state = tuple(s.index_select(1, unsorted_indices) for s in state)
                return PackedSequence(output, batch_sizes_t, sorted_indices, unsorted_indices), state
            return data, batch_sizes, hx, finish
        if input.dim() not in (2, 3):
            raise ValueError(f"{name}: Expected input to be 2D or 3D, got {input.dim()}D "
                             + ("tensor instead" if name == "RNN" else "instead"))
        batched = input.dim() == 3
        if hx is not None:
            dims = [h.dim() for h in hx]
            want = 3 if batched else 2
            if any(d != want for d in dims):
                kind = "batched 3-D" if batched else "unbatched 2-D"
                if state_count == 2:
                    raise RuntimeError(f"For {kind} input, hx and cx should also be {want}-D but got "
                                       f"({dims[0]}-D, {dims[1]}-D) tensors")
                raise RuntimeError(f"For {kind} input, hx should also be {want}-D but got {dims[0]}-D tensor")
            if not batched:
                hx = tuple(h.unsqueeze(1) for h in hx)
        if not batched:
            input = input.unsqueeze(0 if self.batch_first else 1)
        if self.batch_first:
            input = input.transpose(0, 1)

        def finish(output, state):
            if self.batch_first:
                output = output.transpose(0, 1)
            if not batched:
                output = output.squeeze(0 if self.batch_first else 1)
                state = tuple(s.squeeze(1) for s in state)
            return output, state
        return input, None, hx, finish

    def _layers(self, data, batch_sizes, hx):
        """Runs every layer and direction; returns the last layer's output and the stacked final states."""
        num_directions = 2 if self.bidirectional else 1
        step = _STEPS[self.mode]
        finals = [[] for _ in hx]
        layer_input = data
        for layer in range(self.num_layers):
            outputs = []
            for direction in range(num_directions):
                names = self._all_weights[layer * num_directions + direction]
                params = dict(zip((n.split("_l")[0] for n in names), (getattr(self, n) for n in names)))
                projected = F.linear(layer_input, params["weight_ih"], params.get("bias_ih"))
                steps_x = projected.split(batch_sizes, 0) if batch_sizes is not None else projected.unbind(0)
                state = tuple(h[layer * num_directions + direction] for h in hx)
                weights = (params["weight_hh"], params.get("bias_hh"), params.get("weight_hr"))
                per_step, state = _run_direction(step, steps_x, state, weights, batch_sizes, direction == 1)
                outputs.append(_C.cat(per_step, 0) if batch_sizes is not None else _C.stack(per_step, 0))
                for kept, s in zip(finals, state):
                    kept.append(s)
            layer_input = outputs[0] if num_directions == 1 else _C.cat(outputs, -1)
            if self.dropout > 0 and self.training and layer < self.num_layers - 1:
                layer_input = F.dropout(layer_input, self.dropout, True)
        return layer_input, tuple(_C.stack(kept, 0) for kept in finals)

    def _forward_one_state(self, input, hx, name):
        """RNN's and GRU's forward: a single hidden state ``h``."""
        data, batch_sizes, hx, finish = self._prepare(input, None if hx is None else (hx,), name, 1)
        self.check_input(data, batch_sizes)
        if hx is None:
            hx = self._zeros_state(data, batch_sizes, [self.hidden_size])
        else:
            self.check_hidden_size(hx[0], self._expected_state_size(self._batch_of(data, batch_sizes)))
        output, state = finish(*self._layers(data, batch_sizes, hx))
        return output, state[0]

    def _zeros_state(self, data, batch_sizes, sizes):
        batch = self._batch_of(data, batch_sizes)
        layers = self.num_layers * (2 if self.bidirectional else 1)
        return tuple(_C.zeros((layers, batch, size), dtype=data.dtype, device=data.device) for size in sizes)


class RNN(RNNBase):
    """Elman RNN: ``h_t = act(x_t W_ih^T + b_ih + h_{t-1} W_hh^T + b_hh)``, act tanh or relu."""

    def __init__(self, input_size, hidden_size, num_layers=1, nonlinearity="tanh", bias=True, batch_first=False,
                 dropout=0.0, bidirectional=False, device=None, dtype=None):
        if nonlinearity == "tanh":
            mode = "RNN_TANH"
        elif nonlinearity == "relu":
            mode = "RNN_RELU"
        else:
            raise ValueError(f"Unknown nonlinearity '{nonlinearity}'. Select from 'tanh' or 'relu'.")
        super().__init__(mode, input_size, hidden_size, num_layers, bias, batch_first, dropout, bidirectional,
                         device=device, dtype=dtype)
        self.nonlinearity = nonlinearity

    def forward(self, input, hx=None):
        return self._forward_one_state(input, hx, "RNN")


class LSTM(RNNBase):
    """Long short-term memory (gates i, f, g, o), with an optional output projection ``proj_size``."""

    def __init__(self, input_size, hidden_size, num_layers=1, bias=True, batch_first=False, dropout=0.0,
                 bidirectional=False, proj_size=0, device=None, dtype=None):
        super().__init__("LSTM", input_size, hidden_size, num_layers, bias, batch_first, dropout, bidirectional,
                         proj_size, device, dtype)

    def get_expected_cell_size(self, input, batch_sizes):
        expected = self.get_expected_hidden_size(input, batch_sizes)
        return expected[:2] + (self.hidden_size,)

    def forward(self, input, hx=None):
        if hx is not None and (not isinstance(hx, (tuple, list)) or len(hx) != 2):
            raise RuntimeError("LSTM expects hx to be a tuple (h_0, c_0)")
        data, batch_sizes, hx, finish = self._prepare(input, hx, "LSTM", 2)
        self.check_input(data, batch_sizes)
        if hx is None:
            hx = self._zeros_state(data, batch_sizes, [self.proj_size or self.hidden_size, self.hidden_size])
        else:
            expected = self._expected_state_size(self._batch_of(data, batch_sizes))
            self.check_hidden_size(hx[0], expected, "Expected hidden[0] size {}, got {}")
            self.check_hidden_size(hx[1], expected[:2] + (self.hidden_size,), "Expected hidden[1] size {}, got {}")
        return finish(*self._layers(data, batch_sizes, hx))


class GRU(RNNBase):
    """Gated recurrent unit (gates r, z, n)."""

    def __init__(self, input_size, hidden_size, num_layers=1, bias=True, batch_first=False, dropout=0.0,
                 bidirectional=False, device=None, dtype=None):
        super().__init__("GRU", input_size, hidden_size, num_layers, bias, batch_first, dropout, bidirectional,
                         device=device, dtype=dtype)

    def forward(self, input, hx=None):
        return self._forward_one_state(input, hx, "GRU")


# --------------------------------------------------------------------------- single-step cells
class RNNCellBase(Module):
    __constants__ = ["input_size", "hidden_size", "bias"]

    def __init__(self, input_size, hidden_size, bias, num_chunks, device=None, dtype=None):
        super().__init__()
        self.input_size = input_size
        self.hidden_size = hidden_size
        self.bias = bias
        kwargs = {"device": device, "dtype": dtype}
        self.weight_ih = Parameter(_C.empty((num_chunks * hidden_size, input_size), **kwargs))
        self.weight_hh = Parameter(_C.empty((num_chunks * hidden_size, hidden_size), **kwargs))
        if bias:
            self.bias_ih = Parameter(_C.empty(num_chunks * hidden_size, **kwargs))
            self.bias_hh = Parameter(_C.empty(num_chunks * hidden_size, **kwargs))
        else:
            self.register_parameter("bias_ih", None)
            self.register_parameter("bias_hh", None)
        self.reset_parameters()

    def extra_repr(self):
        s = "{input_size}, {hidden_size}"
        if "bias" in self.__dict__ and self.bias is not True:
            s += ", bias={bias}"
        if "nonlinearity" in self.__dict__ and self.nonlinearity != "tanh":
            s += ", nonlinearity={nonlinearity}"
        return s.format(**self.__dict__)

    def reset_parameters(self):
        stdv = 1.0 / math.sqrt(self.hidden_size) if self.hidden_size > 0 else 0
        for weight in self.parameters():
            init.uniform_(weight, -stdv, stdv)

    def _step(self, name, step, input, state, state_names):
        """Checks dims, batches a 1-D input, runs ``step`` and unbatches the result."""
        if input.dim() not in (1, 2):
            raise ValueError(f"{name}: Expected input to be 1D or 2D, got {input.dim()}D instead")
        for label, value in zip(state_names, state):
            if value is not None and value.dim() not in (1, 2):
                raise ValueError(f"{name}: Expected {label} to be 1D or 2D, got {value.dim()}D instead")
        batched = input.dim() == 2
        if not batched:
            input = input.unsqueeze(0)
        batch = input.size(0)
        state = tuple(_C.zeros((batch, self.hidden_size), dtype=input.dtype, device=input.device) if s is None
                      else (s if batched else s.unsqueeze(0)) for s in state)
        new = step(F.linear(input, self.weight_ih, self.bias_ih), state, self.weight_hh, self.bias_hh)
        return new if batched else tuple(s.squeeze(0) for s in new)


class RNNCell(RNNCellBase):
    """One Elman RNN step: ``h' = act(x W_ih^T + b_ih + h W_hh^T + b_hh)``."""

    __constants__ = ["input_size", "hidden_size", "bias", "nonlinearity"]

    def __init__(self, input_size, hidden_size, bias=True, nonlinearity="tanh", device=None, dtype=None):
        super().__init__(input_size, hidden_size, bias, num_chunks=1, device=device, dtype=dtype)
        self.nonlinearity = nonlinearity

    def forward(self, input, hx=None):
        if self.nonlinearity not in ("tanh", "relu"):
            raise RuntimeError(f"Unknown nonlinearity: {self.nonlinearity}")
        step = _rnn_tanh_step if self.nonlinearity == "tanh" else _rnn_relu_step
        return self._step("RNNCell", step, input, (hx,), ("hidden",))[0]


class LSTMCell(RNNCellBase):
    """One LSTM step; returns ``(h', c')``."""

    def __init__(self, input_size, hidden_size, bias=True, device=None, dtype=None):
        super().__init__(input_size, hidden_size, bias, num_chunks=4, device=device, dtype=dtype)

    def forward(self, input, hx=None):
        state = (None, None) if hx is None else tuple(hx)
        return self._step("LSTMCell", _lstm_step, input, state, ("hx[0]", "hx[1]"))


class GRUCell(RNNCellBase):
    """One GRU step."""

    def __init__(self, input_size, hidden_size, bias=True, device=None, dtype=None):
        super().__init__(input_size, hidden_size, bias, num_chunks=3, device=device, dtype=dtype)

    def forward(self, input, hx=None):
        return self._step("GRUCell", _gru_step, input, (hx,), ("hidden",))[0]
