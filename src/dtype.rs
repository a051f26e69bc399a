//! Element types, Python-level scalars and PyTorch's type-promotion rules.
use half::{bf16, f16};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum DType {
    Bool,
    U8,
    I8,
    I16,
    I32,
    I64,
    F16,
    BF16,
    F32,
    F64,
    /// PyTorch's limited unsigned types: storage, copies, casts and a few kernels (`mul`, `eq`,
    /// bitwise ops, `sum`, `sort`…), and no promotion with any other integer type.
    U16,
    U32,
    U64,
    /// complex64 (two f32) and complex128 (two f64), interleaved as NumPy stores them.
    Complex64,
    Complex128,
}

pub const ALL_DTYPES: [DType; 15] = [
    DType::Bool,
    DType::U8,
    DType::I8,
    DType::I16,
    DType::I32,
    DType::I64,
    DType::F16,
    DType::BF16,
    DType::F32,
    DType::F64,
    DType::U16,
    DType::U32,
    DType::U64,
    DType::Complex64,
    DType::Complex128,
];

/// Promotion category: bool < integer < floating < complex.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Category {
    Bool,
    Integer,
    Floating,
    Complex,
}

impl DType {
    pub fn size(self) -> usize {
        match self {
            DType::Bool | DType::U8 | DType::I8 => 1,
            DType::I16 | DType::U16 | DType::F16 | DType::BF16 => 2,
            DType::I32 | DType::U32 | DType::F32 => 4,
            DType::I64 | DType::U64 | DType::F64 | DType::Complex64 => 8,
            DType::Complex128 => 16,
        }
    }

    /// PyTorch's name without the module prefix (`float32`).
    pub fn name(self) -> &'static str {
        match self {
            DType::Bool => "bool",
            DType::U8 => "uint8",
            DType::I8 => "int8",
            DType::I16 => "int16",
            DType::I32 => "int32",
            DType::I64 => "int64",
            DType::F16 => "float16",
            DType::BF16 => "bfloat16",
            DType::F32 => "float32",
            DType::F64 => "float64",
            DType::U16 => "uint16",
            DType::U32 => "uint32",
            DType::U64 => "uint64",
            DType::Complex64 => "complex64",
            DType::Complex128 => "complex128",
        }
    }

    /// The legacy tensor type name used by `Tensor.type()` (`torch.FloatTensor`).
    pub fn legacy_type_name(self) -> &'static str {
        match self {
            DType::Bool => "BoolTensor",
            DType::U8 => "ByteTensor",
            DType::I8 => "CharTensor",
            DType::I16 => "ShortTensor",
            DType::I32 => "IntTensor",
            DType::I64 => "LongTensor",
            DType::F16 => "HalfTensor",
            DType::BF16 => "BFloat16Tensor",
            DType::F32 => "FloatTensor",
            DType::F64 => "DoubleTensor",
            DType::U16 => "UInt16Tensor",
            DType::U32 => "UInt32Tensor",
            DType::U64 => "UInt64Tensor",
            DType::Complex64 => "ComplexFloatTensor",
            DType::Complex128 => "ComplexDoubleTensor",
        }
    }

    pub fn from_name(name: &str) -> Option<DType> {
        ALL_DTYPES.iter().copied().find(|d| d.name() == name)
    }

    pub fn category(self) -> Category {
        match self {
            DType::Bool => Category::Bool,
            DType::F16 | DType::BF16 | DType::F32 | DType::F64 => Category::Floating,
            DType::Complex64 | DType::Complex128 => Category::Complex,
            _ => Category::Integer,
        }
    }

    pub fn is_complex(self) -> bool {
        self.category() == Category::Complex
    }

    /// uint16/uint32/uint64, which PyTorch supports only in a few kernels.
    pub fn is_limited_uint(self) -> bool {
        matches!(self, DType::U16 | DType::U32 | DType::U64)
    }

    /// The complex dtype with this real dtype's precision (float64 -> complex128), or itself.
    pub fn to_complex(self) -> DType {
        match self {
            DType::F64 | DType::Complex128 => DType::Complex128,
            _ => DType::Complex64,
        }
    }

    /// The real dtype of a complex dtype's parts (complex64 -> float32), or itself.
    pub fn to_real(self) -> DType {
        match self {
            DType::Complex64 => DType::F32,
            DType::Complex128 => DType::F64,
            d => d,
        }
    }

    /// PyTorch's capitalised names used in kernel errors ('Float', 'Long', 'ComplexFloat').
    pub fn type_label(self) -> &'static str {
        match self {
            DType::Bool => "Bool",
            DType::U8 => "Byte",
            DType::I8 => "Char",
            DType::I16 => "Short",
            DType::I32 => "Int",
            DType::I64 => "Long",
            DType::F16 => "Half",
            DType::BF16 => "BFloat16",
            DType::F32 => "Float",
            DType::F64 => "Double",
            DType::U16 => "UInt16",
            DType::U32 => "UInt32",
            DType::U64 => "UInt64",
            DType::Complex64 => "ComplexFloat",
            DType::Complex128 => "ComplexDouble",
        }
    }

    pub fn is_float(self) -> bool {
        self.category() == Category::Floating
    }

    pub fn is_integral(self, include_bool: bool) -> bool {
        match self.category() {
            Category::Integer => true,
            Category::Bool => include_bool,
            Category::Floating | Category::Complex => false,
        }
    }

    pub fn is_signed(self) -> bool {
        !matches!(self, DType::Bool | DType::U8 | DType::U16 | DType::U32 | DType::U64)
    }
}

