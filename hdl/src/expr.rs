//! Expressions as values: signals, constants and operators build trees that a
//! module interns into its arena when they are assigned.
//!
//! Every constructor is `#[track_caller]`; a width error is recorded in the node
//! and reported by [`crate::check::widths`] with the caller's file and line.

use crate::bits::Bits;
use crate::error::ErrorKind;
use crate::ir::{Op, SignalId};
use crate::loc::SourceLoc;
use std::ops;
use std::sync::Arc;

/// A handle to a signal of one module: `Copy`, so closures and loops capture it freely.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Signal {
    pub(crate) owner: u32,
    pub(crate) id: SignalId,
    pub(crate) width: u32,
}

impl Signal {
    /// Width in bits.
    pub fn width(&self) -> u32 {
        self.width
    }

    /// The signal's id in its module.
    pub fn id(&self) -> SignalId {
        self.id
    }
}

/// An expression tree node (see [`Expr`]).
#[derive(Debug)]
pub struct ExprNode {
    pub(crate) op: Op,
    pub(crate) args: Vec<Expr>,
    pub(crate) width: u32,
    /// The builder that owns the signal of an `Op::Signal` leaf (0 otherwise).
    pub(crate) owner: u32,
    pub(crate) loc: SourceLoc,
    /// A mistake found while building this node, reported by the checks.
    pub(crate) error: Option<ErrorKind>,
}

/// An expression: cheap to clone, with a known width.
#[derive(Clone, Debug)]
pub struct Expr(pub(crate) Arc<ExprNode>);

impl Expr {
    fn node(op: Op, args: Vec<Expr>, width: u32, loc: SourceLoc) -> Expr {
        Expr(Arc::new(ExprNode {
            op,
            args,
            width,
            owner: 0,
            loc,
            error: None,
        }))
    }

    /// Width in bits.
    pub fn width(&self) -> u32 {
        self.0.width
    }

    /// Where the expression was built.
    pub fn loc(&self) -> SourceLoc {
        self.0.loc
    }
}

impl From<Signal> for Expr {
    #[track_caller]
    fn from(s: Signal) -> Expr {
        Expr(Arc::new(ExprNode {
            op: Op::Signal(s.id),
            args: Vec::new(),
            width: s.width,
            owner: s.owner,
            loc: SourceLoc::caller(),
            error: None,
        }))
    }
}

impl From<&Expr> for Expr {
    fn from(e: &Expr) -> Expr {
        e.clone()
    }
}

impl From<Bits> for Expr {
    #[track_caller]
    fn from(b: Bits) -> Expr {
        let w = b.width();
        Expr::node(Op::Const(b), Vec::new(), w, SourceLoc::caller())
    }
}

/// A `width`-bit constant. A value that does not fit is reported by the
/// checks at the caller's line (the node keeps the truncated value).
#[track_caller]
pub fn lit(value: u64, width: u32) -> Expr {
    let error = Bits::from_u64(value, width)
        .is_none()
        .then(|| ErrorKind::Width(format!("constant {value} does not fit in {width} bits")));
    constant_with_error(Bits::from_u64_wrapping(value, width), error)
}

#[track_caller]
fn constant_with_error(bits: Bits, error: Option<ErrorKind>) -> Expr {
    let width = bits.width();
    Expr(Arc::new(ExprNode {
        op: Op::Const(bits),
        args: Vec::new(),
        width,
        owner: 0,
        loc: SourceLoc::caller(),
        error,
    }))
}

/// What an operand position takes: an expression (or anything that is
/// one), or a plain integer or `bool` whose width comes from the other
/// operand or from the signal it is assigned to. `q.eq(3)`,
/// `mux(sel, q, 7)`, `m.assign(y, 0)` and `m.next(valid, true)` all work;
/// an integer that does not fit that width is a width error at the
/// caller's line.
#[derive(Clone, Debug)]
pub enum Operand {
    /// An expression with its own width.
    Expr(Expr),
    /// An unsized integer.
    Int(u64),
}

impl Operand {
    /// The operand's own width, if it has one.
    pub fn width(&self) -> Option<u32> {
        match self {
            Operand::Expr(e) => Some(e.width()),
            Operand::Int(_) => None,
        }
    }

    /// The operand as an expression; an integer becomes a `width`-bit constant.
    #[track_caller]
    pub fn sized(self, width: u32) -> Expr {
        match self {
            Operand::Expr(e) => e,
            Operand::Int(v) => lit(v, width),
        }
    }

    /// The operand as an expression; an integer gets the fewest bits that hold it.
    #[track_caller]
    fn least(self) -> Expr {
        match self {
            Operand::Expr(e) => e,
            Operand::Int(v) => lit(v, (u64::BITS - v.leading_zeros()).max(1)),
        }
    }
}

