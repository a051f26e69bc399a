//! Binary elementwise ops with broadcasting and PyTorch's type promotion.
use crate::backend::cpu::map;
use crate::dtype::{result_type, DType, Element, Operand, Scalar};
use crate::error::{runtime, Error, Result};
use crate::layout::broadcast_shapes;
use crate::backend::wgpu::elementwise as gpu;
use crate::storage::Device;
use crate::tensor::Tensor;
use half::{bf16, f16};
use std::borrow::Cow;

/// The second operand of a binary op: a tensor, or a Python number.
#[derive(Clone)]
pub enum Other {
    Tensor(Tensor),
    Scalar(Scalar),
}

impl Other {
    fn operand(&self) -> Operand {
        match self {
            Other::Tensor(t) => operand(t),
            Other::Scalar(s) => Operand::Scalar(*s),
        }
    }
}

pub fn operand(t: &Tensor) -> Operand {
    if t.ndim() == 0 {
        Operand::ZeroDim(t.dtype)
    } else {
        Operand::Dimensioned(t.dtype)
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BinOp {
    Add,
    Sub,
    Mul,
    Div,
    FloorDiv,
    TruncDiv,
    Rem,
    Pow,
    Maximum,
    Minimum,
    Atan2,
    Fmod,
    Fmax,
    Fmin,
    Hypot,
    Copysign,
    /// `float_power`: pow computed (and returned) in float64.
    FloatPower,
    BitAnd,
    BitOr,
    BitXor,
    Shl,
    Shr,
    LogicalAnd,
    LogicalOr,
    LogicalXor,
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
}

impl BinOp {
    /// Comparisons and logical ops: computed in the common dtype, written as bool.
    fn writes_bool(self) -> bool {
        use BinOp::*;
        matches!(self, Eq | Ne | Lt | Le | Gt | Ge | LogicalAnd | LogicalOr | LogicalXor)
    }
    /// Ops whose result is floating even for integer inputs.
    fn promotes_to_float(self) -> bool {
        matches!(self, BinOp::Div | BinOp::Atan2 | BinOp::Copysign)
    }
    /// PyTorch's kernel name, used in its "not implemented for" errors.
    fn kernel_name(self) -> &'static str {
        use BinOp::*;
        match self {
            FloorDiv => "div_floor",
            TruncDiv => "div_trunc",
            Rem => "remainder",
            Fmod => "fmod",
            Hypot => "hypot",
            BitAnd => "bitwise_and",
            BitOr => "bitwise_or",
            BitXor => "bitwise_xor",
            Shl => "lshift",
            Shr => "rshift",
            _ => "binary",
        }
    }
}

/// Element arithmetic with PyTorch's per-dtype semantics (wrapping integers, Python-style
/// floor division and modulo, bool as logical).
pub trait Arith: Element {
    fn add(self, o: Self) -> Self;
    fn sub(self, o: Self) -> Self;
    fn mul(self, o: Self) -> Self;
    fn div(self, o: Self) -> Self;
    fn trunc_div(self, o: Self) -> Self;
    fn floor_div(self, o: Self) -> Self;
    fn rem(self, o: Self) -> Self;
    fn pow(self, o: Self) -> Self;
    fn maximum(self, o: Self) -> Self;
    fn minimum(self, o: Self) -> Self;
    fn atan2(self, o: Self) -> Self;
    fn fmod(self, o: Self) -> Self;
    fn fmax(self, o: Self) -> Self;
    fn fmin(self, o: Self) -> Self;
    fn hypot(self, o: Self) -> Self;
    fn copysign(self, o: Self) -> Self;
    fn shl(self, o: Self) -> Self;
    fn shr(self, o: Self) -> Self;
    fn bitand(self, o: Self) -> Self;
    fn bitor(self, o: Self) -> Self;
    fn bitxor(self, o: Self) -> Self;
}

macro_rules! int_arith {
    ($($t:ty),*) => {$(
        // Sign tests are trivially false for u8; the macro serves all integer types.
        #[allow(unused_comparisons)]
        impl Arith for $t {
            #[inline(always)] fn add(self, o: Self) -> Self { self.wrapping_add(o) }
            #[inline(always)] fn sub(self, o: Self) -> Self { self.wrapping_sub(o) }
            #[inline(always)] fn mul(self, o: Self) -> Self { self.wrapping_mul(o) }
            #[inline(always)] fn div(self, o: Self) -> Self { if o == 0 { 0 } else { self.wrapping_div(o) } }
            #[inline(always)] fn trunc_div(self, o: Self) -> Self { Arith::div(self, o) }
            #[inline(always)] fn floor_div(self, o: Self) -> Self {
                if o == 0 { return 0; }
                let q = self.wrapping_div(o);
                if (self.wrapping_rem(o) != 0) && ((self < 0) != (o < 0)) { q.wrapping_sub(1) } else { q }
            }
            #[inline(always)] fn rem(self, o: Self) -> Self {
                if o == 0 { return 0; }
                let r = self.wrapping_rem(o);
                if r != 0 && ((r < 0) != (o < 0)) { r.wrapping_add(o) } else { r }
            }
            #[inline(always)] fn pow(self, o: Self) -> Self {
                if o < 0 {
                    // Only 1 and -1 survive a negative integer power.
                    return match self as i64 { 1 => 1, -1 => if (o as i64) % 2 == 0 { 1 } else { self }, _ => 0 };
                }
                // Square-and-multiply over the full exponent (wrapping like C).
                let (mut base, mut e, mut acc) = (self, o as u64, 1 as $t);
                while e > 0 {
                    if e & 1 == 1 { acc = acc.wrapping_mul(base); }
                    base = base.wrapping_mul(base);
                    e >>= 1;
                }
                acc
            }
            #[inline(always)] fn maximum(self, o: Self) -> Self { if self >= o { self } else { o } }
            #[inline(always)] fn minimum(self, o: Self) -> Self { if self <= o { self } else { o } }
            #[inline(always)] fn atan2(self, o: Self) -> Self { (self as f64).atan2(o as f64) as Self }
            #[inline(always)] fn fmod(self, o: Self) -> Self { if o == 0 { 0 } else { self.wrapping_rem(o) } }
            #[inline(always)] fn fmax(self, o: Self) -> Self { self.maximum(o) }
            #[inline(always)] fn fmin(self, o: Self) -> Self { self.minimum(o) }
            #[inline(always)] fn hypot(self, o: Self) -> Self { (self as f64).hypot(o as f64) as Self }
            #[inline(always)] fn copysign(self, o: Self) -> Self { (self as f64).copysign(o as f64) as Self }
            // Shifts past the width give 0 (left) or the sign fill (right), as in PyTorch;
            // negative amounts count as past the width.
            #[inline(always)] fn shl(self, o: Self) -> Self {
                if o < 0 || o as u64 >= <$t>::BITS as u64 { 0 } else { self.wrapping_shl(o as u32) }
            }
            #[inline(always)] fn shr(self, o: Self) -> Self {
                let width = <$t>::BITS as u64;
                if o < 0 || o as u64 >= width { self.wrapping_shr(width as u32 - 1) } else { self.wrapping_shr(o as u32) }
            }
            #[inline(always)] fn bitand(self, o: Self) -> Self { self & o }
            #[inline(always)] fn bitor(self, o: Self) -> Self { self | o }
            #[inline(always)] fn bitxor(self, o: Self) -> Self { self ^ o }
        }
    )*};
}
int_arith!(u8, i8, i16, i32, i64, u16, u32, u64);

