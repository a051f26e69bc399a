//! Unary elementwise ops. Each op is one line in `for_each_unary_op!`: its name, its dtype rule,
//! its formula on the widened float value and, for ops that keep integer dtypes, its integer
//! formula. Ops with extra arguments (round, nan_to_num, logit) and bool-valued predicates
//! follow the table.
use super::special;
use super::vmath::VMath;
use crate::backend::cpu::map;
use crate::dtype::{DType, Element};
use crate::error::{runtime, Error, Result};
use crate::ops::binary::type_label;
use crate::backend::wgpu::elementwise as gpu;
use crate::storage::Device;
use crate::tensor::Tensor;
use half::{bf16, f16};

/// How an op maps input dtypes to its result dtype.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Rule {
    /// Integer and bool inputs compute in the default float dtype (exp, sqrt, sin, …).
    Float,
    /// The result keeps the input dtype (abs, neg, floor, …); integers use the integer formula.
    Same,
    /// Only floating inputs are accepted (frac).
    FloatOnly,
}

/// Float element types the formulas are written for (f16/bf16 compute in f32).
pub trait Float: Element + Copy {
    type W: num_traits::Float + VMath;
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

/// Runs `$body` with `$T` bound to the element type of a floating `$dtype`.
#[macro_export]
macro_rules! with_float_dtype {
    ($dtype:expr, $T:ident => $body:expr) => {
        match $dtype {
            $crate::dtype::DType::F16 => { type $T = half::f16; $body }
            $crate::dtype::DType::BF16 => { type $T = half::bf16; $body }
            $crate::dtype::DType::F32 => { type $T = f32; $body }
            $crate::dtype::DType::F64 => { type $T = f64; $body }
            other => return Err(::core::convert::From::from($crate::dtype::not_implemented_for("float kernel", other))),
        }
    };
}

/// `with_float_dtype!` for kernels built on `map::unary_into`/`binary_into`: float16 and
/// bfloat16 tensors run the f32 kernel (widened a chunk at a time, rounded once, as PyTorch's
/// CPU kernels compute them), so they have no kernels of their own.
#[macro_export]
macro_rules! with_opmath_dtype {
    ($dtype:expr, $T:ident => $body:expr) => {
        match $dtype {
            $crate::dtype::DType::F16 | $crate::dtype::DType::BF16 | $crate::dtype::DType::F32 => { type $T = f32; $body }
            $crate::dtype::DType::F64 => { type $T = f64; $body }
            other => return Err(::core::convert::From::from($crate::dtype::not_implemented_for("float kernel", other))),
        }
    };
}

/// Wrapping integer arithmetic for the integer formulas.
pub trait Int: Element + Ord {
    fn wneg(self) -> Self;
    fn wmul(self, o: Self) -> Self;
}
macro_rules! int_impl {
    ($($t:ty),*) => {$(
        impl Int for $t {
            #[inline(always)] fn wneg(self) -> Self { self.wrapping_neg() }
            #[inline(always)] fn wmul(self, o: Self) -> Self { self.wrapping_mul(o) }
        }
    )*};
}
int_impl!(u8, i8, i16, i32, i64);

/// `(0 < x) - (x < 0)`: NaN and ±0 give 0, as in PyTorch.
#[inline(always)]
fn sign<W: num_traits::Float>(x: W) -> W {
    let z = W::zero();
    if x > z {
        W::one()
    } else if x < z {
        -W::one()
    } else {
        z
    }
}

/// A special function of `crate::ops::special` (written in f64) on the widened value.
#[inline(always)]
fn in_f64<W: num_traits::Float>(x: W, f: fn(f64) -> f64) -> W {
    let v = f(x.to_f64().unwrap_or(f64::NAN));
    W::from(v).unwrap_or_else(|| if v > 0.0 { W::infinity() } else { W::neg_infinity() })
}

/// The unary op table: variant, method name, in-place method name, dtype rule, the f32 GPU
/// kernel's WGSL expression of `x` ("" where the op has none yet: its CPU kernel runs on the
/// host copy; asin/acos/atan wait for kernels more precise than the builtins, which lavapipe
/// computes to ~1e-4), formula on the widened float value, and the integer formula of `Same` ops. The
/// bindings expand the same table into `Tensor` methods.
#[macro_export]
macro_rules! for_each_unary_op {
    ($m:ident) => {
        $m! {
            Abs, abs, abs_, Same, "abs(x)", |x| x.abs(), |v| if v < T::ZERO { v.wneg() } else { v };
            Neg, neg, neg_, Same, "-x", |x| -x, |v| v.wneg();
            Sign, sign, sign_, Same, "sign_f32(x)", |x| sign(x), |v| T::from_i64((v > T::ZERO) as i64 - (v < T::ZERO) as i64);
            Square, square, square_, Same, "x * x", |x| x * x, |v| v.wmul(v);
            Relu, relu, relu_, Same, "relu_f32(x)", |x| if x > W::zero() || x.is_nan() { x } else { W::zero() }, |v| v.max(T::ZERO);
            Floor, floor, floor_, Same, "floor(x)", |x| x.floor(), |v| v;
            Ceil, ceil, ceil_, Same, "ceil(x)", |x| x.ceil(), |v| v;
            Trunc, trunc, trunc_, Same, "trunc(x)", |x| x.trunc(), |v| v;
            Frac, frac, frac_, FloatOnly, "x - trunc(x)", |x| x - x.trunc();
            Sqrt, sqrt, sqrt_, Float, "sqrt(x)", |x| x.sqrt();
            Rsqrt, rsqrt, rsqrt_, Float, "1.0 / sqrt(x)", |x| W::one() / x.sqrt();
            Reciprocal, reciprocal, reciprocal_, Float, "1.0 / x", |x| W::one() / x;
            Exp, exp, exp_, Float, "exp(x)", |x| x.vexp();
            Exp2, exp2, exp2_, Float, "exp2(x)", |x| x.exp2();
            Expm1, expm1, expm1_, Float, "expm1_f32(x)", |x| x.exp_m1();
            Log, log, log_, Float, "log(x)", |x| x.vln();
            Log2, log2, log2_, Float, "log2(x)", |x| x.log2();
            Log10, log10, log10_, Float, "log2(x) * 0.30102999566398120", |x| x.log10();
            Log1p, log1p, log1p_, Float, "log1p_f32(x)", |x| x.vln_1p();
            Sin, sin, sin_, Float, "sin(x)", |x| x.sin();
            Cos, cos, cos_, Float, "cos(x)", |x| x.cos();
            Tan, tan, tan_, Float, "tan(x)", |x| x.tan();
            Asin, asin, asin_, Float, "", |x| x.asin();
            Acos, acos, acos_, Float, "", |x| x.acos();
            Atan, atan, atan_, Float, "", |x| x.atan();
            Sinh, sinh, sinh_, Float, "", |x| x.sinh();
            Cosh, cosh, cosh_, Float, "cosh(x)", |x| x.cosh();
            Tanh, tanh, tanh_, Float, "tanh_f32(x)", |x| x.vtanh();
            Asinh, asinh, asinh_, Float, "", |x| x.asinh();
            Acosh, acosh, acosh_, Float, "", |x| x.acosh();
            Atanh, atanh, atanh_, Float, "", |x| x.atanh();
            Sigmoid, sigmoid, sigmoid_, Float, "sigmoid_f32(x)", |x| W::one() / (W::one() + (-x).vexp());
            Erf, erf, erf_, Float, "erf_f32(x)", |x| VMath::erf(x);
            Erfc, erfc, erfc_, Float, "", |x| VMath::erfc(x);
            Erfinv, erfinv, erfinv_, Float, "", |x| VMath::erfinv(x);
            Lgamma, lgamma, lgamma_, Float, "", |x| in_f64(x, special::lgamma);
            Digamma, digamma, digamma_, Float, "", |x| in_f64(x, special::digamma);
            I0, i0, i0_, Float, "", |x| in_f64(x, special::i0);
            Sinc, sinc, sinc_, Float, "", |x| in_f64(x, special::sinc);
            I0e, _special_i0e, _special_i0e_, Float, "", |x| in_f64(x, special::i0e);
            I1, _special_i1, _special_i1_, Float, "", |x| in_f64(x, special::i1);
            I1e, _special_i1e, _special_i1e_, Float, "", |x| in_f64(x, special::i1e);
            Ndtri, _special_ndtri, _special_ndtri_, Float, "", |x| in_f64(x, special::ndtri);
            Erfcx, _special_erfcx, _special_erfcx_, Float, "", |x| in_f64(x, special::erfcx);
            LogNdtr, _special_log_ndtr, _special_log_ndtr_, Float, "", |x| in_f64(x, special::log_ndtr);
            Entr, _special_entr, _special_entr_, Float, "", |x| in_f64(x, special::entr);
            BesselJ0, _special_bessel_j0, _special_bessel_j0_, Float, "", |x| in_f64(x, special::bessel_j0);
            BesselJ1, _special_bessel_j1, _special_bessel_j1_, Float, "", |x| in_f64(x, special::bessel_j1);
        }
    };
}

/// The integer kernel of one table row: its formula, or PyTorch's "not implemented" error.
macro_rules! int_arm {
    ($op:expr, $out:expr, $a:expr, $T:ty, ) => {
        return not_implemented($op, <$T>::DTYPE)
    };
    ($op:expr, $out:expr, $a:expr, $T:ty, |$v:ident| $formula:expr) => {
        map::unary_into::<$T, $T>($out, $a, |$v: $T| $formula)
    };
}

macro_rules! declare_unary_ops {
    ($( $variant:ident, $name:ident, $iname:ident, $rule:ident, $wgsl:literal, |$x:ident| $formula:expr $(, |$v:ident| $iformula:expr)?; )*) => {
        #[derive(Clone, Copy, Debug, PartialEq, Eq)]
        pub enum UnaryOp { $($variant),* }

        impl UnaryOp {
            pub const ALL: &'static [UnaryOp] = &[$(UnaryOp::$variant),*];
            pub fn name(self) -> &'static str { match self { $(UnaryOp::$variant => stringify!($name)),* } }
            pub fn rule(self) -> Rule { match self { $(UnaryOp::$variant => Rule::$rule),* } }
            /// The f32 GPU kernel's expression of `x`, if the op has one.
            pub fn wgsl(self) -> Option<&'static str> {
                match self { $(UnaryOp::$variant => Some($wgsl).filter(|w: &&str| !w.is_empty())),* }
            }
        }

        fn float_kernel<T: Float>(op: UnaryOp, out: &Tensor, a: &Tensor) {
            float_kernel_in::<T, T::W>(op, out, a)
        }

        /// `W` is the type the formulas compute in.
        fn float_kernel_in<T: Float<W = W>, W: num_traits::Float + VMath>(op: UnaryOp, out: &Tensor, a: &Tensor) {
            match op {
                $(UnaryOp::$variant => map::unary_into::<T, T>(out, a, |v: T| {
                    let $x: W = v.widen();
                    T::narrow($formula)
                }),)*
            }
        }

        fn int_kernel<T: Int>(op: UnaryOp, out: &Tensor, a: &Tensor) -> Result<()> {
            match op {
                $(UnaryOp::$variant => { int_arm!(op, out, a, T, $(|$v| $iformula)?); })*
            }
            Ok(())
        }
    };
}
for_each_unary_op!(declare_unary_ops);