/// PyTorch's error for a kernel that has no implementation for `dtype`.
pub fn not_implemented_for(kernel: &str, dtype: DType) -> crate::error::Error {
    crate::error::Error::NotImplemented(format!("\"{}\" not implemented for '{}'", kernel, dtype.type_label()))
}

/// `torch.promote_types`: the smallest dtype both operands convert to without losing category.
/// uint16/32/64 promote only with themselves and floating types, as in PyTorch.
pub fn promote_types(a: DType, b: DType) -> crate::error::Result<DType> {
    use DType::*;
    if a == b {
        return Ok(a);
    }
    if a.is_limited_uint() || b.is_limited_uint() {
        let other = if a.is_limited_uint() { b } else { a };
        if other.is_float() {
            return Ok(other);
        }
        return crate::error::runtime(format!(
            "Promotion for uint16, uint32, uint64 types is not supported, attempted to promote {} and {}",
            a.type_label(),
            b.type_label()
        ));
    }
    Ok(match (a.category(), b.category()) {
        (Category::Complex, Category::Complex) => if a.size() >= b.size() { a } else { b },
        (Category::Complex, _) => if b == F64 { Complex128 } else { a },
        (_, Category::Complex) => if a == F64 { Complex128 } else { b },
        (Category::Bool, _) => b,
        (_, Category::Bool) => a,
        (Category::Floating, Category::Integer) => a,
        (Category::Integer, Category::Floating) => b,
        (Category::Floating, Category::Floating) => match (a, b) {
            (F16, BF16) | (BF16, F16) => F32,
            _ => {
                if a.size() >= b.size() {
                    a
                } else {
                    b
                }
            }
        },
        (Category::Integer, Category::Integer) => match (a, b) {
            (U8, I8) | (I8, U8) => I16,
            (U8, x) | (x, U8) => x,
            _ => {
                if a.size() >= b.size() {
                    a
                } else {
                    b
                }
            }
        },
    })
}

/// A Python number as an operand: it takes part in promotion only by category.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Scalar {
    Bool(bool),
    Int(i64),
    Float(f64),
    /// A Python complex (real, imaginary).
    Complex(f64, f64),
}