impl Arith for bool {
    fn add(self, o: Self) -> Self { self | o }
    fn sub(self, o: Self) -> Self { self ^ o }
    fn mul(self, o: Self) -> Self { self & o }
    fn div(self, o: Self) -> Self { self & o }
    fn trunc_div(self, o: Self) -> Self { self & o }
    fn floor_div(self, o: Self) -> Self { self & o }
    fn rem(self, _o: Self) -> Self { false }
    fn pow(self, o: Self) -> Self { self | !o }
    fn maximum(self, o: Self) -> Self { self | o }
    fn minimum(self, o: Self) -> Self { self & o }
    fn atan2(self, o: Self) -> Self { (self as i32 as f64).atan2(o as i32 as f64) != 0.0 }
    fn fmod(self, _o: Self) -> Self { false }
    fn fmax(self, o: Self) -> Self { self | o }
    fn fmin(self, o: Self) -> Self { self & o }
    fn hypot(self, o: Self) -> Self { self | o }
    fn copysign(self, _o: Self) -> Self { self }
    fn shl(self, _o: Self) -> Self { unreachable!("shifts are rejected for bool") }
    fn shr(self, _o: Self) -> Self { unreachable!("shifts are rejected for bool") }
    fn bitand(self, o: Self) -> Self { self & o }
    fn bitor(self, o: Self) -> Self { self | o }
    fn bitxor(self, o: Self) -> Self { self ^ o }
}