fn not_implemented<T>(op: UnaryOp, dtype: DType) -> Result<T> {
    Err(crate::dtype::not_implemented_for(&format!("{}_cpu", op.name()), dtype))
}

/// What a `Same` op does with a bool tensor.
fn bool_input(op: UnaryOp) -> Result<DType> {
    match op {
        UnaryOp::Sign => Ok(DType::Bool),
        UnaryOp::Square => Ok(DType::I64),
        UnaryOp::Neg => runtime(
            "Negation, the `-` operator, on a bool tensor is not supported. If you are trying to invert a mask, use the `~` or `logical_not()` operator instead.",
        ),
        UnaryOp::Relu => runtime("Boolean inputs not supported for relu"),
        UnaryOp::Floor | UnaryOp::Ceil | UnaryOp::Trunc => {
            runtime(format!("\"{}_vml_cpu\" not implemented for 'Bool'", op.name()))
        }
        _ => not_implemented(op, DType::Bool),
    }
}

fn result_dtype(op: UnaryOp, input: DType) -> Result<DType> {
    Ok(match op.rule() {
        _ if input.is_float() => input,
        Rule::Same | Rule::FloatOnly if input.is_limited_uint() || input.is_complex() => return not_implemented(op, input),
        Rule::Float => crate::default_dtype::get(),
        Rule::FloatOnly => return not_implemented(op, input),
        Rule::Same if input == DType::Bool => bool_input(op)?,
        Rule::Same => input,
    })
}