impl Scalar {
    /// The value as a real number (a complex number's real part, as casts to real types keep).
    pub fn to_f64(self) -> f64 {
        match self {
            Scalar::Bool(b) => b as i64 as f64,
            Scalar::Int(i) => i as f64,
            Scalar::Float(f) | Scalar::Complex(f, _) => f,
        }
    }
    pub fn to_i64(self) -> i64 {
        match self {
            Scalar::Bool(b) => b as i64,
            Scalar::Int(i) => i,
            Scalar::Float(f) | Scalar::Complex(f, _) => f as i64,
        }
    }
    pub fn to_complex(self) -> (f64, f64) {
        match self {
            Scalar::Complex(re, im) => (re, im),
            s => (s.to_f64(), 0.0),
        }
    }
    pub fn category(self) -> Category {
        match self {
            Scalar::Bool(_) => Category::Bool,
            Scalar::Int(_) => Category::Integer,
            Scalar::Float(_) => Category::Floating,
            Scalar::Complex(..) => Category::Complex,
        }
    }
    /// PyTorch's `checked_convert` when a Python number is written into a tensor of `dtype`:
    /// integers must lie in range (unsigned types also take negatives down to -max, which wrap),
    /// NaN and infinities never fit an integer type, and with `check_float` a finite value
    /// beyond a float type's range fails too (`full` checks it, `tensor` rounds to inf).
    pub fn check_fits(self, dtype: DType, check_float: bool) -> crate::error::Result<()> {
        if let Scalar::Complex(_, im) = self {
            // A complex number fits a real type only without an imaginary part (`full` checks).
            if dtype.is_complex() || im == 0.0 {
                return Scalar::Float(self.to_f64()).check_fits(dtype, check_float);
            }
            return crate::error::runtime(format!("value cannot be converted to type {} without overflow", dtype.name()));
        }
        let (lo, hi): (f64, f64) = match dtype {
            DType::Bool => return Ok(()),
            DType::U16 => (0.0, 65535.0),
            DType::U32 => (0.0, 4294967295.0),
            DType::U64 => (0.0, 1.8446744073709552e19),
            DType::Complex64 => (f32::MIN as f64, f32::MAX as f64),
            DType::Complex128 => return Ok(()),
            DType::U8 => (0.0, 255.0),
            DType::I8 => (-128.0, 127.0),
            DType::I16 => (-32768.0, 32767.0),
            DType::I32 => (-2147483648.0, 2147483647.0),
            DType::I64 => (-9.223372036854775808e18, 9.223372036854775807e18),
            DType::F16 => (-65504.0, 65504.0),
            DType::BF16 => (-3.3895313892515355e38, 3.3895313892515355e38),
            DType::F32 => (f32::MIN as f64, f32::MAX as f64),
            DType::F64 => return Ok(()),
        };
        let fits = match self {
            Scalar::Bool(_) => true,
            Scalar::Int(i) if dtype == DType::U8 => (-255..=255).contains(&i),
            Scalar::Int(i) if dtype == DType::U16 => (-65535..=65535).contains(&i),
            Scalar::Int(i) if dtype == DType::U32 => (-4294967295..=4294967295).contains(&i),
            // Negative values wrap into uint64 as into the other unsigned types.
            Scalar::Int(_) if dtype == DType::U64 => true,
            Scalar::Int(i) if dtype.is_complex() => !check_float || (i as f64).abs() <= hi,
            Scalar::Int(i) if !dtype.is_float() => lo <= i as f64 && (i as f64) <= hi,
            Scalar::Int(i) => !check_float || (i as f64).abs() <= hi,
            Scalar::Float(f) if dtype.is_complex() => !check_float || !f.is_finite() || (lo <= f && f <= hi),
            // The 64-bit maxima round up to 2**63 and 2**64 as doubles, which do not fit.
            Scalar::Float(f) if matches!(dtype, DType::I64 | DType::U64) => f >= lo && f < hi,
            Scalar::Float(f) if !dtype.is_float() => f >= lo && f <= hi,
            Scalar::Complex(..) => false, // checked above
            Scalar::Float(f) => !check_float || !f.is_finite() || (lo <= f && f <= hi),
        };
        if fits {
            return Ok(());
        }
        crate::error::runtime(format!("value cannot be converted to type {} without overflow", dtype.name()))
    }

    /// The dtype a scalar gets when it becomes a tensor on its own (`torch.tensor(1.5)`).
    pub fn natural_dtype(self, default_float: DType) -> DType {
        match self {
            Scalar::Bool(_) => DType::Bool,
            Scalar::Int(_) => DType::I64,
            Scalar::Float(_) => default_float,
            Scalar::Complex(..) => default_float.to_complex(),
        }
    }
}

/// How an operand enters `result_type`: PyTorch ranks dimensioned tensors above 0-dim tensors
/// above Python scalars, but a lower rank still wins when it brings a higher category.
#[derive(Clone, Copy, Debug)]
pub enum Operand {
    Dimensioned(DType),
    ZeroDim(DType),
    Scalar(Scalar),
}

