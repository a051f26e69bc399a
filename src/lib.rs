//! rustorch: a PyTorch-compatible tensor library. The engine lives here; `python` holds the
//! PyO3 bindings that expose it as the `rustorch._C` extension module.
pub mod autograd;
pub mod backend;
pub mod complex;
pub mod default_dtype;
pub mod dtype;
pub mod error;
pub mod layout;
pub mod ops;
pub mod random;
pub mod storage;
pub mod tensor;

// PyO3 names the generated module after the extension, `_C`, as in PyTorch.
#[allow(non_snake_case)]
mod python;