/// Runs the integer kernel for integer element types.
macro_rules! with_int_dtype {
    ($dtype:expr, $T:ident => $body:expr) => {
        match $dtype {
            DType::U8 => { type $T = u8; $body }
            DType::I8 => { type $T = i8; $body }
            DType::I16 => { type $T = i16; $body }
            DType::I32 => { type $T = i32; $body }
            DType::I64 => { type $T = i64; $body }
            other => return not_implemented_named("integer kernel", other),
        }
    };
}

fn run_into(op: UnaryOp, out: &Tensor, a: &Tensor) -> Result<()> {
    if out.device() == Device::Cuda && out.dtype == DType::F32 {
        if let Some(expr) = op.wgsl() {
            if gpu::map(op.name(), expr, DType::F32, out, &[gpu::Input { value: gpu::Value::Tensor(a), as_type: DType::F32 }])? {
                return Ok(());
            }
        }
    }
    if out.dtype.is_float() {
        let a = a.to_dtype(out.dtype)?;
        crate::with_opmath_dtype!(out.dtype, T => float_kernel::<T>(op, out, &a));
        return Ok(());
    }
    if a.dtype == DType::Bool && out.dtype == DType::Bool {
        // abs and sign of a bool are the bool itself.
        map::copy_cast(out, a);
        return Ok(());
    }
    let a = a.to_dtype(out.dtype)?;
    with_int_dtype!(out.dtype, T => int_kernel::<T>(op, out, &a))
}