macro_rules! float_arith {
    ($t:ty, $w:ty, $to:expr, $from:expr) => {
        impl Arith for $t {
            #[inline(always)] fn add(self, o: Self) -> Self { $from($to(self) + $to(o)) }
            #[inline(always)] fn sub(self, o: Self) -> Self { $from($to(self) - $to(o)) }
            #[inline(always)] fn mul(self, o: Self) -> Self { $from($to(self) * $to(o)) }
            #[inline(always)] fn div(self, o: Self) -> Self { $from($to(self) / $to(o)) }
            #[inline(always)] fn trunc_div(self, o: Self) -> Self { $from(($to(self) / $to(o)).trunc()) }
            #[inline(always)] fn floor_div(self, o: Self) -> Self {
                let (a, b) = ($to(self), $to(o));
                if b == 0.0 { return $from(a / b); }
                // Python's floor division: floor of the exact quotient, via fmod.
                let m = a % b;
                let mut d = (a - m) / b;
                if m != 0.0 && ((b < 0.0) != (m < 0.0)) { d -= 1.0; }
                if d == 0.0 { return $from((0.0 as $w).copysign(a / b)); }
                let f = d.floor();
                $from(if d - f > 0.5 { f + 1.0 } else { f })
            }
            #[inline(always)] fn rem(self, o: Self) -> Self {
                let (a, b) = ($to(self), $to(o));
                let m = a % b;
                $from(if m != 0.0 && ((m < 0.0) != (b < 0.0)) { m + b } else { m })
            }
            #[inline(always)] fn pow(self, o: Self) -> Self { $from(<$w>::powf($to(self), $to(o))) }
            #[inline(always)] fn maximum(self, o: Self) -> Self {
                let (a, b) = ($to(self), $to(o));
                $from(if a.is_nan() || b.is_nan() { <$w>::NAN } else if a >= b { a } else { b })
            }
            #[inline(always)] fn minimum(self, o: Self) -> Self {
                let (a, b) = ($to(self), $to(o));
                $from(if a.is_nan() || b.is_nan() { <$w>::NAN } else if a <= b { a } else { b })
            }
            #[inline(always)] fn atan2(self, o: Self) -> Self { $from(<$w>::atan2($to(self), $to(o))) }
            #[inline(always)] fn fmod(self, o: Self) -> Self { $from($to(self) % $to(o)) }
            // std's max/min return the non-NaN operand, which is fmax/fmin.
            #[inline(always)] fn fmax(self, o: Self) -> Self { $from(<$w>::max($to(self), $to(o))) }
            #[inline(always)] fn fmin(self, o: Self) -> Self { $from(<$w>::min($to(self), $to(o))) }
            #[inline(always)] fn hypot(self, o: Self) -> Self { $from(<$w>::hypot($to(self), $to(o))) }
            #[inline(always)] fn copysign(self, o: Self) -> Self { $from(<$w>::copysign($to(self), $to(o))) }
            fn shl(self, _o: Self) -> Self { unreachable!("shifts are rejected for floats") }
            fn shr(self, _o: Self) -> Self { unreachable!("shifts are rejected for floats") }
            fn bitand(self, _o: Self) -> Self { unreachable!("bitwise ops are rejected for floats") }
            fn bitor(self, _o: Self) -> Self { unreachable!("bitwise ops are rejected for floats") }
            fn bitxor(self, _o: Self) -> Self { unreachable!("bitwise ops are rejected for floats") }
        }
    };
}
float_arith!(f32, f32, |v: f32| v, |v: f32| v);
float_arith!(f64, f64, |v: f64| v, |v: f64| v);
// Scatter's reductions accumulate in the tensor's own dtype.
float_arith!(f16, f32, |v: f16| v.to_f32(), f16::from_f32);
float_arith!(bf16, f32, |v: bf16| v.to_f32(), bf16::from_f32);

/// Runs `$body` with `$T` bound to the element type `$dtype` computes in (every real dtype has
/// `Arith`): float16 and bfloat16 run the f32 kernels (`map`'s widening, PyTorch's opmath).
macro_rules! with_arith {
    ($dtype:expr, $T:ident => $body:expr) => {
        match $dtype {
            DType::Bool => { type $T = bool; $body }
            DType::U8 => { type $T = u8; $body }
            DType::I8 => { type $T = i8; $body }
            DType::I16 => { type $T = i16; $body }
            DType::I32 => { type $T = i32; $body }
            DType::I64 => { type $T = i64; $body }
            DType::U16 => { type $T = u16; $body }
            DType::U32 => { type $T = u32; $body }
            DType::U64 => { type $T = u64; $body }
            DType::F16 | DType::BF16 | DType::F32 => { type $T = f32; $body }
            DType::F64 => { type $T = f64; $body }
            other => return Err(crate::dtype::not_implemented_for("kernel", other)),
        }
    };
}

