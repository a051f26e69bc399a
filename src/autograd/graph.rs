//! The recorded graph: one `Node` per differentiable op call, `Edge`s to the nodes that produced
//! its inputs, tensors saved for backward (with the storage version they were saved at), and the
//! autograd metadata a tensor carries (requires_grad, grad, grad_fn, hooks).
use super::grad_mode;
use crate::dtype::DType;
use crate::error::{Error, Result};
use crate::layout::Dims;
use crate::tensor::Tensor;
use smallvec::SmallVec;
use std::any::Any;
use std::borrow::Cow;
use std::cell::{Cell, RefCell};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, OnceLock, Weak};

/// Gradients with respect to a node's inputs (None: not needed, or zero).
pub type Grads = SmallVec<[Option<Tensor>; 2]>;
/// A backward formula: gradients of the outputs in, gradients of the inputs out.
pub type BackwardFn = Box<dyn Fn(&Ctx, &[Tensor]) -> Result<Grads> + Send + Sync>;
/// A tensor hook: sees a gradient and may replace it.
pub type Hook = Arc<dyn Fn(&Tensor) -> Result<Option<Tensor>> + Send + Sync>;

/// A hook run once a leaf's gradient has been accumulated into its `.grad` (it reads the
/// tensor, not the gradient; `register_post_accumulate_grad_hook`).
pub type PostAccumulateHook = Arc<dyn Fn() -> Result<()> + Send + Sync>;
/// Re-applies a view or gathering op to another tensor shaped like the op's input.
pub type Replay = Arc<dyn Fn(&Tensor) -> Result<Tensor> + Send + Sync>;

/// What a view is a view of: in-place writes into it also rewrite its base's history.
pub struct ViewOf {
    pub base: Tensor,
    /// Takes the base (or anything shaped like it) to this view.
    pub replay: Replay,
}

/// Shape and dtype of a node's input or output, for checking and zero-filling gradients.
#[derive(Clone, Debug)]
pub struct TensorMeta {
    pub shape: Dims,
    pub dtype: DType,
}

impl TensorMeta {
    pub fn of(t: &Tensor) -> TensorMeta {
        TensorMeta { shape: t.shape_dims(), dtype: t.dtype }
    }
}

/// Where a gradient flows: input slot `input_nr` of `node` (that is, output `input_nr` of the op).
#[derive(Clone)]
pub struct Edge {
    pub node: Arc<Node>,
    pub input_nr: usize,
}

pub enum Kind {
    /// A recorded op. `releasable` nodes hold saved tensors, freed after backward unless the
    /// graph is retained; running one after that is PyTorch's "backward twice" error.
    Function { backward: Mutex<Option<BackwardFn>>, releasable: bool },
    /// Accumulates into the `.grad` of a leaf.
    AccumulateGrad { leaf: Arc<AutogradMeta> },
}

pub struct Node {
    pub name: Cow<'static, str>,
    /// Creation order; the engine runs ready nodes latest first, as PyTorch does.
    pub seq: u64,
    pub next: SmallVec<[Option<Edge>; 2]>,
    pub inputs: SmallVec<[TensorMeta; 2]>,
    pub outputs: SmallVec<[TensorMeta; 1]>,
    pub kind: Kind,
    /// Non-leaf tensors produced by this node that have hooks or retain their grad.
    pub watchers: Mutex<Vec<(usize, Weak<AutogradMeta>)>>,
    /// State owned by the Python layer: a custom Function's ctx, or the node's cached object.
    pub python: Mutex<Option<Box<dyn Any + Send + Sync>>>,
}

pub const ERR_BACKWARD_TWICE: &str = "Trying to backward through the graph a second time (or directly access saved tensors after they have already been freed). Saved intermediate values of the graph are freed when you call .backward() or autograd.grad(). Specify retain_graph=True if you need to backward through the graph a second time or if you need to access saved tensors after calling backward.";

thread_local! {
    static NEXT_SEQ: Cell<u64> = const { Cell::new(0) };
}

fn next_seq() -> u64 {
    NEXT_SEQ.with(|s| {
        let v = s.get();
        s.set(v + 1);
        v
    })
}

