"""Transform cases shared by record.py (run under real torchvision) and test_vision_data.py (run
under rustorch.vision): each case builds a transform from the module it is given, so the very same
code runs on both sides. Inputs are small synthetic images made from a fixed NumPy seed."""
import numpy as np

HEIGHT, WIDTH = 13, 17


def rgb_array():
    return np.random.RandomState(0).randint(0, 256, size=(HEIGHT, WIDTH, 3)).astype(np.uint8)


def inputs(torch, Image):
    """name -> input image; Pillow images only where Pillow (``Image``) is given."""
    array = rgb_array()
    made = {"u8": torch.from_numpy(np.ascontiguousarray(array.transpose(2, 0, 1))),
            "f32": torch.from_numpy(np.ascontiguousarray(array.transpose(2, 0, 1))).float() / 255}
    if Image is not None:
        made["pil"] = Image.fromarray(array)
        made["pil_l"] = Image.fromarray(array[:, :, 0])
    return made


def cases(T, torch):
    """name -> (transform factory, input names, draws per seed). Factories take the transforms module."""
    mean, std = [0.485, 0.456, 0.406], [0.229, 0.224, 0.225]
    return {
        "to_tensor": (lambda: T.ToTensor(), ["pil", "pil_l"], 1),
        "pil_to_tensor": (lambda: T.PILToTensor(), ["pil", "pil_l"], 1),
        "convert_u8_f32": (lambda: T.ConvertImageDtype(torch.float32), ["u8"], 1),
        "convert_f32_u8": (lambda: T.ConvertImageDtype(torch.uint8), ["f32"], 1),
        "to_pil": (lambda: T.Compose([T.ToPILImage(), T.PILToTensor()]), ["u8", "f32"], 1),
        "normalize": (lambda: T.Compose([T.ConvertImageDtype(torch.float32), T.Normalize(mean, std)]), ["u8"], 1),
        "resize_short": (lambda: T.Resize(7), ["pil", "pil_l", "u8", "f32"], 1),
        "resize_hw_up": (lambda: T.Resize((20, 25)), ["pil", "u8", "f32"], 1),
        "resize_nearest": (lambda: T.Resize((6, 9), interpolation=T.InterpolationMode.NEAREST), ["pil", "u8"], 1),
        "resize_bicubic": (lambda: T.Resize((6, 9), interpolation=T.InterpolationMode.BICUBIC), ["pil"], 1),
        "resize_noaa": (lambda: T.Resize((6, 9), antialias=False), ["u8", "f32"], 1),
        "center_crop": (lambda: T.CenterCrop((8, 9)), ["pil", "u8"], 1),
        "center_crop_pad": (lambda: T.CenterCrop(16), ["pil", "u8"], 1),
        "pad": (lambda: T.Pad((1, 2, 3, 4), fill=7), ["pil", "u8"], 1),
        "pad_reflect": (lambda: T.Pad(2, padding_mode="reflect"), ["pil", "u8"], 1),
        "pad_edge": (lambda: T.Pad([1, 3], padding_mode="edge"), ["u8"], 1),
        "pad_symmetric": (lambda: T.Pad(3, padding_mode="symmetric"), ["u8"], 1),
        "grayscale": (lambda: T.Grayscale(), ["pil", "u8", "f32"], 1),
        "grayscale3": (lambda: T.Grayscale(3), ["pil", "u8"], 1),
        "lambda": (lambda: T.Lambda(lambda x: x), ["u8"], 1),
        "random_crop": (lambda: T.RandomCrop((5, 6)), ["pil", "u8"], 4),
        "random_crop_pad": (lambda: T.RandomCrop(15, padding=2, pad_if_needed=True), ["pil", "u8"], 3),
        "hflip": (lambda: T.RandomHorizontalFlip(), ["pil", "u8"], 6),
        "vflip": (lambda: T.RandomVerticalFlip(0.3), ["pil", "u8"], 6),
        "random_resized_crop": (lambda: T.RandomResizedCrop(8), ["pil", "u8", "f32"], 4),
        "random_resized_crop_narrow": (lambda: T.RandomResizedCrop((6, 4), scale=(0.9, 1.0), ratio=(0.2, 0.25)),
                                       ["u8"], 2),
        "color_jitter": (lambda: T.ColorJitter(0.4, 0.4, 0.4, 0.1), ["pil", "u8", "f32"], 3),
        "color_jitter_hue": (lambda: T.ColorJitter(hue=0.3), ["pil", "f32"], 2),
        "random_apply": (lambda: T.RandomApply([T.RandomHorizontalFlip(1.0), T.Grayscale()], p=0.5), ["u8"], 5),
        "random_choice": (lambda: T.RandomChoice([T.RandomHorizontalFlip(1.0), T.RandomVerticalFlip(1.0)]),
                          ["u8"], 4),
        "random_order": (lambda: T.RandomOrder([T.Pad(1), T.CenterCrop(9), T.RandomCrop(6)]), ["u8"], 4),
        "random_grayscale": (lambda: T.RandomGrayscale(0.5), ["pil", "u8"], 5),
        "pipeline": (lambda: T.Compose([T.RandomResizedCrop(10), T.RandomHorizontalFlip(), T.ToTensor(),
                                        T.Normalize(mean, std)]), ["pil"], 3),
    }


V2_NAMES = ["random_crop", "hflip", "vflip", "random_resized_crop", "center_crop", "resize_short", "pad",
            "normalize", "color_jitter", "grayscale", "random_apply"]


def to_array(out):
    """(kind, ndarray) of a transform's output: a Pillow image or a tensor."""
    if hasattr(out, "getbands"):
        return "pil:" + out.mode, np.array(out)
    return "tensor:" + str(out.dtype).replace("torch.", "").replace("rustorch.", ""), out.numpy()


def repr_objects(T, D, torch, files):
    """Objects whose repr must read as torchvision's."""
    mnist = D.MNIST(files, transform=T.Compose([T.ToTensor(), T.Normalize([0.5], [0.5])]),
                    target_transform=T.Lambda(int))
    return [mnist, T.RandomApply([T.RandomHorizontalFlip()]), T.ConvertImageDtype(torch.float32),
            T.RandomResizedCrop(8), T.ColorJitter(0.1), T.Resize(5), T.RandomChoice([T.Grayscale()]),
            T.ToPILImage(), T.Pad(2), T.RandomVerticalFlip(), T.CenterCrop(3), T.RandomCrop(4, padding=1)]
