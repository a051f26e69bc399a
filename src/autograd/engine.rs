//! The backward pass. Nodes run once all their consumers have run (dependency counting over
//! the graph reachable from the roots), latest-created first among the ready ones. Everything is
//! iterative, so a graph of any depth runs in constant stack.
use super::derivatives::{binary::add, shape::sum_to, to_dtype};
use super::grad_mode::GradModeGuard;
use super::graph::{AutogradMeta, Ctx, Edge, Grads, Kind, Node, ERR_BACKWARD_TWICE};
use crate::error::{Error, Result};
use crate::layout::broadcast_shapes;
use crate::ops::binary::{binary_, BinOp, Other};
use crate::tensor::Tensor;
use std::collections::{BinaryHeap, HashMap};
use std::sync::Arc;

type Key = usize;

fn key(n: &Arc<Node>) -> Key {
    Arc::as_ptr(n) as Key
}

/// One backward pass: gradients `grad` flowing into each root edge.
pub struct Pass {
    pub roots: Vec<(Edge, Tensor)>,
    /// Keep saved tensors so the graph can be run again.
    pub keep_graph: bool,
    /// Record the backward computation itself (higher-order gradients).
    pub create_graph: bool,
    /// Only these tensors receive gradients (`autograd.grad`, `backward(inputs=...)`).
    pub inputs: Option<Vec<Tensor>>,
    /// Accumulate into `.grad` (backward) rather than return the gradients (autograd.grad).
    pub accumulate: bool,
}

struct Graph {
    nodes: HashMap<Key, Arc<Node>>,
    deps: HashMap<Key, usize>,
}

/// Every node reachable from the roots, with how many edges lead into each.
fn discover(roots: &[(Edge, Tensor)]) -> Graph {
    let mut g = Graph { nodes: HashMap::new(), deps: HashMap::new() };
    let mut stack: Vec<Arc<Node>> = Vec::new();
    for (e, _) in roots {
        if g.nodes.insert(key(&e.node), e.node.clone()).is_none() {
            stack.push(e.node.clone());
        }
    }
    while let Some(n) = stack.pop() {
        for e in n.next.iter().flatten() {
            *g.deps.entry(key(&e.node)).or_insert(0) += 1;
            if g.nodes.insert(key(&e.node), e.node.clone()).is_none() {
                stack.push(e.node.clone());
            }
        }
    }
    g
}

/// Nodes from which some target node can be reached (targets included).
fn needed_nodes(g: &Graph, roots: &[(Edge, Tensor)], targets: &HashMap<Key, Vec<(usize, usize)>>) -> HashMap<Key, bool> {
    // Topological order (Kahn), then reachability in reverse order.
    let mut deps = g.deps.clone();
    let mut order = Vec::with_capacity(g.nodes.len());
    let mut stack: Vec<Key> = Vec::new();
    for (e, _) in roots {
        let k = key(&e.node);
        if deps.get(&k).copied().unwrap_or(0) == 0 && !stack.contains(&k) {
            stack.push(k);
        }
    }
    while let Some(k) = stack.pop() {
        order.push(k);
        for e in g.nodes[&k].next.iter().flatten() {
            let c = key(&e.node);
            let d = deps.get_mut(&c).expect("discovered");
            *d -= 1;
            if *d == 0 {
                stack.push(c);
            }
        }
    }
    let mut needed: HashMap<Key, bool> = HashMap::with_capacity(order.len());
    for &k in order.iter().rev() {
        let n = &g.nodes[&k];
        let below = n.next.iter().flatten().any(|e| needed.get(&key(&e.node)).copied().unwrap_or(false));
        needed.insert(k, below || targets.contains_key(&k));
    }
    needed
}

