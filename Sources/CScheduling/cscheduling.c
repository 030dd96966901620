#define _GNU_SOURCE
#include "cscheduling.h"

#include <sched.h>

int cscheduling_run_only_when_idle(void) {
    struct sched_param parameters = {.sched_priority = 0};
    return sched_setscheduler(0, SCHED_IDLE, &parameters);
}