/// A scalar operand's value in the kernel of `op` computing in `compute`. For 16-bit floats
/// PyTorch's CPU kernels multiply and divide by the scalar at f32 precision and round it to the
/// tensor's dtype for every other op (`t + 0.1` adds float16(0.1)).
fn kernel_scalar<T: Element>(op: BinOp, s: Scalar, compute: DType) -> T {
    let full_precision = matches!(op, BinOp::Mul | BinOp::Div | BinOp::TruncDiv | BinOp::FloorDiv);
    match compute {
        DType::F16 if !full_precision => T::from_f64(f16::from_scalar(s).to_f64()),
        DType::BF16 if !full_precision => T::from_f64(bf16::from_scalar(s).to_f64()),
        _ => T::from_scalar(s),
    }
}

/// Binds `$f` to the element function of `$op` for element type `$T` and runs `$body`.
macro_rules! with_op_fn {
    ($op:expr, $T:ty, $f:ident => $body:expr) => {
        match $op {
            BinOp::Add => { let $f = |x: $T, y: $T| Arith::add(x, y); $body }
            BinOp::Sub => { let $f = |x: $T, y: $T| Arith::sub(x, y); $body }
            BinOp::Mul => { let $f = |x: $T, y: $T| Arith::mul(x, y); $body }
            BinOp::Div => { let $f = |x: $T, y: $T| Arith::div(x, y); $body }
            BinOp::TruncDiv => { let $f = |x: $T, y: $T| Arith::trunc_div(x, y); $body }
            BinOp::FloorDiv => { let $f = |x: $T, y: $T| Arith::floor_div(x, y); $body }
            BinOp::Rem => { let $f = |x: $T, y: $T| Arith::rem(x, y); $body }
            BinOp::Pow | BinOp::FloatPower => { let $f = |x: $T, y: $T| Arith::pow(x, y); $body }
            BinOp::Fmod => { let $f = |x: $T, y: $T| Arith::fmod(x, y); $body }
            BinOp::Fmax => { let $f = |x: $T, y: $T| Arith::fmax(x, y); $body }
            BinOp::Fmin => { let $f = |x: $T, y: $T| Arith::fmin(x, y); $body }
            BinOp::Hypot => { let $f = |x: $T, y: $T| Arith::hypot(x, y); $body }
            BinOp::Copysign => { let $f = |x: $T, y: $T| Arith::copysign(x, y); $body }
            BinOp::Shl => { let $f = |x: $T, y: $T| Arith::shl(x, y); $body }
            BinOp::Shr => { let $f = |x: $T, y: $T| Arith::shr(x, y); $body }
            BinOp::Maximum => { let $f = |x: $T, y: $T| Arith::maximum(x, y); $body }
            BinOp::Minimum => { let $f = |x: $T, y: $T| Arith::minimum(x, y); $body }
            BinOp::Atan2 => { let $f = |x: $T, y: $T| Arith::atan2(x, y); $body }
            BinOp::BitAnd => { let $f = |x: $T, y: $T| Arith::bitand(x, y); $body }
            BinOp::BitOr => { let $f = |x: $T, y: $T| Arith::bitor(x, y); $body }
            BinOp::BitXor => { let $f = |x: $T, y: $T| Arith::bitxor(x, y); $body }
            _ => unreachable!("comparisons are dispatched separately"),
        }
    };
}

macro_rules! with_cmp_fn {
    ($op:expr, $T:ty, $f:ident => $body:expr) => {
        match $op {
            BinOp::Eq => { let $f = |x: $T, y: $T| x == y; $body }
            BinOp::Ne => { let $f = |x: $T, y: $T| x != y; $body }
            BinOp::Lt => { let $f = |x: $T, y: $T| x < y; $body }
            BinOp::Le => { let $f = |x: $T, y: $T| x <= y; $body }
            BinOp::Gt => { let $f = |x: $T, y: $T| x > y; $body }
            BinOp::Ge => { let $f = |x: $T, y: $T| x >= y; $body }
            BinOp::LogicalAnd => { let $f = |x: $T, y: $T| x.to_bool() && y.to_bool(); $body }
            BinOp::LogicalOr => { let $f = |x: $T, y: $T| x.to_bool() || y.to_bool(); $body }
            BinOp::LogicalXor => { let $f = |x: $T, y: $T| x.to_bool() != y.to_bool(); $body }
            _ => unreachable!("arithmetic ops are dispatched separately"),
        }
    };
}

fn default_float() -> DType {
    crate::default_dtype::get()
}

/// The dtype `op` computes in for operands promoting to `common`.
fn compute_dtype(op: BinOp, common: DType) -> DType {
    if op == BinOp::FloatPower {
        DType::F64
    } else if op.promotes_to_float() && !common.is_float() && !common.is_complex() {
        default_float()
    } else {
        common
    }
}

