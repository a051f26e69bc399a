"""torchvision.transforms.functional on rustorch: the same functions on Pillow images and on
(..., C, H, W) tensors. Tensor arithmetic follows torchvision's formulas (float32 for uint8
images, rounding/clamping where torchvision does); Pillow images go through Pillow itself, as
torchvision does, so results match torchvision's bit for bit where Pillow is the engine."""
import math
import numbers
from enum import Enum

import numpy as np

import rustorch as torch


class InterpolationMode(Enum):
    NEAREST = "nearest"
    NEAREST_EXACT = "nearest-exact"
    BILINEAR = "bilinear"
    BICUBIC = "bicubic"
    BOX = "box"
    HAMMING = "hamming"
    LANCZOS = "lanczos"


def _pil():
    # Pillow is optional: only Pillow inputs (or ToPILImage) need it.
    try:
        from PIL import Image
    except ImportError as error:
        raise ImportError("this transform needs Pillow: pip install pillow") from error
    return Image


def _is_pil_image(img):
    try:
        from PIL import Image
    except ImportError:
        return False
    return isinstance(img, Image.Image)


def _pil_resample(mode):
    Image = _pil()
    return {InterpolationMode.NEAREST: Image.NEAREST, InterpolationMode.BILINEAR: Image.BILINEAR,
            InterpolationMode.BICUBIC: Image.BICUBIC, InterpolationMode.BOX: Image.BOX,
            InterpolationMode.HAMMING: Image.HAMMING, InterpolationMode.LANCZOS: Image.LANCZOS}[mode]


def _check_tensor(img):
    if not isinstance(img, torch.Tensor):
        raise TypeError(f"img should be PIL Image or Tensor. Got {type(img)}")
    if img.ndim < 2:
        raise TypeError(f"Tensor is not a torch image. Got {img.ndim} dimensions")


def _max_value(dtype):
    if dtype == torch.uint8:
        return 255
    if dtype.is_floating_point:
        return 1.0
    return {torch.int8: 127, torch.int16: 32767, torch.int32: 2**31 - 1, torch.int64: 2**63 - 1}[dtype]


def get_dimensions(img):
    if _is_pil_image(img):
        return [len(img.getbands()), img.height, img.width]
    _check_tensor(img)
    channels = 1 if img.ndim == 2 else img.shape[-3]
    return [channels, img.shape[-2], img.shape[-1]]


def get_image_size(img):
    _, h, w = get_dimensions(img)
    return [w, h]


def get_image_num_channels(img):
    return get_dimensions(img)[0]


# ----------------------------------------------------------------------------- conversions

def to_tensor(pic):
    """PIL image or HWC ndarray -> float CHW tensor in [0, 1] (uint8 input divided by 255)."""
    if not (_is_pil_image(pic) or isinstance(pic, np.ndarray)):
        raise TypeError(f"pic should be PIL Image or ndarray. Got {type(pic)}")
    if isinstance(pic, np.ndarray):
        if pic.ndim not in (2, 3):
            raise ValueError(f"pic should be 2/3 dimensional. Got {pic.ndim} dimensions.")
        array = pic[:, :, None] if pic.ndim == 2 else pic
        tensor = torch.from_numpy(np.ascontiguousarray(array.transpose(2, 0, 1)))
        return tensor.to(torch.float32).div(255) if tensor.dtype == torch.uint8 else tensor
    mode_dtypes = {"I": np.int32, "I;16": np.int16, "F": np.float32}
    array = np.array(pic, mode_dtypes.get(pic.mode, np.uint8), copy=True)
    if pic.mode == "1":
        array = 255 * array
    tensor = torch.from_numpy(np.ascontiguousarray(array.reshape(pic.height, pic.width, -1).transpose(2, 0, 1)))
    return tensor.to(torch.float32).div(255) if tensor.dtype == torch.uint8 else tensor


def pil_to_tensor(pic):
    if not _is_pil_image(pic):
        raise TypeError(f"pic should be PIL Image. Got {type(pic)}")
    array = np.array(pic, copy=True)
    array = array.reshape(pic.height, pic.width, len(pic.getbands()))
    return torch.from_numpy(np.ascontiguousarray(array.transpose(2, 0, 1)))


