//! Reverse-mode automatic differentiation: grad mode, the recorded graph, the engine that runs
//! it backwards, and the differentiable ops (`derivatives`) the bindings call.
pub mod derivatives;
pub mod engine;
pub mod grad_mode;
pub mod graph;

pub use graph::{AutogradMeta, Edge, Node};