fn combine_categories(higher: Option<DType>, lower: Option<DType>) -> crate::error::Result<Option<DType>> {
    Ok(match (higher, lower) {
        (Some(h), Some(l)) if l.category() > h.category() => Some(promote_types(h, l)?),
        (h, l) => h.or(l),
    })
}

/// `torch.result_type` over any number of operands.
pub fn result_type(operands: &[Operand], default_float: DType) -> crate::error::Result<DType> {
    let fold = |acc: Option<DType>, d: DType| -> crate::error::Result<Option<DType>> {
        Ok(Some(match acc {
            Some(a) => promote_types(a, d)?,
            None => d,
        }))
    };
    let (mut dim, mut zero, mut wrapped) = (None, None, None);
    for op in operands {
        match *op {
            Operand::Dimensioned(d) => dim = fold(dim, d)?,
            Operand::ZeroDim(d) => zero = fold(zero, d)?,
            Operand::Scalar(s) => wrapped = fold(wrapped, s.natural_dtype(default_float))?,
        }
    }
    Ok(combine_categories(dim, combine_categories(zero, wrapped)?)?.unwrap_or(default_float))
}

/// A storable element type. Conversions go through f64 (floats) or i64 (integers) so that
/// every cast follows C semantics: truncation toward zero, wrapping for out-of-range integers.
pub trait Element: Copy + Send + Sync + PartialEq + PartialOrd + std::fmt::Debug + 'static {
    const DTYPE: DType;
    const ZERO: Self;
    const ONE: Self;
    fn to_f64(self) -> f64;
    fn to_i64(self) -> i64;
    fn from_f64(v: f64) -> Self;
    fn from_i64(v: i64) -> Self;
    fn to_bool(self) -> bool;
    fn from_bool(v: bool) -> Self {
        if v {
            Self::ONE
        } else {
            Self::ZERO
        }
    }
    fn from_scalar(s: Scalar) -> Self {
        match s {
            Scalar::Bool(b) => Self::from_bool(b),
            Scalar::Int(i) => Self::from_i64(i),
            Scalar::Float(f) => Self::from_f64(f),
            Scalar::Complex(re, im) => Self::from_complex(re, im),
        }
    }
    /// (real, imaginary); real types have no imaginary part.
    #[inline(always)]
    fn to_complex(self) -> (f64, f64) {
        (self.to_f64(), 0.0)
    }
    /// From (real, imaginary): real types keep the real part, as PyTorch's casts do.
    #[inline(always)]
    fn from_complex(re: f64, _im: f64) -> Self {
        Self::from_f64(re)
    }
    /// The value as a Python-level scalar (`Tensor.item()`).
    fn to_scalar(self) -> Scalar;
    /// Cast to another element type with PyTorch's conversion rules.
    #[inline(always)]
    fn cast<U: Element>(self) -> U {
        if U::DTYPE == DType::Bool {
            U::from_bool(self.to_bool())
        } else if U::DTYPE.is_complex() || Self::DTYPE.is_complex() {
            let (re, im) = self.to_complex();
            U::from_complex(re, im)
        } else if Self::DTYPE.is_float() || U::DTYPE.is_float() {
            // Integers reach floats by value (uint64 beyond int64's range included).
            U::from_f64(self.to_f64())
        } else {
            U::from_i64(self.to_i64())
        }
    }
}