def convert_image_dtype(image, dtype=torch.float32):
    if not isinstance(image, torch.Tensor):
        raise TypeError("Input img should be Tensor Image")
    if image.dtype == dtype:
        return image
    if image.dtype.is_floating_point:
        if dtype.is_floating_point:
            return image.to(dtype)
        if (image.dtype == torch.float32 and dtype in (torch.int32, torch.int64)) or (
                image.dtype == torch.float64 and dtype == torch.int64):
            raise RuntimeError(f"The cast from {image.dtype} to {dtype} cannot be performed safely.")
        eps = 1e-3
        max_val = float(_max_value(dtype))
        return image.mul(max_val + 1.0 - eps).to(dtype)
    input_max = float(_max_value(image.dtype))
    if dtype.is_floating_point:
        return image.to(dtype) / input_max
    output_max = float(_max_value(dtype))
    if input_max > output_max:
        factor = int((input_max + 1) // (output_max + 1))
        return torch.div(image, factor, rounding_mode="floor").to(dtype)
    factor = int((output_max + 1) // (input_max + 1))
    return image.to(dtype) * factor


def to_pil_image(pic, mode=None):
    Image = _pil()
    if isinstance(pic, torch.Tensor):
        if pic.ndim not in (2, 3):
            raise ValueError(f"pic should be 2/3 dimensional. Got {pic.ndim} dimensions.")
        if pic.ndim == 2:
            pic = pic.unsqueeze(0)
        if pic.dtype.is_floating_point and mode != "F":
            pic = pic.mul(255).to(torch.uint8)
        array = pic.numpy().transpose(1, 2, 0)
    elif isinstance(pic, np.ndarray):
        array = pic[:, :, None] if pic.ndim == 2 else pic
    else:
        raise TypeError(f"pic should be Tensor or ndarray. Got {type(pic)}.")
    if array.shape[-1] == 1:
        array = array[:, :, 0]
        if mode is None:
            mode = {np.uint8: "L", np.int16: "I;16", np.int32: "I", np.float32: "F"}.get(array.dtype.type)
            if mode is None:
                raise TypeError(f"Input type {array.dtype} is not supported")
        return Image.fromarray(np.ascontiguousarray(array), mode)
    if mode is None:
        mode = {2: "LA", 3: "RGB", 4: "RGBA"}.get(array.shape[-1])
        if mode is None:
            raise ValueError(f"pic has {array.shape[-1]} channels; only 1-4 channel images convert to PIL")
    return Image.fromarray(np.ascontiguousarray(array.astype(np.uint8)), mode)


def normalize(tensor, mean, std, inplace=False):
    if not isinstance(tensor, torch.Tensor):
        raise TypeError(f"img should be Tensor Image. Got {type(tensor)}")
    if not tensor.dtype.is_floating_point:
        raise TypeError(f"Input tensor should be a float tensor. Got {tensor.dtype}.")
    if tensor.ndim < 3:
        raise ValueError(f"Expected tensor to be a tensor image of size (..., C, H, W). Got {tuple(tensor.shape)}.")
    mean = torch.as_tensor(mean, dtype=tensor.dtype)
    std = torch.as_tensor(std, dtype=tensor.dtype)
    if (std == 0).any():
        raise ValueError(f"std evaluated to zero after conversion to {tensor.dtype}, leading to division by zero.")
    if mean.ndim == 1:
        mean = mean.view(-1, 1, 1)
    if std.ndim == 1:
        std = std.view(-1, 1, 1)
    if inplace:
        return tensor.sub_(mean).div_(std)
    return tensor.sub(mean).div(std)


# ----------------------------------------------------------------------------- geometry

def _compute_resized_output_size(image_size, size, max_size=None):
    h, w = image_size
    short, long = (w, h) if w <= h else (h, w)
    if len(size) == 1:
        requested_new_short = size[0]
        new_short, new_long = requested_new_short, int(requested_new_short * long / short)
        if max_size is not None:
            if max_size <= requested_new_short:
                raise ValueError(f"max_size = {max_size} must be strictly greater than the requested "
                                 f"size for the smaller edge size = {size}")
            if new_long > max_size:
                new_short, new_long = int(max_size * new_short / new_long), max_size
        new_w, new_h = (new_short, new_long) if w <= h else (new_long, new_short)
    else:
        new_w, new_h = size[1], size[0]
    return [new_h, new_w]


def _antialias_weights(in_size, out_size):
    """PyTorch's antialiased bilinear (triangle filter stretched by the downscale factor, as
    Pillow does): an (out_size, in_size) matrix of normalised weights."""
    scale = in_size / out_size
    support = scale if scale >= 1.0 else 1.0
    weights = np.zeros((out_size, in_size), np.float64)
    for i in range(out_size):
        center = scale * (i + 0.5)
        lo = max(int(center - support + 0.5), 0)
        hi = min(int(center + support + 0.5), in_size)
        taps = (np.arange(lo, hi) - center + 0.5) / support
        w = np.clip(1.0 - np.abs(taps), 0.0, None)
        weights[i, lo:hi] = w / w.sum()
    return weights


def _resize_tensor(img, size, interpolation, antialias):
    # Any (..., H, W) image: fold the leading dims into channels of one (1, N, H, W) batch.
    leading = tuple(img.shape[:-2])
    batch = img.reshape(1, -1, img.shape[-2], img.shape[-1])
    out_dtype = img.dtype
    if not out_dtype.is_floating_point:
        batch = batch.to(torch.float32)
    mode = interpolation.value
    if antialias and mode == "bilinear":
        rows = torch.from_numpy(_antialias_weights(batch.shape[-2], size[0]).astype(np.float32)).to(batch.dtype)
        cols = torch.from_numpy(_antialias_weights(batch.shape[-1], size[1]).astype(np.float32)).to(batch.dtype)
        out = torch.matmul(torch.matmul(rows, batch), cols.t())
    elif antialias and mode == "bicubic":
        raise NotImplementedError("resize: antialiased bicubic on tensors is not supported yet "
                                  "(pass antialias=False, or resize a PIL image)")
    else:
        align = False if mode in ("bilinear", "bicubic") else None
        out = torch.nn.functional.interpolate(batch, size=list(size), mode=mode, align_corners=align)
    if mode == "bicubic" and out_dtype == torch.uint8:
        out = out.clamp(0, 255)
    if not out_dtype.is_floating_point:
        out = torch.round(out).to(out_dtype)
    return out.reshape(leading + tuple(size))


def resize(img, size, interpolation=InterpolationMode.BILINEAR, max_size=None, antialias=True):
    if isinstance(interpolation, int):
        interpolation = {0: InterpolationMode.NEAREST, 2: InterpolationMode.BILINEAR, 3: InterpolationMode.BICUBIC,
                         4: InterpolationMode.BOX, 5: InterpolationMode.HAMMING, 1: InterpolationMode.LANCZOS}[interpolation]
    if isinstance(size, numbers.Number):
        size = [int(size)]
    size = list(size)
    _, h, w = get_dimensions(img)
    output_size = _compute_resized_output_size((h, w), size, max_size)
    if [h, w] == output_size:
        return img
    if _is_pil_image(img):
        return img.resize(tuple(output_size[::-1]), _pil_resample(interpolation))
    return _resize_tensor(img, output_size, interpolation, bool(antialias))


def crop(img, top, left, height, width):
    if _is_pil_image(img):
        return img.crop((left, top, left + width, top + height))
    _check_tensor(img)
    _, h, w = get_dimensions(img)
    right, bottom = left + width, top + height
    if left < 0 or top < 0 or right > w or bottom > h:
        padding = [max(-left + min(0, right), 0), max(-top + min(0, bottom), 0),
                   max(right - max(w, left), 0), max(bottom - max(h, top), 0)]
        return pad(img[..., max(top, 0):bottom, max(left, 0):right], padding, fill=0)
    return img[..., top:bottom, left:right]


def center_crop(img, output_size):
    if isinstance(output_size, numbers.Number):
        output_size = (int(output_size), int(output_size))
    elif isinstance(output_size, (tuple, list)) and len(output_size) == 1:
        output_size = (output_size[0], output_size[0])
    _, image_height, image_width = get_dimensions(img)
    crop_height, crop_width = output_size
    if crop_width > image_width or crop_height > image_height:
        padding_ltrb = [
            (crop_width - image_width) // 2 if crop_width > image_width else 0,
            (crop_height - image_height) // 2 if crop_height > image_height else 0,
            (crop_width - image_width + 1) // 2 if crop_width > image_width else 0,
            (crop_height - image_height + 1) // 2 if crop_height > image_height else 0,
        ]
        img = pad(img, padding_ltrb, fill=0)
        _, image_height, image_width = get_dimensions(img)
        if crop_width == image_width and crop_height == image_height:
            return img
    crop_top = int(round((image_height - crop_height) / 2.0))
    crop_left = int(round((image_width - crop_width) / 2.0))
    return crop(img, crop_top, crop_left, crop_height, crop_width)


def resized_crop(img, top, left, height, width, size, interpolation=InterpolationMode.BILINEAR, antialias=True):
    return resize(crop(img, top, left, height, width), size, interpolation, antialias=antialias)


def hflip(img):
    if _is_pil_image(img):
        return img.transpose(_pil().FLIP_LEFT_RIGHT)
    _check_tensor(img)
    return img.flip(-1)


def vflip(img):
    if _is_pil_image(img):
        return img.transpose(_pil().FLIP_TOP_BOTTOM)
    _check_tensor(img)
    return img.flip(-2)


def _parse_padding(padding):
    if isinstance(padding, numbers.Number):
        padding = [int(padding)]
    padding = list(padding)
    if len(padding) not in (1, 2, 4):
        raise ValueError(f"Padding must be an int or a 1, 2, or 4 element tuple, not a {len(padding)} element tuple")
    if len(padding) == 1:
        return padding * 4
    if len(padding) == 2:
        return [padding[0], padding[1], padding[0], padding[1]]
    return padding


def pad(img, padding, fill=0, padding_mode="constant"):
    if padding_mode not in ("constant", "edge", "reflect", "symmetric"):
        raise ValueError("Padding mode should be either constant, edge, reflect or symmetric")
    left, top, right, bottom = _parse_padding(padding)
    numpy_mode = {"constant": "constant", "edge": "edge", "reflect": "reflect", "symmetric": "symmetric"}[padding_mode]
    if _is_pil_image(img):
        Image = _pil()
        if padding_mode == "constant" and img.mode != "P":
            from PIL import ImageOps
            if min(left, top, right, bottom) >= 0:
                if isinstance(fill, numbers.Number) and len(img.getbands()) > 1:
                    fill = (fill,) * len(img.getbands())  # a bare number would fill the first band only
                return ImageOps.expand(img, border=(left, top, right, bottom), fill=fill)
        array = np.asarray(img)
        widths = [(top, bottom), (left, right)] + ([(0, 0)] if array.ndim == 3 else [])
        kwargs = {"constant_values": fill} if padding_mode == "constant" else {}
        return Image.fromarray(np.pad(array, widths, numpy_mode, **kwargs), img.mode)
    _check_tensor(img)
    if min(left, top, right, bottom) < 0:
        img = img[..., max(-top, 0):img.shape[-2] - max(-bottom, 0), max(-left, 0):img.shape[-1] - max(-right, 0)]
        left, top, right, bottom = (max(v, 0) for v in (left, top, right, bottom))
    array = img.numpy()
    widths = [(0, 0)] * (array.ndim - 2) + [(top, bottom), (left, right)]
    kwargs = {"constant_values": fill} if padding_mode == "constant" else {}
    return torch.from_numpy(np.ascontiguousarray(np.pad(array, widths, numpy_mode, **kwargs)))


# ----------------------------------------------------------------------------- colour

def _blend(img1, img2, ratio):
    ratio = float(ratio)
    bound = _max_value(img1.dtype)
    return (ratio * img1 + (1.0 - ratio) * img2).clamp(0, bound).to(img1.dtype)


def rgb_to_grayscale(img, num_output_channels=1):
    if num_output_channels not in (1, 3):
        raise ValueError("num_output_channels should be either 1 or 3")
    if _is_pil_image(img):
        gray = img.convert("L")
        if num_output_channels == 3:
            return _pil().merge("RGB", [gray, gray, gray])
        return gray
    _check_tensor(img)
    if img.ndim >= 3 and img.shape[-3] == 3:
        r, g, b = img.unbind(dim=-3)
        gray = (0.2989 * r + 0.587 * g + 0.114 * b).to(img.dtype).unsqueeze(dim=-3)
    else:
        gray = img.clone()
    if num_output_channels == 3:
        return gray.expand(img.shape)
    return gray


def to_grayscale(img, num_output_channels=1):
    return rgb_to_grayscale(img, num_output_channels)


def adjust_brightness(img, brightness_factor):
    if brightness_factor < 0:
        raise ValueError(f"brightness_factor ({brightness_factor}) is not non-negative.")
    if _is_pil_image(img):
        from PIL import ImageEnhance
        return ImageEnhance.Brightness(img).enhance(brightness_factor)
    return _blend(img, torch.zeros_like(img), brightness_factor)


def adjust_contrast(img, contrast_factor):
    if contrast_factor < 0:
        raise ValueError(f"contrast_factor ({contrast_factor}) is not non-negative.")
    if _is_pil_image(img):
        from PIL import ImageEnhance
        return ImageEnhance.Contrast(img).enhance(contrast_factor)
    dtype = img.dtype if img.dtype.is_floating_point else torch.float32
    source = rgb_to_grayscale(img) if get_dimensions(img)[0] == 3 else img
    mean = torch.mean(source.to(dtype), dim=(-3, -2, -1), keepdim=True)
    return _blend(img, mean, contrast_factor)


def adjust_saturation(img, saturation_factor):
    if saturation_factor < 0:
        raise ValueError(f"saturation_factor ({saturation_factor}) is not non-negative.")
    if _is_pil_image(img):
        from PIL import ImageEnhance
        return ImageEnhance.Color(img).enhance(saturation_factor)
    if get_dimensions(img)[0] == 1:
        return img
    return _blend(img, rgb_to_grayscale(img), saturation_factor)


def _rgb2hsv(img):
    r, g, b = img.unbind(dim=-3)
    maxc = torch.max(img, dim=-3).values
    minc = torch.min(img, dim=-3).values
    eqc = maxc == minc
    cr = maxc - minc
    ones = torch.ones_like(maxc)
    s = cr / torch.where(eqc, ones, maxc)
    cr_divisor = torch.where(eqc, ones, cr)
    rc = (maxc - r) / cr_divisor
    gc = (maxc - g) / cr_divisor
    bc = (maxc - b) / cr_divisor
    hr = (maxc == r) * (bc - gc)
    hg = ((maxc == g) & (maxc != r)) * (2.0 + rc - bc)
    hb = ((maxc != g) & (maxc != r)) * (4.0 + gc - rc)
    h = torch.fmod((hr + hg + hb) / 6.0 + 1.0, 1.0)
    return torch.stack((h, s, maxc), dim=-3)


def _hsv2rgb(img):
    h, s, v = img.unbind(dim=-3)
    i = torch.floor(h * 6.0)
    f = (h * 6.0) - i
    i = i.to(dtype=torch.int32) % 6
    p = torch.clamp(v * (1.0 - s), 0.0, 1.0)
    q = torch.clamp(v * (1.0 - s * f), 0.0, 1.0)
    t = torch.clamp(v * (1.0 - s * (1.0 - f)), 0.0, 1.0)
    # Each output channel picks one of (v, q, p, t) by the sector index i.
    sectors = [torch.stack(choice, dim=-3) for choice in
               ((v, t, p), (q, v, p), (p, v, t), (p, q, v), (t, p, v), (v, p, q))]
    out = torch.zeros_like(img)
    for index, rgb in enumerate(sectors):
        out = torch.where((i == index).unsqueeze(-3), rgb, out)
    return out


def adjust_hue(img, hue_factor):
    if not (-0.5 <= hue_factor <= 0.5):
        raise ValueError(f"hue_factor ({hue_factor}) is not in [-0.5, 0.5].")
    if _is_pil_image(img):
        Image = _pil()
        input_mode = img.mode
        if input_mode in {"L", "1", "I", "F"}:
            return img
        h, s, v = img.convert("HSV").split()
        np_h = np.array(h, dtype=np.uint8)
        np_h += np.int32(hue_factor * 255).astype(np.uint8)  # wraps around, as hue should
        return Image.merge("HSV", (Image.fromarray(np_h, "L"), s, v)).convert(input_mode)
    if get_dimensions(img)[0] == 1:
        return img
    orig_dtype = img.dtype
    hsv = _rgb2hsv(convert_image_dtype(img, torch.float32))
    h, s, v = hsv.unbind(dim=-3)
    rgb = _hsv2rgb(torch.stack(((h + hue_factor) % 1.0, s, v), dim=-3))
    return convert_image_dtype(rgb, orig_dtype)
