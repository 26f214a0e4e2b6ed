// SPDX-License-Identifier: LGPL-2.1-or-later
//
// tokio-bench: joinset-bench's trivial workloads written with Tokio's
// JoinSet, so that tests/bench/compare-peers.py can put libjoinset and
// Tokio side by side in the same run.
//
// Every task doubles its input (1..N) and the consumer sums the results,
// which is checked. Time runs from the first spawn to the last result
// consumed; building the runtime is not counted (as joinset-bench does not
// count its thread pool). Each figure is the median of --reps repetitions
// after one warm-up run of min (N, 20000) tasks, and every measurement runs
// in a process of its own (this program runs itself once per scenario and
// N), like joinset-bench's forked children. CPU time is the whole process's
// (every thread), from getrusage (RUSAGE_SELF), per task.
//
// Scenarios (--scenario):
//
// - spawn: JoinSet::spawn (async move { 2 * i }), joined with a
//   join_next().await loop. On current_thread, the peer of js-main and
//   js-main-blocking; on multi_thread, the peer of js-join-next.
// - spawn_blocking: Tokio 1.24 has no JoinSet::spawn_blocking (1.26 added
//   it), so this is what a 1.24 JoinSet user writes: JoinSet::spawn of an
//   async task that awaits task::spawn_blocking (move || 2 * i). The peer of
//   js-join-all and js-thread-blocking. Each job is also an async task.
// - blocking_handles: task::spawn_blocking (move || 2 * i) per job, the
//   JoinHandles awaited in spawn order, no JoinSet and no async task per
//   job. Newer Tokio's JoinSet::spawn_blocking is this plus the set's
//   bookkeeping.
// - pending: N tasks spawned and not run, heap growth (mallinfo2, one
//   malloc arena) and RSS growth per task. On current_thread, JoinSet::spawn
//   without yielding (peer of pending:js-main); on multi_thread,
//   spawn_blocking behind a closed gate once the blocking pool's 512
//   threads are all waiting at it (peer of pending:js-thread).
//
// Without --runtime and --scenario, every throughput pair is run, each in a
// child process; the output is a table, or with --json, joinset-bench's
// JSON shape (results rows with id, n, ns_per_task, cpu_ns_per_task).
//
// Built with Debian's cargo and crates only (see README.md): Rust 1.63.

use std::process::{Command, ExitCode};
use std::sync::{Condvar, Mutex};
use std::time::Instant;

use tokio::runtime::{Builder, Runtime};
use tokio::task::{self, JoinHandle, JoinSet};

const WARM_UP_MAX: u64 = 20_000;
const DEFAULT_NS: [u64; 3] = [10_000, 100_000, 1_000_000];
const DEFAULT_PAIRS: [(&str, &str); 4] = [
    ("current_thread", "spawn"),
    ("multi_thread", "spawn"),
    ("multi_thread", "spawn_blocking"),
    ("multi_thread", "blocking_handles"),
];
/* Tokio's default max_blocking_threads. */
const BLOCKING_THREADS: u64 = 512;

struct Options {
    runtime: Option<String>,
    scenario: Option<String>,
    n: Option<u64>,
    reps: usize,
    json: bool,
}

/* One measurement, as one row of joinset-bench's JSON. */
struct Row {
    kind: &'static str,
    runtime: String,
    scenario: String,
    n: u64,
    median: f64,
    min: f64,
    max: f64,
    cpu: f64,
    rss_per_task: f64,
    peak_rss: f64,
}

impl Row {
    fn id(&self) -> String {
        let rt = if self.runtime == "current_thread" { "ct" } else { "mt" };
        format!("tokio-{}-{}", rt, self.scenario.replace('_', "-"))
    }

    fn to_json(&self) -> String {
        let mut s = format!(
            "{{\"kind\": \"{}\", \"id\": \"{}\", \"runtime\": \"{}\", \"scenario\": \"{}\", \"n\": {}, \"ok\": true",
            self.kind, self.id(), self.runtime, self.scenario, self.n
        );
        if self.kind == "throughput" {
            s += &format!(
                ", \"ns_per_task\": {:.1}, \"min\": {:.1}, \"max\": {:.1}, \"cpu_ns_per_task\": {:.1}",
                self.median, self.min, self.max, self.cpu
            );
        } else {
            s += &format!(
                ", \"heap_bytes_per_task\": {:.1}, \"rss_bytes_per_task\": {:.1}",
                self.median, self.rss_per_task
            );
        }
        s + &format!(", \"peak_rss_bytes\": {:.0}}}", self.peak_rss)
    }

