"""A Rust panic inside a binding reaches Python as a RuntimeError (never as PyO3's
BaseException-derived PanicException, which `except Exception` would not catch)."""
import pytest

import rustorch


def test_injected_panic_is_a_runtime_error():
    with pytest.raises(RuntimeError, match="fuzz_probe: injected panic") as info:
        rustorch._C._test_panic("fuzz_probe")
    assert isinstance(info.value, Exception)
    assert type(info.value).__name__ == "RuntimeError"


def test_panic_is_caught_by_except_exception():
    try:
        rustorch._C._test_panic("probe")
    except Exception as e:  # noqa: BLE001 - the point of the test
        caught = e
    assert isinstance(caught, RuntimeError)