/// Runs the pass; returns the gradient of each of `pass.inputs` (None where none arrived).
pub fn run(pass: Pass) -> Result<Vec<Option<Tensor>>> {
    let graph = discover(&pass.roots);
    // Target node -> (slot, index into inputs), and the inputs' own autograd state.
    let mut targets: HashMap<Key, Vec<(usize, usize)>> = HashMap::new();
    let mut input_metas: Vec<Option<Arc<AutogradMeta>>> = Vec::new();
    let mut captured: Vec<Option<Tensor>> = Vec::new();
    if let Some(inputs) = &pass.inputs {
        for (i, t) in inputs.iter().enumerate() {
            if let Some(e) = t.gradient_edge() {
                targets.entry(key(&e.node)).or_default().push((e.input_nr, i));
            }
            input_metas.push(t.autograd.clone());
            captured.push(None);
        }
    }
    let needed = pass.inputs.as_ref().map(|_| needed_nodes(&graph, &pass.roots, &targets));

    let mut buffers: HashMap<Key, Grads> = HashMap::new();
    for (e, g) in &pass.roots {
        add_to_buffer(&mut buffers, &e.node, e.input_nr, g.clone())?;
    }
    let mut deps = graph.deps;
    let mut ready: BinaryHeap<(u64, Key)> = BinaryHeap::new();
    for (e, _) in &pass.roots {
        let k = key(&e.node);
        if deps.get(&k).copied().unwrap_or(0) == 0 && !ready.iter().any(|&(_, r)| r == k) {
            ready.push((e.node.seq, k));
        }
    }

    let _mode = GradModeGuard::new(pass.create_graph);
    while let Some((_, k)) = ready.pop() {
        let node = graph.nodes[&k].clone();
        let mut grads = buffers.remove(&k).unwrap_or_else(|| (0..node.outputs.len().max(1)).map(|_| None).collect());
        run_tensor_hooks(&node, &mut grads, pass.create_graph)?;
        if let Some(slots) = targets.get(&k) {
            for &(slot, i) in slots {
                captured[i] = grads.get(slot).cloned().flatten();
                // Non-leaf inputs of backward(inputs=...) keep their grad (unless retain_grad
                // already stored it).
                if pass.accumulate && node.leaf().is_none() {
                    if let (Some(m), Some(g)) = (&input_metas[i], &captured[i]) {
                        if !m.retains_grad() {
                            accumulate(m, g.clone(), pass.create_graph)?;
                        }
                    }
                }
            }
        }
        let execute = match (&needed, &node.kind) {
            (None, _) => true,
            (Some(_), Kind::AccumulateGrad { .. }) => pass.accumulate && targets.contains_key(&k),
            (Some(needed), Kind::Function { .. }) => node.next.iter().flatten().any(|e| needed.get(&key(&e.node)).copied().unwrap_or(false)),
        };
        if !execute {
            continue;
        }
        let outputs = if grads.iter().all(|g| g.is_none()) { Grads::new() } else { call(&node, grads, pass.create_graph)? };
        for (i, e) in node.next.iter().enumerate() {
            let Some(e) = e else { continue };
            if let Some(g) = outputs.get(i).cloned().flatten() {
                add_to_buffer(&mut buffers, &e.node, e.input_nr, validate(&node, i, g)?)?;
            }
            let c = key(&e.node);
            let d = deps.get_mut(&c).expect("discovered");
            *d -= 1;
            let wanted = needed.as_ref().is_none_or(|n| n.get(&c).copied().unwrap_or(false));
            if *d == 0 && wanted {
                ready.push((e.node.seq, c));
            }
        }
        if !pass.keep_graph {
            node.release();
        }
    }
    Ok(captured)
}