impl Node {
    pub fn function(
        name: impl Into<Cow<'static, str>>,
        next: SmallVec<[Option<Edge>; 2]>,
        inputs: SmallVec<[TensorMeta; 2]>,
        outputs: SmallVec<[TensorMeta; 1]>,
        backward: BackwardFn,
        releasable: bool,
    ) -> Arc<Node> {
        Arc::new(Node {
            name: name.into(),
            seq: next_seq(),
            next,
            inputs,
            outputs,
            kind: Kind::Function { backward: Mutex::new(Some(backward)), releasable },
            watchers: Mutex::new(Vec::new()),
            python: Mutex::new(None),
        })
    }

    fn accumulate_grad(leaf: Arc<AutogradMeta>, meta: TensorMeta) -> Arc<Node> {
        Arc::new(Node {
            name: Cow::Borrowed("torch::autograd::AccumulateGrad"),
            seq: u64::MAX,
            next: SmallVec::new(),
            inputs: SmallVec::new(),
            outputs: smallvec::smallvec![meta],
            kind: Kind::AccumulateGrad { leaf },
            watchers: Mutex::new(Vec::new()),
            python: Mutex::new(None),
        })
    }

    /// The leaf this node accumulates into, for AccumulateGrad nodes.
    pub fn leaf(&self) -> Option<&Arc<AutogradMeta>> {
        match &self.kind {
            Kind::AccumulateGrad { leaf } => Some(leaf),
            Kind::Function { .. } => None,
        }
    }

    /// Frees the saved tensors (after a backward pass that does not retain the graph).
    pub fn release(&self) {
        if let Kind::Function { backward, releasable: true } = &self.kind {
            let freed = backward.lock().unwrap().take();
            drop(freed);
        }
    }

    pub fn watch(&self, output_nr: usize, meta: &Arc<AutogradMeta>) {
        let mut w = self.watchers.lock().unwrap();
        if !w.iter().any(|(nr, m)| *nr == output_nr && m.as_ptr() == Arc::as_ptr(meta)) {
            w.push((output_nr, Arc::downgrade(meta)));
        }
    }
}

/// Everything a node owns that may own further nodes; dropped by the trampoline below.
type NodeParts = (SmallVec<[Option<Edge>; 2]>, Option<BackwardFn>, Option<Box<dyn Any + Send + Sync>>);

thread_local! {
    static DROPPING: Cell<bool> = const { Cell::new(false) };
    static PENDING_DROPS: RefCell<Vec<NodeParts>> = const { RefCell::new(Vec::new()) };
}

/// Dropping a long chain would recurse once per node and overflow the stack, so a node's
/// children are queued and dropped in a loop by the outermost drop on this thread.
impl Drop for Node {
    fn drop(&mut self) {
        let backward = match &mut self.kind {
            Kind::Function { backward, .. } => backward.get_mut().map(|b| b.take()).unwrap_or(None),
            Kind::AccumulateGrad { .. } => None,
        };
        let python = self.python.get_mut().map(|p| p.take()).unwrap_or(None);
        let parts: NodeParts = (std::mem::take(&mut self.next), backward, python);
        let queued = PENDING_DROPS.try_with(|q| q.borrow_mut().push(parts)).is_ok();
        if !queued || DROPPING.with(|d| d.replace(true)) {
            return;
        }
        while let Some(parts) = PENDING_DROPS.with(|q| q.borrow_mut().pop()) {
            drop(parts);
        }
        DROPPING.with(|d| d.set(false));
    }
}

/// The autograd state of a tensor. Handles (clones) of a tensor share it.
pub struct AutogradMeta {
    requires_grad: AtomicBool,
    grad_fn: Mutex<Option<Edge>>,
    pub grad: Mutex<Option<Tensor>>,
    accumulator: Mutex<Weak<Node>>,
    retains_grad: AtomicBool,
    pub hooks: Mutex<Vec<(u64, Hook)>>,
    post_accumulate_hooks: Mutex<Vec<(u64, PostAccumulateHook)>>,
    pub view: OnceLock<ViewOf>,
}