pub fn unary(op: UnaryOp, a: &Tensor) -> Result<Tensor> {
    if a.dtype.is_complex() {
        return match op {
            UnaryOp::Abs => super::complex::abs_or_angle(a, false),
            _ => super::complex::unary(op, a),
        };
    }
    let out = Tensor::empty(a.shape(), result_dtype(op, a.dtype)?)?;
    run_into(op, &out, a)?;
    Ok(out)
}

fn cast_error<T>(result: DType, out: DType) -> Result<T> {
    runtime(format!("result type {} can't be cast to the desired output type {}", type_label(result), type_label(out)))
}

/// In-place form: the result must fit `a`'s dtype (`exp_` on an int tensor fails).
pub fn unary_(op: UnaryOp, a: &Tensor) -> Result<()> {
    a.assert_no_internal_overlap()?;
    if a.dtype.is_complex() && op != UnaryOp::Abs {
        return a.copy_(&super::complex::unary(op, a)?);
    }
    let dtype = result_dtype(op, a.dtype)?;
    if dtype != a.dtype {
        return cast_error(dtype, a.dtype);
    }
    run_into(op, a, a)?;
    a.storage.bump_version();
    Ok(())
}

/// Applies `f` (on the widened float value) to a float tensor, into `out` (same shape).
fn float_map(out: &Tensor, a: &Tensor, f: impl Fn(f64) -> f64 + Sync + Copy) -> Result<()> {
    let a = a.to_dtype(out.dtype)?;
    crate::with_float_dtype!(out.dtype, T => map::unary_into::<T, T>(out, &a, move |v: T| T::from_f64(f(v.to_f64()))));
    Ok(())
}

/// Where an op with arguments writes: a new tensor, or `a` itself (checked castable).
fn output_for(a: &Tensor, dtype: DType, in_place: bool) -> Result<Tensor> {
    if !in_place {
        return Tensor::empty(a.shape(), dtype);
    }
    if dtype != a.dtype {
        return cast_error(dtype, a.dtype);
    }
    a.assert_no_internal_overlap()?;
    Ok(a.clone())
}

fn finish(out: Tensor, in_place: bool) -> Tensor {
    if in_place {
        out.storage.bump_version();
    }
    out
}

