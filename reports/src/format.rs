//! Fixed, locale-free number formatting for the report, so the same results
//! always give the same text. Negative numbers use the typographic minus;
//! missing and non-finite values have a visible spelling instead of `NaN`.

/// What a missing or undefined value shows as.
pub(crate) const MISSING: &str = "–";

/// `x` with exactly `decimals` decimals; `-0.00` shows as `0.00`.
pub(crate) fn fixed(x: f64, decimals: usize) -> String {
    if let Some(s) = non_finite(x) {
        return s;
    }
    let s = format!("{:.*}", decimals, x.abs());
    let zero = s.bytes().all(|b| b == b'0' || b == b'.');
    if x < 0.0 && !zero { format!("−{s}") } else { s }
}

/// Three significant digits below 1000, whole numbers with thousands
/// separators from 1000 on (`0.0123`, `4.56`, `789`, `12,345`).
pub(crate) fn sig(x: f64) -> String {
    if let Some(s) = non_finite(x) {
        return s;
    }
    let a = x.abs();
    if a >= 999.5 {
        let digits = grouped(a.round() as u64);
        return if x < 0.0 { format!("−{digits}") } else { digits };
    }
    if a == 0.0 {
        return "0".into();
    }
    // Decimals that leave three significant digits, capped so tiny values stay short;
    // taken from the value rounded to three digits, so 0.99999 shows as 1.00, not 1.000.
    let magnitude = a.log10().floor() as i32;
    let scale = 10f64.powi(2 - magnitude);
    let rounded = (a * scale).round() / scale;
    let decimals = (2 - rounded.log10().floor() as i32).clamp(0, 6) as usize;
    fixed(x, decimals)
}

/// At most three significant digits without trailing zeros (`0.5`, `1`,
/// `0.01`): for parameter values and gains, which are given, not measured.
pub(crate) fn short(x: f64) -> String {
    let s = sig(x);
    if s.contains('.') { s.trim_end_matches('0').trim_end_matches('.').to_string() } else { s }
}

/// A count with thousands separators.
pub(crate) fn count(n: u64) -> String {
    grouped(n)
}

/// `0.1234` → `12.3%`.
pub(crate) fn percent(x: f64, decimals: usize) -> String {
    if let Some(s) = non_finite(x) {
        return s;
    }
    format!("{}%", fixed(x * 100.0, decimals))
}

/// `0.1234` → `+12.3%`: a change, always signed.
pub(crate) fn signed_percent(x: f64) -> String {
    with_sign(x, percent(x, 1))
}

/// A signed value with three significant digits (`+0.412`, `−12.3`).
pub(crate) fn signed(x: f64) -> String {
    with_sign(x, sig(x))
}

/// Bytes in binary units (`812 B`, `3.4 MiB`).
pub(crate) fn bytes(b: f64) -> String {
    if let Some(s) = non_finite(b) {
        return s;
    }
    const UNITS: [&str; 5] = ["KiB", "MiB", "GiB", "TiB", "PiB"];
    if b.abs() < 1024.0 {
        return format!("{} B", fixed(b, 0));
    }
    let mut v = b / 1024.0;
    let mut unit = 0;
    while v.abs() >= 1024.0 && unit + 1 < UNITS.len() {
        v /= 1024.0;
        unit += 1;
    }
    format!("{} {}", sig(v), UNITS[unit])
}

/// A duration given in seconds, in the unit that reads best (`850 ms`, `12.3 s`).
pub(crate) fn seconds(s: f64) -> String {
    if let Some(t) = non_finite(s) {
        return t;
    }
    if s.abs() < 1.0 { micros(s * 1e6) } else { format!("{} s", sig(s)) }
}

/// A duration given in microseconds, in the unit that reads best (`87.5 µs`, `1.20 ms`).
pub(crate) fn micros(us: f64) -> String {
    if let Some(t) = non_finite(us) {
        return t;
    }
    let a = us.abs();
    if a < 999.5 {
        format!("{} µs", sig(us))
    } else if a < 999_500.0 {
        format!("{} ms", sig(us / 1e3))
    } else {
        format!("{} s", sig(us / 1e6))
    }
}

/// A p-value: three decimals, `<0.001` below that (`0.012`, `1.000`).
pub(crate) fn p_value(p: f64) -> String {
    if p.is_finite() && p < 0.001 { "<0.001".into() } else { fixed(p, 3) }
}

/// `[lower, upper]` with both ends formatted by `f`.
pub(crate) fn interval(lower: f64, upper: f64, f: impl Fn(f64) -> String) -> String {
    format!("[{}, {}]", f(lower), f(upper))
}

fn with_sign(x: f64, text: String) -> String {
    if x > 0.0 && !text.starts_with('∞') && text.bytes().any(|b| (b'1'..=b'9').contains(&b)) {
        format!("+{text}")
    } else {
        text
    }
}

fn non_finite(x: f64) -> Option<String> {
    if x.is_nan() {
        Some(MISSING.into())
    } else if x.is_infinite() {
        Some(if x > 0.0 { "∞".into() } else { "−∞".into() })
    } else {
        None
    }
}

fn grouped(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fixed_has_no_negative_zero_and_spells_non_finite() {
        assert_eq!(fixed(-0.0001, 2), "0.00");
        assert_eq!(fixed(-1.5, 1), "−1.5");
        assert_eq!(fixed(f64::NAN, 2), MISSING);
        assert_eq!(fixed(f64::INFINITY, 2), "∞");
    }

    #[test]
    fn sig_keeps_three_significant_digits() {
        assert_eq!(sig(0.012345), "0.0123");
        assert_eq!(sig(4.567), "4.57");
        assert_eq!(sig(78.91), "78.9");
        assert_eq!(sig(789.1), "789");
        assert_eq!(sig(12_345.6), "12,346");
        assert_eq!(sig(-1_234_567.0), "−1,234,567");
        assert_eq!(sig(0.0), "0");
        assert_eq!(sig(0.99999), "1.00");
        assert_eq!(sig(99.96), "100");
    }

    #[test]
    fn units_switch_where_they_read_best() {
        assert_eq!(micros(87.54), "87.5 µs");
        assert_eq!(micros(1_204.0), "1.20 ms");
        assert_eq!(micros(2_500_000.0), "2.50 s");
        assert_eq!(seconds(0.85), "850 ms");
        assert_eq!(seconds(12.34), "12.3 s");
        assert_eq!(bytes(812.0), "812 B");
        assert_eq!(bytes(3.5 * 1024.0 * 1024.0), "3.50 MiB");
    }

    #[test]
    fn changes_are_signed() {
        assert_eq!(signed_percent(0.1234), "+12.3%");
        assert_eq!(signed_percent(-0.05), "−5.0%");
        assert_eq!(signed_percent(0.0), "0.0%");
        assert_eq!(signed(0.41234), "+0.412");
        assert_eq!(count(1_234_567), "1,234,567");
        assert_eq!(short(0.5), "0.5");
        assert_eq!(short(1.0), "1");
        assert_eq!(short(12_345.0), "12,345");
        assert_eq!(p_value(0.0123), "0.012");
        assert_eq!(p_value(0.0004), "<0.001");
        assert_eq!(p_value(1.0), "1.000");
        assert_eq!(p_value(f64::NAN), MISSING);
    }
}