impl<T: Into<Expr>> From<T> for Operand {
    #[track_caller]
    fn from(e: T) -> Operand {
        Operand::Expr(e.into())
    }
}

impl From<u64> for Operand {
    fn from(v: u64) -> Operand {
        Operand::Int(v)
    }
}

impl From<bool> for Operand {
    fn from(v: bool) -> Operand {
        Operand::Int(v as u64)
    }
}

/// Sizes a pair of operands from each other: an integer takes the other's
/// width. Two integers have no width: that is an error at the caller's line.
#[track_caller]
fn sized_pair(what: &str, a: Operand, b: Operand) -> (Expr, Expr) {
    match a.width().or(b.width()) {
        Some(w) => (a.sized(w), b.sized(w)),
        None => {
            let error = Some(ErrorKind::Width(format!(
                "{what} of two integers has no width: write `lit(value, width)` for one of them"
            )));
            let no_width = constant_with_error(Bits::zero(1), error);
            (no_width.clone(), no_width)
        }
    }
}

/// A constant of any width from [`Bits`].
#[track_caller]
pub fn constant(bits: Bits) -> Expr {
    Expr::from(bits)
}

/// `cond ? a : b`; `cond` is 1 bit and `a`, `b` have equal widths (an
/// integer takes the other's width).
#[track_caller]
pub fn mux(cond: impl Into<Expr>, a: impl Into<Operand>, b: impl Into<Operand>) -> Expr {
    let loc = SourceLoc::caller();
    let c = cond.into();
    let (a, b) = sized_pair("mux", a.into(), b.into());
    let w = a.width().max(b.width());
    Expr::node(Op::Mux, vec![c, a, b], w, loc)
}

/// Concatenation of parts, the first most significant (as in Verilog `{a, b}`).
#[track_caller]
pub fn concat(parts: Vec<Expr>) -> Expr {
    let loc = SourceLoc::caller();
    let w = parts.iter().map(|p| p.width()).sum();
    Expr::node(Op::Concat, parts, w, loc)
}

/// `inputs[index]` as one N-way selection node ([`Op::Select`]). The
/// inputs share one width and `index` has enough bits to reach the last of
/// them (an error at the caller's line otherwise); an index at or past
/// `inputs.len()` gives zero, in the simulator and in the Verilog alike.
#[track_caller]
pub fn select(index: impl Into<Expr>, inputs: &[Expr]) -> Expr {
    let loc = SourceLoc::caller();
    let width = inputs.first().map_or(1, Expr::width);
    let args = std::iter::once(index.into())
        .chain(inputs.iter().cloned())
        .collect();
    Expr::node(Op::Select, args, width, loc)
}

/// Concatenates expressions and signals, the first most significant: `cat![a, b, c]`.
#[macro_export]
macro_rules! cat {
    ($($part:expr),+ $(,)?) => {
        $crate::concat(vec![$($crate::Expr::from($part)),+])
    };
}