/// The dtype the op computes in, and the dtype of its result.
fn dtypes(op: BinOp, a: &Tensor, b: &Other) -> Result<(DType, DType)> {
    let common = result_type(&[operand(a), b.operand()], default_float())?;
    let compute = compute_dtype(op, common);
    check_supported(op, common)?;
    let out = if op.writes_bool() { DType::Bool } else { compute };
    Ok((compute, out))
}

fn check_supported(op: BinOp, dtype: DType) -> Result<()> {
    use BinOp::*;
    // PyTorch's kernels for these dtypes are few: the rest are "not implemented".
    let limited = if dtype.is_limited_uint() {
        !matches!(op, Mul | Div | Eq | Ne | Maximum | Minimum | BitAnd | BitOr | BitXor)
    } else if dtype.is_complex() {
        !matches!(op, Add | Sub | Mul | Div | Pow | Eq | Ne)
    } else {
        false
    };
    if limited {
        let kernel = if matches!(op, Add | Sub) { "add_stub".to_string() } else { format!("{}_cpu", op.kernel_name()) };
        return Err(crate::dtype::not_implemented_for(&kernel, dtype));
    }
    let unsupported = match op {
        Sub if dtype == DType::Bool => {
            return runtime(
                "Subtraction, the `-` operator, with two bool tensors is not supported. Use the `^` or `logical_xor()` operator instead.",
            )
        }
        BitAnd | BitOr | BitXor => dtype.is_float(),
        Shl | Shr => !dtype.is_integral(false),
        Hypot => !dtype.is_float(),
        FloorDiv | TruncDiv | Rem | Fmod => dtype == DType::Bool,
        _ => false,
    };
    if unsupported {
        return runtime(format!("\"{}_cpu\" not implemented for '{}'", op.kernel_name(), type_label(dtype)));
    }
    Ok(())
}

/// PyTorch's capitalised dtype names used in kernel errors ('Float', 'Long').
pub fn type_label(dtype: DType) -> &'static str {
    dtype.type_label()
}

fn check_integer_division(op: BinOp, compute: DType, b: &Other) -> Result<()> {
    if !compute.is_integral(false) || !matches!(op, BinOp::FloorDiv | BinOp::TruncDiv | BinOp::Rem | BinOp::Fmod) {
        return Ok(());
    }
    let has_zero = match b {
        Other::Scalar(s) => s.to_i64() == 0,
        Other::Tensor(t) => crate::ops::compare::any_zero(t)?,
    };
    if has_zero {
        return Err(Error::Runtime("ZeroDivisionError".into()));
    }
    Ok(())
}

fn check_negative_power(op: BinOp, compute: DType, b: &Other) -> Result<()> {
    if op == BinOp::Pow && compute.is_integral(false) {
        if let Other::Scalar(s) = b {
            if s.to_i64() < 0 {
                return runtime("Integers to negative integer powers are not allowed.");
            }
        }
    }
    Ok(())
}

/// `out = op(a, b)` computed in `compute` dtype and written into `out` (of the broadcast shape).
/// `t` as `dtype`, broadcast to `shape`: borrowed when it already is (the common case, which
/// keeps small-tensor ops free of reference-count traffic).
fn prepared<'a>(t: &'a Tensor, dtype: DType, shape: &[usize]) -> Result<Cow<'a, Tensor>> {
    if t.dtype == dtype && t.shape() == shape {
        return Ok(Cow::Borrowed(t));
    }
    Ok(Cow::Owned(t.to_dtype(dtype)?.broadcast_to(shape)?))
}