    /* One line of JSON a child hands its parent, read back by from_json. */
    fn from_json(line: &str) -> Option<Row> {
        let field = |name: &str| -> Option<String> {
            let key = format!("\"{}\": ", name);
            let rest = &line[line.find(&key)? + key.len()..];
            let end = rest.find(|c| c == ',' || c == '}')?;
            Some(rest[..end].trim_matches('"').to_string())
        };
        let num = |name: &str| field(name).and_then(|v| v.parse::<f64>().ok()).unwrap_or(0.0);
        let kind = if field("kind")? == "pending" { "pending" } else { "throughput" };
        Some(Row {
            kind,
            runtime: field("runtime")?,
            scenario: field("scenario")?,
            n: field("n")?.parse().ok()?,
            median: if kind == "pending" { num("heap_bytes_per_task") } else { num("ns_per_task") },
            min: num("min"),
            max: num("max"),
            cpu: num("cpu_ns_per_task"),
            rss_per_task: num("rss_bytes_per_task"),
            peak_rss: num("peak_rss_bytes"),
        })
    }
}

/* ------------------------------------------------------------------------
 * Helpers
 * ------------------------------------------------------------------------ */

fn rusage() -> libc::rusage {
    // SAFETY: getrusage fills the struct it is given.
    unsafe {
        let mut ru: libc::rusage = std::mem::zeroed();
        libc::getrusage(libc::RUSAGE_SELF, &mut ru);
        ru
    }
}

/* CPU time of the whole process (every thread), in ns. */
fn cpu_ns() -> f64 {
    let ru = rusage();
    (ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) as f64 * 1e9
        + (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) as f64 * 1e3
}

fn heap_bytes() -> f64 {
    // SAFETY: mallinfo2 only reads the allocator's counters.
    let mi = unsafe { libc::mallinfo2() };
    (mi.uordblks + mi.hblkhd) as f64
}

fn rss_bytes() -> f64 {
    let statm = std::fs::read_to_string("/proc/self/statm").unwrap_or_default();
    let pages: f64 = statm.split_whitespace().nth(1).and_then(|v| v.parse().ok()).unwrap_or(0.0);
    // SAFETY: sysconf has no preconditions.
    pages * unsafe { libc::sysconf(libc::_SC_PAGESIZE) } as f64
}

fn median(v: &mut [f64]) -> f64 {
    v.sort_by(|a, b| a.partial_cmp(b).unwrap());
    let n = v.len();
    if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2.0
    }
}

/* The sum the consumer must find: inputs are 1..n, each doubled. */
fn check_sum(what: &str, sum: u64, n: u64) {
    if sum != n * (n + 1) {
        panic!("{}: results sum to {}, expected {}", what, sum, n * (n + 1));
    }
}

fn build_runtime(runtime: &str) -> Runtime {
    let mut builder = match runtime {
        "current_thread" => Builder::new_current_thread(),
        "multi_thread" => Builder::new_multi_thread(),
        other => panic!("unknown runtime {:?}: current_thread or multi_thread", other),
    };
    builder.build().expect("cannot build the runtime")
}

/* ------------------------------------------------------------------------
 * The workloads: each returns the wall time in ns, first spawn to last
 * result consumed, and is run by block_on from the main thread, as
 * #[tokio::main] does.
 * ------------------------------------------------------------------------ */

async fn run_spawn(n: u64) -> u64 {
    let mut set = JoinSet::new();
    let mut sum = 0;
    let start = Instant::now();

    for i in 1..=n {
        set.spawn(async move { i * 2 });
    }
    while let Some(result) = set.join_next().await {
        sum += result.expect("task failed");
    }

    let elapsed = start.elapsed().as_nanos() as u64;
    check_sum("spawn", sum, n);
    elapsed
}

async fn run_spawn_blocking(n: u64) -> u64 {
    let mut set = JoinSet::new();
    let mut sum = 0;
    let start = Instant::now();

    for i in 1..=n {
        set.spawn(async move { task::spawn_blocking(move || i * 2).await.expect("blocking task failed") });
    }
    while let Some(result) = set.join_next().await {
        sum += result.expect("task failed");
    }

    let elapsed = start.elapsed().as_nanos() as u64;
    check_sum("spawn_blocking", sum, n);
    elapsed
}

