"""ResNet (He et al., "Deep Residual Learning for Image Recognition") as torchvision builds it:
the same submodule names, order and init, so state_dicts are interchangeable with torchvision's."""
from ... import nn
from ._api import (
    Weights, WeightsEnum, _legacy_pretrained, _ovewrite_named_param, _state_dict_from_weights, register_model,
)

__all__ = ["ResNet", "BasicBlock", "Bottleneck", "ResNet18_Weights", "ResNet34_Weights", "ResNet50_Weights",
           "resnet18", "resnet34", "resnet50"]


def conv3x3(in_planes, out_planes, stride=1, groups=1, dilation=1):
    """3x3 convolution whose padding keeps the spatial size (at stride 1)."""
    return nn.Conv2d(in_planes, out_planes, kernel_size=3, stride=stride, padding=dilation, groups=groups,
                     bias=False, dilation=dilation)


def conv1x1(in_planes, out_planes, stride=1):
    return nn.Conv2d(in_planes, out_planes, kernel_size=1, stride=stride, bias=False)


class BasicBlock(nn.Module):
    """Two 3x3 convolutions plus the identity (resnet18/34)."""

    expansion = 1

    def __init__(self, inplanes, planes, stride=1, downsample=None, groups=1, base_width=64, dilation=1,
                 norm_layer=None):
        super().__init__()
        if norm_layer is None:
            norm_layer = nn.BatchNorm2d
        if groups != 1 or base_width != 64:
            raise ValueError("BasicBlock only supports groups=1 and base_width=64")
        if dilation > 1:
            raise NotImplementedError("Dilation > 1 not supported in BasicBlock")
        # conv1 and downsample both stride, so the two branches keep the same size.
        self.conv1 = conv3x3(inplanes, planes, stride)
        self.bn1 = norm_layer(planes)
        self.relu = nn.ReLU(inplace=True)
        self.conv2 = conv3x3(planes, planes)
        self.bn2 = norm_layer(planes)
        self.downsample = downsample
        self.stride = stride

    def forward(self, x):
        identity = x
        out = self.relu(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out))
        if self.downsample is not None:
            identity = self.downsample(x)
        out += identity
        return self.relu(out)


class Bottleneck(nn.Module):
    """1x1 reduce, 3x3, 1x1 expand, plus the identity (resnet50+). As in torchvision ("ResNet
    V1.5") the stride sits on the 3x3 convolution, not the first 1x1."""

    expansion = 4

    def __init__(self, inplanes, planes, stride=1, downsample=None, groups=1, base_width=64, dilation=1,
                 norm_layer=None):
        super().__init__()
        if norm_layer is None:
            norm_layer = nn.BatchNorm2d
        width = int(planes * (base_width / 64.0)) * groups
        self.conv1 = conv1x1(inplanes, width)
        self.bn1 = norm_layer(width)
        self.conv2 = conv3x3(width, width, stride, groups, dilation)
        self.bn2 = norm_layer(width)
        self.conv3 = conv1x1(width, planes * self.expansion)
        self.bn3 = norm_layer(planes * self.expansion)
        self.relu = nn.ReLU(inplace=True)
        self.downsample = downsample
        self.stride = stride

    def forward(self, x):
        identity = x
        out = self.relu(self.bn1(self.conv1(x)))
        out = self.relu(self.bn2(self.conv2(out)))
        out = self.bn3(self.conv3(out))
        if self.downsample is not None:
            identity = self.downsample(x)
        out += identity
        return self.relu(out)


