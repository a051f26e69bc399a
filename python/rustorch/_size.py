"""``rustorch.Size``: the tuple subclass returned by ``Tensor.shape`` and ``Tensor.size()``."""


class Size(tuple):
    __slots__ = ()

    def __repr__(self):
        return "torch.Size([%s])" % ", ".join(str(d) for d in self)

    __str__ = __repr__

    def numel(self):
        n = 1
        for d in self:
            n *= d
        return n

    def __getitem__(self, key):
        item = tuple.__getitem__(self, key)
        return Size(item) if isinstance(key, slice) else item

    def __add__(self, other):
        return Size(tuple.__add__(self, tuple(other)))

    def __reduce__(self):
        return (Size, (tuple(self),))