/// Operations shared by [`Expr`] and [`Signal`]. Each is `#[track_caller]`.
pub trait Value: Into<Expr> + Sized {
    /// Equality (1 bit).
    #[track_caller]
    fn eq(self, rhs: impl Into<Operand>) -> Expr {
        compare(Op::Eq, self, rhs)
    }
    /// Inequality (1 bit).
    #[track_caller]
    fn ne(self, rhs: impl Into<Operand>) -> Expr {
        compare(Op::Ne, self, rhs)
    }
    /// Unsigned `<`.
    #[track_caller]
    fn lt(self, rhs: impl Into<Operand>) -> Expr {
        compare(Op::Lt, self, rhs)
    }
    /// Unsigned `<=`.
    #[track_caller]
    fn le(self, rhs: impl Into<Operand>) -> Expr {
        compare(Op::Le, self, rhs)
    }
    /// Unsigned `>`.
    #[track_caller]
    fn gt(self, rhs: impl Into<Operand>) -> Expr {
        compare(Op::Gt, self, rhs)
    }
    /// Unsigned `>=`.
    #[track_caller]
    fn ge(self, rhs: impl Into<Operand>) -> Expr {
        compare(Op::Ge, self, rhs)
    }
    /// Signed `<`.
    #[track_caller]
    fn slt(self, rhs: impl Into<Operand>) -> Expr {
        compare(Op::SignedLt, self, rhs)
    }
    /// Signed `<=`.
    #[track_caller]
    fn sle(self, rhs: impl Into<Operand>) -> Expr {
        compare(Op::SignedLe, self, rhs)
    }
    /// Signed `>`.
    #[track_caller]
    fn sgt(self, rhs: impl Into<Operand>) -> Expr {
        compare(Op::SignedGt, self, rhs)
    }
    /// Signed `>=`.
    #[track_caller]
    fn sge(self, rhs: impl Into<Operand>) -> Expr {
        compare(Op::SignedGe, self, rhs)
    }
    /// Addition keeping the carry: one bit wider than the operands.
    #[track_caller]
    fn add_carry(self, rhs: impl Into<Operand>) -> Expr {
        let a: Expr = self.into();
        let b = rhs.into().sized(a.width());
        let w = a.width().max(b.width()) + 1;
        let (a, b) = (a.zext(w), b.zext(w));
        binary(Op::Add, a, b, None)
    }
    /// Subtraction keeping the borrow: one bit wider; the top bit is set when `self < rhs`.
    #[track_caller]
    fn sub_borrow(self, rhs: impl Into<Operand>) -> Expr {
        let a: Expr = self.into();
        let b = rhs.into().sized(a.width());
        let w = a.width().max(b.width()) + 1;
        let (a, b) = (a.zext(w), b.zext(w));
        binary(Op::Sub, a, b, None)
    }
    /// Signed full-width product (`width(self) + width(rhs)` bits).
    #[track_caller]
    fn mul_signed(self, rhs: impl Into<Operand>) -> Expr {
        let a: Expr = self.into();
        let b = rhs.into().sized(a.width());
        let w = a.width() + b.width();
        binary(Op::Mul, a.sext(w), b.sext(w), None)
    }
    /// Shift left by a signal amount, keeping the width.
    #[track_caller]
    fn shl(self, amount: impl Into<Operand>) -> Expr {
        shift(Op::Shl, self, amount)
    }
    /// Logical shift right by a signal amount.
    #[track_caller]
    fn shr(self, amount: impl Into<Operand>) -> Expr {
        shift(Op::Shr, self, amount)
    }
    /// Arithmetic shift right by a signal amount.
    #[track_caller]
    fn sra(self, amount: impl Into<Operand>) -> Expr {
        shift(Op::Sra, self, amount)
    }
    /// Arithmetic shift right by a constant.
    #[track_caller]
    fn sra_const(self, amount: u32) -> Expr {
        unary(Op::SraConst(amount), self, None)
    }
    /// Bits `hi..=lo`.
    #[track_caller]
    fn slice(self, hi: u32, lo: u32) -> Expr {
        unary(Op::Slice { hi, lo }, self, Some(hi.saturating_sub(lo) + 1))
    }
    /// One bit.
    #[track_caller]
    fn bit(self, i: u32) -> Expr {
        unary(Op::Slice { hi: i, lo: i }, self, Some(1))
    }
    /// `width` bits starting at bit `index` (a signal); bits past the top read as zero.
    #[track_caller]
    fn part(self, index: impl Into<Operand>, width: u32) -> Expr {
        let loc = SourceLoc::caller();
        Expr::node(
            Op::DynSlice { width },
            vec![self.into(), index.into().least()],
            width,
            loc,
        )
    }
    /// The bit at `index` (a signal); zero past the top.
    #[track_caller]
    fn bit_at(self, index: impl Into<Operand>) -> Expr {
        self.part(index, 1)
    }
    /// Zero extension to `width` bits (not narrower than the operand).
    #[track_caller]
    fn zext(self, width: u32) -> Expr {
        unary(Op::Zext(width), self, Some(width))
    }
    /// Sign extension to `width` bits (not narrower than the operand).
    #[track_caller]
    fn sext(self, width: u32) -> Expr {
        unary(Op::Sext(width), self, Some(width))
    }
    /// The low `width` bits.
    #[track_caller]
    fn trunc(self, width: u32) -> Expr {
        unary(
            Op::Slice {
                hi: width.saturating_sub(1),
                lo: 0,
            },
            self,
            Some(width),
        )
    }
    /// The value repeated `n` times.
    #[track_caller]
    fn repeat(self, n: u32) -> Expr {
        let e = self.into();
        let w = e.width().saturating_mul(n);
        unary(Op::Repeat(n), e, Some(w))
    }
    /// AND of all bits.
    #[track_caller]
    fn all(self) -> Expr {
        unary(Op::ReduceAnd, self, Some(1))
    }
    /// OR of all bits.
    #[track_caller]
    fn any(self) -> Expr {
        unary(Op::ReduceOr, self, Some(1))
    }
    /// XOR of all bits (parity).
    #[track_caller]
    fn parity(self) -> Expr {
        unary(Op::ReduceXor, self, Some(1))
    }
}

