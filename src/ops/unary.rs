//! Unary elementwise ops. Each op is one line in `for_each_unary_op!`: its name, which dtypes it
//! keeps (`Same`) or turns into the default float (`Float`), and its f64/f32 formula.
use crate::backend::cpu::map;
use crate::dtype::{DType, Element};
use crate::error::{runtime, Result};
use crate::tensor::Tensor;
use half::{bf16, f16};

/// How an op maps input dtypes to its result dtype.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Rule {
    /// Integer and bool inputs compute in the default float dtype (exp, sqrt, sin, …).
    Float,
    /// The result keeps the input dtype (abs, neg, floor, …).
    Same,
}

/// Float element types the formulas are written for (f16/bf16 compute in f32).
pub trait Float: Element + Copy {
    type W: num_traits::Float;
    fn widen(self) -> Self::W;
    fn narrow(w: Self::W) -> Self;
}
macro_rules! float_impl {
    ($t:ty, $w:ty, $widen:expr, $narrow:expr) => {
        impl Float for $t {
            type W = $w;
            #[inline(always)]
            fn widen(self) -> $w { $widen(self) }
            #[inline(always)]
            fn narrow(w: $w) -> Self { $narrow(w) }
        }
    };
}
float_impl!(f32, f32, |v| v, |v| v);
float_impl!(f64, f64, |v| v, |v| v);
float_impl!(f16, f32, |v: f16| v.to_f32(), f16::from_f32);
float_impl!(bf16, f32, |v: bf16| v.to_f32(), bf16::from_f32);

macro_rules! with_float_dtype {
    ($dtype:expr, $T:ident => $body:expr) => {
        match $dtype {
            DType::F16 => { type $T = f16; $body }
            DType::BF16 => { type $T = bf16; $body }
            DType::F32 => { type $T = f32; $body }
            DType::F64 => { type $T = f64; $body }
            _ => unreachable!("float dispatch on a non-float dtype"),
        }
    };
}

/// The unary op table: variant, method name, in-place method name, dtype rule, formula on
/// the widened float value. The bindings expand the same table into `Tensor` methods.
#[macro_export]
macro_rules! for_each_unary_op {
    ($m:ident) => {
        $m! {
            Exp, exp, exp_, Float, |x| x.exp();
            Log, log, log_, Float, |x| x.ln();
            Sqrt, sqrt, sqrt_, Float, |x| x.sqrt();
            Sin, sin, sin_, Float, |x| x.sin();
            Cos, cos, cos_, Float, |x| x.cos();
            Tanh, tanh, tanh_, Float, |x| x.tanh();
            Neg, neg, neg_, Same, |x| -x;
            Abs, abs, abs_, Same, |x| x.abs();
        }
    };
}

macro_rules! declare_unary_ops {
    ($( $variant:ident, $name:ident, $iname:ident, $rule:ident, |$x:ident| $formula:expr; )*) => {
        #[derive(Clone, Copy, Debug, PartialEq, Eq)]
        pub enum UnaryOp { $($variant),* }

        impl UnaryOp {
            pub const ALL: &'static [UnaryOp] = &[$(UnaryOp::$variant),*];
            pub fn name(self) -> &'static str { match self { $(UnaryOp::$variant => stringify!($name)),* } }
            pub fn rule(self) -> Rule { match self { $(UnaryOp::$variant => Rule::$rule),* } }
        }

        fn float_kernel<T: Float>(op: UnaryOp, out: &Tensor, a: &Tensor) {
            use num_traits::Float as _;
            match op {
                $(UnaryOp::$variant => map::unary_into::<T, T>(out, a, |v: T| {
                    let $x = v.widen();
                    T::narrow($formula)
                }),)*
            }
        }
    };
}
for_each_unary_op!(declare_unary_ops);

/// Integer-dtype versions of the `Same` ops.
fn int_kernel<T: Element + num_traits::PrimInt + num_traits::WrappingNeg>(op: UnaryOp, out: &Tensor, a: &Tensor) -> Result<()> {
    match op {
        UnaryOp::Neg => map::unary_into::<T, T>(out, a, |v: T| v.wrapping_neg()),
        UnaryOp::Abs => map::unary_into::<T, T>(out, a, |v: T| if v < T::zero() { v.wrapping_neg() } else { v }),
        _ => return runtime(format!("\"{}\" not implemented for integer tensors", op.name())),
    }
    Ok(())
}

fn result_dtype(op: UnaryOp, input: DType) -> DType {
    match op.rule() {
        Rule::Float if !input.is_float() => crate::default_dtype::get(),
        _ => input,
    }
}

fn run_into(op: UnaryOp, out: &Tensor, a: &Tensor) -> Result<()> {
    match out.dtype {
        DType::F16 | DType::BF16 | DType::F32 | DType::F64 => {
            let a = a.to_dtype(out.dtype)?;
            with_float_dtype!(out.dtype, T => float_kernel::<T>(op, out, &a));
            Ok(())
        }
        DType::Bool => match op {
            UnaryOp::Abs => {
                out.copy_(a)?;
                Ok(())
            }
            _ => runtime(
                "Negation, the `-` operator, on a bool tensor is not supported. If you are trying to invert a mask, use the `~` or `logical_not()` operator instead.",
            ),
        },
        DType::U8 => int_kernel::<u8>(op, out, a),
        DType::I8 => int_kernel::<i8>(op, out, a),
        DType::I16 => int_kernel::<i16>(op, out, a),
        DType::I32 => int_kernel::<i32>(op, out, a),
        DType::I64 => int_kernel::<i64>(op, out, a),
    }
}

pub fn unary(op: UnaryOp, a: &Tensor) -> Result<Tensor> {
    let out = Tensor::empty(a.shape(), result_dtype(op, a.dtype))?;
    run_into(op, &out, a)?;
    Ok(out)
}

/// In-place form: the result must fit `a`'s dtype (`exp_` on an int tensor fails).
pub fn unary_(op: UnaryOp, a: &Tensor) -> Result<()> {
    let dtype = result_dtype(op, a.dtype);
    if dtype != a.dtype {
        return runtime(format!(
            "result type {} can't be cast to the desired output type {}",
            crate::ops::binary::type_label(dtype),
            crate::ops::binary::type_label(a.dtype)
        ));
    }
    run_into(op, a, a)?;
    a.storage.bump_version();
    Ok(())
}