/// The GPU kernel's WGSL expression of `op` on operands `x`, `y` of the compute dtype (after
/// `gpu_operand_type`), where it has one.
fn gpu_expr(op: BinOp, compute: DType) -> Option<&'static str> {
    use BinOp::*;
    Some(match (op, compute) {
        (LogicalAnd, _) => "x && y",
        (LogicalOr, _) => "x || y",
        (LogicalXor, _) => "x != y",
        (Eq, _) => "x == y",
        (Ne, _) => "x != y",
        (Lt, DType::Bool) => "!x && y",
        (Le, DType::Bool) => "!x || y",
        (Gt, DType::Bool) => "x && !y",
        (Ge, DType::Bool) => "x || !y",
        (Lt, _) => "x < y",
        (Le, _) => "x <= y",
        (Gt, _) => "x > y",
        (Ge, _) => "x >= y",
        (Add | Maximum | BitOr, DType::Bool) => "x || y",
        (Mul | Minimum | BitAnd, DType::Bool) => "x && y",
        (BitXor, DType::Bool) => "x != y",
        (Add, DType::U8) => "(x + y) & 255u",
        (Sub, DType::U8) => "(x - y) & 255u",
        (Mul, DType::U8) => "(x * y) & 255u",
        (Add, DType::F32 | DType::I32) => "x + y",
        (Sub, DType::F32 | DType::I32) => "x - y",
        (Mul, DType::F32 | DType::I32) => "x * y",
        (Div, DType::F32) => "x / y",
        (TruncDiv, DType::F32) => "trunc(x / y)",
        (Pow, DType::F32) => "pow_f32(x, y)",
        (Maximum, DType::F32) => "max_f32(x, y)",
        (Minimum, DType::F32) => "min_f32(x, y)",
        (Fmax, DType::F32) => "fmax_f32(x, y)",
        (Fmin, DType::F32) => "fmin_f32(x, y)",
        (Maximum | Fmax, DType::I32 | DType::U8) => "max(x, y)",
        (Minimum | Fmin, DType::I32 | DType::U8) => "min(x, y)",
        (BitAnd, DType::I32 | DType::U8) => "x & y",
        (BitOr, DType::I32 | DType::U8) => "x | y",
        (BitXor, DType::I32 | DType::U8) => "x ^ y",
        _ => return None,
    })
}

/// The type the GPU expression sees its operands as: logical ops test truth values.
fn gpu_operand_type(op: BinOp, compute: DType) -> DType {
    if matches!(op, BinOp::LogicalAnd | BinOp::LogicalOr | BinOp::LogicalXor) {
        DType::Bool
    } else {
        compute
    }
}

/// `op` by the GPU's generated kernel when `out` is on the GPU and the dtypes have one; the
/// kernel converts its operands to the compute dtype itself (no cast pass).
fn run_on_gpu(op: BinOp, compute: DType, out: &Tensor, a: &Tensor, b: &Other) -> Result<bool> {
    let Some(expr) = gpu_expr(op, compute).filter(|_| out.device() == Device::Cuda) else { return Ok(false) };
    let as_type = gpu_operand_type(op, compute);
    let result = if op.writes_bool() { DType::Bool } else { compute };
    let a = a.broadcast_to(out.shape())?;
    let b_tensor;
    let b_input = match b {
        Other::Scalar(s) => gpu::Input::scalar(*s, as_type),
        Other::Tensor(t) => {
            b_tensor = t.broadcast_to(out.shape())?;
            gpu::Input { value: gpu::Value::Tensor(&b_tensor), as_type }
        }
    };
    let name = format!("{:?}", op);
    gpu::map(&name, expr, result, out, &[gpu::Input { value: gpu::Value::Tensor(&a), as_type }, b_input])
}

fn run_into(op: BinOp, compute: DType, out: &Tensor, a: &Tensor, b: &Other) -> Result<()> {
    if run_on_gpu(op, compute, out, a, b)? {
        return Ok(());
    }
    let a = prepared(a, compute, out.shape())?;
    if compute.is_complex() {
        let b = match b {
            Other::Scalar(s) => Tensor::scalar(*s, compute)?.broadcast_to(out.shape())?,
            Other::Tensor(t) => prepared(t, compute, out.shape())?.into_owned(),
        };
        return super::complex::binary_into(op, out, &a, &b);
    }
    match b {
        Other::Scalar(s) => with_arith!(compute, T => {
            let y: T = kernel_scalar(op, *s, compute);
            if op.writes_bool() {
                with_cmp_fn!(op, T, f => map::unary_into::<T, bool>(out, &a, move |x| f(x, y)))
            } else {
                with_op_fn!(op, T, f => map::unary_into::<T, T>(out, &a, move |x| f(x, y)))
            }
        }),
        Other::Tensor(b) => {
            let b = prepared(b, compute, out.shape())?;
            with_arith!(compute, T => {
                if op.writes_bool() {
                    with_cmp_fn!(op, T, f => map::binary_into::<T, T, bool>(out, &a, &b, f))
                } else {
                    with_op_fn!(op, T, f => map::binary_into::<T, T, T>(out, &a, &b, f))
                }
            })
        }
    }
    Ok(())
}

/// `op(a, b)` into a new tensor.
/// PyTorch's `sub_check`: subtracting from or with a bool tensor (or a bool scalar) is refused.
fn check_bool_sub(op: BinOp, a_is_bool: bool, b: &Other) -> Result<()> {
    let b_is_bool = match b {
        Other::Tensor(t) => t.dtype == DType::Bool,
        Other::Scalar(s) => matches!(s, Scalar::Bool(_)),
    };
    if op == BinOp::Sub && (a_is_bool || b_is_bool) {
        return Err(crate::error::Error::NotImplemented(
            "Subtraction, the `-` operator, with a bool tensor is not supported. If you are trying to invert a mask, use the `~` or `logical_not()` operator instead.".into(),
        ));
    }
    Ok(())
}

