//! What every benchmark client shares: the command line, the process CPU clock and the one-line
//! JSON reports that `bench/harness/bench.py` reads (the same contract as the Python, Node and
//! Kotlin clients, see bench/README.md).

use std::time::Instant;

/// Who logs in where, from the environment (`DS_URL`, `DS_USER`, `DS_PASSWORD`, `DS_SECRET`).
#[derive(Clone)]
pub struct Config {
    pub url: String,
    pub user: String,
    pub password: String,
    pub secret: String,
    /// Logins before any measurement (`DS_WARMUP`, default 20).
    pub warmup: usize,
}

/// What to measure: `seq N ROUNDS`, `conc C TOTAL` or `cold`.
#[derive(Clone, Copy)]
pub enum Mode {
    Seq { n: usize, rounds: usize },
    Conc { c: usize, total: usize },
    Cold,
}

/// Counts of one measured run.
#[derive(Default, Clone, Copy)]
pub struct Tally {
    pub ok: usize,
    pub failures: usize,
    /// Length of the last token obtained (what `cold` prints).
    pub token_len: usize,
}

impl Tally {
    pub fn add(&mut self, result: Result<usize, String>) {
        match result {
            Ok(len) => {
                self.ok += 1;
                self.token_len = len;
            }
            Err(e) => {
                if self.failures == 0 {
                    eprintln!("bench-client: login failed: {e}");
                }
                self.failures += 1;
            }
        }
    }

    pub fn merge(&mut self, other: Tally) {
        self.ok += other.ok;
        self.failures += other.failures;
        self.token_len = self.token_len.max(other.token_len);
    }
}

/// A measured span: process CPU (user + system, all threads) and wall time.
pub struct Span {
    cpu_us: u64,
    wall: Instant,
}

impl Span {
    pub fn start() -> Span {
        Span {
            cpu_us: cpu_time_us(),
            wall: Instant::now(),
        }
    }

    /// `{"n":..,"ok":..,"failures":..,"cpu_us":..,"wall_us":..}`
    pub fn report(&self, n: usize, tally: Tally) -> String {
        let wall_us = self.wall.elapsed().as_micros();
        let cpu_us = cpu_time_us().saturating_sub(self.cpu_us);
        format!(
            "{{\"n\":{n},\"ok\":{},\"failures\":{},\"cpu_us\":{cpu_us},\"wall_us\":{wall_us}}}",
            tally.ok, tally.failures
        )
    }
}

/// getrusage(RUSAGE_SELF): user + system CPU time of the whole process, in microseconds.
pub fn cpu_time_us() -> u64 {
    // SAFETY: getrusage only writes into the zero-initialised struct we own.
    let usage = unsafe {
        let mut usage: libc::rusage = std::mem::zeroed();
        if libc::getrusage(libc::RUSAGE_SELF, &mut usage) != 0 {
            return 0;
        }
        usage
    };
    let us = |t: libc::timeval| (t.tv_sec as u64) * 1_000_000 + t.tv_usec as u64;
    us(usage.ru_utime) + us(usage.ru_stime)
}

/// A client under test: `c` concurrent workers, each doing `per` logins one after the other.
pub trait Bench {
    fn many(&self, c: usize, per: usize) -> Tally;
}

/// Runs `mode` and prints its report; the process exit code.
///
/// - `seq N ROUNDS`: `{"mode":"seq","warmup":{..},"rounds":[{n,ok,failures,cpu_us,wall_us},..]}`
/// - `conc C TOTAL`: `{"mode":"conc","c":C,"warmup":{..},"run":{n,ok,failures,cpu_us,wall_us}}`
/// - `cold`: one login, then `TOKEN <length>` (exit 1 if it failed)
pub fn run(bench: &impl Bench, mode: Mode, config: &Config) -> i32 {
    let (c, per, rounds) = match mode {
        Mode::Cold => {
            let t = bench.many(1, 1);
            if t.ok != 1 {
                return 1;
            }
            println!("TOKEN {}", t.token_len);
            return 0;
        }
        Mode::Seq { n, rounds } => (1, n, rounds),
        Mode::Conc { c, total } => (c, per_worker(c, total), 1),
    };
    let warm = if config.warmup > 0 {
        bench.many(1, config.warmup)
    } else {
        Tally::default()
    };
    let warm = format!("{{\"ok\":{},\"failures\":{}}}", warm.ok, warm.failures);
    let reports: Vec<String> = (0..rounds)
        .map(|_| {
            let span = Span::start();
            let tally = bench.many(c, per);
            span.report(c * per, tally)
        })
        .collect();
    match mode {
        Mode::Conc { c, .. } => println!(
            "{{\"mode\":\"conc\",\"c\":{c},\"warmup\":{warm},\"run\":{}}}",
            reports.join(",")
        ),
        _ => println!(
            "{{\"mode\":\"seq\",\"warmup\":{warm},\"rounds\":[{}]}}",
            reports.join(",")
        ),
    }
    0
}

/// Logins per worker so that `c` workers do at least `total` logins.
pub fn per_worker(c: usize, total: usize) -> usize {
    total.div_ceil(c.max(1)).max(1)
}

/// `<variant> seq N ROUNDS | conc C TOTAL | cold`, configuration from the environment.
pub fn parse_args() -> Result<(String, Mode, Config), String> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let num = |i: usize| -> Result<usize, String> {
        let v = args.get(i).ok_or("missing number")?;
        let n: usize = v.parse().map_err(|_| format!("not a number: {v}"))?;
        // Bounded loops: a typo cannot start an endless run.
        if n == 0 || n > 1_000_000 {
            return Err(format!("out of range (1..=1000000): {n}"));
        }
        Ok(n)
    };
    let variant = args.first().ok_or("missing variant")?.clone();
    let mode = match args.get(1).map(String::as_str) {
        Some("seq") => Mode::Seq {
            n: num(2)?,
            rounds: num(3)?,
        },
        Some("conc") => Mode::Conc {
            c: num(2)?,
            total: num(3)?,
        },
        Some("cold") => Mode::Cold,
        _ => return Err("mode must be seq N ROUNDS, conc C TOTAL or cold".into()),
    };
    let env = |k: &str| std::env::var(k).map_err(|_| format!("{k} is not set"));
    let warmup = match std::env::var("DS_WARMUP") {
        Ok(v) => v.parse().map_err(|_| format!("DS_WARMUP: {v}"))?,
        Err(_) => 20,
    };
    let config = Config {
        url: env("DS_URL")?,
        user: env("DS_USER")?,
        password: env("DS_PASSWORD")?,
        secret: env("DS_SECRET")?,
        warmup: usize::min(warmup, 10_000),
    };
    Ok((variant, mode, config))
}