static NEXT_HOOK_ID: AtomicU64 = AtomicU64::new(0);

impl AutogradMeta {
    pub fn leaf(requires_grad: bool) -> Arc<AutogradMeta> {
        Arc::new(AutogradMeta {
            requires_grad: AtomicBool::new(requires_grad),
            grad_fn: Mutex::new(None),
            grad: Mutex::new(None),
            accumulator: Mutex::new(Weak::new()),
            retains_grad: AtomicBool::new(false),
            hooks: Mutex::new(Vec::new()),
            post_accumulate_hooks: Mutex::new(Vec::new()),
            view: OnceLock::new(),
        })
    }

    pub fn with_grad_fn(node: Arc<Node>, output_nr: usize) -> Arc<AutogradMeta> {
        let m = AutogradMeta::leaf(true);
        *m.grad_fn.lock().unwrap() = Some(Edge { node, input_nr: output_nr });
        m
    }

    pub fn requires_grad(&self) -> bool {
        self.requires_grad.load(Ordering::Relaxed)
    }
    pub fn grad_fn(&self) -> Option<Edge> {
        self.grad_fn.lock().unwrap().clone()
    }
    pub fn retains_grad(&self) -> bool {
        self.retains_grad.load(Ordering::Relaxed)
    }
    pub fn add_hook(&self, hook: Hook) -> u64 {
        let id = NEXT_HOOK_ID.fetch_add(1, Ordering::Relaxed);
        self.hooks.lock().unwrap().push((id, hook));
        id
    }
    pub fn add_post_accumulate_hook(&self, hook: PostAccumulateHook) -> u64 {
        let id = NEXT_HOOK_ID.fetch_add(1, Ordering::Relaxed);
        self.post_accumulate_hooks.lock().unwrap().push((id, hook));
        id
    }
    /// Removes a gradient or post-accumulate hook (ids are unique across both lists).
    pub fn remove_hook(&self, id: u64) {
        self.hooks.lock().unwrap().retain(|(h, _)| *h != id);
        self.post_accumulate_hooks.lock().unwrap().retain(|(h, _)| *h != id);
    }

    /// Runs the post-accumulate hooks in registration order (after `.grad` was updated).
    pub fn run_post_accumulate_hooks(&self) -> Result<()> {
        let hooks: Vec<PostAccumulateHook> = self.post_accumulate_hooks.lock().unwrap().iter().map(|(_, h)| h.clone()).collect();
        hooks.iter().try_for_each(|h| h())
    }

    /// Runs this tensor's hooks on `grad` in registration order.
    pub fn run_hooks(&self, mut grad: Tensor) -> Result<Tensor> {
        let hooks: Vec<Hook> = self.hooks.lock().unwrap().iter().map(|(_, h)| h.clone()).collect();
        for h in hooks {
            if let Some(g) = h(&grad)? {
                grad = g;
            }
        }
        Ok(grad)
    }
}

impl Tensor {
    pub fn requires_grad(&self) -> bool {
        self.autograd.as_ref().is_some_and(|m| m.requires_grad())
    }

    pub fn is_leaf(&self) -> bool {
        self.autograd.as_ref().is_none_or(|m| m.grad_fn.lock().unwrap().is_none())
    }

    /// The edge of the node that produced this tensor (None for leaves).
    pub fn grad_fn(&self) -> Option<Edge> {
        self.autograd.as_ref().and_then(|m| m.grad_fn())
    }

    /// Where gradients for this tensor go: its grad_fn, or its leaf accumulator.
    pub fn gradient_edge(&self) -> Option<Edge> {
        let m = self.autograd.as_ref()?;
        if let Some(e) = m.grad_fn() {
            return Some(e);
        }
        if !m.requires_grad() {
            return None;
        }
        let mut acc = m.accumulator.lock().unwrap();
        let node = acc.upgrade().unwrap_or_else(|| {
            let n = Node::accumulate_grad(m.clone(), TensorMeta::of(self));
            *acc = Arc::downgrade(&n);
            n
        });
        Some(Edge { node, input_nr: 0 })
    }

