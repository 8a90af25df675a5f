//! What one core of this machine is worth, so that results from machines
//! of different speeds can be compared: the CPU time of one ES256 JWS
//! signature, made by the same code the server signs with.
//!
//! The targets (35 µs per client-credentials token, 300 µs per code
//! flow, …) were set for machines where that signature costs about 13 µs.
//! On a machine where it costs twice as much, twice the CPU time meets the
//! same target.

use sanus_core::keys::{KeyPair, SigningAlg};

/// The ES256 signature's cost on the machines the targets were set for.
pub const TARGET_MACHINE_ES256_US: f64 = 13.0;

/// Rounds of signatures; the median is taken, so a round the scheduler
/// disturbed does not count.
const ROUNDS: usize = 7;
const SIGNATURES_PER_ROUND: u32 = 2_000;
/// Password checks, one per round.
const CHECKS: usize = 5;

/// The CPU time of one ES256 signature over a typical token's signing
/// input, in µs, measured on this thread.
pub fn es256_signature_us() -> Result<f64, String> {
    let (pair, _) = KeyPair::generate(SigningAlg::Es256).map_err(|e| e.to_string())?;
    let message = [b'x'; 400];
    let round_ns = median_cpu_ns(ROUNDS, || {
        for _ in 0..SIGNATURES_PER_ROUND {
            std::hint::black_box(pair.sign(std::hint::black_box(&message)).map_err(|e| e.to_string())?);
        }
        Ok(())
    })?;
    Ok(round_ns / 1e3 / f64::from(SIGNATURES_PER_ROUND))
}

/// The CPU time of one password check (argon2id with the server's
/// parameters, the same code the server runs), in ms.
pub fn password_check_ms() -> Result<f64, String> {
    let hash = sanus_core::password::hash_password("bench-password").map_err(|e| e.to_string())?;
    let check_ns = median_cpu_ns(CHECKS, || {
        if sanus_core::password::verify_password("bench-password", Some(&hash)) {
            Ok(())
        } else {
            Err("the reference password check failed".into())
        }
    })?;
    Ok(check_ns / 1e6)
}

/// The median of `rounds` runs of `work`, in ns of this thread's CPU time.
fn median_cpu_ns(rounds: usize, mut work: impl FnMut() -> Result<(), String>) -> Result<f64, String> {
    let mut spent = Vec::with_capacity(rounds);
    for _ in 0..rounds.max(1) {
        let started = thread_cpu_ns()?;
        work()?;
        spent.push(thread_cpu_ns()?.saturating_sub(started) as f64);
    }
    Ok(median(spent))
}

/// The middle value (the upper one of the two middle values of an even
/// count); 0 for none.
fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    values.get(values.len() / 2).copied().unwrap_or(0.0)
}

/// This thread's CPU time in ns (`CLOCK_THREAD_CPUTIME_ID`: exact, where
/// `/proc`'s counters move only at the scheduler's ticks).
fn thread_cpu_ns() -> Result<u64, String> {
    let now = rustix::time::clock_gettime(rustix::time::ClockId::ThreadCPUTime);
    let spent = std::time::Duration::try_from(now).map_err(|_| format!("a negative thread CPU time: {now:?}"))?;
    u64::try_from(spent.as_nanos()).map_err(|e| e.to_string())
}

/// `target_us`, a CPU time stated for the targets' machines, scaled to this one.
pub fn scaled(target_us: f64, es256_us: f64) -> f64 {
    target_us * es256_us / TARGET_MACHINE_ES256_US
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn thread_cpu_time_grows_with_work() {
        let before = thread_cpu_ns().unwrap();
        let mut x = 0u64;
        for i in 0..5_000_000u64 {
            x = std::hint::black_box(x.wrapping_mul(31).wrapping_add(i));
        }
        assert!(thread_cpu_ns().unwrap() > before, "{x}");
    }

    #[test]
    fn the_middle_round_counts_and_a_failed_one_fails() {
        assert_eq!(median(vec![30.0, 10.0, 20.0]), 20.0);
        assert_eq!(median(vec![4.0, 1.0, 3.0, 2.0]), 3.0);
        assert_eq!(median(Vec::new()), 0.0);
        assert!(median_cpu_ns(3, || Ok(())).unwrap() >= 0.0);
        assert!(median_cpu_ns(2, || Err("failed".into())).is_err(), "a failed round fails the measurement");
    }

    #[test]
    fn targets_scale_with_the_signature() {
        assert!((scaled(35.0, 26.0) - 70.0).abs() < 1e-9);
        assert!((scaled(300.0, 13.0) - 300.0).abs() < 1e-9);
    }
}
