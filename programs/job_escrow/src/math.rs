//! Overflow-checked u64 arithmetic that links on the upstream BPF target.
//!
//! That backend has no 128-bit multiply (`__multi3`), and LLVM turns
//! `u64::checked_mul` and every hand-written overflow test of the form
//! `a > MAX / b` back into one. These helpers only ever multiply 32-bit
//! halves, whose products fit in 64 bits. Host tests compare them with u128.
use crate::error::JobEscrowError;

const LOW: u64 = 0xffff_ffff;

/// `a * b`, or `ArithmeticOverflow`.
#[inline(always)]
pub fn mul(a: u64, b: u64) -> Result<u64, JobEscrowError> {
    let (a_hi, a_lo) = (a >> 32, a & LOW);
    let (b_hi, b_lo) = (b >> 32, b & LOW);
    if a_hi != 0 && b_hi != 0 {
        return Err(JobEscrowError::ArithmeticOverflow);
    }
    // At most one of the cross products is non-zero and each factor is below
    // 2^32, so neither the products nor their sum can wrap.
    let cross = a_hi.wrapping_mul(b_lo) | a_lo.wrapping_mul(b_hi);
    if cross > LOW {
        return Err(JobEscrowError::ArithmeticOverflow);
    }
    (cross << 32)
        .checked_add(a_lo.wrapping_mul(b_lo))
        .ok_or(JobEscrowError::ArithmeticOverflow)
}

/// `a + b`, or `ArithmeticOverflow`.
#[inline(always)]
pub fn add(a: u64, b: u64) -> Result<u64, JobEscrowError> {
    a.checked_add(b).ok_or(JobEscrowError::ArithmeticOverflow)
}

/// `a - b`, or `ArithmeticOverflow` when `b > a`.
#[inline(always)]
pub fn sub(a: u64, b: u64) -> Result<u64, JobEscrowError> {
    a.checked_sub(b).ok_or(JobEscrowError::ArithmeticOverflow)
}

/// `a / d` and `a % d`, or `ArithmeticOverflow` when `d == 0`.
#[inline(always)]
pub fn div_rem(a: u64, d: u64) -> Result<(u64, u64), JobEscrowError> {
    match (a.checked_div(d), a.checked_rem(d)) {
        (Some(q), Some(r)) => Ok((q, r)),
        _ => Err(JobEscrowError::ArithmeticOverflow),
    }
}

/// `ceil(a * b / d)` for `d > 0`, as `q * b + ceil(r * b / d)` with
/// `q = a / d`, `r = a % d`. Exact whenever it returns `Ok`; it can only fail
/// spuriously when `(d - 1) * b` overflows, which the callers' constants
/// (`d` = 1,000 or 10,000, `b` a token count or basis points) rule out.
#[inline(always)]
pub fn mul_div_ceil(a: u64, b: u64, d: u64) -> Result<u64, JobEscrowError> {
    let (q, r) = div_rem(a, d)?;
    let (tail, tail_rem) = div_rem(mul(r, b)?, d)?;
    add(add(mul(q, b)?, tail)?, u64::from(tail_rem != 0))
}

/// `floor(a * b / d)` for `d > 0`, by the same split as [`mul_div_ceil`] and
/// with the same precondition.
#[inline(always)]
pub fn mul_div_floor(a: u64, b: u64, d: u64) -> Result<u64, JobEscrowError> {
    let (q, r) = div_rem(a, d)?;
    add(mul(q, b)?, div_rem(mul(r, b)?, d)?.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    const EDGES: [u64; 14] = [
        0,
        1,
        2,
        999,
        1000,
        10_000,
        LOW - 1,
        LOW,
        LOW + 1,
        1 << 32,
        (1 << 33) + 7,
        u64::MAX / 3,
        u64::MAX - 1,
        u64::MAX,
    ];

    fn samples() -> impl Iterator<Item = u64> {
        // A small xorshift so the sweep is reproducible without dependencies.
        let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
        let random = (0..2000).map(move |i| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x >> (i % 64)
        });
        EDGES.into_iter().chain(random)
    }

    #[test]
    fn div_rem_matches_u64_and_refuses_zero() {
        for a in samples() {
            assert_eq!(div_rem(a, 0), Err(JobEscrowError::ArithmeticOverflow), "{a} / 0");
            for d in [1, 7, 1000, 10_000, u64::MAX] {
                assert_eq!(div_rem(a, d), Ok((a / d, a % d)), "{a} / {d}");
            }
        }
    }

    #[test]
    fn mul_matches_u128() {
        for a in samples() {
            for b in EDGES.into_iter().chain([a, a >> 1, a.rotate_left(32)]) {
                let want = u64::try_from(u128::from(a) * u128::from(b)).ok();
                assert_eq!(mul(a, b).ok(), want, "{a} * {b}");
                assert_eq!(mul(b, a).ok(), want, "{b} * {a}");
            }
        }
        // A cross product of exactly 2^32 and one step either side: 2^64 is
        // the first product that does not fit.
        for (a, b) in [(1u64 << 33, 1u64 << 31), (1 << 33, (1 << 31) - 1), (3 << 32, 0x5555_5556), (LOW + 1, LOW + 1)] {
            let want = u64::try_from(u128::from(a) * u128::from(b)).ok();
            assert_eq!(mul(a, b).ok(), want, "{a} * {b}");
            assert_eq!(mul(b, a).ok(), want, "{b} * {a}");
        }
    }

    #[test]
    fn add_sub_match_u128() {
        for a in samples() {
            for b in EDGES {
                assert_eq!(add(a, b).ok(), a.checked_add(b));
                assert_eq!(sub(a, b).ok(), a.checked_sub(b));
            }
        }
    }

    #[test]
    fn mul_div_match_u128() {
        for a in samples() {
            for b in EDGES.into_iter().chain([7_500, 8_500, 20]) {
                for d in [1u64, 3, 1000, 10_000, LOW, u64::MAX] {
                    let p = u128::from(a) * u128::from(b);
                    let d128 = u128::from(d);
                    let floor = u64::try_from(p / d128).ok();
                    let ceil = u64::try_from(p.div_ceil(d128)).ok();
                    let in_domain = (d - 1).checked_mul(b).is_some();
                    for (got, want) in [
                        (mul_div_floor(a, b, d).ok(), floor),
                        (mul_div_ceil(a, b, d).ok(), ceil),
                    ] {
                        match got {
                            // Never a wrong value.
                            Some(v) => assert_eq!(Some(v), want, "{a}*{b}/{d}"),
                            // Never a spurious error inside the documented domain.
                            None => assert!(want.is_none() || !in_domain, "{a}*{b}/{d}"),
                        }
                    }
                }
            }
        }
    }
}