/// `round(decimals=0)`: half to even; integers are returned unchanged (copied).
pub fn round(a: &Tensor, decimals: i64, in_place: bool) -> Result<Tensor> {
    check_real("round", a)?;
    if a.dtype == DType::Bool {
        return runtime("\"round_vml_cpu\" not implemented for 'Bool'");
    }
    let out = output_for(a, a.dtype, in_place)?;
    if !a.dtype.is_float() {
        if decimals != 0 {
            return not_implemented_named("round", a.dtype);
        }
        if !in_place {
            map::copy_cast(&out, a);
        }
        return Ok(finish(out, in_place));
    }
    if decimals == 0 {
        float_map(&out, a, |x| x.round_ties_even())?;
    } else {
        // PyTorch scales by 10^|decimals| the same way, so the results agree.
        let scale = 10f64.powi(decimals.unsigned_abs().min(400) as i32);
        if decimals > 0 {
            float_map(&out, a, move |x| (x * scale).round_ties_even() / scale)?;
        } else {
            float_map(&out, a, move |x| (x / scale).round_ties_even() * scale)?;
        }
    }
    Ok(finish(out, in_place))
}

/// The ops below have kernels for the ten core dtypes only.
fn check_real(name: &str, a: &Tensor) -> Result<()> {
    if a.dtype.is_complex() || a.dtype.is_limited_uint() {
        return not_implemented_named(name, a.dtype);
    }
    Ok(())
}

fn not_implemented_named<T>(name: &str, dtype: DType) -> Result<T> {
    Err(crate::dtype::not_implemented_for(&format!("{}_cpu", name), dtype))
}

/// The largest finite value of a float dtype.
fn finite_max(dtype: DType) -> f64 {
    match dtype {
        DType::F16 => f16::MAX.to_f64(),
        DType::BF16 => bf16::MAX.to_f64(),
        DType::F32 => f32::MAX as f64,
        _ => f64::MAX,
    }
}

/// `nan_to_num(nan=0.0, posinf=None, neginf=None)`: infinities default to the dtype's extremes.
pub fn nan_to_num(a: &Tensor, nan: f64, posinf: Option<f64>, neginf: Option<f64>, in_place: bool) -> Result<Tensor> {
    check_real("nan_to_num", a)?;
    let out = output_for(a, a.dtype, in_place)?;
    if !a.dtype.is_float() {
        if !in_place {
            map::copy_cast(&out, a);
        }
        return Ok(finish(out, in_place));
    }
    let big = finite_max(a.dtype);
    let (pos, neg) = (posinf.unwrap_or(big), neginf.unwrap_or(-big));
    float_map(&out, a, move |x| {
        if x.is_nan() {
            nan
        } else if x == f64::INFINITY {
            pos
        } else if x == f64::NEG_INFINITY {
            neg
        } else {
            x
        }
    })?;
    Ok(finish(out, in_place))
}

/// `logit(eps=None)`: log(p / (1 - p)), with p clamped to [eps, 1 - eps] when eps is given.
pub fn logit(a: &Tensor, eps: Option<f64>, in_place: bool) -> Result<Tensor> {
    check_real("logit", a)?;
    let dtype = if a.dtype.is_float() { a.dtype } else { crate::default_dtype::get() };
    let out = output_for(a, dtype, in_place)?;
    float_map(&out, a, move |x| {
        let p = match eps {
            Some(e) if x < e => e,
            Some(e) if x > 1.0 - e => 1.0 - e,
            _ => x,
        };
        (p / (1.0 - p)).ln()
    })?;
    Ok(finish(out, in_place))
}

/// `polygamma(n, x)`, elementwise ψ⁽ⁿ⁾ in the input's float dtype.
pub fn polygamma(n: u32, a: &Tensor) -> Result<Tensor> {
    check_real("polygamma", a)?;
    let dtype = if a.dtype.is_float() { a.dtype } else { crate::default_dtype::get() };
    let out = Tensor::empty(a.shape(), dtype)?;
    float_map(&out, a, move |x| special::polygamma(n, x))?;
    Ok(out)
}