    /// The same data with no history (`detach`); it shares storage and version counter.
    pub fn detach(&self) -> Tensor {
        Tensor::from_storage(self.storage.clone(), self.layout.clone(), self.dtype)
    }

    /// Makes this handle a leaf that does (not) require grad. Callers check the dtype first.
    pub fn set_requires_grad(&mut self, requires_grad: bool) {
        match &self.autograd {
            Some(m) => m.requires_grad.store(requires_grad, Ordering::Relaxed),
            None if requires_grad => self.autograd = Some(AutogradMeta::leaf(true)),
            None => {}
        }
    }

    /// This handle's autograd state, created (as a leaf not requiring grad) when missing.
    pub fn meta_mut(&mut self) -> &Arc<AutogradMeta> {
        self.autograd.get_or_insert_with(|| AutogradMeta::leaf(false))
    }

    pub fn retain_grad(&self) {
        if let Some(m) = &self.autograd {
            if let Some(e) = m.grad_fn() {
                m.retains_grad.store(true, Ordering::Relaxed);
                e.node.watch(e.input_nr, m);
            }
        }
    }

    /// A handle on this tensor's data whose history is `edge` (used for saved outputs).
    pub(crate) fn with_history(&self, edge: Edge) -> Tensor {
        let mut t = self.detach();
        t.autograd = Some(AutogradMeta::with_grad_fn(edge.node, edge.input_nr));
        t
    }
}

/// Hooks on a non-leaf tensor are run by its grad_fn when its gradient arrives.
pub fn register_hook(t: &Tensor, hook: Hook) -> Option<u64> {
    let m = t.autograd.as_ref()?;
    let id = m.add_hook(hook);
    if let Some(e) = m.grad_fn() {
        e.node.watch(e.input_nr, m);
    }
    Some(id)
}

/// A tensor kept for backward, with the version its storage had when saved.
pub struct SavedTensor {
    data: Tensor,
    version: u64,
    /// Outputs are kept without history (the node itself is their grad_fn, and holding it
    /// would be a cycle); it is restored on unpacking when building a higher-order graph.
    output_nr: Option<usize>,
}

impl SavedTensor {
    pub fn input(t: &Tensor) -> SavedTensor {
        SavedTensor { data: t.clone(), version: t.storage.version(), output_nr: None }
    }

    pub fn output(t: &Tensor, output_nr: usize) -> SavedTensor {
        SavedTensor { data: t.detach(), version: t.storage.version(), output_nr: Some(output_nr) }
    }

    /// The saved tensor, or PyTorch's error if it was modified in place since.
    pub fn unpack(&self, node: &Arc<Node>) -> Result<Tensor> {
        let now = self.data.storage.version();
        if now != self.version {
            let owner = match self.output_nr {
                Some(nr) => Some((nr, node.name.to_string())),
                None => self.data.grad_fn().map(|e| (e.input_nr, e.node.name.to_string())),
            };
            let dims: Vec<String> = self.data.shape().iter().map(|d| d.to_string()).collect();
            let mut msg = format!(
                "one of the variables needed for gradient computation has been modified by an inplace operation: [torch.{} [{}]]",
                self.data.dtype.legacy_type_name(),
                dims.join(", ")
            );
            if let Some((nr, name)) = owner {
                msg.push_str(&format!(", which is output {} of {},", nr, name));
            }
            msg.push_str(&format!(
                " is at version {}; expected version {} instead. Hint: enable anomaly detection to find the operation that failed to compute its gradient, with torch.autograd.set_detect_anomaly(True).",
                now, self.version
            ));
            return Err(Error::Runtime(msg));
        }
        match self.output_nr {
            Some(nr) if grad_mode::is_enabled() => Ok(self.data.with_history(Edge { node: node.clone(), input_nr: nr })),
            _ => Ok(self.data.clone()),
        }
    }
}

/// Handed to an op's recording closure: which inputs need gradients, and saving tensors.
pub struct Saver<'a> {
    next: &'a [Option<Edge>],
    output: &'a Tensor,
    saved: usize,
}

