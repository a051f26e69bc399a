"""``SummaryWriter``: scalars, histograms and text, written as TensorBoard event files."""
import os
import socket
import time
from datetime import datetime

import numpy as np
from tensorboard.compat.proto.event_pb2 import Event
from tensorboard.compat.proto.summary_pb2 import HistogramProto, Summary, SummaryMetadata
from tensorboard.compat.proto.tensor_pb2 import TensorProto
from tensorboard.compat.proto.tensor_shape_pb2 import TensorShapeProto
from tensorboard.plugins.text.plugin_data_pb2 import TextPluginData
from tensorboard.summary.writer.event_file_writer import EventFileWriter

__all__ = ["SummaryWriter"]


def _as_numpy(x):
    if hasattr(x, "detach"):
        x = x.detach().numpy()
    return np.asarray(x)


def _tensorflow_bins():
    """TensorFlow's default histogram buckets (exponential, +-1e-12 .. 1e20), as PyTorch uses."""
    v, buckets = 1e-12, []
    while v < 1e20:
        buckets.append(v)
        v *= 1.1
    return [-b for b in reversed(buckets)] + [0] + buckets


def _histogram_proto(values, bins, max_bins=None):
    values = _as_numpy(values).astype(np.float64).reshape(-1)
    if values.size == 0:
        raise ValueError("The input has no element.")
    counts, limits = np.histogram(values, bins=bins)
    if max_bins is not None and len(counts) > max_bins:
        subsampling = len(counts) // max_bins
        remainder = len(counts) % subsampling
        if remainder:
            counts = np.pad(counts, (0, subsampling - remainder))
        counts = counts.reshape(-1, subsampling).sum(axis=-1)
        limits = np.concatenate([limits[:-1:subsampling], limits[-1:]])
    # Keep only the buckets between the first and last non-empty one (with one empty bucket
    # before the first, as PyTorch does).
    cum_counts = np.cumsum(np.greater(counts, 0))
    start, end = np.searchsorted(cum_counts, [0, cum_counts[-1] - 1], side="right")
    start, end = int(start), int(end) + 1
    counts = counts[start - 1:end] if start > 0 else np.concatenate([[0], counts[:end]])
    limits = limits[start:end + 1]
    return HistogramProto(min=values.min(), max=values.max(), num=len(values), sum=values.sum(),
                          sum_squares=values.dot(values), bucket_limit=limits.tolist(),
                          bucket=counts.tolist())


class SummaryWriter:
    """Writes events under ``log_dir`` (default ``runs/<date>_<host><comment>``)."""

    def __init__(self, log_dir=None, comment="", purge_step=None, max_queue=10, flush_secs=120,
                 filename_suffix=""):
        if not log_dir:
            current_time = datetime.now().strftime("%b%d_%H-%M-%S")
            log_dir = os.path.join("runs", current_time + "_" + socket.gethostname() + comment)
        self.log_dir = str(log_dir)
        self.purge_step = purge_step
        self._writer = EventFileWriter(self.log_dir, max_queue, flush_secs, filename_suffix)
        if purge_step is not None:
            self._writer.add_event(Event(step=purge_step, file_version="brain.Event:2"))
        self._tf_bins = None

    def get_logdir(self):
        return self.log_dir

    def _add_summary(self, value, global_step, walltime):
        event = Event(summary=Summary(value=[value]),
                      wall_time=time.time() if walltime is None else walltime)
        if global_step is not None:
            event.step = int(global_step)
        self._writer.add_event(event)

    def add_scalar(self, tag, scalar_value, global_step=None, walltime=None, new_style=False,
                   double_precision=False):
        value = float(_as_numpy(scalar_value).squeeze())
        if new_style:
            dtype = "DT_DOUBLE" if double_precision else "DT_FLOAT"
            field = "double_val" if double_precision else "float_val"
            tensor = TensorProto(dtype=dtype, tensor_shape=TensorShapeProto(), **{field: [value]})
            metadata = SummaryMetadata(plugin_data=SummaryMetadata.PluginData(plugin_name="scalars"))
            summary_value = Summary.Value(tag=tag, tensor=tensor, metadata=metadata)
        else:
            summary_value = Summary.Value(tag=tag, simple_value=value)
        self._add_summary(summary_value, global_step, walltime)

    def add_scalars(self, main_tag, tag_scalar_dict, global_step=None, walltime=None):
        """Each scalar goes to its own sub-run ``<log_dir>/<main_tag>_<tag>``, as in PyTorch."""
        walltime = time.time() if walltime is None else walltime
        if not hasattr(self, "_sub_writers"):
            self._sub_writers = {}
        for tag, value in tag_scalar_dict.items():
            name = os.path.join(self.log_dir, main_tag.replace("/", "_") + "_" + tag)
            writer = self._sub_writers.get(name)
            if writer is None:
                writer = self._sub_writers[name] = EventFileWriter(name)
            event = Event(summary=Summary(value=[Summary.Value(tag=main_tag, simple_value=float(_as_numpy(value).squeeze()))]),
                          wall_time=walltime)
            if global_step is not None:
                event.step = int(global_step)
            writer.add_event(event)

    def add_histogram(self, tag, values, global_step=None, bins="tensorflow", walltime=None,
                      max_bins=None):
        if isinstance(bins, str) and bins == "tensorflow":
            if self._tf_bins is None:
                self._tf_bins = _tensorflow_bins()
            bins = self._tf_bins
        value = Summary.Value(tag=tag, histo=_histogram_proto(values, bins, max_bins))
        self._add_summary(value, global_step, walltime)

    def add_text(self, tag, text_string, global_step=None, walltime=None):
        plugin_data = SummaryMetadata.PluginData(
            plugin_name="text", content=TextPluginData(version=0).SerializeToString())
        tensor = TensorProto(dtype="DT_STRING", string_val=[text_string.encode("utf-8")],
                             tensor_shape=TensorShapeProto(dim=[TensorShapeProto.Dim(size=1)]))
        value = Summary.Value(tag=tag + "/text_summary", metadata=SummaryMetadata(plugin_data=plugin_data),
                              tensor=tensor)
        self._add_summary(value, global_step, walltime)

    def flush(self):
        self._writer.flush()
        for writer in getattr(self, "_sub_writers", {}).values():
            writer.flush()

    def close(self):
        self._writer.close()
        for writer in getattr(self, "_sub_writers", {}).values():
            writer.close()

    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc_val, exc_tb):
        self.close()