pub fn binary(op: BinOp, a: &Tensor, b: &Other) -> Result<Tensor> {
    check_bool_sub(op, a.dtype == DType::Bool, b)?;
    let (compute, out_dtype) = dtypes(op, a, b)?;
    check_integer_division(op, compute, b)?;
    check_negative_power(op, compute, b)?;
    let shape = match b {
        Other::Tensor(t) => broadcast_shapes(a.shape(), t.shape())?,
        Other::Scalar(_) => a.shape_dims(),
    };
    // Comparisons write bools; arithmetic writes the compute dtype.
    let out = Tensor::empty(&shape, if op.writes_bool() { DType::Bool } else { compute })?;
    run_into(op, compute, &out, a, b)?;
    debug_assert_eq!(out.dtype, out_dtype);
    Ok(out)
}

/// `a.op_(b)`: the result is cast back into `a`, which must be able to hold it.
pub fn binary_(op: BinOp, a: &Tensor, b: &Other) -> Result<()> {
    let compute = check_in_place(op, a, b)?;
    if compute == a.dtype && !op.writes_bool() {
        // Same dtype: write straight into `a`.
        let b = match b {
            Other::Tensor(t) => Other::Tensor(unaliased(t, a)?),
            other => other.clone(),
        };
        run_into(op, compute, a, a, &b)?;
        a.storage.bump_version();
    } else {
        a.copy_(&binary(op, a, b)?)?;
    }
    Ok(())
}

/// PyTorch's checks of `a.op_(b)`; returns the dtype the op computes in.
fn check_in_place(op: BinOp, a: &Tensor, b: &Other) -> Result<DType> {
    check_bool_sub(op, a.dtype == DType::Bool, b)?;
    a.assert_no_internal_overlap()?;
    if let Other::Tensor(t) = b {
        a.assert_no_partial_overlap(t)?;
    }
    let (compute, out_dtype) = dtypes(op, a, b)?;
    if op == BinOp::FloatPower && a.dtype != DType::F64 {
        return runtime(format!(
            "the base given to float_power_ has dtype {} but the operation's result requires dtype Double",
            type_label(a.dtype)
        ));
    }
    if out_dtype.category() > a.dtype.category() {
        return runtime(format!(
            "result type {} can't be cast to the desired output type {}",
            type_label(out_dtype),
            type_label(a.dtype)
        ));
    }
    check_integer_division(op, compute, b)?;
    check_negative_power(op, compute, b)?;
    if let Other::Tensor(t) = b {
        let shape = broadcast_shapes(a.shape(), t.shape())?;
        if shape.as_slice() != a.shape() {
            return runtime(format!(
                "output with shape {:?} doesn't match the broadcast shape {:?}",
                a.shape(),
                shape.as_slice()
            ));
        }
    }
    Ok(compute)
}

/// `t`, or a fresh copy of it where it is another view of `out`'s memory (one the overlap
/// checks allow: not dense), so writing `out` cannot change what is read.
fn unaliased(t: &Tensor, out: &Tensor) -> Result<Tensor> {
    if t.overlaps(out) && t.layout != out.layout {
        return t.copy_to_new(t.dtype);
    }
    Ok(t.clone())
}

/// `op(s, t)` with a Python number on the left (`2 ** t`, `1 - t`): the number becomes a 0-dim
/// tensor of the result dtype, so it keeps its full value and still promotes as a scalar.
pub fn binary_scalar_lhs(op: BinOp, s: Scalar, t: &Tensor) -> Result<Tensor> {
    check_bool_sub(op, matches!(s, Scalar::Bool(_)), &Other::Tensor(t.clone()))?;
    let common = result_type(&[Operand::Scalar(s), operand(t)], default_float())?;
    check_supported(op, common)?;
    if op == BinOp::Div {
        // PyTorch's `__rtruediv__` is `t.reciprocal() * s` (rounded twice, not `s / t`).
        let reciprocal = super::unary::unary(super::unary::UnaryOp::Reciprocal, t)?;
        return binary(BinOp::Mul, &reciprocal, &Other::Scalar(s));
    }
    // In the dtype the op computes in: `-3 / uint8_tensor` divides -3, not its uint8 wrap.
    binary(op, &Tensor::scalar(s, compute_dtype(op, common))?, &Other::Tensor(t.clone()))
}