impl Value for Expr {}
impl Value for Signal {}

#[track_caller]
fn unary(op: Op, a: impl Into<Expr>, width: Option<u32>) -> Expr {
    let loc = SourceLoc::caller();
    let a = a.into();
    let w = width.unwrap_or(a.width());
    Expr::node(op, vec![a], w, loc)
}

#[track_caller]
fn binary(op: Op, a: impl Into<Expr>, b: impl Into<Expr>, width: Option<u32>) -> Expr {
    let loc = SourceLoc::caller();
    let (a, b) = (a.into(), b.into());
    let w = width.unwrap_or(a.width().max(b.width()));
    Expr::node(op, vec![a, b], w, loc)
}

/// A comparison (1 bit); an integer operand takes the other's width.
#[track_caller]
fn compare(op: Op, a: impl Into<Expr>, b: impl Into<Operand>) -> Expr {
    let a: Expr = a.into();
    let b = b.into().sized(a.width());
    binary(op, a, b, Some(1))
}

#[track_caller]
fn shift(op: Op, a: impl Into<Expr>, amount: impl Into<Operand>) -> Expr {
    let loc = SourceLoc::caller();
    let (a, b) = (a.into(), amount.into().least());
    let w = a.width();
    Expr::node(op, vec![a, b], w, loc)
}

/// Implements a binary operator for every left/right pair of [`Expr`], [`Signal`]
/// and `u64`; a `u64` on the right becomes a constant as wide as the left operand.
macro_rules! binary_operator {
    ($trait:ident $method:ident $build:path) => {
        binary_operator!(@pair $trait $method $build, Expr, Expr);
        binary_operator!(@pair $trait $method $build, Expr, Signal);
        binary_operator!(@pair $trait $method $build, Signal, Expr);
        binary_operator!(@pair $trait $method $build, Signal, Signal);
        binary_operator!(@u64 $trait $method $build, Expr);
        binary_operator!(@u64 $trait $method $build, Signal);
    };
    (@pair $trait:ident $method:ident $build:path, $lhs:ty, $rhs:ty) => {
        impl ops::$trait<$rhs> for $lhs {
            type Output = Expr;
            #[track_caller]
            fn $method(self, rhs: $rhs) -> Expr {
                $build(Expr::from(self), Expr::from(rhs))
            }
        }
    };
    (@u64 $trait:ident $method:ident $build:path, $lhs:ty) => {
        impl ops::$trait<u64> for $lhs {
            type Output = Expr;
            #[track_caller]
            fn $method(self, rhs: u64) -> Expr {
                let a = Expr::from(self);
                let b = lit(rhs, a.width());
                $build(a, b)
            }
        }
    };
}

#[track_caller]
fn add(a: Expr, b: Expr) -> Expr {
    binary(Op::Add, a, b, None)
}
#[track_caller]
fn sub(a: Expr, b: Expr) -> Expr {
    binary(Op::Sub, a, b, None)
}
#[track_caller]
fn and(a: Expr, b: Expr) -> Expr {
    binary(Op::And, a, b, None)
}
#[track_caller]
fn or(a: Expr, b: Expr) -> Expr {
    binary(Op::Or, a, b, None)
}
#[track_caller]
fn xor(a: Expr, b: Expr) -> Expr {
    binary(Op::Xor, a, b, None)
}
/// Full-width product: `width(a) + width(b)` bits, operands zero-extended.
#[track_caller]
fn mul(a: Expr, b: Expr) -> Expr {
    let w = a.width() + b.width();
    binary(Op::Mul, a.zext(w), b.zext(w), None)
}

binary_operator!(Add add add);
binary_operator!(Sub sub sub);
binary_operator!(BitAnd bitand and);
binary_operator!(BitOr bitor or);
binary_operator!(BitXor bitxor xor);
binary_operator!(Mul mul mul);

macro_rules! unary_and_const_shift_operators {
    ($($lhs:ty),*) => {$(
        impl ops::Not for $lhs {
            type Output = Expr;
            #[track_caller]
            fn not(self) -> Expr { unary(Op::Not, self, None) }
        }
        impl ops::Shl<u32> for $lhs {
            type Output = Expr;
            #[track_caller]
            fn shl(self, n: u32) -> Expr { unary(Op::ShlConst(n), self, None) }
        }
        impl ops::Shr<u32> for $lhs {
            type Output = Expr;
            #[track_caller]
            fn shr(self, n: u32) -> Expr { unary(Op::ShrConst(n), self, None) }
        }
    )*};
}
unary_and_const_shift_operators!(Expr, Signal);
