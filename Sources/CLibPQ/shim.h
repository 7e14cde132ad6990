#ifndef CASE_REMINDERS_CLIBPQ_SHIM_H
#define CASE_REMINDERS_CLIBPQ_SHIM_H

#include <libpq-fe.h>
#include <poll.h>

#endif