impl Saver<'_> {
    pub fn needs(&self, input: usize) -> bool {
        self.next.get(input).is_some_and(|e| e.is_some())
    }
    pub fn save(&mut self, t: &Tensor) -> SavedTensor {
        self.saved += 1;
        SavedTensor::input(t)
    }
    /// Counts a saved Python number: PyTorch keeps it as a saved tensor, so the node refuses
    /// a second backward just as one that saved a tensor does.
    pub fn save_number(&mut self) {
        self.saved += 1;
    }
    pub fn save_output(&mut self) -> SavedTensor {
        self.saved += 1;
        SavedTensor::output(self.output, 0)
    }
}

/// Handed to a backward formula: the node being run.
pub struct Ctx<'a> {
    pub node: &'a Arc<Node>,
}

impl Ctx<'_> {
    pub fn needs(&self, input: usize) -> bool {
        self.node.next.get(input).is_some_and(|e| e.is_some())
    }
    pub fn unpack(&self, s: &SavedTensor) -> Result<Tensor> {
        s.unpack(self.node)
    }
    /// `f()` if input `input` needs a gradient, else None.
    pub fn grad(&self, input: usize, f: impl FnOnce() -> Result<Tensor>) -> Result<Option<Tensor>> {
        if self.needs(input) {
            f().map(Some)
        } else {
            Ok(None)
        }
    }
}

/// Whether an op on `inputs` must record history.
pub fn any_requires_grad(inputs: &[&Tensor]) -> bool {
    grad_mode::is_enabled() && inputs.iter().any(|t| t.requires_grad())
}

