#ifndef CASE_REMINDERS_CLIBPQ_SHIM_H
#define CASE_REMINDERS_CLIBPQ_SHIM_H

#include <libpq-fe.h>
#include <poll.h>

// The PG_DIAG_* field codes are character-literal macros; exposing them as
// functions gives Swift a stable, typed way to ask for them.
static inline int clibpq_diag_sqlstate(void) { return PG_DIAG_SQLSTATE; }
static inline int clibpq_diag_message_primary(void) { return PG_DIAG_MESSAGE_PRIMARY; }
static inline int clibpq_diag_severity(void) { return PG_DIAG_SEVERITY_NONLOCALIZED; }

#endif
