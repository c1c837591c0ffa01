// SuiteSparse CHOLMOD (Debian libsuitesparse-dev), the sparse Cholesky factorisation lme4 uses through
// R's Matrix. Its structures (cholmod_common, cholmod_factor) are large and versioned, so the shim
// includes the library's own header rather than restating them.
#ifndef HLM_CCHOLMOD_SHIM_H
#define HLM_CCHOLMOD_SHIM_H
#include <suitesparse/cholmod.h>
#endif