/// `add(a, b, alpha)` / `sub`: alpha scales `b` first, as in PyTorch.
pub fn add_scaled(a: &Tensor, b: &Other, alpha: Scalar, subtract: bool) -> Result<Tensor> {
    let op = if subtract { BinOp::Sub } else { BinOp::Add };
    check_alpha(a, b, alpha)?;
    if alpha == Scalar::Int(1) {
        return binary(op, a, b);
    }
    check_bool_sub(op, a.dtype == DType::Bool, b)?;
    if let (Other::Tensor(t), (compute, _)) = (b, dtypes(op, a, b)?) {
        if fuses_add_scaled(compute, a, t) {
            let out = Tensor::empty(&broadcast_shapes(a.shape(), t.shape())?, compute)?;
            fused_add_scaled(&out, a, t, alpha, subtract)?;
            return Ok(out);
        }
    }
    binary(op, a, &scale(b, alpha)?)
}

/// Whether `a + alpha * b` runs as one fused multiply-add, as PyTorch's CPU kernel computes it
/// for floats (the rounded product would differ from it in the last bit).
fn fuses_add_scaled(compute: DType, a: &Tensor, b: &Tensor) -> bool {
    compute.is_float() && a.device() == Device::Cpu && b.device() == Device::Cpu
}

/// `out = a + alpha * b` (`- alpha * b` when `subtract`) in one rounding, alpha at the kernel's
/// precision (for 16-bit floats, rounded to the tensor's dtype first, as in PyTorch).
fn fused_add_scaled(out: &Tensor, a: &Tensor, b: &Tensor, alpha: Scalar, subtract: bool) -> Result<()> {
    let (a, b) = (prepared(a, out.dtype, out.shape())?, prepared(b, out.dtype, out.shape())?);
    crate::with_opmath_dtype!(out.dtype, T => {
        let alpha: T = kernel_scalar(BinOp::Add, alpha, out.dtype);
        let alpha = if subtract { -alpha } else { alpha };
        map::binary_into::<T, T, T>(out, &a, &b, move |x: T, y: T| y.mul_add(alpha, x));
    });
    Ok(())
}

pub fn add_scaled_(a: &Tensor, b: &Other, alpha: Scalar, subtract: bool) -> Result<()> {
    let op = if subtract { BinOp::Sub } else { BinOp::Add };
    check_alpha(a, b, alpha)?;
    if alpha == Scalar::Int(1) {
        return binary_(op, a, b);
    }
    if let Other::Tensor(t) = b {
        // Checked before `scale` makes a fresh copy of `b`.
        if check_in_place(op, a, b)? == a.dtype && fuses_add_scaled(a.dtype, a, t) {
            fused_add_scaled(a, a, &unaliased(t, a)?, alpha, subtract)?;
            a.storage.bump_version();
            return Ok(());
        }
    }
    binary_(op, a, &scale(b, alpha)?)
}

fn check_alpha(a: &Tensor, b: &Other, alpha: Scalar) -> Result<()> {
    let common = result_type(&[operand(a), b.operand()], default_float())?;
    let integral = !common.is_float() && !common.is_complex();
    if integral && matches!(alpha, Scalar::Float(_)) {
        return runtime("For integral input tensors, argument alpha must not be a floating point number.");
    }
    Ok(())
}

fn scale(b: &Other, alpha: Scalar) -> Result<Other> {
    Ok(match b {
        Other::Scalar(s) => Other::Scalar(match (s, alpha) {
            (Scalar::Float(_), _) | (_, Scalar::Float(_)) => Scalar::Float(s.to_f64() * alpha.to_f64()),
            _ => Scalar::Int(s.to_i64().wrapping_mul(alpha.to_i64())),
        }),
        Other::Tensor(t) => Other::Tensor(binary(BinOp::Mul, t, &Other::Scalar(alpha))?),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn python_style_floor_division_and_modulo() {
        assert_eq!((-7i64).floor_div(2), -4);
        assert_eq!((-7i64).rem(3), 2);
        assert_eq!((-7.5f64).floor_div(2.0), -4.0);
        assert_eq!((-7.5f64).rem(2.0), 0.5);
    }

    #[test]
    fn int_tensor_plus_float_scalar_is_float() {
        let a = Tensor::from_vec(vec![1i64, 2, 3], &[3]).unwrap();
        let r = binary(BinOp::Add, &a, &Other::Scalar(Scalar::Float(1.5))).unwrap();
        assert_eq!(r.dtype, DType::F32);
        assert_eq!(r.to_vec::<f32>().unwrap(), vec![2.5, 3.5, 4.5]);
    }
}