/// The Hurwitz zeta ζ(x, q) of two float tensors of one shape and dtype (the caller broadcasts).
pub fn zeta(x: &Tensor, q: &Tensor) -> Result<Tensor> {
    let out = Tensor::empty(x.shape(), x.dtype)?;
    crate::with_float_dtype!(x.dtype, T => map::binary_into::<T, T, T>(&out, x, q, |s: T, v: T| T::from_f64(special::zeta(s.to_f64(), v.to_f64()))));
    Ok(out)
}

/// Bool-valued tests of each element.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Predicate {
    IsNan,
    IsInf,
    IsPosInf,
    IsNegInf,
    IsFinite,
    SignBit,
    LogicalNot,
}

pub fn predicate(p: Predicate, a: &Tensor) -> Result<Tensor> {
    if a.dtype.is_complex() {
        return complex_predicate(p, a);
    }
    let out = Tensor::empty(a.shape(), DType::Bool)?;
    predicate_into(p, &out, a)?;
    Ok(out)
}

/// A predicate of a complex number from those of its parts: NaN or infinite when either part
/// is, finite or zero (logical_not) when both are.
fn complex_predicate(p: Predicate, a: &Tensor) -> Result<Tensor> {
    use crate::ops::binary::{binary, BinOp, Other};
    let combine = match p {
        Predicate::IsNan | Predicate::IsInf => BinOp::LogicalOr,
        Predicate::IsFinite | Predicate::LogicalNot => BinOp::LogicalAnd,
        _ => return not_implemented_named(&format!("{:?}", p).to_lowercase(), a.dtype),
    };
    let (re, im) = (super::complex::real(a), super::complex::imag(a)?);
    binary(combine, &predicate(p, &re)?, &Other::Tensor(predicate(p, &im)?))
}

fn predicate_into(p: Predicate, out: &Tensor, a: &Tensor) -> Result<()> {
    if a.dtype.is_float() {
        crate::with_opmath_dtype!(a.dtype, T => {
            let test = move |v: T| {
                let x = v.to_f64();
                match p {
                    Predicate::IsNan => x.is_nan(),
                    Predicate::IsInf => x.is_infinite(),
                    Predicate::IsPosInf => x == f64::INFINITY,
                    Predicate::IsNegInf => x == f64::NEG_INFINITY,
                    Predicate::IsFinite => x.is_finite(),
                    Predicate::SignBit => x.is_sign_negative(),
                    Predicate::LogicalNot => x == 0.0,
                }
            };
            map::unary_into::<T, bool>(out, a, test)
        })
    } else {
        crate::with_real_dtype!(a.dtype, T => {
            let test = move |v: T| match p {
                Predicate::IsNan | Predicate::IsInf | Predicate::IsPosInf | Predicate::IsNegInf => false,
                Predicate::IsFinite => true,
                Predicate::SignBit => v.to_i64() < 0,
                Predicate::LogicalNot => !v.to_bool(),
            };
            map::unary_into::<T, bool>(out, a, test)
        })
    }
    Ok(())
}

/// `logical_not_`: the 0/1 result is written back in `a`'s own dtype.
pub fn logical_not_(a: &Tensor) -> Result<()> {
    let r = predicate(Predicate::LogicalNot, a)?;
    a.copy_(&r)
}

/// `bitwise_not` / `~`: integers flip their bits, bools are negated, floats are rejected.
pub fn bitwise_not(a: &Tensor, in_place: bool) -> Result<Tensor> {
    if a.dtype.is_float() || a.dtype.is_complex() || a.dtype.is_limited_uint() {
        return not_implemented_named("bitwise_not", a.dtype);
    }
    let out = output_for(a, a.dtype, in_place)?;
    if a.dtype == DType::Bool {
        map::unary_into::<bool, bool>(&out, a, |v| !v);
    } else {
        with_int_dtype!(a.dtype, T => map::unary_into::<T, T>(&out, a, |v: T| T::from_i64(!v.to_i64())));
    }
    Ok(finish(out, in_place))
}

/// `positive` / unary `+`: the tensor itself (PyTorch returns the input), refused for bool.
pub fn check_positive(a: &Tensor) -> Result<()> {
    if a.dtype == DType::Bool {
        return Err(Error::Runtime("The `+` operator, on a bool tensor is not supported.".into()));
    }
    Ok(())
}