macro_rules! int_element {
    ($t:ty, $dt:expr) => {
        impl Element for $t {
            const DTYPE: DType = $dt;
            const ZERO: Self = 0;
            const ONE: Self = 1;
            #[inline(always)]
            fn to_f64(self) -> f64 {
                self as f64
            }
            #[inline(always)]
            fn to_i64(self) -> i64 {
                self as i64
            }
            #[inline(always)]
            fn from_f64(v: f64) -> Self {
                // A value out of range (or NaN) is undefined behaviour in C++; PyTorch and NumPy
                // give what x86's truncating conversion does, so this does too on every CPU:
                // through int32 (int64 for 32- and 64-bit targets), whose out-of-range result
                // is its minimum, then keep the low bits (so -1.7 -> uint8 is 255).
                if matches!($dt, DType::I64 | DType::U64 | DType::U32) {
                    if v >= -9.223372036854775808e18 && v < 9.223372036854775808e18 { v as i64 as $t } else { i64::MIN as $t }
                } else if v > -2147483649.0 && v < 2147483648.0 {
                    v as i32 as $t
                } else {
                    i32::MIN as $t
                }
            }
            #[inline(always)]
            fn from_i64(v: i64) -> Self {
                v as $t
            }
            #[inline(always)]
            fn to_bool(self) -> bool {
                self != 0
            }
            fn to_scalar(self) -> Scalar {
                Scalar::Int(self as i64)
            }
        }
    };
}
int_element!(u8, DType::U8);
int_element!(i8, DType::I8);
int_element!(i16, DType::I16);
int_element!(i32, DType::I32);
int_element!(i64, DType::I64);
int_element!(u16, DType::U16);
int_element!(u32, DType::U32);
int_element!(u64, DType::U64);

impl Element for bool {
    const DTYPE: DType = DType::Bool;
    const ZERO: Self = false;
    const ONE: Self = true;
    #[inline(always)]
    fn to_f64(self) -> f64 {
        self as i64 as f64
    }
    #[inline(always)]
    fn to_i64(self) -> i64 {
        self as i64
    }
    #[inline(always)]
    fn from_f64(v: f64) -> Self {
        v != 0.0
    }
    #[inline(always)]
    fn from_i64(v: i64) -> Self {
        v != 0
    }
    #[inline(always)]
    fn to_bool(self) -> bool {
        self
    }
    fn to_scalar(self) -> Scalar {
        Scalar::Bool(self)
    }
}

macro_rules! float_element {
    ($t:ty, $dt:expr, $zero:expr, $one:expr, $from:expr, $to:expr) => {
        impl Element for $t {
            const DTYPE: DType = $dt;
            const ZERO: Self = $zero;
            const ONE: Self = $one;
            #[inline(always)]
            fn to_f64(self) -> f64 {
                $to(self)
            }
            #[inline(always)]
            fn to_i64(self) -> i64 {
                $to(self) as i64
            }
            #[inline(always)]
            fn from_f64(v: f64) -> Self {
                $from(v)
            }
            #[inline(always)]
            fn from_i64(v: i64) -> Self {
                $from(v as f64)
            }
            #[inline(always)]
            fn to_bool(self) -> bool {
                $to(self) != 0.0
            }
            fn to_scalar(self) -> Scalar {
                Scalar::Float($to(self))
            }
        }
    };
}
float_element!(f32, DType::F32, 0.0, 1.0, |v: f64| v as f32, |v: f32| v as f64);
float_element!(f64, DType::F64, 0.0, 1.0, |v: f64| v, |v: f64| v);
// Through f32, as PyTorch converts (and `half`'s direct f64 path drops the sticky bits that
// decide round-to-nearest near ties).
float_element!(f16, DType::F16, f16::ZERO, f16::ONE, |v: f64| f16::from_f32(v as f32), |v: f16| v.to_f64_const());
float_element!(bf16, DType::BF16, bf16::ZERO, bf16::ONE, |v: f64| bf16::from_f32(v as f32), |v: bf16| v.to_f64_const());

/// Runs `$body` with `$T` bound to the Rust element type of `$dtype`, for the ten dtypes every
/// kernel serves. For the others (uint16/32/64, complex) the enclosing function returns PyTorch's
/// "not implemented" error: a kernel serves them only when it says so, with
/// `with_real_dtype!` or `with_any_dtype!`, so no kernel computes a wrong value for them.
#[macro_export]
macro_rules! with_dtype {
    ($dtype:expr, $T:ident => $body:expr) => {{
        use $crate::dtype::DType;
        match $dtype {
            DType::Bool => { type $T = bool; $body }
            DType::U8 => { type $T = u8; $body }
            DType::I8 => { type $T = i8; $body }
            DType::I16 => { type $T = i16; $body }
            DType::I32 => { type $T = i32; $body }
            DType::I64 => { type $T = i64; $body }
            DType::F16 => { type $T = half::f16; $body }
            DType::BF16 => { type $T = half::bf16; $body }
            DType::F32 => { type $T = f32; $body }
            DType::F64 => { type $T = f64; $body }
            other => return Err(::core::convert::From::from($crate::dtype::not_implemented_for("kernel", other))),
        }
    }};
}