/// Runs one node on the gradients of its outputs.
fn call(node: &Arc<Node>, grads: Grads, create_graph: bool) -> Result<Grads> {
    // A node's backward allocates on the device its gradients live on.
    let device = grads.iter().flatten().next().map_or(crate::storage::Device::Cpu, |g| g.device());
    let _on = crate::backend::on_device(device);
    match &node.kind {
        Kind::AccumulateGrad { leaf } => {
            if let Some(g) = grads.into_iter().next().flatten() {
                let g = leaf.run_hooks(g)?;
                accumulate(leaf, g, create_graph)?;
                leaf.run_post_accumulate_hooks()?;
            }
            Ok(Grads::new())
        }
        Kind::Function { backward, .. } => {
            let grads: Vec<Tensor> = grads
                .into_iter()
                .zip(node.outputs.iter())
                .map(|(g, m)| g.map_or_else(|| Tensor::zeros(&m.shape, m.dtype), Ok))
                .collect::<Result<_>>()?;
            let guard = backward.lock().unwrap();
            let f = guard.as_ref().ok_or_else(|| Error::Runtime(ERR_BACKWARD_TWICE.into()))?;
            let mut out = f(&Ctx { node }, &grads)?;
            // Formulas may list trailing inputs that were not recorded (scalar operands).
            while out.len() > node.next.len() && out.last().is_some_and(|g| g.is_none()) {
                out.pop();
            }
            if out.len() != node.next.len() {
                return Err(Error::Runtime(format!(
                    "function {} returned an incorrect number of gradients (expected {}, got {})",
                    node.name,
                    node.next.len(),
                    out.len()
                )));
            }
            Ok(out)
        }
    }
}

/// Hooks registered on the node's non-leaf outputs, then `retain_grad`.
fn run_tensor_hooks(node: &Node, grads: &mut Grads, create_graph: bool) -> Result<()> {
    let watchers: Vec<_> = node.watchers.lock().unwrap().iter().filter_map(|(nr, m)| Some((*nr, m.upgrade()?))).collect();
    for (nr, meta) in watchers {
        let Some(g) = grads.get_mut(nr).and_then(|g| g.take()) else { continue };
        let g = meta.run_hooks(g)?;
        if meta.retains_grad() {
            accumulate(&meta, g.clone(), create_graph)?;
        }
        grads[nr] = Some(g);
    }
    Ok(())
}

fn add_to_buffer(buffers: &mut HashMap<Key, Grads>, node: &Arc<Node>, slot: usize, g: Tensor) -> Result<()> {
    let n = node.outputs.len().max(slot + 1);
    let buf = buffers.entry(key(node)).or_insert_with(|| (0..n).map(|_| None).collect());
    buf[slot] = Some(match buf[slot].take() {
        None => g,
        Some(prev) => {
            let _on = crate::backend::on_device(prev.device());
            add(&prev, &g)?
        }
    });
    Ok(())
}

/// A gradient shaped and typed like the input it is for (summing away broadcast dims, as
/// PyTorch does for gradients returned by custom functions).
fn validate(node: &Node, i: usize, g: Tensor) -> Result<Tensor> {
    let meta = &node.inputs[i];
    let g = if g.shape() != meta.shape.as_slice() {
        let expandable = broadcast_shapes(&meta.shape, g.shape()).is_ok_and(|s| s.as_slice() == g.shape());
        if !expandable {
            return Err(Error::Runtime(format!(
                "Function {} returned an invalid gradient at index {} - got {:?} but expected shape compatible with {:?}",
                node.name,
                i,
                g.shape(),
                meta.shape.as_slice()
            )));
        }
        sum_to(&g, &meta.shape)?
    } else {
        g
    };
    if g.dtype != meta.dtype {
        return to_dtype(&g, meta.dtype);
    }
    Ok(g)
}

/// Adds `g` into a tensor's `.grad`: in place when no graph is being built, else out of place.
pub fn accumulate(meta: &AutogradMeta, g: Tensor, create_graph: bool) -> Result<()> {
    let mut slot = meta.grad.lock().unwrap();
    let new = match slot.as_ref() {
        None if create_graph => g,
        None => owned(g)?,
        Some(old) if !create_graph && !old.requires_grad() && old.shape() == g.shape() => {
            binary_(BinOp::Add, old, &Other::Tensor(g))?;
            return Ok(());
        }
        Some(old) => add(old, &g)?,
    };
    *slot = Some(new);
    Ok(())
}

/// `g` itself when nothing else can see its memory, else a private contiguous copy (the
/// stored grad is later updated in place).
fn owned(g: Tensor) -> Result<Tensor> {
    let whole = g.layout.offset == 0 && g.is_contiguous() && g.numel() * g.dtype.size() == g.storage.nbytes();
    if whole && Arc::strong_count(&g.storage) == 1 {
        Ok(g.detach())
    } else {
        g.copy_to_new(g.dtype)
    }
}
