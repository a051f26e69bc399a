//! Tensor operations, one file per family. Each op is declared once: its dtype rule, its
//! kernel selection, and (with autograd) its backward formula.
pub mod binary;
pub mod unary;
pub mod reduce;