/// Records `name` as the grad_fn of `out` when an input requires grad. `make` saves what the
/// backward needs and returns the formula.
pub fn record<F>(name: &'static str, inputs: &[&Tensor], out: Tensor, make: impl FnOnce(&mut Saver) -> F) -> Tensor
where
    F: Fn(&Ctx, &[Tensor]) -> Result<Grads> + Send + Sync + 'static,
{
    match build_node(name, inputs, &out, make) {
        Some(node) => attach(out, node, 0),
        None => out,
    }
}

/// `record` for an op with several outputs (`unbind`, `split`): one node, output `i` being
/// `outs[i]`; the formula gets every output's gradient (zeros for unused ones).
pub fn record_multi<F>(name: &'static str, inputs: &[&Tensor], outs: Vec<Tensor>, make: impl FnOnce(&mut Saver) -> F) -> Vec<Tensor>
where
    F: Fn(&Ctx, &[Tensor]) -> Result<Grads> + Send + Sync + 'static,
{
    let float = outs.first().is_some_and(|o| o.dtype.is_float());
    if !any_requires_grad(inputs) || !float {
        return outs;
    }
    let next: SmallVec<[Option<Edge>; 2]> = inputs.iter().map(|t| t.gradient_edge()).collect();
    let mut saver = Saver { next: &next, output: &outs[0], saved: 0 };
    let backward = make(&mut saver);
    let releasable = saver.saved > 0;
    let metas = inputs.iter().map(|t| TensorMeta::of(t)).collect();
    let node = Node::function(name, next, metas, outs.iter().map(TensorMeta::of).collect(), Box::new(backward), releasable);
    outs.into_iter().enumerate().map(|(i, o)| attach(o, node.clone(), i)).collect()
}

/// `record` for an op that wrote into `target`: its history continues from the new node, and
/// when `target` is a view, its base's history is rewritten too. `inputs` hold the target as
/// it was before the write.
pub fn record_inplace<F>(name: &'static str, inputs: &[&Tensor], target: &mut Tensor, make: impl FnOnce(&mut Saver) -> F) -> Result<()>
where
    F: Fn(&Ctx, &[Tensor]) -> Result<Grads> + Send + Sync + 'static,
{
    if let Some(node) = build_node(name, inputs, target, make) {
        set_history(target, node, 0);
        if let Some(view) = target.autograd.as_ref().and_then(|m| m.view.get()) {
            super::derivatives::views::rebase_base(view, target)?;
        }
    }
    Ok(())
}

pub(crate) fn build_node<F>(name: &'static str, inputs: &[&Tensor], out: &Tensor, make: impl FnOnce(&mut Saver) -> F) -> Option<Arc<Node>>
where
    F: Fn(&Ctx, &[Tensor]) -> Result<Grads> + Send + Sync + 'static,
{
    if !any_requires_grad(inputs) {
        return None;
    }
    if out.dtype.is_complex() {
        return Some(without_gradient_node(name, inputs, out));
    }
    if !out.dtype.is_float() {
        return None;
    }
    let next: SmallVec<[Option<Edge>; 2]> = inputs.iter().map(|t| t.gradient_edge()).collect();
    let mut saver = Saver { next: &next, output: out, saved: 0 };
    let backward = make(&mut saver);
    let releasable = saver.saved > 0;
    let metas = inputs.iter().map(|t| TensorMeta::of(t)).collect();
    Some(Node::function(name, next, metas, smallvec::smallvec![TensorMeta::of(out)], Box::new(backward), releasable))
}

/// A node for an op whose gradient rustorch does not compute (complex autograd): its output
/// requires grad like PyTorch's, and a backward pass through it raises instead of dropping the
/// gradient.
fn without_gradient_node(name: &'static str, inputs: &[&Tensor], out: &Tensor) -> Arc<Node> {
    let next: SmallVec<[Option<Edge>; 2]> = inputs.iter().map(|t| t.gradient_edge()).collect();
    let metas = inputs.iter().map(|t| TensorMeta::of(t)).collect();
    let backward = move |_c: &Ctx, _g: &[Tensor]| -> Result<Grads> {
        crate::error::runtime(format!("{}: rustorch does not support autograd through complex tensors", name))
    };
    Node::function(name, next, metas, smallvec::smallvec![TensorMeta::of(out)], Box::new(backward), false)
}

/// `out` for an op without a gradient formula (the complex ops): when an input requires grad,
/// backward through `out` raises.
pub fn record_without_gradient(name: &'static str, inputs: &[&Tensor], out: Tensor) -> Tensor {
    if !any_requires_grad(inputs) {
        return out;
    }
    let node = without_gradient_node(name, inputs, &out);
    attach(out, node, 0)
}

/// `out` (a new tensor) as output `output_nr` of `node`.
pub fn attach(mut out: Tensor, node: Arc<Node>, output_nr: usize) -> Tensor {
    out.autograd = Some(AutogradMeta::with_grad_fn(node, output_nr));
    out
}

/// Makes `t` (an existing tensor, written in place) output `output_nr` of `node`. Its autograd
/// state is kept, so its hooks and retained grad follow it to the new node.
pub fn set_history(t: &mut Tensor, node: Arc<Node>, output_nr: usize) {
    set_meta_history(&t.meta_mut().clone(), node, output_nr);
}

/// `set_history` on autograd state shared with other handles (a view's base).
pub fn set_meta_history(m: &Arc<AutogradMeta>, node: Arc<Node>, output_nr: usize) {
    m.requires_grad.store(true, Ordering::Relaxed);
    let watched = m.retains_grad() || !m.hooks.lock().unwrap().is_empty();
    if watched {
        node.watch(output_nr, m);
    }
    *m.grad_fn.lock().unwrap() = Some(Edge { node, input_nr: output_nr });
}

/// The check every in-place op makes before writing into `t` under grad mode.
pub fn check_inplace(t: &Tensor) -> Result<()> {
    if !grad_mode::is_enabled() {
        return Ok(());
    }
    if t.requires_grad() && t.is_leaf() {
        return Err(Error::Runtime("a leaf Variable that requires grad is being used in an in-place operation.".into()));
    }
    let base = t.autograd.as_ref().and_then(|m| m.view.get()).map(|v| &v.base);
    if base.is_some_and(|b| b.requires_grad() && b.is_leaf()) {
        return Err(Error::Runtime("a view of a leaf Variable that requires grad is being used in an in-place operation.".into()));
    }
    Ok(())
}
