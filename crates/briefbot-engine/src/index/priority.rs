//! Rebuilds run beside questions on the same cores; a lower scheduling
//! priority for the rebuild's threads keeps answers from queueing behind it.

/// Let the scheduler prefer the process's other threads over this one and
/// the threads it starts (Linux priority is per thread and inherited).
/// Best effort: where it is not allowed, nothing changes.
pub(crate) fn lower_this_thread() {
    #[cfg(target_os = "linux")]
    // SAFETY: setpriority on the calling thread's own id; no memory is touched.
    unsafe {
        let tid = libc::syscall(libc::SYS_gettid) as libc::id_t;
        libc::setpriority(libc::PRIO_PROCESS, tid, 10);
    }
}