class ResNet(nn.Module):
    def __init__(self, block, layers, num_classes=1000, zero_init_residual=False, groups=1, width_per_group=64,
                 replace_stride_with_dilation=None, norm_layer=None):
        super().__init__()
        if norm_layer is None:
            norm_layer = nn.BatchNorm2d
        self._norm_layer = norm_layer
        self.inplanes = 64
        self.dilation = 1
        if replace_stride_with_dilation is None:
            # One flag per stage 2-4: replace its stride-2 downsampling with dilation.
            replace_stride_with_dilation = [False, False, False]
        if len(replace_stride_with_dilation) != 3:
            raise ValueError("replace_stride_with_dilation should be None "
                             f"or a 3-element tuple, got {replace_stride_with_dilation}")
        self.groups = groups
        self.base_width = width_per_group
        self.conv1 = nn.Conv2d(3, self.inplanes, kernel_size=7, stride=2, padding=3, bias=False)
        self.bn1 = norm_layer(self.inplanes)
        self.relu = nn.ReLU(inplace=True)
        self.maxpool = nn.MaxPool2d(kernel_size=3, stride=2, padding=1)
        self.layer1 = self._make_layer(block, 64, layers[0])
        self.layer2 = self._make_layer(block, 128, layers[1], stride=2, dilate=replace_stride_with_dilation[0])
        self.layer3 = self._make_layer(block, 256, layers[2], stride=2, dilate=replace_stride_with_dilation[1])
        self.layer4 = self._make_layer(block, 512, layers[3], stride=2, dilate=replace_stride_with_dilation[2])
        self.avgpool = nn.AdaptiveAvgPool2d((1, 1))
        self.fc = nn.Linear(512 * block.expansion, num_classes)

        for m in self.modules():
            if isinstance(m, nn.Conv2d):
                nn.init.kaiming_normal_(m.weight, mode="fan_out", nonlinearity="relu")
            elif isinstance(m, (nn.BatchNorm2d, nn.GroupNorm)):
                nn.init.constant_(m.weight, 1)
                nn.init.constant_(m.bias, 0)
        # A zero last-BN scale makes every residual block start as the identity
        # (Goyal et al., https://arxiv.org/abs/1706.02677).
        if zero_init_residual:
            for m in self.modules():
                if isinstance(m, Bottleneck) and m.bn3.weight is not None:
                    nn.init.constant_(m.bn3.weight, 0)
                elif isinstance(m, BasicBlock) and m.bn2.weight is not None:
                    nn.init.constant_(m.bn2.weight, 0)

    def _make_layer(self, block, planes, blocks, stride=1, dilate=False):
        norm_layer = self._norm_layer
        downsample = None
        previous_dilation = self.dilation
        if dilate:
            self.dilation *= stride
            stride = 1
        if stride != 1 or self.inplanes != planes * block.expansion:
            downsample = nn.Sequential(
                conv1x1(self.inplanes, planes * block.expansion, stride),
                norm_layer(planes * block.expansion),
            )
        layers = [block(self.inplanes, planes, stride, downsample, self.groups, self.base_width,
                        previous_dilation, norm_layer)]
        self.inplanes = planes * block.expansion
        for _ in range(1, blocks):
            layers.append(block(self.inplanes, planes, groups=self.groups, base_width=self.base_width,
                                dilation=self.dilation, norm_layer=norm_layer))
        return nn.Sequential(*layers)

    def _forward_impl(self, x):
        x = self.maxpool(self.relu(self.bn1(self.conv1(x))))
        x = self.layer1(x)
        x = self.layer2(x)
        x = self.layer3(x)
        x = self.layer4(x)
        x = self.avgpool(x)
        x = x.flatten(1)
        return self.fc(x)

    def forward(self, x):
        return self._forward_impl(x)


def _resnet(block, layers, weights, weights_enum, **kwargs):
    weights = _legacy_pretrained(kwargs, weights, weights_enum.IMAGENET1K_V1)
    state_dict = _state_dict_from_weights(weights, weights_enum)
    if state_dict is not None and "fc.weight" in state_dict:
        # As torchvision fixes num_classes from the weights' categories: the checkpoint's head size.
        _ovewrite_named_param(kwargs, "num_classes", state_dict["fc.weight"].shape[0])
    model = ResNet(block, layers, **kwargs)
    if state_dict is not None:
        model.load_state_dict(state_dict)
    return model


_COMMON_META = {"min_size": (1, 1)}


class ResNet18_Weights(WeightsEnum):
    IMAGENET1K_V1 = Weights(url="https://download.pytorch.org/models/resnet18-f37072fd.pth",
                            meta={**_COMMON_META, "num_params": 11689512})
    DEFAULT = IMAGENET1K_V1


class ResNet34_Weights(WeightsEnum):
    IMAGENET1K_V1 = Weights(url="https://download.pytorch.org/models/resnet34-b627a593.pth",
                            meta={**_COMMON_META, "num_params": 21797672})
    DEFAULT = IMAGENET1K_V1


class ResNet50_Weights(WeightsEnum):
    IMAGENET1K_V1 = Weights(url="https://download.pytorch.org/models/resnet50-0676ba61.pth",
                            meta={**_COMMON_META, "num_params": 25557032})
    IMAGENET1K_V2 = Weights(url="https://download.pytorch.org/models/resnet50-11ad3fa6.pth",
                            meta={**_COMMON_META, "num_params": 25557032})
    DEFAULT = IMAGENET1K_V2


@register_model
def resnet18(*, weights=None, progress=True, **kwargs):
    """ResNet-18. ``weights``: None (random init) or a local checkpoint path (e.g. torchvision's
    resnet18-f37072fd.pth); remaining kwargs go to :class:`ResNet`."""
    return _resnet(BasicBlock, [2, 2, 2, 2], weights, ResNet18_Weights, **kwargs)


@register_model
def resnet34(*, weights=None, progress=True, **kwargs):
    """ResNet-34. ``weights``: None (random init) or a local checkpoint path."""
    return _resnet(BasicBlock, [3, 4, 6, 3], weights, ResNet34_Weights, **kwargs)


@register_model
def resnet50(*, weights=None, progress=True, **kwargs):
    """ResNet-50 (V1.5: stride on the 3x3 convolution). ``weights``: None (random init) or a local
    checkpoint path."""
    return _resnet(Bottleneck, [3, 4, 6, 3], weights, ResNet50_Weights, **kwargs)