/// `with_dtype!` plus uint16/32/64: for kernels that only move, compare or order values.
#[macro_export]
macro_rules! with_real_dtype {
    ($dtype:expr, $T:ident => $body:expr) => {{
        use $crate::dtype::DType;
        match $dtype {
            DType::U16 => { type $T = u16; $body }
            DType::U32 => { type $T = u32; $body }
            DType::U64 => { type $T = u64; $body }
            other => $crate::with_dtype!(other, $T => $body),
        }
    }};
}

/// Every dtype, complex included: for kernels that only move or convert values (copy, cast,
/// fill, gather, cat), which are correct for any element type.
#[macro_export]
macro_rules! with_any_dtype {
    ($dtype:expr, $T:ident => $body:expr) => {{
        use $crate::dtype::DType;
        match $dtype {
            DType::Bool => { type $T = bool; $body }
            DType::U8 => { type $T = u8; $body }
            DType::I8 => { type $T = i8; $body }
            DType::I16 => { type $T = i16; $body }
            DType::I32 => { type $T = i32; $body }
            DType::I64 => { type $T = i64; $body }
            DType::F16 => { type $T = half::f16; $body }
            DType::BF16 => { type $T = half::bf16; $body }
            DType::F32 => { type $T = f32; $body }
            DType::F64 => { type $T = f64; $body }
            DType::U16 => { type $T = u16; $body }
            DType::U32 => { type $T = u32; $body }
            DType::U64 => { type $T = u64; $body }
            DType::Complex64 => { type $T = $crate::complex::Complex<f32>; $body }
            DType::Complex128 => { type $T = $crate::complex::Complex<f64>; $body }
        }
    }};
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn promotion_matches_pytorch_table() {
        assert_eq!(promote_types(DType::U8, DType::I8).unwrap(), DType::I16);
        assert_eq!(promote_types(DType::Bool, DType::U8).unwrap(), DType::U8);
        assert_eq!(promote_types(DType::I64, DType::F16).unwrap(), DType::F16);
        assert_eq!(promote_types(DType::F16, DType::BF16).unwrap(), DType::F32);
        assert_eq!(promote_types(DType::I32, DType::I64).unwrap(), DType::I64);
        assert_eq!(promote_types(DType::Complex64, DType::F64).unwrap(), DType::Complex128);
        assert_eq!(promote_types(DType::I64, DType::Complex64).unwrap(), DType::Complex64);
        assert_eq!(promote_types(DType::U16, DType::F16).unwrap(), DType::F16);
        assert!(promote_types(DType::U16, DType::Bool).is_err());
        assert!(promote_types(DType::U16, DType::U32).is_err());
    }

    #[test]
    fn scalars_rank_below_tensors_of_the_same_category() {
        let f = DType::F32;
        let r = |ops: &[Operand]| result_type(ops, f).unwrap();
        use Operand::*;
        assert_eq!(r(&[Dimensioned(DType::I8), Scalar(super::Scalar::Int(1))]), DType::I8);
        assert_eq!(r(&[Dimensioned(DType::I64), Scalar(super::Scalar::Float(1.5))]), DType::F32);
        assert_eq!(r(&[Dimensioned(DType::F32), ZeroDim(DType::F64)]), DType::F32);
        assert_eq!(r(&[Dimensioned(DType::I64), ZeroDim(DType::F64)]), DType::F64);
        assert_eq!(r(&[Dimensioned(DType::Bool), Scalar(super::Scalar::Int(1))]), DType::I64);
        assert_eq!(r(&[Dimensioned(DType::I64), ZeroDim(DType::I32)]), DType::I64);
    }

    #[test]
    fn casts_truncate_like_c() {
        assert_eq!((-1.7f32).cast::<i8>(), -1);
        assert_eq!((-1.7f32).cast::<u8>(), 255);
        assert!((0.5f64).cast::<bool>());
        assert_eq!(true.cast::<f32>(), 1.0);
        // Just above a tie once truncated: rounds up, as f64 -> f32 -> f16 does.
        assert_eq!(<f16 as Element>::from_f64(64.53128792435939).to_f64(), 64.5625);
    }
}
