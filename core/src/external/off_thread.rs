//! Work a stepped task runs off the event loop's thread ([`off_thread`]): the system resolver,
//! which blocks, and a password hash, which takes long. It runs on a small pool of threads that
//! end when there is no more such work, and its answer wakes the task.

use std::sync::Arc;
use std::task::Poll;

/// At most this many threads run [`off_thread`] work at once (a thousand logins setting up
/// connections to a named host at a time resolve it on these, in turn, rather than on a thousand
/// threads); each ends once there is no more work.
const OFF_THREAD_WORKERS: usize = 8;

type Job = Box<dyn FnOnce() + Send>;

/// The [`off_thread`] work waiting for a thread, and how many threads run it.
struct Pool {
    jobs: std::collections::VecDeque<Job>,
    running: usize,
}

static POOL: std::sync::Mutex<Pool> = std::sync::Mutex::new(Pool {
    jobs: std::collections::VecDeque::new(),
    running: 0,
});

fn pool() -> std::sync::MutexGuard<'static, Pool> {
    POOL.lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// Queues `job` for the pool's threads, starting one if fewer than [`OFF_THREAD_WORKERS`] run.
/// If no thread can be started and none runs, the queued work (`job` among it) runs here.
fn submit(job: Job) {
    let mut queue = pool();
    queue.jobs.push_back(job);
    if queue.running >= OFF_THREAD_WORKERS {
        return;
    }
    queue.running += 1;
    drop(queue);
    let started = std::thread::Builder::new()
        .name("docspace-auth-worker".into())
        .spawn(run_jobs);
    if started.is_err() {
        let mut queue = pool();
        queue.running -= 1;
        if queue.running == 0 {
            let jobs = std::mem::take(&mut queue.jobs);
            drop(queue);
            jobs.into_iter().for_each(|job| job());
        }
    }
}

/// A pool thread: runs the queued work until there is none.
fn run_jobs() {
    loop {
        let job = {
            let mut queue = pool();
            match queue.jobs.pop_front() {
                Some(job) => job,
                None => {
                    queue.running -= 1;
                    return;
                }
            }
        };
        job();
    }
}

/// `work`'s result, from a thread of a small pool ([`OFF_THREAD_WORKERS`]), for work that
/// blocks (the system resolver) or takes long (a password hash) and must not hold up the event
/// loop's thread; the task is woken when it is done (through its wake-up socket). A panic in
/// `work` is raised again here.
pub(crate) async fn off_thread<T: Send + 'static>(work: impl FnOnce() -> T + Send + 'static) -> T {
    use std::sync::{Mutex, PoisonError};

    struct Shared<T> {
        result: Mutex<Option<std::thread::Result<T>>>,
        waker: atomic_waker::AtomicWaker,
    }
    let shared = Arc::new(Shared {
        result: Mutex::new(None),
        waker: atomic_waker::AtomicWaker::new(),
    });
    let worker = shared.clone();
    submit(Box::new(move || {
        let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(work));
        *worker.result.lock().unwrap_or_else(PoisonError::into_inner) = Some(result);
        worker.waker.wake();
    }));
    let result = std::future::poll_fn(|cx| {
        shared.waker.register(cx.waker());
        match shared
            .result
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .take()
        {
            Some(result) => Poll::Ready(result),
            None => Poll::Pending,
        }
    })
    .await;
    result.unwrap_or_else(|panic| std::panic::resume_unwind(panic))
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::AtomicUsize;

    use std::sync::atomic::Ordering;
    use std::time::{Duration, Instant};

    use super::super::{Step, Task};
    use super::*;

    /// Forty jobs at once run on at most [`OFF_THREAD_WORKERS`] threads, and every task gets
    /// its result.
    #[test]
    fn off_thread_work_runs_on_a_bounded_pool() {
        static NOW: AtomicUsize = AtomicUsize::new(0);
        static MOST: AtomicUsize = AtomicUsize::new(0);
        let mut tasks: Vec<Task<usize>> = (0..40)
            .map(|i| {
                Task::new(off_thread(move || {
                    let now = NOW.fetch_add(1, Ordering::SeqCst) + 1;
                    MOST.fetch_max(now, Ordering::SeqCst);
                    std::thread::sleep(Duration::from_millis(10));
                    NOW.fetch_sub(1, Ordering::SeqCst);
                    i
                }))
            })
            .collect();
        let mut outputs = vec![None; tasks.len()];
        let started = Instant::now();
        while outputs.iter().any(Option::is_none) {
            assert!(started.elapsed() < Duration::from_secs(10), "stalled");
            for (task, output) in tasks.iter_mut().zip(outputs.iter_mut()) {
                if output.is_none() && matches!(task.step(), Step::Ready) {
                    *output = task.take_output();
                }
            }
            std::thread::sleep(Duration::from_millis(1));
        }
        let outputs: Vec<usize> = outputs.into_iter().flatten().collect();
        assert_eq!(outputs, (0..40).collect::<Vec<_>>());
        let most = MOST.load(Ordering::SeqCst);
        assert!((1..=OFF_THREAD_WORKERS).contains(&most), "{most} at once");
    }
}
