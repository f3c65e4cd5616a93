/* SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause) */
/* Not written yet: the probes of this concern are planned (see docs/policy.md, "What is collected"). */
#ifndef OKR_PROBES_INTEGRITY_H
#define OKR_PROBES_INTEGRITY_H

#include "../lib/syscall.h"

#endif
