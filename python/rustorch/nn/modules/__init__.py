"""The layer classes of ``torch.nn``."""
from .activation import (
    CELU, ELU, GELU, SELU, Hardsigmoid, Hardswish, Hardtanh, LeakyReLU, LogSigmoid, LogSoftmax, Mish,
    PReLU, ReLU, ReLU6, Sigmoid, SiLU, Softmax, Softmin, Softplus, Softsign, Tanh, Tanhshrink, Threshold,
)
from .batchnorm import BatchNorm1d, BatchNorm2d, SyncBatchNorm
from .container import ModuleDict, ModuleList, ParameterDict, ParameterList, Sequential
from .conv import Conv1d, Conv2d, ConvTranspose1d, ConvTranspose2d
from .dropout import Dropout, Dropout2d
from .flatten import Flatten, Unflatten
from .linear import Bilinear, Identity, Linear
from .loss import (
    BCELoss, BCEWithLogitsLoss, CrossEntropyLoss, HuberLoss, KLDivLoss, L1Loss, MSELoss, NLLLoss,
    SmoothL1Loss,
)
from .module import Module
from .normalization import GroupNorm, LayerNorm
from .pooling import AdaptiveAvgPool1d, AdaptiveAvgPool2d, AvgPool1d, AvgPool2d, MaxPool1d, MaxPool2d
from .sparse import Embedding

__all__ = [
    "Module", "Sequential", "ModuleList", "ModuleDict", "ParameterList", "ParameterDict",
    "Identity", "Linear", "Bilinear", "Flatten", "Unflatten", "Dropout", "Dropout2d", "Embedding",
    "LayerNorm", "GroupNorm", "BatchNorm1d", "BatchNorm2d", "SyncBatchNorm",
    "Conv1d", "Conv2d", "ConvTranspose1d", "ConvTranspose2d",
    "MaxPool1d", "MaxPool2d", "AvgPool1d", "AvgPool2d", "AdaptiveAvgPool1d", "AdaptiveAvgPool2d",
    "ReLU", "ReLU6", "LeakyReLU", "Hardtanh", "ELU", "SELU", "CELU", "GELU", "SiLU", "Mish", "Sigmoid",
    "Tanh", "Hardsigmoid", "Hardswish", "LogSigmoid", "Softsign", "Tanhshrink", "Threshold", "PReLU",
    "Softplus", "Softmax", "Softmin", "LogSoftmax",
    "L1Loss", "MSELoss", "SmoothL1Loss", "HuberLoss", "BCELoss", "BCEWithLogitsLoss", "NLLLoss",
    "CrossEntropyLoss", "KLDivLoss",
]
from .rnn import GRU, LSTM, RNN, GRUCell, LSTMCell, RNNBase, RNNCell, RNNCellBase

__all__ += ["RNNBase", "RNN", "LSTM", "GRU", "RNNCellBase", "RNNCell", "LSTMCell", "GRUCell"]
from .adaptive_pooling import AdaptiveMaxPool1d, AdaptiveMaxPool2d
from .batchnorm import BatchNorm3d
from .fold import Fold, Unfold
from .instancenorm import InstanceNorm1d, InstanceNorm2d, InstanceNorm3d
from .normalization import LocalResponseNorm, RMSNorm
from .padding import *  # noqa: F401,F403
from .padding import __all__ as _padding_all
from .pixelshuffle import PixelShuffle, PixelUnshuffle
from .upsampling import Upsample, UpsamplingBilinear2d, UpsamplingNearest2d

__all__ += ["AdaptiveMaxPool1d", "AdaptiveMaxPool2d", "BatchNorm3d", "Fold", "Unfold", "InstanceNorm1d",
            "InstanceNorm2d", "InstanceNorm3d", "RMSNorm", "LocalResponseNorm", "PixelShuffle", "PixelUnshuffle",
            "Upsample", "UpsamplingNearest2d", "UpsamplingBilinear2d"] + _padding_all
from .attention import MultiheadAttention
from .transformer import (
    Transformer, TransformerDecoder, TransformerDecoderLayer, TransformerEncoder, TransformerEncoderLayer,
)

__all__ += ["MultiheadAttention", "Transformer", "TransformerEncoder", "TransformerDecoder",
            "TransformerEncoderLayer", "TransformerDecoderLayer"]
from .activation_extra import GLU, Hardshrink, RReLU, Softmax2d, Softshrink
from .channelshuffle import ChannelShuffle
from .distance import CosineSimilarity, PairwiseDistance
from .dropout_extra import AlphaDropout, Dropout1d, Dropout3d, FeatureAlphaDropout
from .loss_extra import *  # noqa: F401,F403
from .loss_extra import __all__ as _loss_extra_all
from .lp_pooling import LPPool1d, LPPool2d, LPPool3d

__all__ += ["GLU", "Hardshrink", "Softshrink", "RReLU", "Softmax2d", "ChannelShuffle", "CosineSimilarity",
            "PairwiseDistance", "AlphaDropout", "Dropout1d", "Dropout3d", "FeatureAlphaDropout", "LPPool1d",
            "LPPool2d", "LPPool3d"] + _loss_extra_all
from .conv3d import Conv3d, ConvTranspose3d
from .pooling3d import AdaptiveAvgPool3d, AdaptiveMaxPool3d, AvgPool3d, MaxPool3d

__all__ += ["Conv3d", "ConvTranspose3d", "MaxPool3d", "AvgPool3d", "AdaptiveAvgPool3d", "AdaptiveMaxPool3d"]
from .embedding_bag import EmbeddingBag
from .unpooling import MaxUnpool1d, MaxUnpool2d

__all__ += ["EmbeddingBag", "MaxUnpool1d", "MaxUnpool2d"]