async fn run_blocking_handles(n: u64) -> u64 {
    let mut sum = 0;
    let start = Instant::now();

    let handles: Vec<JoinHandle<u64>> = (1..=n).map(|i| task::spawn_blocking(move || i * 2)).collect();
    for handle in handles {
        sum += handle.await.expect("blocking task failed");
    }

    let elapsed = start.elapsed().as_nanos() as u64;
    check_sum("blocking_handles", sum, n);
    elapsed
}

fn run_once(rt: &Runtime, scenario: &str, n: u64) -> u64 {
    match scenario {
        "spawn" => rt.block_on(run_spawn(n)),
        "spawn_blocking" => rt.block_on(run_spawn_blocking(n)),
        "blocking_handles" => rt.block_on(run_blocking_handles(n)),
        other => panic!("unknown scenario {:?}: spawn, spawn_blocking, blocking_handles or pending", other),
    }
}

fn measure_throughput(runtime: &str, scenario: &str, n: u64, reps: usize) -> Row {
    let rt = build_runtime(runtime);
    let mut wall = Vec::with_capacity(reps);
    let mut cpu = Vec::with_capacity(reps);

    /* Warm-up: threads, malloc arenas. */
    run_once(&rt, scenario, n.min(WARM_UP_MAX));

    for _ in 0..reps {
        let c0 = cpu_ns();
        wall.push(run_once(&rt, scenario, n) as f64 / n as f64);
        cpu.push((cpu_ns() - c0) / n as f64);
    }

    let med = median(&mut wall);
    Row {
        kind: "throughput",
        runtime: runtime.to_string(),
        scenario: scenario.to_string(),
        n,
        median: med,
        min: wall[0],
        max: wall[reps - 1],
        cpu: median(&mut cpu),
        rss_per_task: 0.0,
        peak_rss: rusage().ru_maxrss as f64 * 1024.0,
    }
}

/* ------------------------------------------------------------------------
 * Memory per pending task
 * ------------------------------------------------------------------------ */

static GATE: Mutex<bool> = Mutex::new(false);
static GATE_COND: Condvar = Condvar::new();

fn gate_wait() {
    let mut open = GATE.lock().unwrap();
    while !*open {
        open = GATE_COND.wait(open).unwrap();
    }
}

fn gate_open() {
    *GATE.lock().unwrap() = true;
    GATE_COND.notify_all();
}

fn measure_pending(runtime: &str, n: u64) -> Row {
    // SAFETY: mallopt before any thread exists; mallinfo2 only sees the
    // arena of its caller, so keep one.
    unsafe {
        libc::mallopt(libc::M_ARENA_MAX, 1);
    }
    let rt = build_runtime(runtime);

    let (heap, rss) = rt.block_on(async move {
        let mut set = JoinSet::new();
        let mut handles = Vec::new();

        if runtime == "multi_thread" {
            /* Occupy the whole blocking pool first: the rest will queue. */
            handles.reserve((n + BLOCKING_THREADS) as usize);
            for _ in 0..BLOCKING_THREADS {
                handles.push(task::spawn_blocking(|| {
                    gate_wait();
                    0
                }));
            }
        }
        std::thread::sleep(std::time::Duration::from_millis(50));

        let heap0 = heap_bytes();
        let rss0 = rss_bytes();
        for i in 1..=n {
            if runtime == "multi_thread" {
                handles.push(task::spawn_blocking(move || {
                    gate_wait();
                    i * 2
                }));
            } else {
                set.spawn(async move { i * 2 });
            }
        }
        let growth = ((heap_bytes() - heap0) / n as f64, (rss_bytes() - rss0) / n as f64);

        gate_open();
        std::mem::forget(handles);
        std::mem::forget(set);
        growth
    });

    Row {
        kind: "pending",
        runtime: runtime.to_string(),
        scenario: "pending".to_string(),
        n,
        median: heap,
        min: heap,
        max: heap,
        cpu: 0.0,
        rss_per_task: rss,
        peak_rss: rusage().ru_maxrss as f64 * 1024.0,
    }
}

/* ------------------------------------------------------------------------
 * Driver
 * ------------------------------------------------------------------------ */

