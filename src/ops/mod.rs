//! Tensor operations, one file per op family. Each op is declared once: its dtype rule, its
//! kernel selection, and (with autograd) its backward formula.
pub mod binary;
pub mod box_muller;
pub mod compare;
pub mod conv;
pub mod creation;
pub mod gather;
pub mod index;
pub mod linalg;
pub mod loss;
pub mod norm;
pub mod optim;
pub mod pool;
pub mod rearrange;
pub mod sampling;
pub mod random;
pub mod reduce;
pub mod scan;
pub mod shape;
pub mod ternary;
pub mod sort;
pub mod decomp;
pub mod special;
pub mod unary;
pub mod vmath;
pub mod window;
