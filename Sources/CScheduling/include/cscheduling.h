#ifndef CSCHEDULING_H
#define CSCHEDULING_H

/// Puts the calling thread (only it: on Linux scheduling policy and nice value are per thread)
/// under SCHED_IDLE: any other thread of the machine that becomes runnable preempts it at once.
/// An unprivileged thread may lower itself so but never go back, so the thread must be one that
/// does only background work. Returns 0, or -1 with errno set.
int cscheduling_run_only_when_idle(void);

#endif