/* Runs one scenario in a child process (this program again). */
fn run_child(opts: &Options, runtime: &str, scenario: &str, n: u64) -> Option<Row> {
    let exe = std::env::current_exe().expect("cannot find this program");
    let out = Command::new(exe)
        .args(["--json", "--runtime", runtime, "--scenario", scenario])
        .args(["-n", &n.to_string(), "--reps", &opts.reps.to_string()])
        .output()
        .expect("cannot run a child");
    if !out.status.success() {
        eprintln!("{} {} (N={}) failed: {}", runtime, scenario, n, String::from_utf8_lossy(&out.stderr));
        return None;
    }
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .find(|l| l.contains("\"kind\""))
        .and_then(Row::from_json)
}

fn usage() -> ! {
    eprintln!(
        "Usage: tokio-bench [--runtime current_thread|multi_thread] \
         [--scenario spawn|spawn_blocking|blocking_handles|pending] [-n N] [--reps R] [--json]"
    );
    std::process::exit(2);
}

fn parse_options() -> Options {
    let mut opts = Options { runtime: None, scenario: None, n: None, reps: 5, json: false };
    let mut args = std::env::args().skip(1);

    while let Some(arg) = args.next() {
        let mut value = || args.next().unwrap_or_else(|| usage());
        match arg.as_str() {
            "--runtime" => opts.runtime = Some(value()),
            "--scenario" => opts.scenario = Some(value()),
            "-n" | "--n" => opts.n = Some(value().parse().unwrap_or_else(|_| usage())),
            "--reps" => opts.reps = value().parse().unwrap_or_else(|_| usage()),
            "--json" => opts.json = true,
            _ => usage(),
        }
    }
    opts.reps = opts.reps.max(1);
    opts
}

fn print_rows(opts: &Options, rows: &[Row], seconds: f64) {
    if opts.json {
        println!("{{\n  \"tokio\": \"1.24\",\n  \"cpus\": {},\n  \"reps\": {},\n  \"results\": [", num_cpus(), opts.reps);
        for (i, row) in rows.iter().enumerate() {
            println!("    {}{}", row.to_json(), if i + 1 < rows.len() { "," } else { "" });
        }
        println!("  ]\n}}");
        return;
    }

    println!("tokio-bench: Tokio 1.24, {} CPUs, median of {} repetitions, {:.0} s\n", num_cpus(), opts.reps, seconds);
    println!("| scenario | N | ns/task (median) | min-max | CPU ns/task | bytes/pending | peak RSS MiB |");
    println!("|---|---:|---:|---:|---:|---:|---:|");
    for row in rows {
        if row.kind == "throughput" {
            println!(
                "| {} | {} | {:.0} | {:.0}-{:.0} | {:.0} | - | {:.1} |",
                row.id(), row.n, row.median, row.min, row.max, row.cpu, row.peak_rss / 1048576.0
            );
        } else {
            println!(
                "| {} | {} | - | - | - | {:.0} (RSS {:.0}) | {:.1} |",
                row.id(), row.n, row.median, row.rss_per_task, row.peak_rss / 1048576.0
            );
        }
    }
}

fn num_cpus() -> usize {
    std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1)
}

fn main() -> ExitCode {
    let opts = parse_options();
    let start = Instant::now();
    let mut rows = Vec::new();

    match (&opts.runtime, &opts.scenario) {
        (Some(runtime), Some(scenario)) if scenario == "pending" => {
            rows.push(measure_pending(runtime, opts.n.unwrap_or(1_000_000)));
        }
        (Some(runtime), Some(scenario)) => {
            for n in opts.n.map(|n| vec![n]).unwrap_or_else(|| DEFAULT_NS.to_vec()) {
                rows.push(measure_throughput(runtime, scenario, n, opts.reps));
            }
        }
        _ => {
            let ns = opts.n.map(|n| vec![n]).unwrap_or_else(|| DEFAULT_NS.to_vec());
            let mut failed = false;
            for n in ns {
                for (runtime, scenario) in DEFAULT_PAIRS {
                    if opts.runtime.as_deref().map_or(false, |r| r != runtime)
                        || opts.scenario.as_deref().map_or(false, |s| s != scenario)
                    {
                        continue;
                    }
                    match run_child(&opts, runtime, scenario, n) {
                        Some(row) => {
                            if !opts.json {
                                eprintln!("  {:<26} N={:<8} {:8.0} ns/task", row.id(), n, row.median);
                            }
                            rows.push(row);
                        }
                        None => failed = true,
                    }
                }
            }
            if failed {
                print_rows(&opts, &rows, start.elapsed().as_secs_f64());
                return ExitCode::FAILURE;
            }
        }
    }

    print_rows(&opts, &rows, start.elapsed().as_secs_f64());
    ExitCode::SUCCESS
}
