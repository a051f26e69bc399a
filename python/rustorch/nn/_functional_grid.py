"""``affine_grid`` / ``grid_sample`` (spatial transformers), composed from differentiable tensor
ops: the gradient reaches both the sampled input (through gathers) and the grid (through the
interpolation weights)."""
from .. import _C

__all__ = ["affine_grid", "grid_sample"]


def _linspace_from_neg_one(num_steps, align_corners, dtype):
    if num_steps <= 1:
        return _C.zeros(1, dtype=dtype)
    steps = _C.linspace(-1, 1, num_steps, dtype=dtype)
    return steps if align_corners else steps * ((num_steps - 1) / num_steps)


def affine_grid(theta, size, align_corners=None):
    """The sampling grid (N, H, W, 2) (or (N, D, H, W, 3)) of the affine maps ``theta``."""
    align_corners = bool(align_corners)
    if not theta.is_floating_point():
        raise ValueError(f"Expected theta to have floating point type, but got {theta.dtype}")
    size = list(size)
    if len(size) == 4:
        if theta.dim() != 3 or tuple(theta.shape[-2:]) != (2, 3):
            raise ValueError(f"Expected a batch of 2D affine matrices of shape Nx2x3 for size {size}. Got "
                             f"{list(theta.shape)}.")
        spatial = size[2:]
    elif len(size) == 5:
        if theta.dim() != 3 or tuple(theta.shape[-2:]) != (3, 4):
            raise ValueError(f"Expected a batch of 3D affine matrices of shape Nx3x4 for size {size}. Got "
                             f"{list(theta.shape)}.")
        spatial = size[2:]
    else:
        raise NotImplementedError(f"affine_grid only supports 4D and 5D sizes, for 2D and 3D affine transforms, "
                                  f"respectively. Got size {size}.")
    if min(size) <= 0:
        raise ValueError(f"Expected non-zero, positive output size. Got {size}")
    n = size[0]
    # coordinates ordered x (last dim), y, (z), then the homogeneous 1
    axes = [_linspace_from_neg_one(s, align_corners, theta.dtype) for s in reversed(spatial)]
    shape = tuple(spatial)
    columns = []
    for i, axis in enumerate(axes):
        view = [1] * len(shape)
        view[len(shape) - 1 - i] = axis.numel()
        columns.append(axis.reshape(view).expand(*shape))
    columns.append(_C.ones(shape, dtype=theta.dtype))
    base = _C.stack(columns, -1).reshape(1, -1, len(columns))
    grid = base.matmul(theta.transpose(1, 2))
    return grid.reshape(n, *shape, len(spatial))


def _unnormalize(coord, size, align_corners):
    return (coord + 1) / 2 * (size - 1) if align_corners else ((coord + 1) * size - 1) / 2


def _reflect(coord, twice_low, twice_high):
    if twice_low == twice_high:
        return coord * 0
    low = twice_low / 2
    span = (twice_high - twice_low) / 2
    coord = (coord - low).abs()
    flips = (coord / span).floor()
    extra = coord - flips * span
    return _C.where(flips.remainder(2) == 0, extra + low, span - extra + low)


def _source_coordinate(coord, size, padding_mode, align_corners):
    coord = _unnormalize(coord, size, align_corners)
    if padding_mode == "border":
        coord = coord.clamp(0, size - 1)
    elif padding_mode == "reflection":
        coord = _reflect(coord, 0, 2 * (size - 1)) if align_corners else _reflect(coord, -1, 2 * size - 1)
        coord = coord.clamp(0, size - 1)
    return coord


def _gather(input, ix, iy):
    """input[n, :, iy, ix] for integer index tensors (N, Ho, Wo), and where they are inside."""
    n, c, h, w = input.shape
    inside = (ix >= 0) & (ix <= w - 1) & (iy >= 0) & (iy <= h - 1)
    flat = (iy.clamp(0, h - 1) * w + ix.clamp(0, w - 1)).reshape(n, 1, -1).expand(n, c, -1)
    values = input.reshape(n, c, h * w).gather(2, flat).reshape(n, c, *ix.shape[1:])
    return values, inside.unsqueeze(1)


def grid_sample(input, grid, mode="bilinear", padding_mode="zeros", align_corners=None):
    """Samples (N, C, H, W) ``input`` at the normalized (x, y) positions of ``grid`` (N, Ho, Wo, 2)."""
    if mode not in ("bilinear", "nearest", "bicubic"):
        raise ValueError(f"nn.functional.grid_sample(): expected mode to be 'bilinear', 'nearest' or 'bicubic', "
                         f"but got: '{mode}'")
    if padding_mode not in ("zeros", "border", "reflection"):
        raise ValueError("nn.functional.grid_sample(): expected padding_mode to be 'zeros', 'border', or "
                         f"'reflection', but got: '{padding_mode}'")
    if input.dim() != 4 or mode == "bicubic":
        raise NotImplementedError("grid_sample: only 4-D input with mode 'bilinear' or 'nearest' is supported yet")
    if grid.dim() != 4 or grid.size(-1) != 2 or grid.size(0) != input.size(0):
        raise RuntimeError(f"grid_sampler(): expected grid of shape [{input.size(0)}, H, W, 2] for 4-D input, but "
                           f"got grid with sizes {list(grid.shape)}")
    align_corners = bool(align_corners)
    h, w = input.shape[2:]
    x = _source_coordinate(grid[..., 0], w, padding_mode, align_corners)
    y = _source_coordinate(grid[..., 1], h, padding_mode, align_corners)
    zero = _C.zeros((), dtype=input.dtype)
    if mode == "nearest":
        values, inside = _gather(input, x.round().long(), y.round().long())
        return _C.where(inside, values, zero)
    x0, y0 = x.floor(), y.floor()
    wx, wy = x - x0, y - y0
    x0, y0 = x0.long(), y0.long()
    out = None
    for dy, weight_y in ((0, 1 - wy), (1, wy)):
        for dx, weight_x in ((0, 1 - wx), (1, wx)):
            values, inside = _gather(input, x0 + dx, y0 + dy)
            term = _C.where(inside, values, zero) * (weight_x * weight_y).unsqueeze(1)
            out = term if out is None else out + term
    return out
